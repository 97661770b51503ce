/*
 * The PIT timer driver's loop (timer.c), separate from main.c so that tests can run it
 * in a thread with caps they made themselves.
 *
 * Requests on its service endpoint (clients get a channel to `timer`):
 *   label TIMER_OP_NOW, no MRs, no caps  ->  label 0, MR0 = ticks counted by this
 *                                            incarnation, MR1 = tick period in ns
 *   anything else (request.h)            ->  label seL4_IllegalOperation, no MRs
 */
#pragma once
#include <sel4/sel4.h>
#include <stdint.h>
#include <runtime/service.h>
#include "drivers/timer/request.h"

#define TIMER_DEFAULT_HZ 100u  /* the RS counts 10 ms per TICK (rs/server) */

struct timer_caps {
    seL4_CPtr irq_handler;    /* IRQ handler of the PIT's interrupt (ISA IRQ 0) */
    seL4_CPtr ioports;        /* I/O ports 0x40-0x43 */
    seL4_CPtr tick;           /* signalled once per interrupt (the RS's TICK notification) */
    seL4_CPtr irq_ntfn;       /* the thread's bound notification, badged RUNTIME_IRQ_BADGE */
    runtime_service_t svc;    /* service endpoint + heartbeat ack */
};

/* Points the IRQ at irq_ntfn, programs channel 0 periodic at `hz` and acknowledges any
 * interrupt a previous incarnation left pending.  seL4_NoError or the first error. */
seL4_Error timer_start(const struct timer_caps *c, uint32_t hz);

/* Serves forever: each interrupt is acknowledged and signalled on `tick`; pings are
 * answered (runtime_service_recv_on); requests as above.  Returns only on a kernel
 * error (the failing invocation's error). */
seL4_Error timer_serve(const struct timer_caps *c, uint32_t hz);
