/*
 * test-timer: the PIT driver's loop (timer.c) with real PIT interrupts.  The root task
 * plays the reincarnation server: it issues the IRQ handler (ISA IRQ 0 = IOAPIC pin 2,
 * like the guardian) and the I/O ports, runs the driver in a thread with a bound
 * notification, counts TICK signals, pings it, asks it for the time, then "restarts"
 * it: the first incarnation is suspended with an interrupt left unacknowledged and a
 * second one (new thread, new bound notification) must get the ticks going again.
 */
#include <runtime/alloc.h>
#include <runtime/runtime.h>
#include <runtime/stdio.h>
#include <runtime/thread.h>
#include "runtime/tests/root_check.h"
#include "drivers/timer/timer.h"


struct incarnation {
    struct timer_caps caps;
    seL4_CPtr bound, ping;
    thread_t thread;
    volatile seL4_Error result;
};

static void driver(void *arg)
{
    struct incarnation *inc = arg;
    seL4_Error err = timer_start(&inc->caps, TIMER_DEFAULT_HZ);
    if (err == seL4_NoError) err = timer_serve(&inc->caps, TIMER_DEFAULT_HZ);
    inc->result = err;
}

static void start(struct incarnation *inc, const struct timer_caps *shared, const char *name)
{
    inc->caps = *shared;
    inc->bound = alloc_object(seL4_NotificationObject, 0);
    inc->caps.irq_ntfn = mint(inc->bound, RUNTIME_IRQ_BADGE);
    inc->ping = mint(inc->bound, RUNTIME_PING_BADGE);
    inc->result = seL4_NoError;
    /* Below the root task's priority: it runs while the root waits. */
    check(thread_create(&inc->thread, name, driver, inc, 4, seL4_CapNull, 200) == seL4_NoError, "driver thread");
    check(seL4_TCB_BindNotification(inc->thread.tcb, inc->bound) == seL4_NoError, "bind its notification");
}

static seL4_Word now_ticks(seL4_CPtr client, seL4_Word *period_ns)
{
    seL4_MessageInfo_t r = seL4_Call(client, seL4_MessageInfo_new(TIMER_OP_NOW, 0, 0, 0));
    *period_ns = seL4_GetMR(1);
    return seL4_MessageInfo_get_label(r) == 0 && seL4_MessageInfo_get_length(r) == 2 ? seL4_GetMR(0) : ~0ul;
}

int main(void)
{
    static struct incarnation first, second;
    printf("test-timer: start\n");
    struct timer_caps caps;
    caps.irq_handler = alloc_slot();
    check(seL4_IRQControl_GetIOAPIC(seL4_CapIRQControl, ROOT, caps.irq_handler, seL4_WordBits, 0, 2, 0, 0, 0) ==
              seL4_NoError,
          "IRQ handler for the PIT (IOAPIC pin 2)");
    caps.ioports = alloc_ioport(0x40, 0x43);
    check(caps.ioports != seL4_CapNull, "I/O ports 0x40-0x43");
    seL4_CPtr tick = alloc_object(seL4_NotificationObject, 0);
    seL4_CPtr ack = alloc_object(seL4_NotificationObject, 0);
    caps.tick = mint(tick, 1ull << 63);
    caps.svc.ep = alloc_object(seL4_EndpointObject, 0);
    caps.svc.heartbeat_ack = mint(ack, 1);
    seL4_CPtr client = mint(caps.svc.ep, 7);

    start(&first, &caps, "timer-1");
    seL4_Word bits = 0;
    for (int k = 0; k < 10; k++) seL4_Wait(tick, &bits);
    check(bits == 1ull << 63 && first.result == seL4_NoError, "10 ticks signalled on the TICK notification");
    seL4_Word period = 0, t = now_ticks(client, &period);
    check(t >= 10 && t <= 12, "TIMER_OP_NOW: the driver counted the ticks");
    check(period == 10000151, "TIMER_OP_NOW: period 10.000151 ms (divisor 11932)");
    seL4_MessageInfo_t r = seL4_Call(client, seL4_MessageInfo_new(99, 0, 0, 0));
    check(seL4_MessageInfo_get_label(r) == seL4_IllegalOperation, "unknown request refused");
    bits = 0;
    seL4_Signal(first.ping);
    seL4_Wait(ack, &bits);
    check(bits == 1, "heartbeat answered while ticking");
    for (int k = 0; k < 5; k++) seL4_Wait(tick, NULL);
    check(now_ticks(client, &period) >= t + 5, "still ticking after the ping");

    /* Kill the first incarnation and let an interrupt arrive that nobody acknowledges. */
    check(seL4_TCB_Suspend(first.thread.tcb) == seL4_NoError, "first incarnation suspended");
    seL4_Word pending = 0;
    for (int k = 0; k < 3; k++) { /* ~30 ms of time passing with the root busy */
        for (volatile unsigned long spin = 0; spin < 4000000ul; spin = spin + 1) {
        }
    }
    seL4_Poll(tick, &pending); /* drop a tick signalled just before the suspension */
    seL4_Poll(tick, &pending);
    check(pending == 0, "no ticks while the driver is dead");

    start(&second, &caps, "timer-2");
    for (int k = 0; k < 10; k++) seL4_Wait(tick, NULL);
    t = now_ticks(client, &period);
    check(t >= 10 && t <= 12 && second.result == seL4_NoError, "second incarnation: ticks again, counted from 0");
    bits = 0;
    seL4_Signal(second.ping);
    seL4_Wait(ack, &bits);
    check(bits == 1, "second incarnation answers heartbeats");

    printf("test-timer: %d passed, %d failed\n", passes, failures);
    return failures;
}
