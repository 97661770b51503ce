/*
 * Kernel entries (manual 2.2, 4): system calls, faults raised by the CPU and
 * interrupts.  Every entry ends, as in seL4, with the scheduler choosing the thread
 * to run and activating it; the debug system calls of the debug kernel return to the
 * caller directly.
 */
#include <string.h>
#include "kstate.h"

exc decode_invocation(kernel *k, uint64_t label, unsigned length, uint64_t cptr, cte *slot,
                      const cap *c, bool block, bool call, const uint64_t *buf)
{
    (void)cptr;
    switch (c->type) {
    case CAP_NULL:
    case CAP_ZOMBIE:
        user_error(k, "Attempted to invoke a null or zombie cap #%lu.", (unsigned long)cptr);
        return syserr_cap(k, 0);
    case CAP_ENDPOINT:
        if (!(c->rights & RIGHT_WRITE)) {
            user_error(k, "Attempted to invoke a read-only endpoint cap #%lu.", (unsigned long)cptr);
            return syserr_cap(k, 0);
        }
        set_thread_state(k, k->cur, TS_RESTART);
        send_ipc(k, block, call, c->badge, (c->rights & RIGHT_GRANT) != 0,
                 (c->rights & RIGHT_GRANT_REPLY) != 0, k->cur, cap_ep(c));
        return EXC_NONE;
    case CAP_NOTIFICATION:
        if (!(c->rights & RIGHT_WRITE)) {
            user_error(k, "Attempted to invoke a read-only notification cap #%lu.", (unsigned long)cptr);
            return syserr_cap(k, 0);
        }
        set_thread_state(k, k->cur, TS_RESTART);
        send_signal(k, cap_ntfn(c), c->badge);
        return EXC_NONE;
    case CAP_REPLY:
        if (c->reply_master) {
            user_error(k, "Attempted to invoke an invalid reply cap #%lu.", (unsigned long)cptr);
            return syserr_cap(k, 0);
        }
        set_thread_state(k, k->cur, TS_RESTART);
        do_reply_transfer(k, k->cur, cap_tcb(c), slot, (c->rights & RIGHT_GRANT) != 0);
        return EXC_NONE;
    default:
        break;
    }

    /* an invocation of a kernel object: fault injection may refuse it up front */
    if (inject_nomem(k, label)) {
        k->err.type = seL4_NotEnoughMemory;
        k->err.memory_left = 0;
        return EXC_SYSCALL_ERROR;
    }

    switch (c->type) {
    case CAP_THREAD:
        return decode_tcb(k, label, length, c, slot, call, buf);
    case CAP_DOMAIN:
        return decode_domain(k, label, length, buf);
    case CAP_CNODE:
        return decode_cnode(k, label, length, c, buf);
    case CAP_UNTYPED:
        return decode_untyped(k, label, length, slot, c, buf);
    case CAP_IRQ_CONTROL:
        return decode_irq_control(k, label, length, slot, buf);
    case CAP_IRQ_HANDLER:
        return decode_irq_handler(k, label, c->irq);
    case CAP_ASID_CONTROL:
        return decode_asid_control(k, label, length, buf);
    case CAP_ASID_POOL:
        return decode_asid_pool(k, label, c);
    case CAP_IO_PORT_CONTROL:
        return decode_ioport_control(k, label, length, slot, buf);
    case CAP_IO_PORT:
        return decode_ioport(k, label, length, c, call, buf);
    case CAP_FRAME:
    case CAP_PAGE_TABLE:
    case CAP_PAGE_DIRECTORY:
    case CAP_PDPT:
    case CAP_PML4:
        return decode_mmu(k, label, length, slot, c, call, buf);
    default:
        return syserr_cap(k, 0);
    }
}

static void handle_invocation(kernel *k, bool is_call, bool is_blocking)
{
    tcb *t = k->cur;
    uint64_t info = t->ctx[R_MSGINFO];
    if ((info & 0x7f) > seL4_MsgMaxLength)
        info = (info & ~0x7full) | seL4_MsgMaxLength;
    uint64_t cptr = t->ctx[R_CAP];

    cte *slot;
    if (lookup_slot(k, t, cptr, &slot) != EXC_NONE) {
        user_error(k, "Invocation of invalid cap #%lu.", (unsigned long)cptr);
        k->cur_fault = (fault){ .type = seL4_Fault_CapFault, .addr = cptr, .in_recv_phase = false };
        if (is_blocking)
            handle_fault(k, t);
        return;
    }
    const uint64_t *buf = lookup_ipc_buffer(k, t, false);
    if (lookup_extra_caps(k, t, buf, info) != EXC_NONE) {
        user_error(k, "Lookup of extra caps failed.");
        if (is_blocking)
            handle_fault(k, t);
        return;
    }
    unsigned length = (unsigned)(info & 0x7f);
    if (length > N_MSG_REGISTERS && !buf)
        length = N_MSG_REGISTERS;
    cap c = slot->cap;
    uint64_t label = info >> 12;
    k->err = (syscall_error){ 0 };
    exc status = decode_invocation(k, label, length, cptr, slot, &c, is_blocking, is_call, buf);
    if (status == EXC_SYSCALL_ERROR) {
        trace_result(k, t, cap_type_name(c.type), label, k->err.type);
        if (is_call)
            reply_from_kernel_error(k, t);
        return;
    }
    if (c.type != CAP_ENDPOINT && c.type != CAP_NOTIFICATION && c.type != CAP_REPLY)
        trace_result(k, t, cap_type_name(c.type), label, 0);
    if (t->state == TS_RESTART) {
        if (is_call)
            reply_from_kernel_success_empty(t);
        set_thread_state(k, t, TS_RUNNING);
    }
}

static void handle_reply(kernel *k)
{
    cte *caller_slot = &k->cur->slot[TCB_CALLER];
    cap c = caller_slot->cap;
    if (c.type == CAP_REPLY && !c.reply_master)
        do_reply_transfer(k, k->cur, cap_tcb(&c), caller_slot, (c.rights & RIGHT_GRANT) != 0);
}

static void recv_cap_fault(kernel *k, uint64_t cptr)
{
    k->lf = lf_missing(0);
    k->cur_fault = (fault){ .type = seL4_Fault_CapFault, .addr = cptr, .in_recv_phase = true };
    handle_fault(k, k->cur);
}

static void handle_recv(kernel *k, bool blocking)
{
    tcb *t = k->cur;
    uint64_t cptr = t->ctx[R_CAP];
    cte *slot;
    if (lookup_slot(k, t, cptr, &slot) != EXC_NONE) {
        k->cur_fault = (fault){ .type = seL4_Fault_CapFault, .addr = cptr, .in_recv_phase = true };
        handle_fault(k, t);
        return;
    }
    cap c = slot->cap;
    switch (c.type) {
    case CAP_ENDPOINT:
        if (!(c.rights & RIGHT_READ)) {
            recv_cap_fault(k, cptr);
            return;
        }
        delete_caller_cap(k, t);
        receive_ipc(k, t, &c, blocking);
        return;
    case CAP_NOTIFICATION: {
        notification *n = cap_ntfn(&c);
        if (!(c.rights & RIGHT_READ) || (n->bound && n->bound != t)) {
            recv_cap_fault(k, cptr);
            return;
        }
        receive_signal(k, t, &c, blocking);
        return;
    }
    default:
        recv_cap_fault(k, cptr);
        return;
    }
}

static void dump_scheduler(kernel *k)
{
    static const char *const names[] = {
        "inactive", "running", "restart", "blocked on recv", "blocked on send",
        "blocked on reply", "blocked on ntfn", "idle",
    };
    devices_flush(k->dev); /* console output first (see trace.c) */
    fprintf(stderr, "Dumping all tcbs!\n");
    fprintf(stderr, "Name                                    \tState          \tIP                  \t Prio \t Core\n");
    fprintf(stderr, "--------------------------------------------------------------------------------------\n");
    for (tcb *t = k->dbg_threads; t; t = t->dbg_next)
        fprintf(stderr, "%-40s\t%15s\t0x%-18llx\t%20u\t0\n", t->name,
                t->state < 8 ? names[t->state] : "?", (unsigned long long)t->ctx[R_FAULTIP], t->prio);
    fprintf(stderr, "%-40s\t%15s\t0x%-18llx\t%20u\t0\n", k->idle.name, "idle", 0ull, 0u);
}

static void halt(kernel *k, int status)
{
    k->stop = true;
    k->status = status;
}

/* Debug system calls and everything outside SysCall..SysNBRecv. */
static void handle_unknown_syscall(kernel *k, int64_t sysno)
{
    tcb *t = k->cur;
    switch (sysno) {
    case seL4_SysDebugPutChar:
        devices_putchar(k->dev, (char)(t->ctx[R_CAP] & 0xff));
        return;
    case seL4_SysDebugDumpScheduler:
        dump_scheduler(k);
        return;
    case seL4_SysDebugHalt:
        kernel_message(k, "Debug halt syscall from user thread \"%s\"", t->name);
        halt(k, SIM_STATUS_OK);
        return;
    case seL4_SysDebugSnapshot:
        kernel_message(k, "Debug snapshot syscall from user thread \"%s\"", t->name);
        if (snapshot_stopping_slot(k)) {
            /* the real kernel hangs or halts inside its capDL dump (snapshot.c) */
            kernel_message(k, "capDL dump does not finish (an untyped with children, an unmapped frame "
                              "or paging structure in a thread's CSpace): the kernel stops here");
            halt(k, SIM_STATUS_DEADLOCK);
        }
        return;
    case seL4_SysDebugCapIdentify: {
        cte *slot;
        uint64_t type = lookup_slot(k, t, t->ctx[R_CAP], &slot) == EXC_NONE ? slot->cap.type : CAP_NULL;
        t->ctx[R_CAP] = type;
        return;
    }
    case seL4_SysDebugNameThread: {
        cte *slot;
        if (lookup_slot(k, t, t->ctx[R_CAP], &slot) != EXC_NONE || slot->cap.type != CAP_THREAD) {
            user_error(k, "SysDebugNameThread: cap is not a TCB, halting");
            halt(k, SIM_STATUS_DEADLOCK);
            return;
        }
        const uint64_t *buf = lookup_ipc_buffer(k, t, true);
        if (!buf) {
            user_error(k, "SysDebugNameThread: Failed to lookup IPC buffer, halting");
            halt(k, SIM_STATUS_DEADLOCK);
            return;
        }
        const char *name = (const char *)(buf + 1);
        size_t len = strnlen(name, seL4_MsgMaxLength * 8);
        if (len == seL4_MsgMaxLength * 8) {
            user_error(k, "SysDebugNameThread: Name too long, halting");
            halt(k, SIM_STATUS_DEADLOCK);
            return;
        }
        tcb *target = cap_tcb(&slot->cap);
        size_t n = len < TCB_NAME_LEN - 1 ? len : TCB_NAME_LEN - 1;
        memcpy(target->name, name, n);
        target->name[n] = '\0';
        return;
    }
    case seL4_SysSetTLSBase:
        t->ctx[R_FS_BASE] = t->ctx[R_CAP];
        return;
    default:
        k->cur_fault = (fault){ .type = seL4_Fault_UnknownSyscall, .addr = (uint64_t)sysno };
        handle_fault(k, t);
        schedule(k);
        activate_thread(k);
        return;
    }
}

void entry_syscall(kernel *k, int64_t sysno)
{
    tcb *t = k->cur;
    t->syscalls++;
    k->syscalls++;
    trace_syscall(k, t, sysno, t->ctx[R_CAP], t->ctx[R_MSGINFO]);
    if (sysno < seL4_SysNBRecv || sysno > seL4_SysCall) {
        handle_unknown_syscall(k, sysno);
        return;
    }
    switch (sysno) {
    case seL4_SysSend:
        handle_invocation(k, false, true);
        break;
    case seL4_SysNBSend:
        handle_invocation(k, false, false);
        break;
    case seL4_SysCall:
        handle_invocation(k, true, true);
        break;
    case seL4_SysRecv:
        handle_recv(k, true);
        break;
    case seL4_SysReply:
        handle_reply(k);
        break;
    case seL4_SysReplyRecv:
        handle_reply(k);
        handle_recv(k, true);
        break;
    case seL4_SysNBRecv:
        handle_recv(k, false);
        break;
    default: /* seL4_SysYield */
        sched_dequeue(k, t);
        sched_append(k, t);
        reschedule_required(k);
        break;
    }
    schedule(k);
    activate_thread(k);
}

void entry_vm_fault(kernel *k, uint64_t addr, uint32_t error)
{
    tcb *t = k->cur;
    k->cur_fault = (fault){ .type = seL4_Fault_VMFault, .addr = addr, .fsr = error & 0x1fu,
                            .instruction = ((error >> 4) & 1u) != 0 };
    handle_fault(k, t);
    schedule(k);
    activate_thread(k);
}

void entry_user_exception(kernel *k, uint32_t vector, uint32_t code)
{
    k->cur_fault = (fault){ .type = seL4_Fault_UserException, .number = vector, .code = code & 0xfffffffu };
    handle_fault(k, k->cur);
    schedule(k);
    activate_thread(k);
}

void entry_interrupt(kernel *k, unsigned irq)
{
    handle_interrupt(k, irq);
    schedule(k);
    activate_thread(k);
}
