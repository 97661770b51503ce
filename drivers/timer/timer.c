/* The PIT timer driver's work: programming the PIT and the interrupt loop (timer.h). */
#include "drivers/timer/timer.h"
#include "drivers/timer/pit.h"
#include <runtime/serve.h>

seL4_Error timer_start(const struct timer_caps *c, uint32_t hz)
{
    uint32_t divisor = pit_divisor(hz);
    if (divisor == 0) return seL4_RangeError;
    seL4_Error err = seL4_IRQHandler_SetNotification(c->irq_handler, c->irq_ntfn);
    if (err == seL4_NoError) err = seL4_X86_IOPort_Out8(c->ioports, PIT_PORT_COMMAND, PIT_CMD_CH0_RATE);
    if (err == seL4_NoError) err = seL4_X86_IOPort_Out8(c->ioports, PIT_PORT_CHANNEL0, pit_divisor_lo(divisor));
    if (err == seL4_NoError) err = seL4_X86_IOPort_Out8(c->ioports, PIT_PORT_CHANNEL0, pit_divisor_hi(divisor));
    /* A previous incarnation may have died between an interrupt and its Ack: the
     * interrupt stays masked until acknowledged. */
    if (err == seL4_NoError) err = seL4_IRQHandler_Ack(c->irq_handler);
    return err;
}

struct timer_loop {
    const struct timer_caps *caps;
    uint64_t period_ns;
    seL4_Word ticks;
};

static seL4_Error on_notified(void *ctx, seL4_Word badge)
{
    struct timer_loop *t = ctx;
    if (badge & RUNTIME_IRQ_BADGE) {
        t->ticks++;
        seL4_Error err = seL4_IRQHandler_Ack(t->caps->irq_handler);
        if (err != seL4_NoError) return err;
        seL4_Signal(t->caps->tick);
    }
    return seL4_NoError;
}

static seL4_MessageInfo_t on_request(void *ctx, runtime_request_t *rq)
{
    const struct timer_loop *t = ctx;
    seL4_MessageInfo_t reply = seL4_MessageInfo_new(seL4_IllegalOperation, 0, 0, 0);
    if (timer_request_is_now(seL4_MessageInfo_get_label(rq->info), seL4_MessageInfo_get_length(rq->info),
                             seL4_MessageInfo_get_extraCaps(rq->info))) {
        seL4_SetMR(0, t->ticks);
        seL4_SetMR(1, t->period_ns);
        reply = seL4_MessageInfo_new(0, 0, 0, 2);
    }
    return reply;
}

seL4_Error timer_serve(const struct timer_caps *c, uint32_t hz)
{
    struct timer_loop t = { c, pit_period_ns(pit_divisor(hz)), 0 };
    const runtime_serve_t serve = { .handle = on_request, .notified = on_notified, .ctx = &t };
    return runtime_serve(&c->svc, &serve);
}
