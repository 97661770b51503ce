/*
 * ms-baseline: the least work the kernel forces for what the memory server does, done
 * directly with seL4 invocations and no bookkeeping, for comparison in the same run.
 *   caps: [0] the root task's report endpoint, [1] an untyped for frames (2^26),
 *         [2] an untyped for paging structures, and in mode BENCH_BASE_FAULT
 *         [3] the endpoint the toucher's faults arrive on, [4] the toucher's VSpace
 *   args: [0] mode (bench.h), [1] pages
 * Modes:
 *   BENCH_BASE_FAULT  fault handler: for each VM fault one X86_Page_Map and one
 *                     ReplyRecv, the frames retyped 256 at a time (the kernel's fan-out
 *                     limit; the batched minimum), plus, the first time in each 2 MiB /
 *                     1 GiB / 512 GiB, retype + map of the page table / page directory /
 *                     PDPT; it handles `pages` faults, then stops.
 *   BENCH_BASE_MAP4K  maps `pages` 4 KiB frames into its own VSpace at
 *                     BENCH_BASELINE_BASE: the frames retyped 256 at a time (the
 *                     kernel's fan-out limit), all page tables in one retype, then one
 *                     map per frame and per table.
 *   BENCH_BASE_MAP2M  the same with 2 MiB frames (pages / 512 of them).
 * All modes send BENCH_DONE_LABEL on the report endpoint when done; the map modes with
 * the TSC over all their invocations and the number of 2 MiB frames mapped (they print
 * nothing themselves: their printing would be counted with their work).
 */
#include <runtime/startup.h>
#include "memserver/bench/bench.h"

#define DEPTH seL4_WordBits
#define FAN_OUT 256u /* CONFIG_RETYPE_FAN_OUT_LIMIT of the kernel configuration */

_Static_assert(BENCH_MAX_PAGES / 512 <= 64, "one bit per page table in a uint64_t");

static seL4_CPtr report, ut_frames, ut_tables, next_slot;
static seL4_Word failures;

static void check(seL4_Error err)
{
    if (err != seL4_NoError) failures++;
}

static seL4_CPtr retype(seL4_CPtr ut, seL4_Word type, seL4_Word count)
{
    seL4_CPtr slot = next_slot;
    check(seL4_Untyped_Retype(ut, type, 0, PROGRAM_SLOT_CNODE, 0, 0, slot, count));
    next_slot += count;
    return slot;
}

/* PDPT and page directory covering `va` in `vspace`. */
static void upper_tables(seL4_CPtr vspace, seL4_Word va)
{
    seL4_CPtr pdpt = retype(ut_tables, seL4_X86_PDPTObject, 1);
    check(seL4_X86_PDPT_Map(pdpt, vspace, va, seL4_X86_Default_VMAttributes));
    seL4_CPtr pd = retype(ut_tables, seL4_X86_PageDirectoryObject, 1);
    check(seL4_X86_PageDirectory_Map(pd, vspace, va, seL4_X86_Default_VMAttributes));
}

static void fault_handler(seL4_CPtr ep, seL4_CPtr vspace, uint64_t pages)
{
    const seL4_Word base = BENCH_BASELINE_BASE, end = base + pages * BENCH_PAGE;
    uint64_t have_pt = 0, batch_left = 0;
    seL4_CPtr batch = 0;
    int have_upper = 0;
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_MessageInfo_new(0, 0, 0, 0);
    if (pages) info = seL4_Recv(ep, &badge);
    for (uint64_t i = 0; i < pages; i++) {
        seL4_Word va = seL4_GetMR(seL4_VMFault_Addr) & ~(seL4_Word)(BENCH_PAGE - 1);
        if (seL4_MessageInfo_get_label(info) != seL4_Fault_VMFault || va < base || va >= end) {
            printf("ms-baseline: unexpected fault (label %lu, address %#lx)\n",
                   (unsigned long)seL4_MessageInfo_get_label(info), (unsigned long)va);
            bench_done(report, 1, 0, 0);
        }
        if (!have_upper) {
            upper_tables(vspace, va);
            have_upper = 1;
        }
        uint64_t block = (va - base) >> 21;
        if (!((have_pt >> block) & 1)) {
            seL4_CPtr pt = retype(ut_tables, seL4_X86_PageTableObject, 1);
            check(seL4_X86_PageTable_Map(pt, vspace, va, seL4_X86_Default_VMAttributes));
            have_pt |= 1ull << block;
        }
        if (!batch_left) {
            batch_left = pages - i < FAN_OUT ? pages - i : FAN_OUT;
            batch = retype(ut_frames, seL4_X86_4K, batch_left);
        }
        seL4_CPtr frame = batch++;
        batch_left--;
        check(seL4_X86_Page_Map(frame, vspace, va, seL4_ReadWrite, seL4_X86_Default_VMAttributes));
        if (failures) {
            printf("ms-baseline: an invocation failed at fault %lu\n", (unsigned long)i);
            bench_done(report, 1, 0, 0);
        }
        if (i + 1 < pages) info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(0, 0, 0, 0), &badge);
        else seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    }
    bench_done(report, 0, 0, 0);
}

static void mapper(int large, uint64_t pages)
{
    const seL4_Word base = BENCH_BASELINE_BASE, vspace = PROGRAM_SLOT_VSPACE;
    const uint64_t step = large ? BENCH_LARGE : BENCH_PAGE;
    const uint64_t frames = large ? pages / 512 : pages, tables = large ? 0 : (pages + 511) / 512;
    uint64_t t0 = bench_tsc();
    if (frames) upper_tables(vspace, base);
    if (tables) {
        seL4_CPtr pt = retype(ut_tables, seL4_X86_PageTableObject, tables);
        for (uint64_t i = 0; i < tables; i++)
            check(seL4_X86_PageTable_Map(pt + i, vspace, base + (i << 21), seL4_X86_Default_VMAttributes));
    }
    for (uint64_t done = 0; done < frames;) {
        uint64_t n = frames - done < FAN_OUT ? frames - done : FAN_OUT;
        seL4_CPtr f = retype(ut_frames, large ? seL4_X86_LargePageObject : seL4_X86_4K, n);
        for (uint64_t i = 0; i < n; i++, done++)
            check(seL4_X86_Page_Map(f + i, vspace, base + done * step, seL4_ReadWrite,
                                    seL4_X86_Default_VMAttributes));
    }
    uint64_t t1 = bench_tsc();
    for (uint64_t off = 0; off < frames * step; off += 64 * BENCH_PAGE) *(volatile uint64_t *)(base + off) = off;
    for (uint64_t off = 0; off < frames * step; off += 64 * BENCH_PAGE)
        if (*(volatile uint64_t *)(base + off) != off) failures++;
    if (failures) printf("ms-baseline: %lu invocations or checks failed\n", (unsigned long)failures);
    bench_done(report, failures ? 1 : 0, t1 - t0, large ? frames : 0);
}

int main(void)
{
    const runtime_startup_t *st = runtime_startup();
    if (!st || st->caps_end - st->caps_start < 3 || st->nargs < 2) return 99;
    report = st->caps_start;
    ut_frames = st->caps_start + 1;
    ut_tables = st->caps_start + 2;
    next_slot = st->empty_start;
    uint64_t pages = st->args[1] < BENCH_MAX_PAGES ? st->args[1] : BENCH_MAX_PAGES;
    if (st->empty_end - st->empty_start < pages + 64) return 97;
    switch (st->args[0]) {
    case BENCH_BASE_FAULT:
        if (st->caps_end - st->caps_start < 5) return 99;
        fault_handler(st->caps_start + 3, st->caps_start + 4, pages);
        break;
    case BENCH_BASE_MAP4K:
    case BENCH_BASE_MAP2M:
        mapper(st->args[0] == BENCH_BASE_MAP2M, pages);
        break;
    default:
        return 98;
    }
    return 0;
}
