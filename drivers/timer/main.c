/*
 * timer: the PIT driver, a service supervised by the reincarnation server.  Programs the
 * 8254 PIT's channel 0 periodic (args[0] Hz, default TIMER_DEFAULT_HZ) and signals the
 * RS's TICK notification on every interrupt; answers heartbeats and TIMER_OP_NOW
 * requests (timer.h).
 *
 * Caps (startup page caps range, as the RS lays it out for the manifest entry
 * `grants = irq:0 ioport:0x40-0x43`, with `channels = console` or without channels;
 * rs/server/process.c):
 *   caps_start + 0   its memory-server cap (unused)
 *  [caps_start + 1   its channel to the console driver, if the startup page names one]
 * then, from b = caps_start + 1 or + 2:
 *   b + 0            IRQ handler for the PIT's interrupt (grant irq:0)
 *   b + 1            I/O ports 0x40-0x43 (grant ioport:0x40-0x43)
 *   b + 2            the RS's notification, badged with its TICK bit
 *   b + 3            its own bound notification, badged RUNTIME_IRQ_BADGE: the IRQ is
 *                    delivered there, so interrupts and pings arrive on the one
 *                    notification and are told apart by badge bits (runtime/service.h)
 * plus the usual service_ep / heartbeat_ack slots (startup.h).  Each incarnation points
 * the IRQ at its own notification again and acknowledges a pending interrupt.
 *
 * Its lines go to the console driver without waiting (runtime_console_never_wait): the
 * RS's clock must never stop for a dead driver.  It runs below the driver's priority, so
 * the driver is waiting for a message whenever the timer writes, unless it is dead.
 */
#include <runtime/runtime.h>
#include <runtime/stdio.h>
#include "drivers/timer/pit.h"
#include "drivers/timer/timer.h"

int main(void)
{
    runtime_console_never_wait();
    const runtime_startup_t *su = runtime_startup();
    struct timer_caps c;
    seL4_CPtr b = su == NULL ? 0 : su->caps_start + (su->console_ep != seL4_CapNull ? 2 : 1);
    if (su == NULL || su->caps_end < b + 4 || !runtime_service_caps(&c.svc)) {
        printf("timer: not started as a driver service (needs 5 caps, 6 with a console, and a service endpoint)\n");
        return 2;
    }
    c.irq_handler = b;
    c.ioports = b + 1;
    c.tick = b + 2;
    c.irq_ntfn = b + 3;
    uint32_t hz = su->nargs >= 1 ? (uint32_t)su->args[0] : TIMER_DEFAULT_HZ;
    if (pit_divisor(hz) == 0) {
        printf("timer: %u Hz is outside %u..%u\n", hz, PIT_MIN_HZ, PIT_MAX_HZ);
        return 2;
    }
    seL4_Error err = timer_start(&c, hz);
    if (err != seL4_NoError) {
        printf("timer: start failed: seL4 error %d\n", (int)err);
        return 1;
    }
    printf("timer: gen %lu: PIT at %u Hz (divisor %u)\n", (unsigned long)su->generation, hz, pit_divisor(hz));
    err = timer_serve(&c, hz);
    printf("timer: interrupt loop failed: seL4 error %d\n", (int)err);
    return 1;
}
