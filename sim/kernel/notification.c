/*
 * Notifications (manual 5): a word of badge bits that signals OR together, waiters
 * queued in FIFO order, and the binding to one TCB whose endpoint receive a signal
 * can complete.
 */
#include "kstate.h"

static void set_active(notification *n, uint64_t badge)
{
    n->state = NTFN_ACTIVE;
    n->msg = badge;
}

void send_signal(kernel *k, notification *n, uint64_t badge)
{
    switch (n->state) {
    case NTFN_IDLE: {
        tcb *t = n->bound;
        if (t && t->state == TS_BLOCKED_RECV) {
            cancel_ipc(k, t);
            set_thread_state(k, t, TS_RUNNING);
            t->ctx[R_BADGE] = badge;
            possible_switch_to(k, t);
        } else {
            set_active(n, badge);
        }
        break;
    }
    case NTFN_WAITING: {
        tcb *dest = n->queue.head;
        n->queue = tcb_ep_dequeue(dest, n->queue);
        if (!n->queue.head)
            n->state = NTFN_IDLE;
        set_thread_state(k, dest, TS_RUNNING);
        dest->ctx[R_BADGE] = badge;
        possible_switch_to(k, dest);
        break;
    }
    case NTFN_ACTIVE:
        n->msg |= badge;
        break;
    default:
        break;
    }
}

void receive_signal(kernel *k, tcb *t, const cap *c, bool blocking)
{
    notification *n = cap_ntfn(c);
    switch (n->state) {
    case NTFN_IDLE:
    case NTFN_WAITING:
        if (blocking) {
            t->state = TS_BLOCKED_NTFN;
            t->blocking = n;
            schedule_tcb(k, t);
            n->queue = tcb_ep_append(t, n->queue);
            n->state = NTFN_WAITING;
        } else {
            t->ctx[R_BADGE] = 0;
        }
        break;
    case NTFN_ACTIVE:
        t->ctx[R_BADGE] = n->msg;
        n->state = NTFN_IDLE;
        break;
    default:
        break;
    }
}

void cancel_all_signals(kernel *k, notification *n)
{
    if (n->state != NTFN_WAITING)
        return;
    tcb *t = n->queue.head;
    n->state = NTFN_IDLE;
    n->queue.head = n->queue.end = NULL;
    for (; t; t = t->ep_next) {
        set_thread_state(k, t, TS_RESTART);
        sched_enqueue(k, t);
    }
    reschedule_required(k);
}

void cancel_signal(kernel *k, tcb *t, notification *n)
{
    n->queue = tcb_ep_dequeue(t, n->queue);
    if (!n->queue.head)
        n->state = NTFN_IDLE;
    set_thread_state(k, t, TS_INACTIVE);
}

void complete_signal(kernel *k, notification *n, tcb *t)
{
    (void)k;
    if (t && n->state == NTFN_ACTIVE) {
        t->ctx[R_BADGE] = n->msg;
        n->state = NTFN_IDLE;
    }
}

void bind_notification(tcb *t, notification *n)
{
    n->bound = t;
    t->bound = n;
}

void unbind_notification(tcb *t)
{
    if (t->bound) {
        t->bound->bound = NULL;
        t->bound = NULL;
    }
}

void unbind_maybe_notification(notification *n)
{
    if (n->bound) {
        n->bound->bound = NULL;
        n->bound = NULL;
    }
}
