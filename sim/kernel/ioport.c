/*
 * x86 I/O ports (manual 10.3.?, X86 IOPort): IOPortControl issues caps for port
 * ranges that do not overlap any range already issued; an IOPort cap reads and
 * writes the simulated devices within its range.
 */
#include "kstate.h"

static bool port_used(const kernel *k, unsigned p) { return (k->ioports[p / 64] >> (p % 64)) & 1u; }

static void set_ports(kernel *k, unsigned first, unsigned last, bool used)
{
    for (unsigned p = first; p <= last; p++) {
        if (used)
            k->ioports[p / 64] |= BIT(p % 64);
        else
            k->ioports[p / 64] &= ~BIT(p % 64);
    }
}

void free_ioport_range(kernel *k, unsigned first, unsigned last)
{
    set_ports(k, first, last, false);
}

exc decode_ioport_control(kernel *k, uint64_t label, unsigned length, cte *slot, const uint64_t *buf)
{
    if (label != X86IOPortControlIssue) {
        user_error(k, "IOPortControl: Unknown operation.");
        return syserr(k, seL4_IllegalOperation);
    }
    if (length < 4 || !k->extra_caps[0]) {
        user_error(k, "IOPortControl: Truncated message.");
        return syserr(k, seL4_TruncatedMessage);
    }
    unsigned first = (unsigned)(get_syscall_arg(k, 0, buf) & 0xffff);
    unsigned last = (unsigned)(get_syscall_arg(k, 1, buf) & 0xffff);
    uint64_t index = get_syscall_arg(k, 2, buf);
    uint64_t depth = get_syscall_arg(k, 3, buf);
    cap root = k->extra_caps[0]->cap;
    if (last < first) {
        user_error(k, "IOPortControl: Last port must be > first port.");
        return syserr_arg(k, 1);
    }
    for (unsigned p = first; p <= last; p++) {
        if (port_used(k, p)) {
            user_error(k, "IOPortControl: Some ports in range already in use.");
            return syserr(k, seL4_RevokeFirst);
        }
    }
    cte *dest;
    if (lookup_slot_for_cnode_op(k, false, &root, index, depth, &dest) != EXC_NONE) {
        user_error(k, "Target slot for new IO Port cap invalid.");
        return EXC_SYSCALL_ERROR;
    }
    if (ensure_empty_slot(k, dest) != EXC_NONE) {
        user_error(k, "Target slot for new IO Port cap not empty.");
        return EXC_SYSCALL_ERROR;
    }
    set_thread_state(k, k->cur, TS_RESTART);
    set_ports(k, first, last, true);
    cap pc = cap_null();
    pc.type = CAP_IO_PORT;
    pc.port_first = (uint16_t)first;
    pc.port_last = (uint16_t)last;
    cte_insert(k, pc, slot, dest);
    return EXC_NONE;
}

static exc check_ports(kernel *k, const cap *c, unsigned port, unsigned size)
{
    unsigned end = port + size - 1;
    if (port < c->port_first || end > c->port_last) {
        user_error(k, "IOPort: Ports %u--%u fall outside permitted range %u--%u.", port, end,
                   c->port_first, c->port_last);
        return syserr(k, seL4_IllegalOperation);
    }
    return EXC_NONE;
}

exc decode_ioport(kernel *k, uint64_t label, unsigned length, const cap *c, bool call,
                  const uint64_t *buf)
{
    unsigned size;
    switch (label) {
    case X86IOPortIn8: case X86IOPortOut8: size = 1; break;
    case X86IOPortIn16: case X86IOPortOut16: size = 2; break;
    case X86IOPortIn32: case X86IOPortOut32: size = 4; break;
    default:
        user_error(k, "IOPort: Unknown operation.");
        return syserr(k, seL4_IllegalOperation);
    }
    bool in = label == X86IOPortIn8 || label == X86IOPortIn16 || label == X86IOPortIn32;
    if (length < (in ? 1u : 2u)) {
        user_error(k, "IOPort: Truncated message.");
        return syserr(k, seL4_TruncatedMessage);
    }
    unsigned port = (unsigned)(get_syscall_arg(k, 0, buf) & 0xffff);
    if (check_ports(k, c, port, size) != EXC_NONE)
        return EXC_SYSCALL_ERROR;
    tcb *cur = k->cur;
    set_thread_state(k, cur, TS_RESTART);
    if (in) {
        uint32_t v = devices_in(k->dev, (uint16_t)port, size);
        if (size == 1)
            v &= 0xff;
        else if (size == 2)
            v &= 0xffff;
        if (call) {
            uint64_t *ibuf = lookup_ipc_buffer(k, cur, true);
            cur->ctx[R_BADGE] = 0;
            cur->ctx[R_MSGINFO] = set_mr(cur, ibuf, 0, v);
        }
        set_thread_state(k, cur, TS_RUNNING);
    } else {
        uint64_t raw = get_syscall_arg(k, 1, buf);
        uint32_t data = (uint32_t)(size == 1 ? raw & 0xff : size == 2 ? raw & 0xffff : raw & 0xffffffffu);
        devices_out(k->dev, (uint16_t)port, size, data);
    }
    return EXC_NONE;
}
