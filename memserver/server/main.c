/*
 * The memory server program.  Started by the root task with (startup.h):
 *   caps: [0] its endpoint (unbadged, all rights), [1] an ASID pool,
 *         [2 .. 2+n) RAM untypeds, then optionally one device untyped, then
 *         optionally an I/O-port cap for COM1 (0x3F8-0x3FF): where its lines go on a
 *         kernel without seL4_DebugPutChar (runtime_console_set_uart);
 *   args: [0] n, [1] the RAM untypeds' size_bits, 8 bits each (first in the low byte),
 *         [2] device untyped size_bits (0 = none), [3] its physical address,
 *         [4] default quota in pages, [5] ASIDs the pool can still assign.
 * Then it serves requests and VM faults on its endpoint for ever.
 */
#include <stdbool.h>
#include <runtime/runtime.h>
#include <runtime/startup.h>
#include <runtime/heap.h>
#include <runtime/stdio.h>
#include "memserver/server/glue.h"
#include "memserver/core/core.h" /* ms_check_hook */

static struct ms_server server;

/* Metadata blocks come zeroed, 8 bytes per step (calloc's memset stores single bytes:
 * 2 KiB of page array per 2 MiB mapped would cost 2048 steps), and only the part the heap
 * ever handed out before (a 64 MiB mapping's 64 KiB page array from fresh heap costs no
 * step). */
static void *heap_alloc(void *ctx, uint64_t size)
{
    (void)ctx;
    uint64_t words = size ? (size + 7) / 8 : 1;
    size_t dirty = 0;
    void *p = malloc_dirty(words * 8, &dirty);
    if (p) {
        words = (dirty + 7) / 8;
        void *d = p;
        __asm__ volatile("rep stosq" : "+D"(d), "+c"(words) : "a"(0ull) : "memory");
    }
    return p;
}

static void heap_free(void *ctx, void *p, uint64_t size)
{
    (void)ctx;
    (void)size;
    free(p);
}

/* In sel4-sim the TSC counts executed user instructions; on hardware, cycles. */
static inline uint64_t tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static void check_failed(const char *file, int line, const char *cond)
{
    printf("memserver: internal check failed at %s:%d: %s\n", file, line, cond);
}

static seL4_Word arg(const runtime_startup_t *st, unsigned i)
{
    return i < st->nargs ? st->args[i] : 0;
}

/* Takes the optional COM1 port cap after the untypeds as its console of last resort
 * (file comment), then checks that the start-up caps and slots are there. */
static bool startup_usable(const runtime_startup_t *st)
{
    if (st == NULL) return false;
    unsigned n = (unsigned)arg(st, 0);
    seL4_CPtr com1 = st->caps_start + 2 + n + (arg(st, 2) ? 1u : 0u);
    if (n <= 8 && com1 < st->caps_end) runtime_console_set_uart(com1);
    if (st->caps_end - st->caps_start < 3 || st->empty_end - st->empty_start < 64) {
        printf("memserver: bad start-up (caps/slots missing)\n");
        return false;
    }
    return true;
}

int main(void)
{
    const runtime_startup_t *st = runtime_startup();
    if (!startup_usable(st)) return 1;
    seL4_CPtr ep = st->caps_start, pool = st->caps_start + 1;
    unsigned n = (unsigned)arg(st, 0);
    seL4_CPtr recv = st->empty_start, out = st->empty_start + 1;
    mss_glue.ep = ep;
    mss_glue.asid_pool = pool;
    ms_check_hook = check_failed;
    mss_glue.tmp_slot = st->empty_start + 2;
    struct ms_kernel_ops k = mss_kernel_ops();
    struct ms_heap heap = { 0, heap_alloc, heap_free };
    int err = ms_init(&server, &k, &heap, (ms_slot_t)(st->empty_start + 3),
                      (uint32_t)(st->empty_end - st->empty_start - 3), (uint32_t)arg(st, 5));
    for (unsigned i = 0; !err && i < n && i < 8; i++)
        err = ms_add_untyped(&server, (ms_slot_t)(st->caps_start + 2 + i), (unsigned)((arg(st, 1) >> (8 * i)) & 0xFF));
    if (!err && arg(st, 2))
        err = ms_add_device_untyped(&server, (ms_slot_t)(st->caps_start + 2 + n), (unsigned)arg(st, 2), arg(st, 3));
    if (!err) err = mss_glue_init(&server);
    if (err) {
        printf("memserver: start-up failed: %s\n", ms_err_name(err));
        return 1;
    }
    if (arg(st, 4)) ms_set_default_quota(&server, arg(st, 4), arg(st, 4) * 2 + 64);
    printf("memserver: ready: %lu pages of RAM, %u slots\n", (unsigned long)ms_free_pages(&server),
           ms_free_slots(&server));

    seL4_SetCapReceivePath(MSS_CNODE, recv, seL4_WordBits);
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    for (;;) {
        /* Whatever arrived and through whatever path, the receive slot is cleaned first. */
        ms_slot_t cap_in = seL4_MessageInfo_get_extraCaps(info) ? mss_take_received(&server, badge, info, recv) : 0;
        if (badge & MS_FAULT_BADGE) {
            /* A client thread's fault: fix it and resume the thread, or leave it blocked
             * (the supervisor was told). */
            mss_glue.invocations++; /* the ReplyRecv / Recv below */
            int blocked = 1;
            if (seL4_MessageInfo_get_label(info) == seL4_Fault_VMFault)
                blocked = ms_vm_fault(&server, badge, seL4_GetMR(seL4_VMFault_Addr), seL4_GetMR(seL4_VMFault_IP),
                                      seL4_GetMR(seL4_VMFault_FSR));
            else
                blocked = ms_other_fault(&server, badge, seL4_MessageInfo_get_label(info), seL4_GetMR(0));
            if (!blocked) {
                info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(0, 0, 0, 0), &badge);
            } else {
                info = seL4_Recv(ep, &badge);
            }
            continue;
        }
        /* Requests are timed (STATS); faults are not: the fault path stays at its minimum. */
        uint64_t t0 = tsc();
        seL4_MessageInfo_t reply = mss_dispatch(&server, badge, info, cap_in, out);
        mss_glue.invocations++;
        mss_glue.last_tsc = tsc() - t0;
        info = seL4_ReplyRecv(ep, reply, &badge);
    }
}
