/*
 * The scheduler (manual 6.1): 256 priorities, one FIFO ready queue each, the highest
 * non-empty priority runs; threads of equal priority share time in round-robin
 * slices of CONFIG_TIME_SLICE timer ticks.  The decisions (queue head or tail, when a
 * woken thread preempts the current one) follow seL4's non-MCS scheduler so that
 * deterministic programs interleave exactly as on the real kernel.
 */
#include "kstate.h"

enum { TIME_SLICE_TICKS = 5 };

bool is_runnable(const tcb *t)
{
    return t->state == TS_RUNNING || t->state == TS_RESTART;
}

bool is_stopped(const tcb *t)
{
    switch (t->state) {
    case TS_INACTIVE: case TS_BLOCKED_RECV: case TS_BLOCKED_SEND:
    case TS_BLOCKED_NTFN: case TS_BLOCKED_REPLY:
        return true;
    default:
        return false;
    }
}

static void bitmap_set(kernel *k, unsigned prio) { k->ready_bitmap[prio / 64] |= BIT(prio % 64); }
static void bitmap_clear(kernel *k, unsigned prio) { k->ready_bitmap[prio / 64] &= ~BIT(prio % 64); }

static int highest_prio(const kernel *k)
{
    for (int w = 3; w >= 0; w--)
        if (k->ready_bitmap[w])
            return w * 64 + 63 - __builtin_clzll(k->ready_bitmap[w]);
    return -1;
}

static bool is_highest_prio(const kernel *k, unsigned prio)
{
    int h = highest_prio(k);
    return h < 0 || (int)prio >= h;
}

void sched_enqueue(kernel *k, tcb *t)
{
    if (t->queued)
        return;
    tcb_queue *q = &k->ready[t->prio];
    if (!q->head) {
        bitmap_set(k, t->prio);
        q->end = t;
    } else {
        q->head->sched_prev = t;
    }
    t->sched_next = q->head;
    t->sched_prev = NULL;
    q->head = t;
    t->queued = true;
}

void sched_append(kernel *k, tcb *t)
{
    if (t->queued)
        return;
    tcb_queue *q = &k->ready[t->prio];
    if (!q->head) {
        bitmap_set(k, t->prio);
        q->head = t;
    } else {
        q->end->sched_next = t;
    }
    t->sched_prev = q->end;
    t->sched_next = NULL;
    q->end = t;
    t->queued = true;
}

void sched_dequeue(kernel *k, tcb *t)
{
    if (!t->queued)
        return;
    tcb_queue *q = &k->ready[t->prio];
    if (t->sched_prev)
        t->sched_prev->sched_next = t->sched_next;
    else
        q->head = t->sched_next;
    if (t->sched_next)
        t->sched_next->sched_prev = t->sched_prev;
    else
        q->end = t->sched_prev;
    t->sched_next = t->sched_prev = NULL;
    t->queued = false;
    if (!q->head)
        bitmap_clear(k, t->prio);
}

void schedule_tcb(kernel *k, tcb *t)
{
    if (t == k->cur && k->action == SCHED_RESUME_CURRENT && !is_runnable(t))
        k->action = SCHED_CHOOSE_NEW;
}

void set_thread_state(kernel *k, tcb *t, unsigned ts)
{
    t->state = (uint8_t)ts;
    schedule_tcb(k, t);
}

void reschedule_required(kernel *k)
{
    if (k->action == SCHED_SWITCH_TO)
        sched_enqueue(k, k->candidate);
    k->action = SCHED_CHOOSE_NEW;
    k->candidate = NULL;
}

void possible_switch_to(kernel *k, tcb *t)
{
    if (k->action != SCHED_RESUME_CURRENT) {
        reschedule_required(k);
        sched_enqueue(k, t);
    } else {
        k->action = SCHED_SWITCH_TO;
        k->candidate = t;
    }
}

static void switch_to_thread(kernel *k, tcb *t)
{
    sched_dequeue(k, t);
    k->cur = t;
}

static void choose_thread(kernel *k)
{
    int p = highest_prio(k);
    if (p >= 0)
        switch_to_thread(k, k->ready[p].head);
    else
        k->cur = &k->idle;
}

void schedule(kernel *k)
{
    if (k->action != SCHED_RESUME_CURRENT) {
        bool was_runnable = is_runnable(k->cur);
        if (was_runnable)
            sched_enqueue(k, k->cur);
        if (k->action == SCHED_CHOOSE_NEW) {
            choose_thread(k);
        } else {
            tcb *cand = k->candidate;
            bool fastfail = k->cur == &k->idle || cand->prio < k->cur->prio;
            if (fastfail && !is_highest_prio(k, cand->prio)) {
                sched_enqueue(k, cand);
                k->action = SCHED_CHOOSE_NEW;
                choose_thread(k);
            } else if (was_runnable && cand->prio == k->cur->prio) {
                sched_append(k, cand);
                k->action = SCHED_CHOOSE_NEW;
                choose_thread(k);
            } else {
                switch_to_thread(k, cand);
            }
        }
    }
    k->action = SCHED_RESUME_CURRENT;
    k->candidate = NULL;
}

void activate_thread(kernel *k)
{
    tcb *t = k->cur;
    if (t->state == TS_RESTART) {
        t->ctx[R_NEXTIP] = t->ctx[R_FAULTIP];
        t->state = TS_RUNNING;
    }
}

void set_priority(kernel *k, tcb *t, unsigned prio)
{
    sched_dequeue(k, t);
    t->prio = (uint8_t)prio;
    if (is_runnable(t)) {
        if (t == k->cur)
            reschedule_required(k);
        else
            possible_switch_to(k, t);
    }
}

void timer_tick(kernel *k)
{
    tcb *t = k->cur;
    if (t->state != TS_RUNNING)
        return;
    if (t->time_slice > 1) {
        t->time_slice--;
    } else {
        t->time_slice = TIME_SLICE_TICKS;
        sched_append(k, t);
        reschedule_required(k);
    }
}
