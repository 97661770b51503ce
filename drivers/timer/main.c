/*
 * timer: the PIT driver, a service supervised by the reincarnation server.  Programs the
 * 8254 PIT's channel 0 periodic (args[0] Hz, default TIMER_DEFAULT_HZ) and signals the
 * RS's TICK notification on every interrupt; answers heartbeats and TIMER_OP_NOW
 * requests (timer.h).
 *
 * Caps (startup page caps range, as the RS lays it out for the manifest entry
 * `grants = irq:0 ioport:0x40-0x43` without channels; rs/server/process.c):
 *   caps_start + 0   its memory-server cap (unused)
 *   caps_start + 1   IRQ handler for the PIT's interrupt (grant irq:0)
 *   caps_start + 2   I/O ports 0x40-0x43 (grant ioport:0x40-0x43)
 *   caps_start + 3   the RS's notification, badged with its TICK bit
 *   caps_start + 4   its own bound notification, badged RUNTIME_IRQ_BADGE: the IRQ is
 *                    delivered there, so interrupts and pings arrive on the one
 *                    notification and are told apart by badge bits (runtime/service.h)
 * plus the usual service_ep / heartbeat_ack slots (startup.h).  Each incarnation points
 * the IRQ at its own notification again and acknowledges a pending interrupt.
 */
#include <runtime/runtime.h>
#include <runtime/stdio.h>
#include "drivers/timer/pit.h"
#include "drivers/timer/timer.h"

int main(void)
{
    const runtime_startup_t *su = runtime_startup();
    struct timer_caps c;
    if (su == NULL || su->caps_end < su->caps_start + 5 || !runtime_service_caps(&c.svc)) {
        printf("timer: not started as a driver service (needs 5 caps and a service endpoint)\n");
        return 2;
    }
    c.irq_handler = su->caps_start + 1;
    c.ioports = su->caps_start + 2;
    c.tick = su->caps_start + 3;
    c.irq_ntfn = su->caps_start + 4;
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
