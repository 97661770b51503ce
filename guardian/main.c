/*
 * guardian: the root task of a supervised system.  It starts the memory server and the
 * reincarnation server (RS), then does one thing for ever: when the RS dies (a fault, or
 * an exit, both arrive on the RS's fault endpoint, which is ours), it destroys it by
 * revoking the untyped all of the RS's own objects came from, and starts a new RS with
 * the same caps.  Everything that must outlive an RS is made here, not by the RS: its
 * CSpace (the cap store: service untypeds, endpoints, badged caps, hardware caps), its
 * endpoint and notification (so queued exits and pending signals survive), and the
 * recovery record page (rs/README.md).
 *
 * It also watches the RS (rs/core/watchdog.h): its own clock, the CMOS RTC's periodic
 * interrupt, ticks on the guardian's notification; each tick is forwarded to the RS
 * (RS_NTFN_CLOCK), which answers from its main loop.  An RS that stops answering is hung:
 * it is destroyed and replaced like one that died.  The guardian runs at the highest
 * priority (255, the root task's), the RS below it (254), so an RS busy in a loop cannot
 * starve the watchdog.
 *
 * Its own lines, the memory server's and the RS's never go through the console driver
 * (they must not wait for a service they supervise or serve): seL4_DebugPutChar on a
 * debug kernel; on a release kernel (no KernelPrinting) straight to the COM1 UART through
 * copies of the COM1 I/O-port cap, which is issued first for that
 * (runtime_console_set_uart; README, "Console output").
 */
#include <runtime/runtime.h>
#include <runtime/alloc.h>
#include <runtime/programs.h>
#include <runtime/startup.h>
#include <runtime/fault.h>
#include <runtime/stdio.h>
#include "rs/server/layout.h"
#include "rs/protocol/rs_record.h"
#include "rs/core/watchdog.h"
#include "guardian/rtc.h"
#include "memserver/protocol/messages.h"
#include "memserver/client/memserver_client.h"

#define MEMSERVER_PRIO 254
#define RS_PRIO        254   /* below the guardian (255): the watchdog preempts it */
#define MS_UNTYPED_BITS 26u   /* 64 MiB for the memory server */
#define POOL_BITS      24u    /* 16 MiB: service untypeds and endpoints */
#define RS_UNTYPED_BITS 22u   /* 4 MiB: one RS incarnation's own objects */
#define RS_SLOTS       1024u  /* guardian slots for one RS incarnation's caps */
#define RS_MAX_INCARNATIONS 8u
#define RS_BADGE       1u
/* Badges of the guardian's bound notification (fault badges are small numbers). */
#define G_NTFN_RTC     (1ull << 62)
#define G_NTFN_WD_ACK  (1ull << 61)

static seL4_CPtr guardian_ep, store, rs_untyped, rs_slots;
static seL4_CPtr record_frame[RS_RECORD_PAGES], record_copy[RS_RECORD_PAGES];
static seL4_CPtr given[RS_SLOTS_GIVEN];
static seL4_CPtr rtc_ports, rtc_irq, rs_clock;
static struct rs_watchdog watchdog;

/* The entry of `given` for the RS's slot `slot` (RS_SLOT_EP ...). */
static seL4_CPtr *given_slot(unsigned slot)
{
    return &given[slot - RS_SLOT_EP];
}

static void fatal(const char *what, int err)
{
    printf("guardian: %s failed (%d)\n", what, err);
    runtime_exit(2);
}

static seL4_CPtr need(seL4_CPtr cap, const char *what)
{
    if (cap == seL4_CapNull) fatal(what, 0);
    return cap;
}

static seL4_CPtr mint(seL4_CPtr ep, seL4_Word badge)
{
    seL4_CPtr slot = need(alloc_slot(), "a slot");
    int err = seL4_CNode_Mint(seL4_CapInitThreadCNode, slot, seL4_WordBits, seL4_CapInitThreadCNode, ep,
                              seL4_WordBits, seL4_AllRights, badge);
    if (err) fatal("mint", err);
    return slot;
}

static seL4_CPtr start_memserver(void)
{
    seL4_CPtr ep = need(alloc_object(seL4_EndpointObject, 0), "memory-server endpoint");
    seL4_CPtr ut = need(alloc_object(seL4_UntypedObject, MS_UNTYPED_BITS), "memory-server untyped");
    /* [3]: the COM1 ports, its console of last resort (memserver/server/main.c). */
    seL4_CPtr caps[4] = { ep, seL4_CapInitThreadASIDPool, ut, *given_slot(RS_SLOT_COM1) };
    seL4_Word args[6] = { 1, MS_UNTYPED_BITS, 0, 0, 1u << 15, 256 };
    spawn_args_t sa = {
        .name = "memserver", .fault_ep = guardian_ep, .fault_badge = 2, .priority = MEMSERVER_PRIO,
        .caps = caps, .ncaps = 4, .args = args, .nargs = 6, .cnode_bits = 16,
    };
    spawned_t out;
    int err = spawn_program(&sa, &out);
    if (err) fatal("starting the memory server", err);
    return ep;
}

/* An IRQ handler for an IOAPIC pin (edge, active high, on `vector`), parked on a
 * notification nobody waits on until its driver binds its own: otherwise the kernel
 * would report an interrupt that arrives before (or between two driver incarnations) as
 * undelivered on the console. */
static seL4_CPtr irq_handler(seL4_Word pin, seL4_Word vector, const char *what, seL4_CPtr ntfn)
{
    if (ntfn == seL4_CapNull) ntfn = *given_slot(RS_SLOT_IRQ_PARK);
    seL4_CPtr slot = need(alloc_slot(), "a slot");
    int err = seL4_IRQControl_GetIOAPIC(seL4_CapIRQControl, seL4_CapInitThreadCNode, slot, seL4_WordBits, 0, pin,
                                        0, 0, vector);
    if (err) fatal(what, err);
    err = seL4_IRQHandler_SetNotification(slot, ntfn);
    if (err) fatal(what, err);
    return slot;
}

/* The IRQ handlers for ISA IRQ 0 (the PIT; IOAPIC pin 2) and ISA IRQ 4 (COM1; pin 4),
 * and the I/O ports (COM1's are issued first thing in main). */
static void hardware_caps(void)
{
    *given_slot(RS_SLOT_IRQ_PARK) = need(alloc_object(seL4_NotificationObject, 0), "IRQ parking notification");
    *given_slot(RS_SLOT_IRQ0) = irq_handler(2, 0, "IRQ 0 handler", seL4_CapNull);
    *given_slot(RS_SLOT_PIT) = need(alloc_ioport(0x40, 0x43), "PIT I/O ports");
    *given_slot(RS_SLOT_EXIT_PORT) = need(alloc_ioport(0xf4, 0xf4), "exit I/O port");
    *given_slot(RS_SLOT_IRQ4) = irq_handler(4, 4, "IRQ 4 handler", seL4_CapNull);
}

/* The watchdog: the guardian's notification (bound to it) receives the RTC's interrupt
 * and the RS's answers; the RS gets its answer cap and the guardian a cap to signal the
 * RS's clock bit. */
static void watchdog_caps(void)
{
    seL4_CPtr ntfn = need(alloc_object(seL4_NotificationObject, 0), "guardian notification");
    int err = seL4_TCB_BindNotification(seL4_CapInitThreadTCB, ntfn);
    if (err) fatal("binding the guardian's notification", err);
    rtc_ports = need(alloc_ioport(0x70, 0x71), "RTC I/O ports");
    rtc_irq = irq_handler(8, 8, "IRQ 8 handler", mint(ntfn, G_NTFN_RTC));
    *given_slot(RS_SLOT_WD_ACK) = mint(ntfn, G_NTFN_WD_ACK);
    rs_clock = mint(*given_slot(RS_SLOT_NTFN), RS_NTFN_CLOCK);
    err = rtc_start(rtc_ports, rtc_irq);
    if (err) fatal("starting the RTC", err);
}

static void spawn_rs(seL4_Word incarnation, bool cold)
{
    /* The record pages: fresh copies of our caps for each incarnation (the last one's
     * mappings went with its VSpace). */
    spawn_frame_t frames[RS_RECORD_PAGES];
    int err = 0;
    for (unsigned k = 0; k < RS_RECORD_PAGES && !err; k++) {
        err = seL4_CNode_Delete(seL4_CapInitThreadCNode, record_copy[k], seL4_WordBits);
        if (!err) {
            err = seL4_CNode_Copy(seL4_CapInitThreadCNode, record_copy[k], seL4_WordBits, seL4_CapInitThreadCNode,
                                  record_frame[k], seL4_WordBits, seL4_AllRights);
        }
        frames[k] = (spawn_frame_t){ .frame = record_copy[k], .vaddr = RS_RECORD_VADDR + k * 4096u,
                                     .rights = seL4_ReadWrite };
    }
    if (err) fatal("record page copy", err);
    seL4_Word args[RS_ARG_COUNT] = { incarnation, cold ? 1u : 0u };
    spawn_args_t sa = {
        .name = "rs", .fault_ep = guardian_ep, .fault_badge = RS_BADGE, .priority = RS_PRIO,
        /* The store keeps the given caps: only a cold RS gets them copied in. */
        .caps = given, .ncaps = cold ? RS_SLOTS_GIVEN : 0,
        .args = args, .nargs = RS_ARG_COUNT, .cnode_bits = RS_CNODE_BITS,
        .untyped = rs_untyped, .slot_start = rs_slots, .slot_end = rs_slots + RS_SLOTS,
        .cnode = store, .frames = frames, .nframes = RS_RECORD_PAGES,
    };
    spawned_t out;
    err = spawn_program(&sa, &out);
    if (err) fatal("starting the RS", err);
    rs_watchdog_start(&watchdog);
}

/* The RS died leaving no usable recovery record: nothing it made can be taken over, so
 * everything it made goes, and a cold RS starts the system again.  Kernel objects: the
 * pool (service untypeds, endpoints, and every object made from them: the services'
 * threads stop) is revoked, then every slot of the cap store emptied (badged copies of
 * the guardian's caps); memory-server state: every client the RS could have made
 * (RS_MS_BADGE(i)) is destroyed, which frees its pages, slots and ASID. */
static void clean_slate(void)
{
    int err = seL4_CNode_Revoke(seL4_CapInitThreadCNode, *given_slot(RS_SLOT_POOL), seL4_WordBits);
    if (err) fatal("revoking the pool", err);
    /* The drivers' notifications went with the pool: their IRQs are parked again. */
    err = seL4_IRQHandler_SetNotification(*given_slot(RS_SLOT_IRQ0), *given_slot(RS_SLOT_IRQ_PARK));
    if (!err) err = seL4_IRQHandler_SetNotification(*given_slot(RS_SLOT_IRQ4), *given_slot(RS_SLOT_IRQ_PARK));
    if (err) fatal("parking the IRQs", err);
    for (seL4_Word slot = 0; slot < (1u << RS_CNODE_BITS); slot++) {
        err = seL4_CNode_Delete(store, slot, RS_CNODE_BITS);
        if (err) fatal("emptying the cap store", err);
    }
    for (unsigned i = 0; i < RS_MAX_SERVICES; i++) {
        err = msc_client_destroy(*given_slot(RS_SLOT_MS_ADMIN), RS_MS_BADGE(i));
        if (err != MS_OK) fatal("destroying a memory-server client", err);
    }
    printf("guardian: no usable recovery record: every service destroyed, starting from a clean slate\n");
}

/* One RTC tick (and maybe the RS's answer with it): true if the RS is hung. */
static bool clock_tick(seL4_Word badge)
{
    if (badge & G_NTFN_WD_ACK) rs_watchdog_answer(&watchdog);
    if (!(badge & G_NTFN_RTC)) return false;
    int err = rtc_ack(rtc_ports, rtc_irq);
    if (err) fatal("acknowledging the RTC", err);
    if (rs_watchdog_tick(&watchdog) == RS_WD_HUNG) return true;
    seL4_Signal(rs_clock);
    return false;
}

/* Reports how the RS died. */
static void report(seL4_MessageInfo_t info, seL4_Word incarnation)
{
    seL4_Word label = seL4_MessageInfo_get_label(info);
    if (label == PROGRAM_EXIT_LABEL) {
        printf("guardian: rs incarnation %lu exited with status %ld\n", (unsigned long)incarnation,
               (long)seL4_GetMR(0));
        return;
    }
    seL4_Word mrs[seL4_MsgMaxLength];
    size_t n = seL4_MessageInfo_get_length(info);
    for (size_t k = 0; k < n && k < seL4_MsgMaxLength; k++) mrs[k] = seL4_GetMR((int)k);
    fault_info_t f;
    char line[160];
    if (fault_decode(label, mrs, n, &f)) {
        fault_format(&f, line, sizeof(line));
    } else {
        snprintf(line, sizeof(line), "message label %#lx", (unsigned long)label);
    }
    printf("guardian: rs incarnation %lu died: %s\n", (unsigned long)incarnation, line);
}

#ifdef GUARDIAN_BENCH_BASELINE
static inline uint64_t tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* The baseline of the RS's recovery: the root task's own loader (spawn_program: kernel
 * objects and frames only, no memory server) starts `faulty` (args: exit at once) and
 * waits for its exit message. */
static void spawn_baseline(void)
{
    seL4_Word args[2] = { 6 /* FAULTY_EXIT */, 0 };
    spawn_args_t sa = { .name = "faulty", .fault_ep = guardian_ep, .fault_badge = 7, .priority = 100,
                        .args = args, .nargs = 2 };
    spawned_t out;
    uint64_t t0 = tsc();
    int err = spawn_program(&sa, &out);
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(guardian_ep, &badge);
    uint64_t t1 = tsc();
    if (err || badge != 7 || seL4_MessageInfo_get_label(info) != PROGRAM_EXIT_LABEL) fatal("spawn baseline", err);
    (void)seL4_TCB_Suspend(out.tcb);
    printf("bench rs.spawn_baseline_insns %lu\n", (unsigned long)(t1 - t0));
}
#endif

int main(void)
{
    /* The COM1 ports before the first line: the console of last resort (file comment). */
    seL4_CPtr com1 = alloc_ioport(0x3f8, 0x3ff);
    runtime_console_set_uart(com1);
    *given_slot(RS_SLOT_COM1) = need(com1, "COM1 I/O ports");
    printf("guardian: start\n");
    guardian_ep = need(alloc_object(seL4_EndpointObject, 0), "guardian endpoint");
    *given_slot(RS_SLOT_EP) = need(alloc_object(seL4_EndpointObject, 0), "RS endpoint");
    *given_slot(RS_SLOT_NTFN) = need(alloc_object(seL4_NotificationObject, 0), "RS notification");
    store = need(alloc_object(seL4_CapTableObject, RS_CNODE_BITS), "cap store");
    for (unsigned k = 0; k < RS_RECORD_PAGES; k++) {
        record_frame[k] = need(alloc_object(seL4_X86_4K, 0), "record page");
        record_copy[k] = need(alloc_slot(), "a slot");
    }
    *given_slot(RS_SLOT_POOL) = need(alloc_object(seL4_UntypedObject, POOL_BITS), "pool");
    rs_untyped = need(alloc_object(seL4_UntypedObject, RS_UNTYPED_BITS), "RS untyped");
    rs_slots = need(alloc_slot(), "RS slots");
    for (unsigned k = 1; k < RS_SLOTS; k++) need(alloc_slot(), "RS slots");

#ifdef GUARDIAN_BENCH_BASELINE
    spawn_baseline();
#endif
    seL4_CPtr ms = start_memserver();
    *given_slot(RS_SLOT_MS) = ms;
    *given_slot(RS_SLOT_MS_ADMIN) = mint(ms, MS_ADMIN_BADGE | RS_MS_SELF);
    hardware_caps();
    watchdog_caps();
    /* The memory server answers only once it has printed its start-up lines: the RS
     * (same priority) starts after them, so their lines never interleave. */
    uint64_t version = 0;
    int ms_err = msc_hello(*given_slot(RS_SLOT_MS_ADMIN), &version);
    if (ms_err != MS_OK) fatal("greeting the memory server", ms_err);

    seL4_Word incarnation = 1;
    spawn_rs(incarnation, true);
    for (;;) {
        seL4_Word badge = 0;
        bool cold = false;
        seL4_MessageInfo_t info = seL4_Recv(guardian_ep, &badge);
        if (badge & (G_NTFN_RTC | G_NTFN_WD_ACK)) {
            if (!clock_tick(badge)) continue;
            printf("guardian: rs incarnation %lu hung (no answer for %lu ms): replaced\n",
                   (unsigned long)incarnation, (unsigned long)watchdog.unanswered * RS_WD_PERIOD_US / 1000u);
        } else if (badge != RS_BADGE) {
            printf("guardian: the memory server died (badge %lu): the system cannot continue\n",
                   (unsigned long)badge);
            runtime_exit(3);
        } else {
            report(info, incarnation);
            cold = seL4_MessageInfo_get_label(info) == PROGRAM_EXIT_LABEL && seL4_GetMR(0) == RS_EXIT_NO_RECORD;
        }
        if (incarnation >= RS_MAX_INCARNATIONS) {
            printf("guardian: rs died %lu times: giving up\n", (unsigned long)incarnation);
            runtime_exit(4);
        }
        int err = seL4_CNode_Revoke(seL4_CapInitThreadCNode, rs_untyped, seL4_WordBits);
        if (err) fatal("destroying the RS", err);
        if (cold) clean_slate();
        incarnation++;
        printf("guardian: starting rs incarnation %lu%s\n", (unsigned long)incarnation, cold ? " (cold)" : "");
        spawn_rs(incarnation, cold);
    }
}
