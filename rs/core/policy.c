/*
 * The policy engine's events, timers and API (semantics: policy.h).  What happens when
 * a service fails (backoff, intensity, strategy) is in policy_failure.c.
 */
#include <runtime/string.h>
#include "rs/core/policy_internal.h"

const char *rs_svc_state_name(unsigned state)
{
    static const char *const names[RS_SVC_STATE_COUNT] = { "stopped", "starting", "running",
                                                          "backoff", "exited",  "failed" };
    return state < RS_SVC_STATE_COUNT ? names[state] : "?";
}

const char *rs_action_name(unsigned kind)
{
    static const char *const names[RS_ACT_KIND_COUNT] = { "START",    "KILL",     "PING",
                                                         "GIVE_UP", "ESCALATE", "NOTE" };
    return kind < RS_ACT_KIND_COUNT ? names[kind] : "?";
}

const char *rs_kill_reason_name(unsigned reason)
{
    static const char *const names[RS_KILL_REASON_COUNT] = { "crashed",  "exited",      "hang",       "strategy",
                                                             "give-up", "stop request", "restart request" };
    return reason < RS_KILL_REASON_COUNT ? names[reason] : "?";
}

void rs_policy_init(struct rs_policy *p, const struct rs_manifest *m)
{
    memset(p, 0, sizeof(*p));
    p->m = m;
}

/* ---- events ---- */

static bool current(const struct rs_svc_status *st, const struct rs_event *ev)
{
    return ev->generation == 0 || ev->generation == st->generation;
}

static void on_started(struct rs_policy *p, const struct rs_event *ev)
{
    struct rs_svc_status *st = &p->svc[ev->svc];
    const struct rs_service *s = &p->m->service[ev->svc];
    if (st->state != RS_SVC_STARTING || !current(st, ev)) return; /* stale */
    st->state = RS_SVC_RUNNING;
    st->started_at = p->now;
    st->ping_outstanding = 0;
    st->next_ping = s->heartbeat_period_ms ? pol_add(p->now, s->heartbeat_period_ms) : RS_NEVER;
}

static void on_crashed(struct rs_policy *p, struct pol_out *o, const struct rs_event *ev)
{
    struct rs_svc_status *st = &p->svc[ev->svc];
    char reason[RS_FAULT_TEXT_MAX + 1];
    if (!pol_live(st) || !current(st, ev)) return;
    if (ev->detail != NULL && ev->detail[0] != '\0')
        pol_format(reason, sizeof(reason), "crashed: %s", ev->detail);
    else
        pol_format(reason, sizeof(reason), "crashed");
    pol_failure(p, o, ev->svc, RS_KILL_CRASHED, reason);
}

static void on_exited(struct rs_policy *p, struct pol_out *o, const struct rs_event *ev)
{
    struct rs_svc_status *st = &p->svc[ev->svc];
    const struct rs_service *s = &p->m->service[ev->svc];
    char reason[RS_FAULT_TEXT_MAX + 1];
    if (!pol_live(st) || !current(st, ev)) return;
    st->exit_status = ev->status;
    pol_format(reason, sizeof(reason), "exited with status %lld", (long long)ev->status);
    if (s->restart == RS_TEMPORARY || (s->restart == RS_TRANSIENT && ev->status == 0)) {
        pol_kill(p, o, ev->svc, true, RS_KILL_EXITED, "%s -> not restarted (%s)", reason, rs_restart_name(s->restart));
        st->state = RS_SVC_EXITED;
        return;
    }
    pol_failure(p, o, ev->svc, RS_KILL_EXITED, reason);
}

static void on_ack(struct rs_policy *p, const struct rs_event *ev)
{
    struct rs_svc_status *st = &p->svc[ev->svc];
    if (st->state != RS_SVC_RUNNING || !st->ping_outstanding || !current(st, ev)) return;
    st->ping_outstanding = 0;
}

static void on_stop_req(struct rs_policy *p, struct pol_out *o, uint32_t i)
{
    struct rs_svc_status *st = &p->svc[i];
    if (pol_live(st)) {
        pol_kill(p, o, i, true, RS_KILL_STOP_REQ, "stopped by request");
    } else if (st->state != RS_SVC_STOPPED) {
        pol_emit(o, RS_ACT_NOTE, i, p->m->service[i].group, st->generation, "%s stopped by request (was %s)",
                 p->m->service[i].name, rs_svc_state_name(st->state));
    }
    st->state = RS_SVC_STOPPED;
    st->ping_outstanding = 0;
}

/* START_REQ and RESTART_REQ: start now, outside the failure policy. */
static void on_start_req(struct rs_policy *p, struct pol_out *o, uint32_t i, bool restart)
{
    struct rs_svc_status *st = &p->svc[i];
    struct rs_group_status *g = &p->group[p->m->service[i].group];
    if (pol_live(st)) {
        if (!restart) return; /* already running */
        pol_kill(p, o, i, false, RS_KILL_RESTART_REQ, "restart requested");
    }
    if (g->failed) { /* a given-up group comes back with this member */
        g->failed = 0;
        g->nrestarts = 0;
        g->head = 0;
    }
    st->consecutive = 0;
    pol_start(p, o, i, restart ? " (restart requested)" : " (start requested)");
}

/* ---- timers ---- */

bool rs_policy_starved(const struct rs_policy *p, uint32_t i)
{
    const struct rs_manifest *m = p->m;
    if (i >= m->nservices) return false;
    for (uint32_t j = 0; j < m->nservices; j++) {
        const struct rs_svc_status *sj = &p->svc[j];
        if (j == i || m->service[j].priority <= m->service[i].priority || sj->state != RS_SVC_RUNNING ||
            m->service[j].heartbeat_period_ms == 0)
            continue;
        /* its ping unanswered, sent before now (one sent at this very time, e.g. after
         * the clock jumped, has not had a chance to be answered) */
        if (sj->ping_outstanding && sj->ping_deadline - m->service[j].heartbeat_deadline_ms < p->now) return true;
    }
    return false;
}

bool rs_policy_hog_above(const struct rs_policy *p, uint32_t i, uint64_t since)
{
    const struct rs_manifest *m = p->m;
    if (i >= m->nservices) return false;
    for (uint32_t j = 0; j < m->nservices; j++) {
        const struct rs_svc_status *sj = &p->svc[j];
        uint32_t period = m->service[j].heartbeat_period_ms;
        if (j == i || m->service[j].priority <= m->service[i].priority || sj->state != RS_SVC_RUNNING || period == 0)
            continue;
        /* next_ping is set one period after the last ping (or the start) */
        if (sj->ping_outstanding || sj->next_ping - period <= since) return true;
    }
    return false;
}

/* silent_since: 0, or 1 + the time since which the clock stood still (TICK's status). */
static void run_timers(struct rs_policy *p, struct pol_out *o, int64_t silent_since)
{
    const struct rs_manifest *m = p->m;
    /* Missed heartbeats.  A service that may have been starved by a higher-priority one
     * that has not answered its own ping yet (a hung driver at 250 stops everything
     * below it from running) gets another deadline instead: the hog is found first, and
     * the others answer once it is gone.  After a jump over a silence of the timer
     * driver, also one that was not asked since the silence began.  Decided on the
     * states before this pass. */
    bool starved[RS_MAX_SERVICES];
    for (uint32_t i = 0; i < m->nservices; i++) {
        starved[i] = rs_policy_starved(p, i) ||
                     (silent_since > 0 && rs_policy_hog_above(p, i, (uint64_t)(silent_since - 1)));
    }
    for (uint32_t k = 0; k < m->nservices; k++) {
        uint32_t i = m->start_order[k];
        struct rs_svc_status *st = &p->svc[i];
        if (st->state == RS_SVC_RUNNING && st->ping_outstanding && st->ping_deadline <= p->now && starved[i]) {
            st->ping_deadline = pol_add(p->now, m->service[i].heartbeat_deadline_ms);
            continue;
        }
        if (st->state == RS_SVC_RUNNING && st->ping_outstanding && st->ping_deadline <= p->now) {
            char reason[RS_FAULT_TEXT_MAX + 1];
            pol_format(reason, sizeof(reason), "hang: no heartbeat answer within %u ms",
                       m->service[i].heartbeat_deadline_ms);
            pol_failure(p, o, i, RS_KILL_HANG, reason);
        }
    }
    for (uint32_t k = 0; k < m->nservices; k++) { /* backoffs over, in start order */
        uint32_t i = m->start_order[k];
        if (p->svc[i].state == RS_SVC_BACKOFF && p->svc[i].until <= p->now) pol_start(p, o, i, "");
    }
    for (uint32_t k = 0; k < m->nservices; k++) { /* pings */
        uint32_t i = m->start_order[k];
        struct rs_svc_status *st = &p->svc[i];
        const struct rs_service *s = &m->service[i];
        if (st->state != RS_SVC_RUNNING || !s->heartbeat_period_ms || st->ping_outstanding || st->next_ping > p->now)
            continue;
        st->ping_outstanding = 1;
        st->ping_deadline = pol_add(p->now, s->heartbeat_deadline_ms);
        st->next_ping = pol_add(p->now, s->heartbeat_period_ms);
        pol_emit(o, RS_ACT_PING, i, s->group, st->generation, "%s gen %u ping (answer by %llu ms)", s->name,
                 st->generation, (unsigned long long)st->ping_deadline);
    }
}

/* ---- API ---- */

int rs_policy_boot(struct rs_policy *p, uint64_t now, struct rs_action *acts, size_t cap)
{
    if (p->m == NULL) return RS_POLICY_EINVAL;
    if (acts == NULL || cap < RS_POLICY_MAX_ACTIONS) return RS_POLICY_ESPACE;
    struct pol_out o = { acts, 0, cap };
    if (now > p->now) p->now = now;
    for (uint32_t k = 0; k < p->m->nservices; k++) {
        uint32_t i = p->m->start_order[k];
        if (p->svc[i].state == RS_SVC_STOPPED && p->svc[i].generation == 0) pol_start(p, &o, i, "");
    }
    return (int)o.n;
}

int rs_policy_event(struct rs_policy *p, const struct rs_event *ev, struct rs_action *acts, size_t cap)
{
    if (p->m == NULL || ev == NULL || ev->kind >= RS_EV_KIND_COUNT) return RS_POLICY_EINVAL;
    if (ev->kind != RS_EV_TICK && ev->svc >= p->m->nservices) return RS_POLICY_EINVAL;
    if (acts == NULL || cap < RS_POLICY_MAX_ACTIONS) return RS_POLICY_ESPACE;
    struct pol_out o = { acts, 0, cap };
    if (ev->now > p->now) p->now = ev->now;
    switch (ev->kind) {
    case RS_EV_STARTED: on_started(p, ev); break;
    case RS_EV_CRASHED: on_crashed(p, &o, ev); break;
    case RS_EV_EXITED: on_exited(p, &o, ev); break;
    case RS_EV_HEARTBEAT_ACK: on_ack(p, ev); break;
    case RS_EV_STOP_REQ: on_stop_req(p, &o, ev->svc); break;
    case RS_EV_START_REQ: on_start_req(p, &o, ev->svc, false); break;
    case RS_EV_RESTART_REQ: on_start_req(p, &o, ev->svc, true); break;
    case RS_EV_TICK:
    default: break;
    }
    run_timers(p, &o, ev->kind == RS_EV_TICK ? ev->status : 0);
    return (int)o.n;
}

uint64_t rs_policy_next_wakeup(const struct rs_policy *p)
{
    uint64_t t = RS_NEVER;
    if (p->m == NULL) return t;
    for (uint32_t i = 0; i < p->m->nservices; i++) {
        const struct rs_svc_status *st = &p->svc[i];
        uint64_t due = RS_NEVER;
        if (st->state == RS_SVC_BACKOFF)
            due = st->until;
        else if (st->state == RS_SVC_RUNNING && p->m->service[i].heartbeat_period_ms)
            due = st->ping_outstanding ? st->ping_deadline : st->next_ping;
        if (due < t) t = due;
    }
    return t;
}

int rs_policy_restore(struct rs_policy *p, const struct rs_manifest *m, const struct rs_policy *saved)
{
    if (m == NULL || saved == NULL) return RS_POLICY_EINVAL;
    for (uint32_t i = 0; i < RS_MAX_SERVICES; i++) {
        const struct rs_svc_status *st = &saved->svc[i];
        if (st->state >= RS_SVC_STATE_COUNT || st->ping_outstanding > 1 || st->started_at > saved->now)
            return RS_POLICY_EINVAL;
        if (i >= m->nservices && (st->state != RS_SVC_STOPPED || st->generation != 0)) return RS_POLICY_EINVAL;
        if (st->state == RS_SVC_BACKOFF && st->until == RS_NEVER) return RS_POLICY_EINVAL;
        if (i < m->nservices && st->state != RS_SVC_STOPPED && st->generation == 0) return RS_POLICY_EINVAL;
        if (i < m->nservices && st->ping_outstanding && !m->service[i].heartbeat_period_ms) return RS_POLICY_EINVAL;
    }
    for (uint32_t g = 0; g < RS_MAX_GROUPS; g++) {
        const struct rs_group_status *gs = &saved->group[g];
        if (gs->failed > 1 || gs->nrestarts > RS_MAX_INTENSITY || gs->head >= RS_MAX_INTENSITY) return RS_POLICY_EINVAL;
        for (uint32_t k = 0; k < RS_MAX_INTENSITY; k++) {
            if (gs->restart_at[k] > saved->now) return RS_POLICY_EINVAL;
        }
    }
    memcpy(p, saved, sizeof(*p));
    p->m = m;
    for (uint32_t i = 0; i < RS_MAX_SERVICES; i++) p->svc[i].last_fault[RS_FAULT_TEXT_MAX] = '\0';
    return 0;
}
