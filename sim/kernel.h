/*
 * The kernel model: seL4 16.0.0 x86_64 non-MCS semantics, from the reference manual.
 * Owns every kernel object, the scheduler, virtual time and the run loop; executes
 * user code through machine.h and reaches devices through devices.h.
 */
#pragma once
#include <stdint.h>
#include "elf.h"
#include "sim.h"
#include "devices.h"

typedef struct kernel kernel;

/* Creates the kernel with cfg->mem_bytes of RAM.  NULL with a message on stderr on failure. */
kernel *kernel_create(const sim_config *cfg, sim_devices *dev);
void kernel_destroy(kernel *k);

/* Builds the root task from `img` as seL4 does at boot: its CSpace with the initial
 * caps, VSpace with the image, IPC buffer and BootInfo frames, untyped caps covering
 * the rest of RAM; rdi = BootInfo address at entry.  0, or -1 with a message (e.g. the
 * image overlaps memory the kernel reserves). */
int kernel_boot(kernel *k, const elf_image *img);

/* Runs until the guest ends the run (exit port, seL4_DebugHalt), every thread blocks
 * with nothing pending (deadlock: reported on stderr), or a limit is hit.  Returns the
 * process exit status (SIM_STATUS_* or the guest's exit value). */
int kernel_run(kernel *k);

/* Writes statistics as JSON (instructions per thread, syscalls, objects by type,
 * untyped bytes in use, instructions per second, ...). 0 or -1. */
int kernel_write_stats(const kernel *k, const char *path);

/* Reports on stderr every --inject that never fired, with the reason; returns how many. */
unsigned inject_report(const kernel *k);
