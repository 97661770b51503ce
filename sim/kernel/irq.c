/*
 * Interrupts (manual 8).  The kernel's own timer is IRQ 125 (vector 157); user
 * interrupts are issued through IRQControl as IOAPIC pins or MSIs on vectors
 * 0x30..0x9b (IRQs 16..123).  A device line is routed to an IOAPIC pin as on a PC:
 * ISA IRQ 0 (the PIT) arrives on pin 2, the other ISA IRQs on the pin of the same
 * number.  The kernel masks an IRQ when it signals the notification and unmasks it on
 * Ack; an edge that arrives while its pin is masked is lost, as with QEMU's IOAPIC
 * (checked on the real kernel: PIT ticks during a long masked period are not delivered
 * when the handler is acked).
 */
#include "kstate.h"

enum { ROUTE_FREE = 0, ROUTE_IOAPIC = 1, ROUTE_MSI = 2 };

void irq_init(kernel *k)
{
    for (unsigned i = 0; i <= IRQ_MAX; i++) {
        if (i == IRQ_TIMER)
            k->irq_state[i] = IRQ_TIMER_STATE;
        else if (i >= IRQ_USER_MIN && i <= IRQ_USER_MAX)
            k->irq_state[i] = IRQ_INACTIVE;
        else
            k->irq_state[i] = IRQ_RESERVED;
        k->irq_route[i] = (irq_route){ ROUTE_FREE, 0, 0, 0, true };
    }
}

static void mask_interrupt(kernel *k, bool disable, unsigned irq)
{
    if (irq >= IRQ_USER_MIN && irq <= IRQ_USER_MAX && k->irq_route[irq].kind == ROUTE_IOAPIC)
        k->irq_route[irq].masked = disable;
}

static void set_irq_state(kernel *k, unsigned state, unsigned irq)
{
    k->irq_state[irq] = (uint8_t)state;
    mask_interrupt(k, state == IRQ_INACTIVE, irq);
}

static exc issue_handler(kernel *k, unsigned irq, cte *dest, cte *control, irq_route route)
{
    k->irq_route[irq] = route;
    set_irq_state(k, IRQ_SIGNAL, irq);
    cap hc = cap_null();
    hc.type = CAP_IRQ_HANDLER;
    hc.irq = (uint16_t)irq;
    cte_insert(k, hc, control, dest);
    return EXC_NONE;
}

exc decode_irq_control(kernel *k, uint64_t label, unsigned length, cte *slot, const uint64_t *buf)
{
    if (label == IRQIssueIRQHandler) {
        if (length < 3 || !k->extra_caps[0])
            return syserr(k, seL4_TruncatedMessage);
        user_error(k, "IRQControl: Illegal operation");
        return syserr(k, seL4_IllegalOperation);
    }
    if (label != X86IRQIssueIRQHandlerIOAPIC && label != X86IRQIssueIRQHandlerMSI) {
        user_error(k, "IRQControl: Illegal operation");
        return syserr(k, seL4_IllegalOperation);
    }
    if (length < 7 || !k->extra_caps[0]) {
        user_error(k, "IRQControl: Truncated message");
        return syserr(k, seL4_TruncatedMessage);
    }
    uint64_t index = get_syscall_arg(k, 0, buf);
    uint64_t depth = get_syscall_arg(k, 1, buf);
    cap root = k->extra_caps[0]->cap;
    uint64_t irq = get_syscall_arg(k, 6, buf);
    if (irq > IRQ_USER_MAX - IRQ_USER_MIN) {
        user_error(k, "IRQControl: Invalid irq %ld should be between 0-%d", (long)irq,
                   IRQ_USER_MAX - IRQ_USER_MIN);
        return syserr_range(k, 0, IRQ_USER_MAX - IRQ_USER_MIN);
    }
    irq += IRQ_USER_MIN;
    if (k->irq_state[irq] != IRQ_INACTIVE) {
        user_error(k, "IRQControl: IRQ %d is already active.", (int)irq);
        return syserr(k, seL4_RevokeFirst);
    }
    cte *dest;
    if (lookup_slot_for_cnode_op(k, false, &root, index, depth, &dest) != EXC_NONE)
        return EXC_SYSCALL_ERROR;
    if (ensure_empty_slot(k, dest) != EXC_NONE)
        return EXC_SYSCALL_ERROR;

    uint64_t a2 = get_syscall_arg(k, 2, buf), a3 = get_syscall_arg(k, 3, buf);
    uint64_t a4 = get_syscall_arg(k, 4, buf), a5 = get_syscall_arg(k, 5, buf);
    if (label == X86IRQIssueIRQHandlerIOAPIC) {
        /* a2 ioapic, a3 pin, a4 level, a5 polarity; one IOAPIC with 24 pins */
        if (a2 >= 1) {
            user_error(k, "Invalid IOAPIC %ld, only have 1", (long)a2);
            return syserr_range(k, 0, 0);
        }
        if (a3 >= IOAPIC_PINS) {
            user_error(k, "Invalid IOAPIC pin %ld, there are %d pins", (long)a3, IOAPIC_PINS);
            return syserr_range(k, 0, IOAPIC_PINS - 1);
        }
        if (a4 > 1) {
            user_error(k, "Level should be 0 or 1, not %d", (int)a4);
            return syserr_range(k, 0, 1);
        }
        if (a5 > 1) {
            user_error(k, "Polarity should be 0 or 1, not %d", (int)a5);
            return syserr_range(k, 0, 1);
        }
        set_thread_state(k, k->cur, TS_RESTART);
        irq_route r = { ROUTE_IOAPIC, (uint8_t)a3, (uint8_t)a4, (uint8_t)a5, true };
        /* a pin carries one vector: the latest mapping wins */
        for (unsigned i = IRQ_USER_MIN; i <= IRQ_USER_MAX; i++)
            if (k->irq_route[i].kind == ROUTE_IOAPIC && k->irq_route[i].pin == a3)
                k->irq_route[i].pin = 0xff;
        return issue_handler(k, (unsigned)irq, dest, slot, r);
    }
    /* MSI: a2 bus, a3 device, a4 function, a5 handle */
    if (a2 > 255)
        return syserr_range(k, 0, 255);
    if (a3 > 31)
        return syserr_range(k, 0, 31);
    if (a4 > 7)
        return syserr_range(k, 0, 7);
    set_thread_state(k, k->cur, TS_RESTART);
    irq_route r = { ROUTE_MSI, 0xff, 0, 0, false };
    return issue_handler(k, (unsigned)irq, dest, slot, r);
}

exc decode_irq_handler(kernel *k, uint64_t label, unsigned irq)
{
    switch (label) {
    case IRQAckIRQ:
        set_thread_state(k, k->cur, TS_RESTART);
        mask_interrupt(k, false, irq);
        return EXC_NONE;
    case IRQSetIRQHandler: {
        if (!k->extra_caps[0])
            return syserr(k, seL4_TruncatedMessage);
        cte *src = k->extra_caps[0];
        cap nc = src->cap;
        if (nc.type != CAP_NOTIFICATION || !(nc.rights & RIGHT_WRITE)) {
            user_error(k, "IRQSetHandler: provided cap is not a notification capability with send rights.");
            return syserr_cap(k, 0);
        }
        set_thread_state(k, k->cur, TS_RESTART);
        cte_delete_one(k, &k->irq_node[irq]);
        cte_insert(k, nc, src, &k->irq_node[irq]);
        return EXC_NONE;
    }
    case IRQClearIRQHandler:
        set_thread_state(k, k->cur, TS_RESTART);
        cte_delete_one(k, &k->irq_node[irq]);
        return EXC_NONE;
    default:
        user_error(k, "IRQHandler: Illegal operation.");
        return syserr(k, seL4_IllegalOperation);
    }
}

void deleting_irq_handler(kernel *k, unsigned irq)
{
    cte_delete_one(k, &k->irq_node[irq]);
}

void deleted_irq_handler(kernel *k, unsigned irq)
{
    set_irq_state(k, IRQ_INACTIVE, irq);
}

void handle_interrupt(kernel *k, unsigned irq)
{
    if (irq > IRQ_MAX)
        return;
    switch (k->irq_state[irq]) {
    case IRQ_SIGNAL: {
        cap c = k->irq_node[irq].cap;
        if (c.type == CAP_NOTIFICATION && (c.rights & RIGHT_WRITE))
            send_signal(k, cap_ntfn(&c), c.badge);
        else
            kernel_message(k, "Undelivered IRQ: %u", irq);
        mask_interrupt(k, true, irq);
        break;
    }
    case IRQ_TIMER_STATE:
        timer_tick(k);
        break;
    case IRQ_INACTIVE:
        mask_interrupt(k, true, irq);
        kernel_message(k, "Received disabled IRQ: %u", irq);
        break;
    default:
        break;
    }
}

void irq_device_lines(kernel *k, uint32_t isa_mask)
{
    for (unsigned isa = 0; isa < 16; isa++) {
        if (!(isa_mask & (1u << isa)))
            continue;
        unsigned pin = isa == 0 ? 2u : isa;
        for (unsigned irq = IRQ_USER_MIN; irq <= IRQ_USER_MAX; irq++) {
            const irq_route *r = &k->irq_route[irq];
            if (r->kind == ROUTE_IOAPIC && r->pin == pin && !r->masked)
                k->pin_pending |= 1u << pin;
        }
    }
}

/* The highest IRQ whose pin has a latched edge and is unmasked, with the latch
 * consumed; -1 if none. */
int irq_next_deliverable(kernel *k)
{
    if (!k->pin_pending)
        return -1;
    for (int irq = IRQ_USER_MAX; irq >= IRQ_USER_MIN; irq--) {
        const irq_route *r = &k->irq_route[irq];
        if (r->kind == ROUTE_IOAPIC && r->pin < IOAPIC_PINS && !r->masked &&
            (k->pin_pending & (1u << r->pin))) {
            k->pin_pending &= ~(1u << r->pin);
            return irq;
        }
    }
    return -1;
}

/* True if some device line can reach a notification (an unmasked or masked IOAPIC
 * route with a handler): used to tell an idle system from a dead one. */
bool irq_any_routed(const kernel *k)
{
    for (unsigned irq = IRQ_USER_MIN; irq <= IRQ_USER_MAX; irq++)
        if (k->irq_state[irq] == IRQ_SIGNAL && k->irq_route[irq].kind == ROUTE_IOAPIC &&
            k->irq_route[irq].pin < IOAPIC_PINS && k->irq_node[irq].cap.type == CAP_NOTIFICATION)
            return true;
    return false;
}
