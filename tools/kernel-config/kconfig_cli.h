/*
 * sel4-kconfig-check: reads $SEL4_PREFIX/libsel4/include/kernel/gen_config.h of an
 * installed seL4 kernel (host file I/O; the comparison itself is kconfig.c).
 *
 *   sel4-kconfig-check SEL4_PREFIX            check; one line per mismatch on `err`
 *   sel4-kconfig-check --summary SEL4_PREFIX  the key settings, one line on `out`
 *   sel4-kconfig-check --abi SEL4_PREFIX      settings that change only the generated
 *                                             numbering and differ from sel4-sim's,
 *                                             one "KernelIOMMU=ON" line each, on `out`
 * Exit status: 0 fine, 1 the kernel's configuration cannot work with this project,
 * 2 no readable configuration or bad usage.
 */
#pragma once
#include <stdio.h>

#define KCONFIG_FILE_MAX (256u * 1024u) /* gen_config.h of 16.0.0 is about 6 KiB */
#define KCONFIG_PATH_MAX 4096u

int kconfig_main(int argc, char **argv, FILE *out, FILE *err);
