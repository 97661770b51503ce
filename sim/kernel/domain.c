/*
 * The domain cap (manual 6.3).  This configuration has one domain, so the only
 * effects are the kernel's argument checks and a reschedule; the schedule table is
 * kept so that its end-marker rules report the same errors.
 */
#include "kstate.h"

#define DSCHED_MAX_DURATION (UINT64_MAX >> 8)
enum { DOM_SCHEDULE_LENGTH = 2 };

typedef struct dsched { uint64_t domain, duration; } dsched;
static const dsched initial_schedule[DOM_SCHEDULE_LENGTH] = { { 0, DSCHED_MAX_DURATION }, { 0, 0 } };



exc decode_domain(kernel *k, uint64_t label, unsigned length, const uint64_t *buf)
{
    dsched *sched = (dsched *)k->dom_schedule;
    if (!k->dom_schedule_init) {
        for (unsigned i = 0; i < DOM_SCHEDULE_LENGTH; i++)
            sched[i] = initial_schedule[i];
        k->dom_schedule_init = true;
    }
    switch (label) {
    case DomainSetSet: {
        if (length == 0) {
            user_error(k, "Domain Configure: Truncated message.");
            return syserr(k, seL4_TruncatedMessage);
        }
        uint64_t domain = get_syscall_arg(k, 0, buf);
        if (domain >= seL4_NumDomains) {
            user_error(k, "Domain Configure: invalid domain (%lu >= 1).", (unsigned long)domain);
            return syserr_arg(k, 0);
        }
        if (!k->extra_caps[0]) {
            user_error(k, "Domain Configure: Truncated message.");
            return syserr(k, seL4_TruncatedMessage);
        }
        cap tc = k->extra_caps[0]->cap;
        if (tc.type != CAP_THREAD) {
            user_error(k, "Domain Configure: thread cap required.");
            return syserr_arg(k, 1);
        }
        set_thread_state(k, k->cur, TS_RESTART);
        tcb *t = cap_tcb(&tc);
        sched_dequeue(k, t);
        if (is_runnable(t))
            sched_enqueue(k, t);
        if (t == k->cur)
            reschedule_required(k);
        return EXC_NONE;
    }
    case DomainScheduleConfigure: {
        if (length < 3) {
            user_error(k, "Domain Schedule Configure: Truncated message.");
            return syserr(k, seL4_TruncatedMessage);
        }
        uint64_t index = get_syscall_arg(k, 0, buf);
        uint64_t domain = get_syscall_arg(k, 1, buf);
        uint64_t duration = get_syscall_arg(k, 2, buf);
        if (index >= DOM_SCHEDULE_LENGTH - 1)
            return syserr_range(k, 0, DOM_SCHEDULE_LENGTH - 2);
        if (domain >= seL4_NumDomains)
            return syserr_range(k, 0, seL4_NumDomains - 1);
        if (duration > DSCHED_MAX_DURATION)
            return syserr_arg(k, 2);
        if (duration == 0 && domain != 0)
            return syserr_arg(k, 1);
        if (index == k->dom_schedule_start && duration == 0)
            return syserr_arg(k, 2);
        set_thread_state(k, k->cur, TS_RESTART);
        sched[index].domain = domain;
        sched[index].duration = duration;
        return EXC_NONE;
    }
    case DomainScheduleSetStart: {
        if (length < 1) {
            user_error(k, "Domain Schedule Configure: Truncated message.");
            return syserr(k, seL4_TruncatedMessage);
        }
        uint64_t index = get_syscall_arg(k, 0, buf);
        if (index >= DOM_SCHEDULE_LENGTH)
            return syserr_range(k, 0, DOM_SCHEDULE_LENGTH - 1);
        if (sched[index].duration == 0)
            return syserr_arg(k, 0);
        set_thread_state(k, k->cur, TS_RESTART);
        k->dom_schedule_start = index;
        reschedule_required(k);
        return EXC_NONE;
    }
    default:
        return syserr(k, seL4_IllegalOperation);
    }
}
