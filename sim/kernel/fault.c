/*
 * Faults (manual 6.2): a faulting thread sends a message describing the fault to the
 * endpoint named by its fault-handler cptr (looked up in its own CSpace when the
 * fault happens) and waits for the reply, which may restart it or, for unknown
 * syscalls and user exceptions, rewrite its registers.  Without a usable handler the
 * thread just stops; the debug kernel reports that on its console, the model on stderr.
 */
#include <stdio.h>
#include "kstate.h"

static const uint8_t syscall_message[18] = {
    R_RAX, R_RBX, R_RCX, R_RDX, R_RSI, R_RDI, R_RBP, R_R8, R_R9, R_R10, R_R11, R_R12,
    R_R13, R_R14, R_R15, R_FAULTIP, R_RSP, R_FLAGS,
};
static const uint8_t exception_message[3] = { R_FAULTIP, R_RSP, R_FLAGS };

unsigned set_mrs_lookup_failure(tcb *receiver, uint64_t *buf, const lookup_fault *lf, unsigned offset)
{
    unsigned i = set_mr(receiver, buf, offset, (uint64_t)lf->type + 1);
    switch (lf->type) {
    case LF_INVALID_ROOT:
        return i;
    case LF_MISSING_CAP:
        return set_mr(receiver, buf, offset + 1, lf->bits_left);
    case LF_DEPTH_MISMATCH:
        set_mr(receiver, buf, offset + 1, lf->bits_left);
        return set_mr(receiver, buf, offset + 2, lf->bits_found);
    default:
        set_mr(receiver, buf, offset + 1, lf->bits_left);
        set_mr(receiver, buf, offset + 2, lf->guard_found);
        return set_mr(receiver, buf, offset + 3, lf->bits_found);
    }
}

static void copy_mrs_fault(tcb *sender, tcb *receiver, const uint8_t *regs, unsigned n, uint64_t *buf)
{
    unsigned i;
    for (i = 0; i < n && i < N_MSG_REGISTERS; i++)
        receiver->ctx[msg_registers[i]] = sender->ctx[regs[i]];
    if (buf)
        for (; i < n; i++)
            buf[i + 1] = sender->ctx[regs[i]];
}

unsigned set_mrs_fault(kernel *k, tcb *sender, tcb *receiver, uint64_t *buf)
{
    (void)k;
    const fault *f = &sender->fault;
    switch (f->type) {
    case seL4_Fault_CapFault:
        set_mr(receiver, buf, seL4_CapFault_IP, sender->ctx[R_FAULTIP]);
        set_mr(receiver, buf, seL4_CapFault_Addr, f->addr);
        set_mr(receiver, buf, seL4_CapFault_InRecvPhase, f->in_recv_phase);
        return set_mrs_lookup_failure(receiver, buf, &sender->lookup_failure,
                                      seL4_CapFault_LookupFailureType);
    case seL4_Fault_UnknownSyscall:
        copy_mrs_fault(sender, receiver, syscall_message, 18, buf);
        return set_mr(receiver, buf, 18, f->addr);
    case seL4_Fault_UserException:
        copy_mrs_fault(sender, receiver, exception_message, 3, buf);
        set_mr(receiver, buf, 3, f->number);
        return set_mr(receiver, buf, 4, f->code);
    case seL4_Fault_VMFault:
        set_mr(receiver, buf, seL4_VMFault_IP, sender->ctx[R_FAULTIP]);
        set_mr(receiver, buf, seL4_VMFault_Addr, f->addr);
        set_mr(receiver, buf, seL4_VMFault_PrefetchFault, f->instruction);
        return set_mr(receiver, buf, seL4_VMFault_FSR, f->fsr);
    default:
        return 0;
    }
}

static void copy_mrs_fault_reply(kernel *k, tcb *sender, tcb *receiver, const uint8_t *regs, unsigned n)
{
    unsigned i;
    for (i = 0; i < n && i < N_MSG_REGISTERS; i++)
        receiver->ctx[regs[i]] = sanitise_register(regs[i], sender->ctx[msg_registers[i]]);
    if (i < n) {
        const uint64_t *sbuf = lookup_ipc_buffer(k, sender, false);
        if (sbuf)
            for (; i < n; i++)
                receiver->ctx[regs[i]] = sanitise_register(regs[i], sbuf[i + 1]);
    }
}

bool handle_fault_reply(kernel *k, tcb *receiver, tcb *sender)
{
    uint64_t tag = sender->ctx[R_MSGINFO];
    uint64_t label = tag >> 12;
    unsigned length = (unsigned)(tag & 0x7f);
    if (length > seL4_MsgMaxLength)
        length = seL4_MsgMaxLength;
    switch (receiver->fault.type) {
    case seL4_Fault_UnknownSyscall:
        copy_mrs_fault_reply(k, sender, receiver, syscall_message, length < 18 ? length : 18);
        return label == 0;
    case seL4_Fault_UserException:
        copy_mrs_fault_reply(k, sender, receiver, exception_message, length < 3 ? length : 3);
        return label == 0;
    default:
        return true;
    }
}

void format_fault(const fault *f, char *out, size_t len)
{
    switch (f->type) {
    case seL4_Fault_NullFault:
        snprintf(out, len, "null fault");
        break;
    case seL4_Fault_CapFault:
        snprintf(out, len, "cap fault in %s phase at address 0x%llx",
                 f->in_recv_phase ? "receive" : "send", (unsigned long long)f->addr);
        break;
    case seL4_Fault_VMFault:
        snprintf(out, len, "vm fault on %s at address 0x%llx with status 0x%x",
                 f->instruction ? "code" : "data", (unsigned long long)f->addr, f->fsr);
        break;
    case seL4_Fault_UnknownSyscall:
        snprintf(out, len, "unknown syscall 0x%llx", (unsigned long long)f->addr);
        break;
    case seL4_Fault_UserException:
        snprintf(out, len, "user exception 0x%x code 0x%x", f->number, f->code);
        break;
    default:
        snprintf(out, len, "unknown fault");
        break;
    }
}

static exc send_fault_ipc(kernel *k, tcb *t)
{
    lookup_fault original = k->lf;
    uint64_t handler = t->fault_handler;
    cte *slot;
    if (lookup_slot(k, t, handler, &slot) != EXC_NONE) {
        k->cur_fault = (fault){ .type = seL4_Fault_CapFault, .addr = handler };
        return EXC_FAULT;
    }
    cap c = slot->cap;
    if (c.type == CAP_ENDPOINT && (c.rights & RIGHT_WRITE) &&
        (c.rights & (RIGHT_GRANT | RIGHT_GRANT_REPLY))) {
        t->fault = k->cur_fault;
        if (k->cur_fault.type == seL4_Fault_CapFault)
            t->lookup_failure = original;
        trace_fault(k, t, &t->fault, "sent to handler");
        send_ipc(k, true, true, c.badge, (c.rights & RIGHT_GRANT) != 0, true, t, cap_ep(&c));
        return EXC_NONE;
    }
    k->cur_fault = (fault){ .type = seL4_Fault_CapFault, .addr = handler };
    k->lf = lf_missing(0);
    return EXC_FAULT;
}

static void handle_double_fault(kernel *k, tcb *t, const fault *first)
{
    char a[128], b[128];
    format_fault(&k->cur_fault, a, sizeof a);
    format_fault(first, b, sizeof b);
    trace_fault(k, t, first, "no handler: thread stopped");
    kernel_message(k, "Caught %s\nwhile trying to handle:\n%s\nin thread \"%s\" at address 0x%llx",
                   a, b, t->name, (unsigned long long)t->ctx[R_FAULTIP]);
    set_thread_state(k, t, TS_INACTIVE);
}

void handle_fault(kernel *k, tcb *t)
{
    fault f = k->cur_fault;
    if (send_fault_ipc(k, t) != EXC_NONE)
        handle_double_fault(k, t, &f);
}
