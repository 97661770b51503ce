/*
 * What happens when a service fails: its restart type, its group's intensity (give up
 * and escalate), the backoff delay and the group's strategy.
 */
#include <runtime/format.h>
#include <runtime/string.h>
#include "rs/core/policy_internal.h"

void pol_format(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

void pol_emit(struct pol_out *o, unsigned kind, uint32_t svc, uint32_t group, uint32_t generation,
              const char *fmt, ...)
{
    va_list ap;
    if (o->n >= o->cap) return; /* cannot happen: cap >= RS_POLICY_MAX_ACTIONS (fuzz-checked) */
    struct rs_action *a = &o->a[o->n++];
    memset(a, 0, sizeof(*a));
    a->kind = (uint8_t)kind;
    a->svc = (uint8_t)svc;
    a->group = (uint8_t)group;
    a->generation = generation;
    va_start(ap, fmt);
    fmt_vsnprintf(a->log, sizeof(a->log), fmt, ap);
    va_end(ap);
}

void pol_start(struct rs_policy *p, struct pol_out *o, uint32_t i, const char *why)
{
    struct rs_svc_status *st = &p->svc[i];
    const struct rs_service *s = &p->m->service[i];
    if (st->generation < UINT32_MAX) st->generation++;
    st->state = RS_SVC_STARTING;
    st->started_at = p->now;
    st->until = 0;
    st->ping_outstanding = 0;
    pol_emit(o, RS_ACT_START, i, s->group, st->generation, "%s gen %u start%s", s->name, st->generation, why);
}

void pol_kill(struct rs_policy *p, struct pol_out *o, uint32_t i, bool final, enum rs_kill_reason why,
              const char *fmt, ...)
{
    struct rs_svc_status *st = &p->svc[i];
    const struct rs_service *s = &p->m->service[i];
    char text[RS_LOG_MAX + 1];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    size_t before = o->n;
    pol_emit(o, RS_ACT_KILL, i, s->group, st->generation, "%s gen %u %s", s->name, st->generation, text);
    if (o->n > before) {
        o->a[before].final = final ? 1 : 0;
        o->a[before].reason = (uint8_t)why;
    }
    st->ping_outstanding = 0;
}

/* min(first << (consecutive - 1), cap) */
static uint64_t backoff_delay(const struct rs_service *s, uint32_t consecutive)
{
    uint32_t shift = consecutive > 0 ? consecutive - 1 : 0;
    if (shift >= 32) return s->backoff_cap_ms;
    uint64_t d = (uint64_t)s->backoff_first_ms << shift;
    return d < s->backoff_cap_ms ? d : s->backoff_cap_ms;
}

/* Would one more restart now make more than `intensity` within the period? */
static bool exceeds_intensity(const struct rs_policy *p, uint32_t g)
{
    const struct rs_group *cfg = &p->m->group[g];
    const struct rs_group_status *gs = &p->group[g];
    if (cfg->intensity == 0) return true;
    if (gs->nrestarts < cfg->intensity) return false;
    /* the intensity-th latest restart */
    uint32_t idx = (gs->head + RS_MAX_INTENSITY - cfg->intensity) % RS_MAX_INTENSITY;
    return p->now - gs->restart_at[idx] < cfg->period_ms;
}

static void record_restart(struct rs_policy *p, uint32_t g)
{
    struct rs_group_status *gs = &p->group[g];
    gs->restart_at[gs->head] = p->now;
    gs->head = (gs->head + 1) % RS_MAX_INTENSITY;
    if (gs->nrestarts < RS_MAX_INTENSITY) gs->nrestarts++;
}

static void give_up(struct rs_policy *p, struct pol_out *o, uint32_t failed, enum rs_kill_reason why,
                    const char *reason)
{
    const struct rs_manifest *m = p->m;
    uint32_t g = m->service[failed].group;
    const struct rs_group *cfg = &m->group[g];
    for (uint32_t k = m->nservices; k-- > 0;) {
        uint32_t j = m->start_order[k];
        struct rs_svc_status *st = &p->svc[j];
        if (m->service[j].group != g) continue;
        if (j == failed)
            pol_kill(p, o, j, true, why, "%s -> give up: more than %u restarts of group %s in %u ms", reason,
                     cfg->intensity, cfg->name, cfg->period_ms);
        else if (pol_live(st))
            pol_kill(p, o, j, true, RS_KILL_GIVE_UP, "killed: group %s gives up (%s failed)", cfg->name, m->service[failed].name);
        if (pol_live(st) || st->state == RS_SVC_BACKOFF) st->state = RS_SVC_FAILED;
    }
    p->group[g].failed = 1;
    pol_emit(o, RS_ACT_GIVE_UP, failed, g, 0, "group %s gave up: more than %u restarts in %u ms (last: %s %s)",
             cfg->name, cfg->intensity, cfg->period_ms, m->service[failed].name, reason);
    pol_emit(o, RS_ACT_ESCALATE, failed, g, 0, "group %s escalated: its services stay down until started",
             cfg->name);
}

/* Is service j restarted along with `failed` by the group's strategy? */
static bool affected(const struct rs_manifest *m, uint32_t failed, uint32_t j)
{
    const struct rs_service *s = &m->service[failed];
    if (j == failed) return true;
    if (m->service[j].group != s->group) return false;
    switch (m->group[s->group].strategy) {
    case RS_ONE_FOR_ALL: return true;
    case RS_REST_FOR_ONE: return rs_manifest_start_rank(m, j) > rs_manifest_start_rank(m, failed);
    default: return false;
    }
}

void pol_failure(struct rs_policy *p, struct pol_out *o, uint32_t i, enum rs_kill_reason why, const char *reason)
{
    const struct rs_manifest *m = p->m;
    const struct rs_service *s = &m->service[i];
    struct rs_svc_status *st = &p->svc[i];
    size_t n = strnlen(reason, RS_FAULT_TEXT_MAX);
    memcpy(st->last_fault, reason, n);
    st->last_fault[n] = '\0';
    /* A run of at least `stable` (counted from STARTED) resets the backoff. */
    if (st->state == RS_SVC_RUNNING && p->now - st->started_at >= s->stable_ms) st->consecutive = 0;
    if (st->consecutive < UINT32_MAX) st->consecutive++;

    if (s->restart == RS_TEMPORARY) {
        pol_kill(p, o, i, true, why, "%s -> not restarted (temporary)", reason);
        st->state = RS_SVC_EXITED;
        return;
    }
    if (exceeds_intensity(p, s->group)) {
        give_up(p, o, i, why, reason);
        return;
    }
    record_restart(p, s->group);
    if (st->restarts < UINT32_MAX) st->restarts++;
    uint64_t delay = backoff_delay(s, st->consecutive);
    uint64_t until = pol_add(p->now, delay);
    for (uint32_t k = m->nservices; k-- > 0;) { /* kills in reverse start order */
        uint32_t j = m->start_order[k];
        struct rs_svc_status *sj = &p->svc[j];
        if (!affected(m, i, j)) continue;
        if (j == i) {
            pol_kill(p, o, j, false, why, "%s -> restart in %llu ms (at %llu ms; failure %u in a row)", reason,
                     (unsigned long long)delay, (unsigned long long)until, st->consecutive);
        } else if (pol_live(sj)) {
            pol_kill(p, o, j, false, RS_KILL_STRATEGY, "killed: %s failed (%s) -> restart with it at %llu ms",
                     s->name, rs_strategy_name(m->group[s->group].strategy), (unsigned long long)until);
        } else if (sj->state != RS_SVC_BACKOFF) {
            continue; /* stopped, exited or failed members stay so */
        }
        if (j == i || sj->state != RS_SVC_BACKOFF || sj->until < until) sj->until = until;
        sj->state = RS_SVC_BACKOFF;
    }
}
