/*
 * sel4-sim's top-level pieces and how they meet:
 *   main.c     parses the command line into a sim_config, loads the image (elf.h),
 *              and hands both to the kernel model;
 *   kernel/    seL4 semantics (kernel.h): objects, capabilities, IPC, scheduling,
 *              faults, VSpaces, boot, the run loop, fault injection, statistics;
 *   machine.h  user-mode CPUs and physical memory (libunicorn);
 *   devices.h  the simulated PC devices: debug console, 16550 serial, PIT, exit port.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define SIM_MAX_INJECT 32

/* One --inject SPEC, parsed.  Forms:
 *   crash:THREAD@insn=N      fault THREAD (by seL4_DebugNameThread name) after it ran N insns
 *   crash:THREAD@syscall=K   ... when it makes its K-th syscall (1-based)
 *   crash:THREAD@rx=N        ... at its first wait (seL4_Recv/ReplyRecv) after the guest
 *                            has read the N-th byte (1-based) of the serial input from
 *                            COM1's receiver (also hang and corrupt)
 *   crash:THREAD@time=T      ... when it runs at or after virtual time T (instructions,
 *                            as rdtsc counts them), whichever incarnation has the name
 *   hang:THREAD@insn=N       THREAD loops forever from then on (keeps consuming time)
 *   corrupt:THREAD@insn=N:REG=VALUE   overwrite register REG (rax..r15, rip, rsp)
 *   nomem:LABEL@K            the K-th invocation with label LABEL (e.g. UntypedRetype)
 *                            fails with seL4_NotEnoughMemory
 *   random:SEED              one of the above at a seeded pseudo-random point
 */
typedef enum { INJ_CRASH, INJ_HANG, INJ_CORRUPT, INJ_NOMEM, INJ_RANDOM } sim_inject_kind;
typedef struct sim_inject {
    sim_inject_kind kind;
    char     thread[32];   /* thread name, or invocation label name for INJ_NOMEM */
    bool     at_syscall;   /* trigger counts syscalls instead of instructions */
    bool     at_rx;        /* trigger counts serial input bytes read (at the next wait) */
    bool     at_time;      /* trigger is the virtual time, not the thread's count */
    uint64_t at;           /* N (instructions / serial bytes), K (syscalls / invocations) or T */
    char     reg[8];       /* INJ_CORRUPT */
    uint64_t value;        /* INJ_CORRUPT */
    uint64_t seed;         /* INJ_RANDOM */
    const char *spec;      /* the option's text, for reports (points into argv) */
} sim_inject;

typedef struct sim_config {
    const char *image_path;
    uint64_t    mem_bytes;      /* simulated RAM, default 512 MiB */
    uint64_t    seed;           /* for everything pseudo-random; default 0 */
    uint64_t    max_insns;      /* stop after this many user instructions; 0 = no limit */
    double      timeout_s;      /* host wall-clock limit; 0 = none (only a safety net) */
    bool        trace;          /* one line per syscall and fault on stderr */
    bool        tick_jitter;    /* timer ticks 0.5 .. 1.5 tick apart, drawn from the seed */
    const char *stats_json;     /* write statistics here at exit, or NULL */
    int         n_inject;
    sim_inject  inject[SIM_MAX_INJECT];
} sim_config;

/* Exit status of a run, as the process exit status of sel4-sim. */
enum {
    SIM_STATUS_OK = 0,          /* guest wrote 0 to the exit port (or halted cleanly) */
    /* 1..125: the value the guest wrote to the exit device */
    SIM_STATUS_DEADLOCK = 124,  /* every thread blocked, no timer pending */
    SIM_STATUS_LIMIT = 125,     /* --max-insns or --timeout reached */
    SIM_STATUS_BAD_IMAGE = 126, /* the image could not be loaded */
    SIM_STATUS_USAGE = 127,     /* bad command line */
};
