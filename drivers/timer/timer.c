/* The PIT timer driver's work: programming the PIT and the interrupt loop (timer.h). */
#include "drivers/timer/timer.h"
#include "drivers/timer/pit.h"

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

seL4_Error timer_serve(const struct timer_caps *c, uint32_t hz)
{
    uint64_t period_ns = pit_period_ns(pit_divisor(hz));
    seL4_Word ticks = 0, badge;
    seL4_MessageInfo_t info = runtime_service_recv_on(&c->svc, &badge);
    for (;;) {
        if (runtime_service_is_notification(badge)) {
            if (badge & RUNTIME_IRQ_BADGE) {
                ticks++;
                seL4_Error err = seL4_IRQHandler_Ack(c->irq_handler);
                if (err != seL4_NoError) return err;
                seL4_Signal(c->tick);
            }
            info = runtime_service_recv_on(&c->svc, &badge);
            continue;
        }
        seL4_MessageInfo_t reply = seL4_MessageInfo_new(seL4_IllegalOperation, 0, 0, 0);
        if (timer_request_is_now(seL4_MessageInfo_get_label(info), seL4_MessageInfo_get_length(info),
                                 seL4_MessageInfo_get_extraCaps(info))) {
            seL4_SetMR(0, ticks);
            seL4_SetMR(1, period_ns);
            reply = seL4_MessageInfo_new(0, 0, 0, 2);
        }
        info = runtime_service_reply_recv_on(&c->svc, reply, &badge);
    }
}
