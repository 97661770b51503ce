/*
 * TCB invocations (manual 6.1, 10.3.13): configuring a thread's CSpace, VSpace, IPC
 * buffer, fault handler and priorities (checked against the authority's MCP), reading
 * and writing its registers, suspending and resuming it, binding a notification,
 * setting its TLS base and flags.
 */
#include "kstate.h"

enum { UPDATE_SPACE = 1, UPDATE_IPC_BUFFER = 2, UPDATE_MCP = 4, UPDATE_PRIORITY = 8 };

typedef struct thread_control {
    tcb *target;
    cte *slot;                 /* slot of the invoked TCB cap */
    uint64_t fault_ep;
    unsigned mcp, prio;
    cap croot, vroot, bufcap;
    cte *croot_src, *vroot_src, *buf_src;
    uint64_t buf_addr;
    unsigned flags;
} thread_control;

static exc check_prio(kernel *k, uint64_t prio, const tcb *auth)
{
    if (prio > auth->mcp)
        return syserr_range(k, seL4_MinPrio, auth->mcp);
    return EXC_NONE;
}

static cap thread_cap_of(tcb *t)
{
    cap c = cap_null();
    c.type = CAP_THREAD;
    c.obj = &t->hdr;
    c.paddr = t->hdr.paddr;
    return c;
}

static exc invoke_thread_control(kernel *k, const thread_control *tc)
{
    tcb *t = tc->target;
    cap tcap = thread_cap_of(t);
    if (tc->flags & UPDATE_SPACE)
        t->fault_handler = tc->fault_ep;
    if (tc->flags & UPDATE_MCP)
        t->mcp = (uint8_t)tc->mcp;
    if (tc->flags & UPDATE_SPACE) {
        exc e = cte_delete(k, &t->slot[TCB_CTABLE], true);
        if (e != EXC_NONE)
            return e;
        if (same_object_as(&tc->croot, &tc->croot_src->cap) && same_object_as(&tcap, &tc->slot->cap))
            cte_insert(k, tc->croot, tc->croot_src, &t->slot[TCB_CTABLE]);
        e = cte_delete(k, &t->slot[TCB_VTABLE], true);
        if (e != EXC_NONE)
            return e;
        if (same_object_as(&tc->vroot, &tc->vroot_src->cap) && same_object_as(&tcap, &tc->slot->cap))
            cte_insert(k, tc->vroot, tc->vroot_src, &t->slot[TCB_VTABLE]);
    }
    if (tc->flags & UPDATE_IPC_BUFFER) {
        exc e = cte_delete(k, &t->slot[TCB_BUFFER], true);
        if (e != EXC_NONE)
            return e;
        t->ipc_buffer = tc->buf_addr;
        if (tc->buf_src && same_object_as(&tc->bufcap, &tc->buf_src->cap) &&
            same_object_as(&tcap, &tc->slot->cap))
            cte_insert(k, tc->bufcap, tc->buf_src, &t->slot[TCB_BUFFER]);
        if (t == k->cur)
            reschedule_required(k);
    }
    if (tc->flags & UPDATE_PRIORITY)
        set_priority(k, t, tc->prio);
    return EXC_NONE;
}

/* Shared tail of Configure and SetSpace: the new CSpace and VSpace roots. */
static exc decode_space(kernel *k, tcb *t, uint64_t croot_data, uint64_t vroot_data,
                        thread_control *tc, const char *who)
{
    if (slot_cap_long_running_delete(&t->slot[TCB_CTABLE]) ||
        slot_cap_long_running_delete(&t->slot[TCB_VTABLE])) {
        user_error(k, "TCB %s: CSpace or VSpace currently being deleted.", who);
        return syserr(k, seL4_IllegalOperation);
    }
    cap croot = tc->croot_src->cap;
    if (croot_data != 0)
        croot = update_cap_data(false, croot_data, croot);
    if (derive_cap(k, tc->croot_src, croot, &tc->croot) != EXC_NONE)
        return EXC_SYSCALL_ERROR;
    if (tc->croot.type != CAP_CNODE) {
        user_error(k, "TCB %s: CSpace cap is invalid.", who);
        return syserr(k, seL4_IllegalOperation);
    }
    cap vroot = tc->vroot_src->cap;
    if (vroot_data != 0)
        vroot = update_cap_data(false, vroot_data, vroot);
    if (derive_cap(k, tc->vroot_src, vroot, &tc->vroot) != EXC_NONE)
        return EXC_SYSCALL_ERROR;
    if (!is_valid_vtable_root(&tc->vroot)) {
        user_error(k, "TCB %s: VSpace cap is invalid.", who);
        return syserr(k, seL4_IllegalOperation);
    }
    return EXC_NONE;
}

static exc decode_buffer(kernel *k, uint64_t addr, cte *src, thread_control *tc)
{
    tc->buf_addr = addr;
    tc->bufcap = src->cap;
    tc->buf_src = src;
    if (addr == 0) {
        tc->buf_src = NULL;
        return EXC_NONE;
    }
    if (derive_cap(k, src, src->cap, &tc->bufcap) != EXC_NONE)
        return EXC_SYSCALL_ERROR;
    return check_valid_ipc_buffer(k, addr, &tc->bufcap);
}

static exc decode_configure(kernel *k, unsigned length, tcb *t, cte *slot, const uint64_t *buf)
{
    if (length < 4 || !k->extra_caps[0] || !k->extra_caps[1] || !k->extra_caps[2]) {
        user_error(k, "TCB Configure: Truncated message.");
        return syserr(k, seL4_TruncatedMessage);
    }
    thread_control tc = { .target = t, .slot = slot, .flags = UPDATE_SPACE | UPDATE_IPC_BUFFER };
    tc.fault_ep = get_syscall_arg(k, 0, buf);
    uint64_t croot_data = get_syscall_arg(k, 1, buf);
    uint64_t vroot_data = get_syscall_arg(k, 2, buf);
    uint64_t buf_addr = get_syscall_arg(k, 3, buf);
    tc.croot_src = k->extra_caps[0];
    tc.vroot_src = k->extra_caps[1];
    if (decode_buffer(k, buf_addr, k->extra_caps[2], &tc) != EXC_NONE)
        return EXC_SYSCALL_ERROR;
    if (decode_space(k, t, croot_data, vroot_data, &tc, "Configure") != EXC_NONE)
        return EXC_SYSCALL_ERROR;
    set_thread_state(k, k->cur, TS_RESTART);
    return invoke_thread_control(k, &tc);
}

static exc decode_set_space(kernel *k, unsigned length, tcb *t, cte *slot, const uint64_t *buf)
{
    if (length < 3 || !k->extra_caps[0] || !k->extra_caps[1]) {
        user_error(k, "TCB SetSpace: Truncated message.");
        return syserr(k, seL4_TruncatedMessage);
    }
    thread_control tc = { .target = t, .slot = slot, .flags = UPDATE_SPACE };
    tc.fault_ep = get_syscall_arg(k, 0, buf);
    uint64_t croot_data = get_syscall_arg(k, 1, buf);
    uint64_t vroot_data = get_syscall_arg(k, 2, buf);
    tc.croot_src = k->extra_caps[0];
    tc.vroot_src = k->extra_caps[1];
    if (decode_space(k, t, croot_data, vroot_data, &tc, "SetSpace") != EXC_NONE)
        return EXC_SYSCALL_ERROR;
    set_thread_state(k, k->cur, TS_RESTART);
    return invoke_thread_control(k, &tc);
}

static exc decode_set_ipc_buffer(kernel *k, unsigned length, tcb *t, cte *slot, const uint64_t *buf)
{
    if (length < 1 || !k->extra_caps[0]) {
        user_error(k, "TCB SetIPCBuffer: Truncated message.");
        return syserr(k, seL4_TruncatedMessage);
    }
    thread_control tc = { .target = t, .slot = slot, .flags = UPDATE_IPC_BUFFER };
    if (decode_buffer(k, get_syscall_arg(k, 0, buf), k->extra_caps[0], &tc) != EXC_NONE)
        return EXC_SYSCALL_ERROR;
    set_thread_state(k, k->cur, TS_RESTART);
    return invoke_thread_control(k, &tc);
}

/* SetPriority, SetMCPriority, SetSchedParams. */
static exc decode_sched(kernel *k, uint64_t label, unsigned length, tcb *t, const uint64_t *buf)
{
    unsigned need = label == TCBSetSchedParams ? 2 : 1;
    if (length < need || !k->extra_caps[0]) {
        user_error(k, "TCB SetPriority/SetMCPriority/SetSchedParams: Truncated message.");
        return syserr(k, seL4_TruncatedMessage);
    }
    cap auth = k->extra_caps[0]->cap;
    if (auth.type != CAP_THREAD) {
        user_error(k, "TCB: authority cap not a TCB.");
        return syserr_cap(k, 1);
    }
    tcb *at = cap_tcb(&auth);
    thread_control tc = { .target = t };
    if (label == TCBSetPriority) {
        uint64_t prio = get_syscall_arg(k, 0, buf);
        if (check_prio(k, prio, at) != EXC_NONE) {
            user_error(k, "TCB SetPriority: Requested priority %lu too high (max %u).",
                       (unsigned long)prio, at->mcp);
            return EXC_SYSCALL_ERROR;
        }
        tc.prio = (unsigned)prio;
        tc.flags = UPDATE_PRIORITY;
    } else if (label == TCBSetMCPriority) {
        uint64_t mcp = get_syscall_arg(k, 0, buf);
        if (check_prio(k, mcp, at) != EXC_NONE) {
            user_error(k, "TCB SetMCPriority: Requested maximum controlled priority %lu too high (max %u).",
                       (unsigned long)mcp, at->mcp);
            return EXC_SYSCALL_ERROR;
        }
        tc.mcp = (unsigned)mcp;
        tc.flags = UPDATE_MCP;
    } else {
        uint64_t mcp = get_syscall_arg(k, 0, buf);
        uint64_t prio = get_syscall_arg(k, 1, buf);
        if (check_prio(k, mcp, at) != EXC_NONE || check_prio(k, prio, at) != EXC_NONE) {
            user_error(k, "TCB SetSchedParams: Requested priority too high (max %u).", at->mcp);
            return EXC_SYSCALL_ERROR;
        }
        tc.mcp = (unsigned)mcp;
        tc.prio = (unsigned)prio;
        tc.flags = UPDATE_MCP | UPDATE_PRIORITY;
    }
    set_thread_state(k, k->cur, TS_RESTART);
    return invoke_thread_control(k, &tc);
}

static exc decode_read_registers(kernel *k, unsigned length, tcb *t, bool call, const uint64_t *buf)
{
    if (length < 2) {
        user_error(k, "TCB ReadRegisters: Truncated message.");
        return syserr(k, seL4_TruncatedMessage);
    }
    uint64_t flags = get_syscall_arg(k, 0, buf);
    uint64_t n = get_syscall_arg(k, 1, buf);
    if (n < 1 || n > N_FRAME_REGISTERS + N_GP_REGISTERS) {
        user_error(k, "TCB ReadRegisters: Attempted to read an invalid number of registers (%d).", (int)n);
        return syserr_range(k, 1, N_FRAME_REGISTERS + N_GP_REGISTERS);
    }
    if (t == k->cur) {
        user_error(k, "TCB ReadRegisters: Attempted to read our own registers.");
        return syserr(k, seL4_IllegalOperation);
    }
    tcb *cur = k->cur;
    set_thread_state(k, cur, TS_RESTART);
    if (flags & 1)
        suspend_thread(k, t);
    if (call) {
        uint64_t *ibuf = lookup_ipc_buffer(k, cur, true);
        unsigned i, j;
        cur->ctx[R_BADGE] = 0;
        for (i = 0; i < n && i < N_FRAME_REGISTERS && i < N_MSG_REGISTERS; i++)
            cur->ctx[msg_registers[i]] = t->ctx[frame_registers[i]];
        if (ibuf && i < n && i < N_FRAME_REGISTERS)
            for (; i < n && i < N_FRAME_REGISTERS; i++)
                ibuf[i + 1] = t->ctx[frame_registers[i]];
        j = i;
        /* with 18 frame registers the two gp registers never travel in CPU registers */
        i = 0;
        if (ibuf && i + N_FRAME_REGISTERS < n)
            for (; i < N_GP_REGISTERS && i + N_FRAME_REGISTERS < n; i++)
                ibuf[i + N_FRAME_REGISTERS + 1] = t->ctx[gp_registers[i]];
        cur->ctx[R_MSGINFO] = (uint64_t)i + j;
    }
    set_thread_state(k, cur, TS_RUNNING);
    return EXC_NONE;
}

static exc decode_write_registers(kernel *k, unsigned length, tcb *t, const uint64_t *buf)
{
    if (length < 2) {
        user_error(k, "TCB WriteRegisters: Truncated message.");
        return syserr(k, seL4_TruncatedMessage);
    }
    uint64_t flags = get_syscall_arg(k, 0, buf);
    uint64_t w = get_syscall_arg(k, 1, buf);
    if (length - 2 < w) {
        user_error(k, "TCB WriteRegisters: Message too short for requested write size (%d/%d).",
                   (int)(length - 2), (int)w);
        return syserr(k, seL4_TruncatedMessage);
    }
    if (t == k->cur) {
        user_error(k, "TCB WriteRegisters: Attempted to write our own registers.");
        return syserr(k, seL4_IllegalOperation);
    }
    set_thread_state(k, k->cur, TS_RESTART);
    uint64_t n = w > N_FRAME_REGISTERS + N_GP_REGISTERS ? N_FRAME_REGISTERS + N_GP_REGISTERS : w;
    for (unsigned i = 0; i < N_FRAME_REGISTERS && i < n; i++)
        t->ctx[frame_registers[i]] =
            sanitise_register(frame_registers[i], get_syscall_arg(k, i + 2, buf));
    for (unsigned i = 0; i < N_GP_REGISTERS && i + N_FRAME_REGISTERS < n; i++)
        t->ctx[gp_registers[i]] =
            sanitise_register(gp_registers[i], get_syscall_arg(k, i + N_FRAME_REGISTERS + 2, buf));
    t->ctx[R_NEXTIP] = t->ctx[R_FAULTIP];
    post_modify_registers(k, t);
    if (flags & 1)
        restart_thread(k, t);
    if (t == k->cur)
        reschedule_required(k);
    return EXC_NONE;
}

static exc decode_copy_registers(kernel *k, unsigned length, tcb *t, const uint64_t *buf)
{
    if (length < 1 || !k->extra_caps[0]) {
        user_error(k, "TCB CopyRegisters: Truncated message.");
        return syserr(k, seL4_TruncatedMessage);
    }
    uint64_t flags = get_syscall_arg(k, 0, buf);
    cap src_cap = k->extra_caps[0]->cap;
    if (src_cap.type != CAP_THREAD) {
        user_error(k, "TCB CopyRegisters: Invalid source TCB.");
        return syserr_cap(k, 1);
    }
    tcb *src = cap_tcb(&src_cap);
    set_thread_state(k, k->cur, TS_RESTART);
    if (flags & 1)
        suspend_thread(k, src);
    if (flags & 2)
        restart_thread(k, t);
    if (flags & 4) {
        for (unsigned i = 0; i < N_FRAME_REGISTERS; i++)
            t->ctx[frame_registers[i]] = src->ctx[frame_registers[i]];
        t->ctx[R_NEXTIP] = t->ctx[R_FAULTIP];
    }
    if (flags & 8)
        for (unsigned i = 0; i < N_GP_REGISTERS; i++)
            t->ctx[gp_registers[i]] = src->ctx[gp_registers[i]];
    post_modify_registers(k, t);
    if (t == k->cur)
        reschedule_required(k);
    return EXC_NONE;
}

static exc decode_bind(kernel *k, tcb *t)
{
    if (!k->extra_caps[0]) {
        user_error(k, "TCB BindNotification: Truncated message.");
        return syserr(k, seL4_TruncatedMessage);
    }
    if (t->bound) {
        user_error(k, "TCB BindNotification: TCB already has a bound notification.");
        return syserr(k, seL4_IllegalOperation);
    }
    cap nc = k->extra_caps[0]->cap;
    if (nc.type != CAP_NOTIFICATION) {
        user_error(k, "TCB BindNotification: Notification is invalid.");
        return syserr(k, seL4_IllegalOperation);
    }
    if (!(nc.rights & RIGHT_READ)) {
        user_error(k, "TCB BindNotification: Insufficient access rights");
        return syserr(k, seL4_IllegalOperation);
    }
    notification *n = cap_ntfn(&nc);
    if (n->queue.head || n->bound) {
        user_error(k, "TCB BindNotification: Notification cannot be bound.");
        return syserr(k, seL4_IllegalOperation);
    }
    set_thread_state(k, k->cur, TS_RESTART);
    bind_notification(t, n);
    return EXC_NONE;
}

exc decode_tcb(kernel *k, uint64_t label, unsigned length, const cap *c, cte *slot, bool call,
               const uint64_t *buf)
{
    tcb *t = cap_tcb(c);
    switch (label) {
    case TCBReadRegisters:
        return decode_read_registers(k, length, t, call, buf);
    case TCBWriteRegisters:
        return decode_write_registers(k, length, t, buf);
    case TCBCopyRegisters:
        return decode_copy_registers(k, length, t, buf);
    case TCBSuspend:
        set_thread_state(k, k->cur, TS_RESTART);
        suspend_thread(k, t);
        return EXC_NONE;
    case TCBResume:
        set_thread_state(k, k->cur, TS_RESTART);
        restart_thread(k, t);
        return EXC_NONE;
    case TCBConfigure:
        return decode_configure(k, length, t, slot, buf);
    case TCBSetPriority:
    case TCBSetMCPriority:
    case TCBSetSchedParams:
        return decode_sched(k, label, length, t, buf);
    case TCBSetIPCBuffer:
        return decode_set_ipc_buffer(k, length, t, slot, buf);
    case TCBSetSpace:
        return decode_set_space(k, length, t, slot, buf);
    case TCBBindNotification:
        return decode_bind(k, t);
    case TCBUnbindNotification:
        if (!t->bound) {
            user_error(k, "TCB UnbindNotification: TCB already has no bound Notification.");
            return syserr(k, seL4_IllegalOperation);
        }
        set_thread_state(k, k->cur, TS_RESTART);
        unbind_notification(t);
        return EXC_NONE;
    case TCBSetTLSBase:
        if (length < 1) {
            user_error(k, "TCB SetTLSBase: Truncated message.");
            return syserr(k, seL4_TruncatedMessage);
        }
        set_thread_state(k, k->cur, TS_RESTART);
        t->ctx[R_FS_BASE] = get_syscall_arg(k, 0, buf);
        if (t == k->cur)
            reschedule_required(k);
        return EXC_NONE;
    case TCBSetFlags: {
        if (length < 2) {
            user_error(k, "TCB SetFlags: Truncated message.");
            return syserr(k, seL4_TruncatedMessage);
        }
        uint64_t clear = get_syscall_arg(k, 0, buf);
        uint64_t set = get_syscall_arg(k, 1, buf);
        tcb *cur = k->cur;
        set_thread_state(k, cur, TS_RESTART);
        t->flags = (t->flags & ~clear) | (set & seL4_TCBFlag_MASK);
        if (call) {
            uint64_t *ibuf = lookup_ipc_buffer(k, cur, true);
            cur->ctx[R_BADGE] = 0;
            unsigned len = set_mr(cur, ibuf, 0, t->flags);
            cur->ctx[R_MSGINFO] = len;
        }
        set_thread_state(k, cur, TS_RUNNING);
        return EXC_NONE;
    }
    default:
        user_error(k, "TCB: Illegal operation.");
        return syserr(k, seL4_IllegalOperation);
    }
}
