/*
 * Restart decisions (interim, until rs/core/policy lands): one_for_one per service,
 * OTP restart types, exponential backoff with a cap, `stable` resets the backoff, group
 * intensity (more than N restarts in the group's period: give up), heartbeats.
 */
#include "rs/server/supervise.h"
#include "rs/server/process.h"
#include "rs/server/record.h"
#include "memserver/protocol/messages.h"
#include <runtime/stdio.h>
#include <runtime/string.h>

#define RESTART_LOG 8u

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

static const char *vm_access(uint64_t code)
{
    if (code & 0x10u) return "exec";
    return (code & 0x2u) ? "write" : "read";
}

static const char *fault_kind_name(uint32_t kind)
{
    switch (kind) {
    case MS_FAULT_UNMAPPED: return "unmapped";
    case MS_FAULT_GUARD: return "guard page";
    case MS_FAULT_WRITE_RO: return "read-only";
    case MS_FAULT_EXEC_NX: return "no-exec";
    case MS_FAULT_QUOTA: return "quota";
    case MS_FAULT_NO_MEMORY: return "no memory";
    default: return "access";
    }
}

void rs_describe_end(const struct rs_last *l, char *buf, size_t size)
{
    switch (l->end) {
    case RS_END_FAULT:
        if (l->kind == MS_FAULT_OTHER) {
            if (l->code == seL4_Fault_UserException) {
                snprintf(buf, size, "user exception at ip %#lx", (unsigned long)l->ip);
            } else if (l->code == seL4_Fault_UnknownSyscall) {
                snprintf(buf, size, "unknown syscall (rax %#lx)", (unsigned long)l->ip);
            } else if (l->code == seL4_Fault_CapFault) {
                snprintf(buf, size, "cap fault at ip %#lx", (unsigned long)l->ip);
            } else {
                snprintf(buf, size, "fault type %lu", (unsigned long)l->code);
            }
        } else {
            snprintf(buf, size, "VM fault %s at %#lx ip %#lx (%s)", vm_access(l->code), (unsigned long)l->addr,
                     (unsigned long)l->ip, fault_kind_name(l->kind));
        }
        break;
    case RS_END_EXIT: snprintf(buf, size, "exited with status %ld", (long)l->code); break;
    case RS_END_HANG: snprintf(buf, size, "hang (no heartbeat answer)"); break;
    case RS_END_KILLED: snprintf(buf, size, "killed"); break;
    default: snprintf(buf, size, "ended"); break;
    }
}

seL4_Error rs_start(unsigned i)
{
    struct rs_proc *p = &rs.p[i];
    const struct rs_service *s = &rs.m.service[i];
    p->generation++;
    rs_record_intent(RS_INTENT_START, i);
    uint32_t as = 0;
    seL4_Error err = rs_process_start(&rs.m, i, p->generation, &as);
    if (err != seL4_NoError) {
        p->state = RS_FAILED;
        p->as = 0;
        rs_record_commit();
        rs_log(i, "could not be started (seL4 error %d) -> failed", (int)err);
        return err;
    }
    p->as = as;
    p->state = RS_RUNNING;
    p->started_at = rs.now;
    p->deadline = 0;
    p->ping_at = s->heartbeat_period_ms ? sat_add(rs.now, s->heartbeat_period_ms) : 0;
    rs_test_abort_point(RS_POINT_START_UNCOMMITTED); /* test: die with the start not yet committed */
    rs_record_commit();
    rs_log(i, "started");
    return seL4_NoError;
}

/* Destroys the running incarnation; `stop`: also everything the client owns. */
static void kill_proc(unsigned i, bool stop)
{
    struct rs_proc *p = &rs.p[i];
    rs_record_intent(RS_INTENT_KILL, i);
    (void)rs_process_kill(i, p->as, stop); /* logged inside on error */
    p->as = 0;
    p->deadline = 0;
}

/* Intensity: true if this restart is one too many for the group. */
static bool too_many(unsigned group)
{
    const struct rs_group *g = &rs.m.group[group];
    uint64_t *log = rs.restart_log[group];
    unsigned recent = 0;
    for (unsigned k = 0; k < RESTART_LOG; k++) {
        if (log[k] != 0 && sat_add(log[k], g->period_ms) > rs.now) recent++;
    }
    /* the oldest entry makes room for this one */
    unsigned oldest = 0;
    for (unsigned k = 1; k < RESTART_LOG; k++) {
        if (log[k] < log[oldest]) oldest = k;
    }
    log[oldest] = rs.now == 0 ? 1 : rs.now;
    return recent + 1 > g->intensity;
}

void rs_failed(unsigned i, const struct rs_last *why)
{
    struct rs_proc *p = &rs.p[i];
    const struct rs_service *s = &rs.m.service[i];
    char what[128];
    rs_describe_end(why, what, sizeof(what));
    p->last = *why;
    kill_proc(i, false);
    bool clean_exit = why->end == RS_END_EXIT && why->code == 0;
    if (s->restart == RS_TEMPORARY || (s->restart == RS_TRANSIENT && clean_exit)) {
        p->state = clean_exit ? RS_EXITED : RS_STOPPED;
        rs_record_commit();
        rs_log(i, "%s -> not restarted (%s)", what, rs_restart_name(s->restart));
        return;
    }
    if (too_many(s->group)) {
        p->state = RS_FAILED;
        rs_record_commit();
        rs_log(i, "%s -> gave up: more than %u restarts in %u ms (group %s)", what,
               rs.m.group[s->group].intensity, rs.m.group[s->group].period_ms, rs.m.group[s->group].name);
        return;
    }
    if (rs.now - p->started_at >= s->stable_ms) p->consecutive = 0;
    p->consecutive++;
    p->restarts++;
    uint64_t delay = s->backoff_first_ms;
    for (uint32_t k = 1; k < p->consecutive && delay < s->backoff_cap_ms; k++) delay *= 2;
    if (delay > s->backoff_cap_ms) delay = s->backoff_cap_ms;
    if (rs.tick_ms == 0) {
        /* No timer in this system: no time passes, restart at once. */
        rs_record_commit();
        rs_log(i, "%s -> restart now (no timer)", what);
        (void)rs_start(i);
        return;
    }
    p->state = RS_BACKOFF;
    p->until = sat_add(rs.now, delay);
    rs_record_commit();
    rs_log(i, "%s -> restart in %lu ms (backoff)", what, (unsigned long)delay);
}

void rs_stop(unsigned i)
{
    struct rs_proc *p = &rs.p[i];
    if (p->state == RS_RUNNING) kill_proc(i, true);
    p->state = RS_STOPPED;
    p->last.end = RS_END_KILLED;
    rs_record_commit();
    rs_log(i, "stopped (control request)");
}

void rs_restart(unsigned i)
{
    struct rs_proc *p = &rs.p[i];
    if (p->state == RS_RUNNING) kill_proc(i, false);
    p->state = RS_STOPPED;
    rs_record_commit();
    rs_log(i, "restart requested");
    (void)rs_start(i);
}

void rs_tick(void)
{
    rs.now = sat_add(rs.now, rs.tick_ms);
    for (unsigned i = 0; i < rs.m.nservices; i++) {
        struct rs_proc *p = &rs.p[i];
        const struct rs_service *s = &rs.m.service[i];
        if (p->state == RS_BACKOFF && p->until <= rs.now) {
            (void)rs_start(i);
            continue;
        }
        if (p->state != RS_RUNNING || s->heartbeat_period_ms == 0) continue;
        if (p->deadline != 0 && p->deadline <= rs.now) {
            struct rs_last hang = { .end = RS_END_HANG };
            rs_failed(i, &hang);
            continue;
        }
        if (p->deadline == 0 && p->ping_at <= rs.now) {
            (void)rs_process_ping(i);
            p->deadline = sat_add(rs.now, s->heartbeat_deadline_ms);
            p->ping_at = sat_add(rs.now, s->heartbeat_period_ms);
        }
    }
}

void rs_heartbeat_ack(unsigned i)
{
    rs.p[i].deadline = 0;
}

void rs_boot(void)
{
    for (unsigned k = 0; k < rs.m.nservices; k++) {
        (void)rs_start(rs.m.start_order[k]);
    }
}
