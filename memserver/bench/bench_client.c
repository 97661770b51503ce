/*
 * ms-bench-client: the memory server's client in the benchmark (and, in mode
 * BENCH_BASE_TOUCH, the thread whose faults the baseline handler serves).
 *   caps: [0] client endpoint of the server, [1] the same with the administrator bit,
 *         [2] the root task's report endpoint
 *   args: [0] mode (bench.h), [1] pages
 * Prints "bench <key> <value>" lines (the TSC over the measured part, the server's own
 * counters from STATS) and sends BENCH_DONE_LABEL on the report endpoint.
 */
#include <runtime/startup.h>
#include <runtime/cspace.h>
#include "memserver/client/memserver_client.h"
#include "memserver/bench/bench.h"

static seL4_CPtr cli, admin, report;

static void fail(const char *what, int err)
{
    printf("ms-bench-client: %s failed: %s\n", what, ms_err_name(err));
    bench_done(report, 1, 0, 0);
}

/* Hands our VSpace to the server and makes it our fault handler. */
static uint32_t adopt_self(const runtime_startup_t *st)
{
    uint32_t as = 0;
    int err = msc_as_adopt(cli, PROGRAM_SLOT_VSPACE, &as);
    if (err) fail("AS_ADOPT", err);
    seL4_CPtr fault_slot = st->empty_start;
    err = msc_as_fault_ep(cli, as, PROGRAM_SLOT_CNODE, fault_slot);
    if (err) fail("AS_FAULT_EP", err);
    err = seL4_TCB_SetSpace(PROGRAM_SLOT_TCB, fault_slot, PROGRAM_SLOT_CNODE,
                            cspace_one_level_guard(st->cnode_size_bits), PROGRAM_SLOT_VSPACE, 0);
    if (err) fail("TCB_SetSpace", MS_ERR_KERNEL);
    return as;
}

/* Writes one word in each page of [va, va + pages pages); returns the TSC it took. */
static uint64_t touch(uint64_t va, uint64_t pages)
{
    uint64_t t0 = bench_tsc();
    for (uint64_t i = 0; i < pages; i++) *(volatile uint64_t *)(va + i * BENCH_PAGE) = i + 1;
    uint64_t t1 = bench_tsc();
    for (uint64_t i = 0; i < pages; i++)
        if (*(volatile uint64_t *)(va + i * BENCH_PAGE) != i + 1) fail("read back", MS_ERR_KERNEL);
    return t1 - t0;
}

static void print_stats(const char *phase, const uint64_t s0[9], const uint64_t s1[9])
{
    /* The server's own counts between the two STATS requests (it counts the second
     * STATS's reply but not the first's: one ReplyRecv too many, subtracted). */
    printf("bench server.%s.own_invocations %lu\n", phase, (unsigned long)(s1[0] - s0[0] - 1));
    printf("bench server.%s.large_frames %lu\n", phase, (unsigned long)(s1[3] - s0[3]));
    printf("bench server.%s.metadata_bytes %lu\n", phase, (unsigned long)(s1[6] - s0[6]));
}

static void server_phase(const runtime_startup_t *st, seL4_Word mode, uint64_t pages)
{
    const char *phase = mode == BENCH_SERVER_FAULT     ? "fault"
                        : mode == BENCH_SERVER_FAULT2M ? "fault2m"
                        : mode == BENCH_SERVER_MAP4K   ? "map4k"
                                                       : "map2m";
    uint32_t as = adopt_self(st);
    uint64_t s0[9], s1[9], va = 0, tsc = 0;
    int err = msc_stats(admin, s0);
    if (err) fail("STATS", err);
    if (pages) {
        uint64_t size = pages * BENCH_PAGE;
        if (mode == BENCH_SERVER_FAULT || mode == BENCH_SERVER_FAULT2M) {
            /* fault: 4 KiB pages only; fault2m: 2 MiB frames on demand */
            err = msc_map(cli, as, 0, size, 0, 0, MS_RW, mode == BENCH_SERVER_FAULT ? MS_MAP_4K : 0u, &va);
            if (err) fail("MAP", err);
            tsc = touch(va, pages);
        } else {
            uint32_t flags = MS_MAP_POPULATE | (mode == BENCH_SERVER_MAP4K ? MS_MAP_4K : 0u);
            uint64_t t0 = bench_tsc();
            err = msc_map(cli, as, 0, size, 0, 0, MS_RW, flags, &va);
            tsc = bench_tsc() - t0;
            if (err) fail("MAP populated", err);
        }
    }
    err = msc_stats(admin, s1);
    if (err) fail("STATS", err);
    printf("bench server.%s.pages %lu\n", phase, (unsigned long)pages);
    printf("bench server.%s.tsc %lu\n", phase, (unsigned long)tsc);
    print_stats(phase, s0, s1);
    if (pages && mode != BENCH_SERVER_FAULT && mode != BENCH_SERVER_FAULT2M) {
        /* check that the memory is there (after the measurement) */
        for (uint64_t off = 0; off < pages * BENCH_PAGE; off += 64 * BENCH_PAGE) *(volatile uint64_t *)(va + off) = off;
        for (uint64_t off = 0; off < pages * BENCH_PAGE; off += 64 * BENCH_PAGE)
            if (*(volatile uint64_t *)(va + off) != off) fail("populated memory", MS_ERR_KERNEL);
    }
}

int main(void)
{
    const runtime_startup_t *st = runtime_startup();
    if (!st || st->caps_end - st->caps_start < 3 || st->nargs < 2) return 99;
    cli = st->caps_start;
    admin = st->caps_start + 1;
    report = st->caps_start + 2;
    seL4_Word mode = st->args[0];
    uint64_t pages = st->args[1] < BENCH_MAX_PAGES ? st->args[1] : BENCH_MAX_PAGES;
    if (mode == BENCH_BASE_TOUCH) {
        /* Our fault endpoint (slot 5) is the baseline handler's. */
        uint64_t tsc = touch(BENCH_BASELINE_BASE, pages);
        printf("bench baseline.fault.pages %lu\n", (unsigned long)pages);
        printf("bench baseline.fault.tsc %lu\n", (unsigned long)tsc);
    } else if ((mode >= BENCH_SERVER_FAULT && mode <= BENCH_SERVER_MAP2M) || mode == BENCH_SERVER_FAULT2M) {
        server_phase(st, mode, pages);
    } else {
        return 98;
    }
    bench_done(report, 0, 0, 0);
}
