/* Events -> rs_policy_event -> actions carried out (see supervise.h). */
#include "rs/server/supervise.h"
#include "rs/server/process.h"
#include "rs/server/record.h"
#include "memserver/protocol/messages.h"
#include <runtime/stdio.h>
#include <runtime/string.h>

/* Events produced while carrying out actions (STARTED / CRASHED of a START), handled
 * after the current batch: at most one per service per batch. */
#define QUEUE_MAX (2u * RS_MAX_SERVICES)
static struct rs_event queue[QUEUE_MAX];
static unsigned queue_len;
static struct rs_action acts[RS_POLICY_MAX_ACTIONS];

static void push(uint8_t kind, unsigned svc, uint32_t generation, const char *detail)
{
    if (queue_len < QUEUE_MAX) {
        queue[queue_len++] = (struct rs_event){ .kind = kind, .svc = (uint8_t)svc, .generation = generation,
                                                .now = rs.now, .detail = detail };
    } else {
        printf("rs: event queue full: event %u of service %u dropped\n", kind, svc);
    }
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
    case RS_END_EXIT: snprintf(buf, size, "exit status %ld", (long)l->code); break;
    case RS_END_HANG: snprintf(buf, size, "hang"); break;
    case RS_END_KILLED: snprintf(buf, size, "killed"); break;
    default: snprintf(buf, size, "ended"); break;
    }
}

/* The timer driver: the service granted IRQ 0 (-1: none). */
static int timer_service(void)
{
    for (unsigned i = 0; i < rs.m.nservices; i++) {
        const struct rs_service *svc = &rs.m.service[i];
        for (unsigned g = 0; g < svc->ngrants; g++) {
            if (svc->grants[g].kind == RS_GRANT_IRQ && svc->grants[g].first == 0) return (int)i;
        }
    }
    return -1;
}

void rs_supervise_alive(void) { seL4_Signal(RS_SLOT_WD_ACK); }

static void do_start(const struct rs_action *a)
{
    unsigned i = a->svc;
    rs_record_intent(RS_INTENT_START, i);
    uint32_t as = 0;
    seL4_Error err = rs_process_start(&rs.m, i, a->generation, &as);
    if (err != seL4_NoError) {
        rs.as[i] = 0;
        rs_record_commit();
        push(RS_EV_CRASHED, i, a->generation, "could not be started");
        return;
    }
    rs.as[i] = as;
    if ((int)i == timer_service()) rs_clock_timer_started(&rs.clock);
    rs_test_abort_point(RS_POINT_START_UNCOMMITTED); /* test: die with the start not committed */
    rs_record_commit();
    push(RS_EV_STARTED, i, a->generation, NULL);
}

static void do_kill(const struct rs_action *a)
{
    unsigned i = a->svc;
    /* The end LIST reports: a fault or exit was noted when it was seen; otherwise the
     * policy's reason (a hang, or a decision about a live incarnation). */
    if (a->reason != RS_KILL_CRASHED && a->reason != RS_KILL_EXITED) {
        rs.last[i] = (struct rs_last){ .end = a->reason == RS_KILL_HANG ? RS_END_HANG : RS_END_KILLED };
    }
    rs.last[i].at = rs.now;
    rs_record_intent(RS_INTENT_KILL, i);
    (void)rs_process_kill(i, rs.as[i], a->final != 0); /* logged inside on error */
    rs.as[i] = 0;
    rs_record_commit();
}

/* After the policy changed its state: the record is written now, unless an action of
 * this batch starts or kills something (its intent, written first, carries the state). */
static void commit_unless_acting(int n)
{
    for (int k = 0; k < n; k++) {
        if (acts[k].kind == RS_ACT_START || acts[k].kind == RS_ACT_KILL) return;
    }
    rs_record_commit();
}

static void carry_out(int n)
{
    for (int k = 0; k < n; k++) {
        const struct rs_action *a = &acts[k];
        /* Pings are routine (several a second): not worth a console line each. */
        if (a->kind != RS_ACT_PING) printf("rs: %s\n", a->log);
        switch (a->kind) {
        case RS_ACT_START: do_start(a); rs_supervise_alive(); break;
        case RS_ACT_KILL: do_kill(a); rs_supervise_alive(); break;
        case RS_ACT_PING: (void)rs_process_ping(a->svc); break;
        default: break; /* GIVE_UP, ESCALATE, NOTE: the log line is all */
        }
    }
}

/* Handles queued events until none is left (each START adds one, so this ends). */
static void drain(void)
{
    for (unsigned guard = 0; queue_len > 0 && guard < 16u * QUEUE_MAX; guard++) {
        struct rs_event ev = queue[0];
        queue_len--;
        memmove(&queue[0], &queue[1], queue_len * sizeof(queue[0]));
        ev.now = rs.now;
        int n = rs_policy_event(&rs.pol, &ev, acts, RS_POLICY_MAX_ACTIONS);
        if (n < 0) {
            printf("rs: policy refused event %u of service %u (%d)\n", ev.kind, ev.svc, n);
            continue;
        }
        commit_unless_acting(n);
        carry_out(n);
    }
}

void rs_supervise_start_again(unsigned i)
{
    struct rs_action a = { .kind = RS_ACT_START, .svc = (uint8_t)i, .generation = rs.pol.svc[i].generation };
    printf("rs: %s gen %u start (again: the previous RS died before it)\n", rs.m.service[i].name,
           (unsigned)a.generation);
    do_start(&a);
    rs_supervise_alive();
    drain();
}

void rs_supervise_boot(void)
{
    int n = rs_policy_boot(&rs.pol, rs.now, acts, RS_POLICY_MAX_ACTIONS);
    if (n < 0) {
        printf("rs: policy refused to boot (%d)\n", n);
        return;
    }
    commit_unless_acting(n);
    carry_out(n);
    drain();
}

int rs_supervise_event(uint8_t kind, unsigned svc, uint32_t generation, int64_t status, const char *detail)
{
    struct rs_event ev = { .kind = kind, .svc = (uint8_t)svc, .generation = generation, .now = rs.now,
                           .status = status, .detail = detail };
    int n = rs_policy_event(&rs.pol, &ev, acts, RS_POLICY_MAX_ACTIONS);
    if (n < 0) return n;
    commit_unless_acting(n);
    carry_out(n);
    drain();
    return n;
}

static bool timer_running(int t)
{
    return t >= 0 && rs.pol.svc[t].state == RS_SVC_RUNNING && rs.as[t] != 0;
}

/* The clock moves on by ms; silent_since: 0, or 1 + the time since which it stood still
 * when this jumps over a silence of the timer driver (RS_EV_TICK's status). */
static void advance_tick(uint32_t ms, int64_t silent_since)
{
    uint64_t now = rs.now + ms;
    rs.now = now < rs.now ? UINT64_MAX : now;
    (void)rs_supervise_event(RS_EV_TICK, 0, 0, silent_since, NULL);
}

static void advance(uint32_t ms) { advance_tick(ms, 0); }

/* rs.now when the timer driver last ticked, or last seen not running: the clock has
 * stood still since then if the driver is silent now (rs_policy_hog_above). */
static uint64_t still_since;

void rs_supervise_tick(void)
{
    advance(rs_clock_timer_tick(&rs.clock, rs.tick_ms));
    still_since = rs.now;
}


void rs_supervise_rtc_tick(void)
{
    /* A system without a timer keeps its discrete-event clock (rs_supervise_idle). */
    if (rs.tick_ms == 0) return;
    int t = timer_service();
    uint32_t ms = rs_clock_rtc_tick(&rs.clock, timer_running(t));
    if (ms != 0) advance(ms);
    if (!timer_running(t)) still_since = rs.now;
    if (!timer_running(t) || !rs_clock_timer_hung(&rs.clock)) return;
    static char detail[64];
    uint32_t silent = rs_clock_take_silence(&rs.clock);
    snprintf(detail, sizeof(detail), "silent: no timer interrupt for %u ms", (unsigned)silent);
    /* A higher-priority service that does not answer its ping, or was not asked since
     * the clock stood still (no pings went out: a hung console answered its last one,
     * then hung), may be what kept the timer from running: the jump pings it, its
     * heartbeat finds it in the next silence, and the timer is spared.  A hung timer
     * under services that answer those pings is found one silence later. */
    bool starved = rs_policy_starved(&rs.pol, (uint32_t)t) || rs_policy_hog_above(&rs.pol, (uint32_t)t, still_since);
    /* the time it was silent (its heartbeat may find it first) */
    advance_tick(silent, still_since < INT64_MAX ? (int64_t)still_since + 1 : 0);
    if (!timer_running(t) || starved) return;
    rs.last[t] = (struct rs_last){ .end = RS_END_HANG };
    (void)rs_supervise_event(RS_EV_CRASHED, (unsigned)t, rs.pol.svc[t].generation, 0, detail);
}

/* Whether the RS's clock is stopped: the system has no timer driver (the service granted
 * IRQ 0), or that driver is not running (crashed, hung and killed, backing off, stopped):
 * then no TICK comes, and without the fallback below the timer's own restart, due at
 * the end of its backoff, would never come either. */
static bool clock_stopped(void)
{
    if (rs.tick_ms == 0) return true;
    int t = timer_service();
    return t < 0 || rs.pol.svc[t].state != RS_SVC_RUNNING;
}

/* While the clock is stopped no time passes while things happen; when the RS has nothing
 * else to do and a service waits for its backoff to end, the clock jumps to that moment
 * (a discrete-event clock: deterministic, and a backoff still orders restarts). */
void rs_supervise_idle(void)
{
    for (unsigned guard = 0; clock_stopped() && guard < 4u * RS_MAX_SERVICES; guard++) {
        uint64_t next = UINT64_MAX;
        for (unsigned i = 0; i < rs.m.nservices; i++) {
            const struct rs_svc_status *s = &rs.pol.svc[i];
            if (s->state == RS_SVC_BACKOFF && s->until < next) next = s->until;
        }
        if (next == UINT64_MAX) return;
        if (next > rs.now) rs.now = next;
        (void)rs_supervise_event(RS_EV_TICK, 0, 0, 0, NULL);
    }
}
