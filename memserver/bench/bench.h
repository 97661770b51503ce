/* Shared by the memory-server benchmark programs (bench_root.c, bench_client.c,
 * bench_baseline.c).  See bench.sh for what is measured and how. */
#pragma once
#include <runtime/runtime.h>
#include <runtime/stdio.h>

#define BENCH_PAGE  4096ull
#define BENCH_LARGE (2ull << 20)
/* Where the baseline programs map (fresh PML4 slot 2: no paging structures there yet,
 * just as the memory server's managed range from 512 GiB up in an adopted space). */
#define BENCH_BASELINE_BASE 0x0000010000000000ull
/* Most pages one run uses (64 MiB of 4 KiB pages). */
#define BENCH_MAX_PAGES 16384ull

/* Phases (args[0] of ms-bench-client and ms-baseline). */
enum {
    BENCH_SERVER_FAULT = 1, /* client: map without populate, touch each page (server faults) */
    BENCH_SERVER_MAP4K = 2, /* client: one MAP with POPULATE|4K */
    BENCH_SERVER_MAP2M = 3, /* client: one MAP with POPULATE (2 MiB frames) */
    BENCH_BASE_TOUCH = 4,   /* client: touch each page; faults go to the baseline handler */
    BENCH_BASE_FAULT = 5,   /* baseline: fault handler (retype + map + ReplyRecv) */
    BENCH_BASE_MAP4K = 6,   /* baseline: retype + map 4 KiB frames itself */
    BENCH_BASE_MAP2M = 7,   /* baseline: retype + map 2 MiB frames itself */
    BENCH_SERVER_FAULT2M = 8, /* client: map without populate or 4K, touch each page
                                 (2 MiB frames on demand); no baseline */
};

/* Label of the "done" message a benchmark program sends the root task; MR0 = status. */
#define BENCH_DONE_LABEL 0x444F4E45ul

/* In sel4-sim the TSC counts executed user instructions (virtual time); in QEMU with
 * -icount shift=0 it counts executed instructions of the whole machine. */
static inline uint64_t bench_tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* Tells the root task we are done (on `report`): MR0 = status, MR1 = a TSC measurement,
 * MR2 = 2 MiB frames used (the root task prints them, so that the measured program's
 * own output does not depend on the numbers); then stops this thread for good. */
static inline _Noreturn void bench_done(seL4_CPtr report, seL4_Word status, seL4_Word tsc, seL4_Word large)
{
    seL4_SetMR(0, status);
    seL4_SetMR(1, tsc);
    seL4_SetMR(2, large);
    seL4_Send(report, seL4_MessageInfo_new(BENCH_DONE_LABEL, 0, 0, 3));
    for (;;) (void)seL4_TCB_Suspend(RUNTIME_CAP_TCB);
}
