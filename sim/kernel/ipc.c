/*
 * Endpoints and message transfer (manual 4): rendezvous of senders and receivers,
 * badges, Call with its one-shot reply capability, capability transfer with the
 * "unwrapping" of caps to the very endpoint used, and the kernel's own replies
 * (errors and empty successes) to invocations.
 */
#include "kstate.h"

static uint64_t message_info_from_word(uint64_t w)
{
    if ((w & 0x7f) > seL4_MsgMaxLength)
        w = (w & ~0x7full) | seL4_MsgMaxLength;
    return w;
}

static uint64_t message_info(uint64_t label, unsigned unwrapped, unsigned extra, unsigned length)
{
    return ((label & 0xfffffffffffffull) << 12) | ((uint64_t)(unwrapped & 7u) << 9) |
           ((uint64_t)(extra & 3u) << 7) | (length & 0x7fu);
}

tcb_queue tcb_ep_append(tcb *t, tcb_queue q)
{
    if (!q.head)
        q.head = t;
    else
        q.end->ep_next = t;
    t->ep_prev = q.end;
    t->ep_next = NULL;
    q.end = t;
    return q;
}

tcb_queue tcb_ep_dequeue(tcb *t, tcb_queue q)
{
    if (t->ep_prev)
        t->ep_prev->ep_next = t->ep_next;
    else
        q.head = t->ep_next;
    if (t->ep_next)
        t->ep_next->ep_prev = t->ep_prev;
    else
        q.end = t->ep_prev;
    return q;
}

exc lookup_extra_caps(kernel *k, tcb *t, const uint64_t *buf, uint64_t info)
{
    for (unsigned i = 0; i < seL4_MsgMaxExtraCaps; i++)
        k->extra_caps[i] = NULL;
    if (!buf)
        return EXC_NONE;
    unsigned n = (unsigned)((info >> 7) & 3u);
    for (unsigned i = 0; i < n; i++) {
        uint64_t cptr = buf[seL4_MsgMaxLength + 2 + i];
        cte *slot;
        exc e = lookup_slot(k, t, cptr, &slot);
        if (e != EXC_NONE) {
            k->cur_fault = (fault){ .type = seL4_Fault_CapFault, .addr = cptr, .in_recv_phase = false };
            for (unsigned j = 0; j < seL4_MsgMaxExtraCaps; j++)
                k->extra_caps[j] = NULL;
            return e;
        }
        k->extra_caps[i] = slot;
    }
    return EXC_NONE;
}

static unsigned copy_mrs(tcb *sender, const uint64_t *sbuf, tcb *receiver, uint64_t *rbuf, unsigned n)
{
    unsigned i;
    for (i = 0; i < n && i < N_MSG_REGISTERS; i++)
        receiver->ctx[msg_registers[i]] = sender->ctx[msg_registers[i]];
    if (!rbuf || !sbuf)
        return i;
    for (; i < n; i++)
        rbuf[i + 1] = sbuf[i + 1];
    return i;
}

static uint64_t transfer_caps(kernel *k, uint64_t info, endpoint *ep, tcb *receiver, uint64_t *rbuf)
{
    unsigned unwrapped = 0, i;
    info &= ~(uint64_t)(0x1f << 7);   /* clear extraCaps and capsUnwrapped */
    if (!k->extra_caps[0] || !rbuf)
        return info;
    cte *dest = get_receive_slot(k, receiver, rbuf);
    for (i = 0; i < seL4_MsgMaxExtraCaps && k->extra_caps[i]; i++) {
        cte *slot = k->extra_caps[i];
        cap c = slot->cap;
        if (c.type == CAP_ENDPOINT && ep && cap_ep(&c) == ep) {
            rbuf[seL4_MsgMaxLength + 2 + i] = c.badge;
            unwrapped |= 1u << i;
        } else {
            if (!dest)
                break;
            cap derived;
            syscall_error saved = k->err;
            exc e = derive_cap(k, slot, c, &derived);
            k->err = saved;
            if (e != EXC_NONE || derived.type == CAP_NULL)
                break;
            cte_insert(k, derived, slot, dest);
            dest = NULL;
        }
    }
    return info | ((uint64_t)unwrapped << 9) | ((uint64_t)i << 7);
}

static void do_normal_transfer(kernel *k, tcb *sender, const uint64_t *sbuf, endpoint *ep,
                               uint64_t badge, bool grant, tcb *receiver, uint64_t *rbuf)
{
    uint64_t tag = message_info_from_word(sender->ctx[R_MSGINFO]);
    if (grant) {
        fault saved_fault = k->cur_fault;
        if (lookup_extra_caps(k, sender, sbuf, tag) != EXC_NONE)
            k->extra_caps[0] = NULL;
        k->cur_fault = saved_fault;
    } else {
        k->extra_caps[0] = NULL;
    }
    unsigned sent = copy_mrs(sender, sbuf, receiver, rbuf, (unsigned)(tag & 0x7f));
    tag = transfer_caps(k, tag, ep, receiver, rbuf);
    tag = (tag & ~0x7full) | sent;
    receiver->ctx[R_MSGINFO] = tag;
    receiver->ctx[R_BADGE] = badge;
}

static void do_fault_transfer(kernel *k, uint64_t badge, tcb *sender, tcb *receiver, uint64_t *rbuf)
{
    unsigned sent = set_mrs_fault(k, sender, receiver, rbuf);
    receiver->ctx[R_MSGINFO] = message_info(sender->fault.type, 0, 0, sent);
    receiver->ctx[R_BADGE] = badge;
}

static void do_ipc_transfer(kernel *k, tcb *sender, endpoint *ep, uint64_t badge, bool grant,
                            tcb *receiver)
{
    uint64_t *rbuf = lookup_ipc_buffer(k, receiver, true);
    if (sender->fault.type == seL4_Fault_NullFault) {
        const uint64_t *sbuf = lookup_ipc_buffer(k, sender, false);
        do_normal_transfer(k, sender, sbuf, ep, badge, grant, receiver, rbuf);
    } else {
        do_fault_transfer(k, badge, sender, receiver, rbuf);
    }
}

static void setup_caller_cap(kernel *k, tcb *sender, tcb *receiver, bool can_grant)
{
    set_thread_state(k, sender, TS_BLOCKED_REPLY);
    cte *reply_slot = &sender->slot[TCB_REPLY];
    cte *caller_slot = &receiver->slot[TCB_CALLER];
    if (caller_slot->cap.type != CAP_NULL)
        cte_delete_one(k, caller_slot);
    cap rc = cap_null();
    rc.type = CAP_REPLY;
    rc.reply_master = false;
    rc.rights = can_grant ? RIGHT_GRANT : 0;
    rc.obj = &sender->hdr;
    rc.paddr = sender->hdr.paddr;
    cte_insert(k, rc, reply_slot, caller_slot);
}

void delete_caller_cap(kernel *k, tcb *t)
{
    cte_delete_one(k, &t->slot[TCB_CALLER]);
}

void send_ipc(kernel *k, bool blocking, bool do_call, uint64_t badge, bool grant,
              bool grant_reply, tcb *t, endpoint *ep)
{
    switch (ep->state) {
    case EP_IDLE:
    case EP_SEND:
        if (blocking) {
            t->state = TS_BLOCKED_SEND;
            t->blocking = ep;
            t->blocking_badge = badge;
            t->blocking_grant = grant;
            t->blocking_grant_reply = grant_reply;
            t->blocking_is_call = do_call;
            schedule_tcb(k, t);
            ep->queue = tcb_ep_append(t, ep->queue);
            ep->state = EP_SEND;
        }
        break;
    case EP_RECV: {
        tcb *dest = ep->queue.head;
        ep->queue = tcb_ep_dequeue(dest, ep->queue);
        if (!ep->queue.head)
            ep->state = EP_IDLE;
        do_ipc_transfer(k, t, ep, badge, grant, dest);
        bool reply_can_grant = dest->blocking_grant;
        set_thread_state(k, dest, TS_RUNNING);
        possible_switch_to(k, dest);
        if (do_call) {
            if (grant || grant_reply)
                setup_caller_cap(k, t, dest, reply_can_grant);
            else
                set_thread_state(k, t, TS_INACTIVE);
        }
        break;
    }
    default:
        break;
    }
}

void receive_ipc(kernel *k, tcb *t, const cap *c, bool blocking)
{
    endpoint *ep = cap_ep(c);
    notification *n = t->bound;
    if (n && n->state == NTFN_ACTIVE) {
        complete_signal(k, n, t);
        return;
    }
    switch (ep->state) {
    case EP_IDLE:
    case EP_RECV:
        if (blocking) {
            t->state = TS_BLOCKED_RECV;
            t->blocking = ep;
            t->blocking_grant = (c->rights & RIGHT_GRANT) != 0;
            schedule_tcb(k, t);
            ep->queue = tcb_ep_append(t, ep->queue);
            ep->state = EP_RECV;
        } else {
            t->ctx[R_BADGE] = 0;
        }
        break;
    case EP_SEND: {
        tcb *sender = ep->queue.head;
        ep->queue = tcb_ep_dequeue(sender, ep->queue);
        if (!ep->queue.head)
            ep->state = EP_IDLE;
        uint64_t badge = sender->blocking_badge;
        bool grant = sender->blocking_grant;
        bool grant_reply = sender->blocking_grant_reply;
        do_ipc_transfer(k, sender, ep, badge, grant, t);
        if (sender->blocking_is_call) {
            if (grant || grant_reply)
                setup_caller_cap(k, sender, t, (c->rights & RIGHT_GRANT) != 0);
            else
                set_thread_state(k, sender, TS_INACTIVE);
        } else {
            set_thread_state(k, sender, TS_RUNNING);
            possible_switch_to(k, sender);
        }
        break;
    }
    default:
        break;
    }
}

void do_reply_transfer(kernel *k, tcb *sender, tcb *receiver, cte *slot, bool grant)
{
    if (receiver->fault.type == seL4_Fault_NullFault) {
        do_ipc_transfer(k, sender, NULL, 0, grant, receiver);
        cte_delete_one(k, slot);
        set_thread_state(k, receiver, TS_RUNNING);
        possible_switch_to(k, receiver);
    } else {
        cte_delete_one(k, slot);
        bool restart = handle_fault_reply(k, receiver, sender);
        receiver->fault = (fault){ .type = seL4_Fault_NullFault };
        if (restart) {
            set_thread_state(k, receiver, TS_RESTART);
            possible_switch_to(k, receiver);
        } else {
            set_thread_state(k, receiver, TS_INACTIVE);
        }
    }
}

void cancel_ipc(kernel *k, tcb *t)
{
    switch (t->state) {
    case TS_BLOCKED_SEND:
    case TS_BLOCKED_RECV: {
        endpoint *ep = t->blocking;
        ep->queue = tcb_ep_dequeue(t, ep->queue);
        if (!ep->queue.head)
            ep->state = EP_IDLE;
        set_thread_state(k, t, TS_INACTIVE);
        break;
    }
    case TS_BLOCKED_NTFN:
        cancel_signal(k, t, t->blocking);
        break;
    case TS_BLOCKED_REPLY: {
        t->fault = (fault){ .type = seL4_Fault_NullFault };
        cte *caller = t->slot[TCB_REPLY].next;
        if (caller)
            cte_delete_one(k, caller);
        break;
    }
    default:
        break;
    }
}

void cancel_all_ipc(kernel *k, endpoint *ep)
{
    if (ep->state == EP_IDLE)
        return;
    tcb *t = ep->queue.head;
    ep->state = EP_IDLE;
    ep->queue.head = ep->queue.end = NULL;
    for (; t; t = t->ep_next) {
        set_thread_state(k, t, TS_RESTART);
        sched_enqueue(k, t);
    }
    reschedule_required(k);
}

void cancel_badged_sends(kernel *k, endpoint *ep, uint64_t badge)
{
    if (ep->state != EP_SEND)
        return;
    tcb_queue q = ep->queue;
    ep->state = EP_IDLE;
    ep->queue.head = ep->queue.end = NULL;
    for (tcb *t = q.head, *next; t; t = next) {
        next = t->ep_next;
        if (t->blocking_badge == badge) {
            set_thread_state(k, t, TS_RESTART);
            sched_enqueue(k, t);
            q = tcb_ep_dequeue(t, q);
        }
    }
    ep->queue = q;
    if (q.head)
        ep->state = EP_SEND;
    reschedule_required(k);
}

unsigned set_mrs_syscall_error(kernel *k, tcb *t, uint64_t *buf)
{
    switch (k->err.type) {
    case seL4_InvalidArgument:
        return set_mr(t, buf, 0, k->err.invalid_arg);
    case seL4_InvalidCapability:
        return set_mr(t, buf, 0, k->err.invalid_cap);
    case seL4_RangeError:
        set_mr(t, buf, 0, k->err.range_min);
        return set_mr(t, buf, 1, k->err.range_max);
    case seL4_FailedLookup:
        set_mr(t, buf, 0, k->err.lookup_was_source ? 1 : 0);
        return set_mrs_lookup_failure(t, buf, &k->lf, 1);
    case seL4_NotEnoughMemory:
        return set_mr(t, buf, 0, k->err.memory_left);
    default:
        return 0;
    }
}

void reply_from_kernel_error(kernel *k, tcb *t)
{
    uint64_t *buf = lookup_ipc_buffer(k, t, true);
    t->ctx[R_BADGE] = 0;
    unsigned len = set_mrs_syscall_error(k, t, buf);
    t->ctx[R_MSGINFO] = message_info((uint64_t)k->err.type, 0, 0, len);
}

void reply_from_kernel_success_empty(tcb *t)
{
    t->ctx[R_BADGE] = 0;
    t->ctx[R_MSGINFO] = 0;
}
