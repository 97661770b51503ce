/*
 * Checks an installed seL4 kernel's configuration against what this project needs.
 *
 * The input is the text of the kernel's generated configuration header,
 * $SEL4_PREFIX/libsel4/include/kernel/gen_config.h, which has one line per option: a
 * preprocessor definition of CONFIG_<NAME> with its value for an option that is set, or
 * a comment naming CONFIG_<NAME> as disabled for a boolean option that is off.
 * Portable C without system calls: the host tool (kconfig_cli.c), its tests and the
 * fuzzer all use these functions.
 */
#pragma once
#include <stddef.h>

/* What gen_config.h says about one CONFIG_ macro. */
enum kconfig_state {
    KCONFIG_ABSENT,   /* no line for it: the option does not exist in this configuration */
    KCONFIG_DISABLED, /* "disabled: CONFIG_X": a boolean option that is OFF */
    KCONFIG_DEFINED   /* defined, with its value */
};

#define KCONFIG_VALUE_MAX 64u  /* longest value kept (longer values are cut) */
#define KCONFIG_LINE_MAX  256u /* longest report line, terminating NUL included */

/* Finds `macro`'s line; for KCONFIG_DEFINED, `value` receives its value (whitespace
 * trimmed, cut to KCONFIG_VALUE_MAX - 1 characters), otherwise "". */
enum kconfig_state kconfig_lookup(const char *text, size_t len, const char *macro,
                                  char value[KCONFIG_VALUE_MAX]);

/* Receives one line (no newline) of a report. */
typedef void kconfig_report_fn(void *ctx, const char *line);

/* Compares every setting the project depends on; reports one line per mismatch:
 *   "kernel config: KernelIsMCS is ON; set -DKernelIsMCS=OFF (why)"
 * Returns the number of mismatches. */
unsigned kconfig_check(const char *text, size_t len, kconfig_report_fn *report, void *ctx);

/* Settings that change what the ABI layer declares and are supported either way
 * (KernelIOMMU: invocation labels and object types; KernelDebugBuild, KernelPrinting: the
 * debug syscalls): reports a "SETTING=VALUE" line ("KernelIOMMU=ON",
 * "KernelDebugBuild=OFF", "KernelPrinting=OFF") for each whose value differs from
 * sel4-sim's configuration, in that order.  Returns how many differ.  The seL4 programs
 * for such a kernel are built with its values (tools/kernel-images.sh). */
unsigned kconfig_abi_differences(const char *text, size_t len, kconfig_report_fn *report,
                                 void *ctx);

/* One line naming the key settings ("KernelSel4Arch=x86_64 KernelPlatform=pc99 ..."),
 * written to buf (always NUL-terminated when cap > 0, cut to cap - 1 characters). */
void kconfig_summary(const char *text, size_t len, char *buf, size_t cap);
