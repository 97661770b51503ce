/*
 * rstest: the controller of the RS system tests, itself a supervised service.  Caps (in
 * manifest order): [0] its memory-server cap, [1..] channels (the services under test),
 * then its grants: the RS control cap and the exit port (0xF4), with which it ends the
 * run: status = the number of failed checks.  args[0] picks the scenario.
 */
#include "rstest.h"
#include "faulty.h"
#include "rs/server/layout.h"          /* RS_SVC_STOPPED... */
#include "rs/server/rs.h"
#include "memserver/client/memserver_client.h"

enum { SCENARIO_DETECT = 1, SCENARIO_CHURN = 2, SCENARIO_RECOVER = 3, SCENARIO_POLICY = 4, SCENARIO_HANG = 5, SCENARIO_BENCH = 6, SCENARIO_IDLE = 7,
       SCENARIO_WATCH = 8 };

static seL4_CPtr ctl, exit_port;
static const runtime_startup_t *su;

static seL4_CPtr channel(unsigned k) { return su->caps_start + 1 + k; }

static _Noreturn void finish(void)
{
    printf("rstest: %d passed, %d failed\n", t_passes, t_failures);
    fflush_console();
    seL4_X86_IOPort_Out8(exit_port, 0xf4, (seL4_Uint8)(t_failures > 127 ? 127 : t_failures));
    for (;;) seL4_TCB_Suspend(RUNTIME_CAP_TCB);
}

/* Ping: waits (on the service's endpoint, which outlives incarnations) until an
 * incarnation answers; returns its generation. */
static uint64_t ping(seL4_CPtr svc, uint64_t *served)
{
    seL4_MessageInfo_t info = seL4_Call(svc, seL4_MessageInfo_new(FAULTY_PING, 0, 0, 0));
    if (served) *served = seL4_GetMR(1);
    return seL4_MessageInfo_get_length(info) == 2 ? seL4_GetMR(0) : 0;
}

static void send(seL4_CPtr svc, seL4_Word cmd, seL4_Word arg)
{
    seL4_SetMR(0, arg);
    seL4_Send(svc, seL4_MessageInfo_new(cmd, 0, 0, 1));
}

static struct rs_list_entry list(uint32_t i)
{
    struct rs_list_entry e = { 0 };
    int err = rsc_list(ctl, i, &e);
    if (err != RS_OK) printf("  LIST %u: %s\n", i, rs_err_name(err));
    return e;
}

/* A raw control request of nargs zero arguments, sealed with its check word: the reply's label. */
static seL4_Word sealed_call(seL4_CPtr ep, uint64_t label, unsigned nargs)
{
    uint64_t mr[RS_REQUEST_MAX_MRS] = { 0 };
    mr[nargs] = rs_check_word(label, mr, nargs);
    for (unsigned k = 0; k <= nargs; k++) seL4_SetMR((int)k, mr[k]);
    return seL4_MessageInfo_get_label(seL4_Call(ep, seL4_MessageInfo_new(label, 0, 0, nargs + 1)));
}

static void detect_one(seL4_CPtr f, uint32_t idx, seL4_Word cmd, seL4_Word arg, uint32_t end, uint32_t kind,
                       uint64_t code, const char *what)
{
    uint64_t g0 = ping(f, NULL);
    send(f, cmd, arg);
    uint64_t g1 = ping(f, NULL);
    struct rs_list_entry e = list(idx);
    char line[120];
    snprintf(line, sizeof(line), "%s: detected, restarted (gen %lu -> %lu)", what, (unsigned long)g0,
             (unsigned long)g1);
    t_check(g1 == g0 + 1 && e.end == end && e.fault_kind == kind && e.fault_code == code &&
                e.state == RS_SVC_RUNNING && e.generation == g1,
            line);
}

static void scenario_detect(void)
{
    uint32_t f = 99, once = 99, temp = 99;
    t_check_err(rsc_find(ctl, "faulty", &f), RS_OK, "FIND faulty");
    t_check_err(rsc_find(ctl, "once", &once), RS_OK, "FIND once");
    t_check_err(rsc_find(ctl, "temp", &temp), RS_OK, "FIND temp");
    uint32_t none;
    t_check_err(rsc_find(ctl, "nosuch", &none), RS_ERR_UNKNOWN_SERVICE, "FIND an unknown name");
    seL4_CPtr fc = channel(0), oc = channel(1), tc = channel(2);
    t_check(ping(fc, NULL) == 1, "faulty gen 1 answers");

    detect_one(fc, f, FAULTY_VM_FAULT, 0, RS_END_FAULT, MS_FAULT_UNMAPPED, 0x6, "VM fault (write to 0)");
    detect_one(fc, f, FAULTY_USER_EXC, 0, RS_END_FAULT, MS_FAULT_OTHER, seL4_Fault_UserException, "user exception (ud2)");
    detect_one(fc, f, FAULTY_BAD_SYSCALL, 0, RS_END_FAULT, MS_FAULT_OTHER, seL4_Fault_UnknownSyscall, "unknown syscall");
    detect_one(fc, f, FAULTY_CAP_FAULT, 0, RS_END_FAULT, MS_FAULT_OTHER, seL4_Fault_CapFault, "cap fault");
    detect_one(fc, f, FAULTY_EXIT, 3, RS_END_EXIT, 0, 3, "exit status 3 (permanent)");
    seL4_SetMR(0, 8);
    seL4_Call(fc, seL4_MessageInfo_new(FAULTY_TOUCH, 0, 0, 1));
    t_check(seL4_GetMR(0) == 1, "a restarted incarnation has fresh .data and .bss");

    /* transient: restarted after an abnormal exit, not after status 0 */
    detect_one(oc, once, FAULTY_EXIT, 5, RS_END_EXIT, 0, 5, "transient, exit status 5");
    send(oc, FAULTY_EXIT, 0);
    struct rs_list_entry e = list(once);
    t_check(e.state == RS_SVC_EXITED && e.end == RS_END_EXIT && e.fault_code == 0,
            "transient, exit status 0: not restarted (EXITED)");
    /* temporary: never restarted */
    t_check(ping(tc, NULL) == 1, "temp gen 1 answers");
    send(tc, FAULTY_VM_FAULT, 0);
    e = list(temp);
    t_check(e.state == RS_SVC_EXITED && e.end == RS_END_FAULT, "temporary, crashed: not restarted (EXITED)");

    /* control */
    uint64_t g = ping(fc, NULL);
    t_check_err(rsc_restart(ctl, f), RS_OK, "RESTART faulty");
    t_check(ping(fc, NULL) == g + 1, "RESTART: a new incarnation answers");
    e = list(f);
    t_check(e.restarts == 5, "RESTART is not counted as a failure (5 restarts after failures)");
    t_check_err(rsc_crash(ctl, f), RS_OK, "CRASH faulty");
    t_check(ping(fc, NULL) == g + 2, "CRASH: detected as a fault, restarted");
    e = list(f);
    t_check(e.end == RS_END_FAULT && e.fault_kind == MS_FAULT_UNMAPPED && e.fault_ip == 0,
            "CRASH: an instruction fetch at 0");
    t_check_err(rsc_stop(ctl, f), RS_OK, "STOP faulty");
    e = list(f);
    t_check(e.state == RS_SVC_STOPPED && e.pages_used == 0, "STOP: stopped, no pages charged");
    t_check_err(rsc_stop(ctl, f), RS_ERR_STATE, "STOP again: refused");
    t_check_err(rsc_crash(ctl, f), RS_ERR_STATE, "CRASH a stopped service: refused");
    struct rs_audit a;
    t_check_err(rsc_audit(ctl, f, &a), RS_OK, "AUDIT the stopped service");
    t_check(a.untyped_empty == 1 && a.chunks_not_empty == 0, "the kernel: its untyped is empty again");
    t_check_err(rsc_start(ctl, f), RS_OK, "START faulty");
    t_check(ping(fc, NULL) == g + 3, "START: a new incarnation answers");
    t_check_err(rsc_list(ctl, 40, &e), RS_ERR_UNKNOWN_SERVICE, "LIST index 40");
    t_check_err(rsc_audit(ctl, f, &a), RS_ERR_STATE, "AUDIT a running service: refused");
    seL4_Call(fc, seL4_MessageInfo_new(FAULTY_ASK_RS, 0, 0, 0));
    t_check(seL4_GetMR(0) == RS_ERR_DENIED, "a control request on a service's supervisor cap: RS_ERR_DENIED");
    t_check(sealed_call(ctl, RS_LABEL(77), 1) == RS_ERR_BAD_REQUEST, "unknown op: RS_ERR_BAD_REQUEST");
    t_check(sealed_call(ctl, RS_LABEL(RS_OP_LIST), 2) == RS_ERR_BAD_REQUEST, "wrong register count: RS_ERR_BAD_REQUEST");
    t_check(sealed_call(ctl, (2u << 12) | RS_OP_LIST, 1) == RS_ERR_VERSION, "protocol version 2: RS_ERR_VERSION");
    seL4_MessageInfo_t info = seL4_Call(ctl, seL4_MessageInfo_new(RS_LABEL(RS_OP_LIST), 0, 0, 0));
    t_check(seL4_MessageInfo_get_label(info) == RS_ERR_BAD_REQUEST, "no registers: RS_ERR_BAD_REQUEST");
    seL4_SetMR(0, 0);
    seL4_SetMR(1, rs_check_word(RS_LABEL(RS_OP_LIST), (const uint64_t[]){ 0 }, 1) ^ 1u);
    info = seL4_Call(ctl, seL4_MessageInfo_new(RS_LABEL(RS_OP_LIST), 0, 0, 2));
    t_check(seL4_MessageInfo_get_label(info) == RS_ERR_CHECK, "a damaged check word: RS_ERR_CHECK");
}

/* n crashes of faulty, each waited for: returns how many did not give the next generation. */
static uint64_t crash_loop(seL4_CPtr fc, uint64_t n)
{
    uint64_t g0 = ping(fc, NULL), bad = 0;
    for (uint64_t k = 0; k < n; k++) {
        send(fc, k % 2 ? FAULTY_VM_FAULT : FAULTY_USER_EXC, 0);
        if (ping(fc, NULL) != g0 + k + 1) bad++;
    }
    return bad;
}

/* The memory server's view (AUDIT of the stopped service) and our own quota use: our
 * own pages and slots change as we run (stack, paging structures), so the balance
 * counts them.  The same calls in the warm-up make them touch the same memory. */
static void measure(uint32_t f, struct rs_audit *a, struct ms_quota_info *q, const char *what)
{
    char line[64];
    snprintf(line, sizeof(line), "AUDIT %s", what);
    t_check_err(rsc_audit(ctl, f, a), RS_OK, line);
    snprintf(line, sizeof(line), "own quota %s", what);
    t_check(msc_quota_get(su->memserver_ep, q) == MS_OK, line);
    printf("%s: memory server %lu free pages, %lu free slots; rstest uses %lu pages, %lu slots\n", what,
           (unsigned long)a->free_pages, (unsigned long)a->free_slots, (unsigned long)q->pages_used,
           (unsigned long)q->slots_used);
}

/* The memory server's untyped chunks are reused only once empty (seL4's untyped
 * watermark), so its free-page count depends on what else lives in a chunk: a warm-up
 * round first, then the count must not move over `churn` more restarts. */
#define WARMUP 20u

static void scenario_churn(seL4_Word churn)
{
    uint32_t f = 99;
    t_check_err(rsc_find(ctl, "faulty", &f), RS_OK, "FIND faulty");
    seL4_CPtr fc = channel(0);
    t_check(ping(fc, NULL) == 1, "faulty gen 1 answers");
    struct rs_audit a0, a1;
    struct ms_quota_info q0, q1; /* our own use of the memory server, for the balance */
    t_check(crash_loop(fc, WARMUP) == 0, "warm-up: 20 crashes and restarts");
    t_check_err(rsc_stop(ctl, f), RS_OK, "warm-up: STOP");
    measure(f, &a0, &q0, "warm-up");
    t_check_err(rsc_start(ctl, f), RS_OK, "warm-up: START");
    t_check_err(rsc_stop(ctl, f), RS_OK, "STOP");
    measure(f, &a0, &q0, "before");
    t_check_err(rsc_start(ctl, f), RS_OK, "START");
    uint64_t bad = crash_loop(fc, churn);
    printf("%lu crashes\n", (unsigned long)churn);
    t_check(bad == 0, "every crash detected and restarted (generations in order)");
    struct rs_list_entry e = list(f);
    t_check(e.restarts == WARMUP + churn && e.state == RS_SVC_RUNNING, "LIST: that many restarts, running");
    t_check_err(rsc_stop(ctl, f), RS_OK, "STOP");
    t_check_err(rsc_audit(ctl, f, &a1), RS_OK, "AUDIT after");
    e = list(f);
    t_check(e.pages_used == 0 && e.pages_quota == 512, "the stopped service: no pages charged, its quota kept");
    t_check(msc_quota_get(su->memserver_ep, &q1) == MS_OK, "own quota after");
    printf("rstest itself: pages %lu -> %lu, slots %lu -> %lu\n", (unsigned long)q0.pages_used,
           (unsigned long)q1.pages_used, (unsigned long)q0.slots_used, (unsigned long)q1.slots_used);
    printf("after: memory server %lu free pages, %lu free slots; kernel: untyped empty %lu, %lu of %lu chunks not empty\n",
           (unsigned long)a1.free_pages, (unsigned long)a1.free_slots, (unsigned long)a1.untyped_empty,
           (unsigned long)a1.chunks_not_empty, (unsigned long)a1.chunks_checked);
    t_check(a1.free_pages + q1.pages_used == a0.free_pages + q0.pages_used &&
                a1.free_slots + q1.slots_used == a0.free_slots + q0.slots_used,
            "memory-server free pages and slots back to their values before");
    t_check(a1.untyped_empty == 1 && a1.chunks_not_empty == 0 && a1.chunks_checked > 0,
            "the kernel agrees: the service's untyped and the server's free chunks are empty");
}

static void scenario_recover(void)
{
    uint32_t f = 99;
    t_check_err(rsc_find(ctl, "faulty", &f), RS_OK, "FIND faulty");
    seL4_CPtr fc = channel(0);
    uint64_t served0 = 0, served1 = 0;
    t_check(ping(fc, &served0) == 1, "faulty gen 1 answers");
    t_check_err(rsc_abort(ctl, RS_ABORT_NOW), RS_OK, "ABORT: the RS faults after replying");
    /* The next request waits on the RS endpoint (made by the guardian) for the new RS. */
    struct rs_list_entry e = list(f);
    t_check(e.generation == 1 && e.state == RS_SVC_RUNNING, "the new RS took faulty over: gen 1, running");
    t_check(ping(fc, &served1) == 1 && served1 == served0 + 1, "faulty was not restarted (same incarnation)");
    send(fc, FAULTY_VM_FAULT, 0);
    t_check(ping(fc, NULL) == 2, "the new RS detects a crash and restarts it");
    t_check_err(rsc_abort(ctl, RS_ABORT_AFTER_START), RS_OK, "ABORT at the next start");
    send(fc, FAULTY_VM_FAULT, 0);
    t_check(ping(fc, NULL) == 4, "a half-started incarnation (gen 3) was killed and restarted (gen 4)");
    e = list(f);
    t_check(e.state == RS_SVC_RUNNING && e.generation == 4, "LIST: running, gen 4");
    t_check_err(rsc_stop(ctl, f), RS_OK, "STOP");
    struct rs_audit a;
    t_check_err(rsc_audit(ctl, f, &a), RS_OK, "AUDIT");
    t_check(a.untyped_empty == 1 && a.chunks_not_empty == 0, "nothing of the half-started incarnation is left");
}

static uint32_t find(const char *name)
{
    uint32_t i = 99;
    int err = rsc_find(ctl, name, &i);
    if (err != RS_OK) printf("  FIND %s: %s\n", name, rs_err_name(err));
    return i;
}

/* Channels: a b c x y (faulty servers); `looper` crashes at every start. */
static void scenario_policy(void)
{
    /* Crash loop: backoff 10, 20, 40 ms, then the 4th restart is one too many (3/1s). */
    struct rs_list_entry e = list(find("looper"));
    t_check(e.state == RS_SVC_FAILED && e.generation == 4 && e.restarts == 3,
            "crash loop: 3 restarts, then the group gives up (FAILED)");
    printf("looper: last start at %lu ms\n", (unsigned long)e.started_at);
    t_check(e.started_at == 70, "backoff in virtual time: starts at 0, 10, 30, 70 ms");
    e = list(find("bystander"));
    t_check(e.state == RS_SVC_FAILED, "escalation: the whole group gave up (its other member FAILED)");

    /* rest_for_one: b fails -> b and c (started after it) restart, a does not. */
    uint32_t a = find("a"), b = find("b"), c = find("c");
    uint64_t ga = ping(channel(0), NULL), gb = ping(channel(1), NULL), gc = ping(channel(2), NULL);
    send(channel(1), FAULTY_VM_FAULT, 0);
    t_check(ping(channel(1), NULL) == gb + 1 && ping(channel(2), NULL) == gc + 1 && ping(channel(0), NULL) == ga,
            "rest_for_one: b crashed -> b and c restarted, a untouched");
    t_check(list(a).restarts == 0 && list(b).restarts == 1 && list(c).restarts == 0 && list(c).generation == 2,
            "rest_for_one: only the failed service counts a restart (c restarted with it, not counted)");
    send(channel(0), FAULTY_EXIT, 9);
    t_check(ping(channel(0), NULL) == ga + 1 && ping(channel(1), NULL) == gb + 2 && ping(channel(2), NULL) == gc + 2,
            "rest_for_one: a exited -> a, b, c restarted");

    /* one_for_all: x fails -> x and y restart. */
    uint64_t gx = ping(channel(3), NULL), gy = ping(channel(4), NULL);
    send(channel(4), FAULTY_USER_EXC, 0);
    t_check(ping(channel(3), NULL) == gx + 1 && ping(channel(4), NULL) == gy + 1, "one_for_all: y crashed -> x and y restarted");

    /* START revives a failed group's service. */
    uint32_t l = find("looper");
    t_check_err(rsc_start(ctl, l), RS_OK, "START the failed looper");
    e = list(l);
    t_check(e.generation >= 5, "START_REQ started it again (and it crash-loops again)");
}

/* With the timer: heartbeats.  Channels: faulty (heartbeat 100 ms, deadline 50 ms). */
static void scenario_hang(bool bench)
{
    uint32_t f = find("faulty"), t = find("timer");
    seL4_CPtr fc = channel(0);
    t_check(ping(fc, NULL) == 1, "faulty gen 1 answers");
    t_check_err(rsc_hang(ctl, f), RS_OK, "HANG faulty (its thread is suspended)");
    uint64_t hung_at = list(f).now;
    t_check(ping(fc, NULL) == 2, "missed heartbeat detected as a hang, restarted");
    struct rs_list_entry e = list(f);
    t_check(e.end == RS_END_HANG && e.restarts == 1, "LIST: last end hang, 1 restart");
    /* At worst a hang is found a period plus a deadline after the last answer (150 ms). */
    if (bench) { /* (timing differs on the real kernel: not in the test's output) */
        printf("bench rs.hang_detect_ms %lu\n", (unsigned long)(e.ended_at - hung_at));
    }
    t_check(e.ended_at >= hung_at && e.ended_at - hung_at <= 150 + 10, "found within period + deadline (+ one tick)");
    send(fc, FAULTY_SPIN, 0);
    t_check(ping(fc, NULL) == 3, "a service stuck in a loop misses its heartbeat, restarted");
    e = list(t);
    t_check(e.state == RS_SVC_RUNNING && e.generation == 1 && e.restarts == 0,
            "the timer driver answered every heartbeat (gen 1, no restarts)");
    /* (nothing more: what follows would race with the next tick, and the console lines
     * of the real kernel and of sel4-sim must be the same) */
}

/* In sel4-sim the TSC counts user instructions of all threads (virtual time). */
static inline uint64_t tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

#define BENCH_ROUNDS 51u

/* Recovery cost: from the crash command to the new incarnation's answer (fault report,
 * FAULT_GET, policy, kill, address space, image, CSpace, TCB, the service's start). */
static void scenario_bench(void)
{
    static uint64_t t[BENCH_ROUNDS];
    seL4_CPtr fc = channel(0);
    uint64_t g = ping(fc, NULL), bad = 0;
    for (unsigned k = 0; k < BENCH_ROUNDS; k++) {
        uint64_t t0 = tsc();
        send(fc, FAULTY_VM_FAULT, 0);
        if (ping(fc, NULL) != g + k + 1) bad++;
        t[k] = tsc() - t0;
    }
    t_check(bad == 0, "every crash recovered");
    for (unsigned i = 1; i < BENCH_ROUNDS; i++) { /* insertion sort */
        uint64_t v = t[i];
        unsigned j = i;
        for (; j > 0 && t[j - 1] > v; j--) t[j] = t[j - 1];
        t[j] = v;
    }
    printf("bench rs.recovery_insns_median %lu\n", (unsigned long)t[BENCH_ROUNDS / 2]);
    printf("bench rs.recovery_insns_max %lu\n", (unsigned long)t[BENCH_ROUNDS - 1]);
}

/* Heartbeat overhead (rs/bench/bench.sh): run for args[1] timer ticks doing nothing but
 * asking the timer (channel 0) the time; the same system with and without heartbeats. */
static void scenario_idle(seL4_Word ticks)
{
    uint64_t now = 0;
    for (uint64_t k = 0; now < ticks && k < 100000000u; k++) {
        seL4_MessageInfo_t info = seL4_Call(channel(0), seL4_MessageInfo_new(1 /* TIMER_OP_NOW */, 0, 0, 0));
        now = seL4_MessageInfo_get_length(info) >= 1 ? seL4_GetMR(0) : 0;
    }
    t_check(now >= ticks, "the timer ticked");
}

/* LIST of service i until it runs with generation >= gen (each LIST lets virtual time
 * pass: rstest has the lowest priority). */
static struct rs_list_entry wait_running(uint32_t i, uint32_t gen)
{
    struct rs_list_entry e = list(i);
    for (unsigned k = 0; k < 1000000u && !(e.state == RS_SVC_RUNNING && e.generation >= gen); k++) e = list(i);
    return e;
}

/* LIST of service i until the RS's clock reads at least `ms` (in step with the timer's
 * ticks, so that the times the RS prints next are the same on the real kernel). */
static struct rs_list_entry wait_clock(uint32_t i, uint64_t ms)
{
    struct rs_list_entry e = list(i);
    for (unsigned k = 0; k < 1000000u && e.now < ms; k++) e = list(i);
    return e;
}

/* The supervision gaps the guardian's RTC closes (rs/core/watchdog.h) and the RS's
 * take-over.  Channels: faulty (no heartbeat); the timer driver has no heartbeat either:
 * only its silence on the RTC clock can find it hung. */
static void scenario_watch(void)
{
    uint32_t f = find("faulty"), t = find("timer");
    seL4_CPtr fc = channel(0);
    uint64_t served0 = 0, served1 = 0;
    t_check(ping(fc, &served0) == 1, "faulty gen 1 answers");

    t_check(wait_clock(t, 100).now == 100, "clock at 100 ms");
    t_check_err(rsc_hang(ctl, t), RS_OK, "HANG timer (suspended: the RS's ticks stop)");
    struct rs_list_entry e = wait_running(t, 2);
    t_check(e.generation == 2 && e.end == RS_END_HANG && e.restarts == 1,
            "timer silent while the RTC ticks: found hung, restarted (gen 2)");

    t_check(wait_clock(t, 250).now == 259, "the new timer ticks: clock at 259 ms");
    t_check_err(rsc_abort(ctl, RS_ABORT_AFTER_START), RS_OK, "ABORT at the next start");
    t_check_err(rsc_restart(ctl, t), RS_OK, "RESTART timer: the RS dies starting it, the new RS answers");
    /* gen 3 half-started and destroyed, gen 4 its restart after the backoff, gen 5 the
     * RESTART request, sent again to the new RS */
    e = wait_running(t, 5);
    t_check(e.generation == 5 && e.restarts == 2, "the half-started timer (gen 3) destroyed, the timer runs again");

    t_check_err(rsc_abort(ctl, RS_ABORT_IN_REQUEST), RS_OK, "ABORT in the next request");
    e = list(f);
    t_check(e.state == RS_SVC_RUNNING && e.generation == 1,
            "a LIST in flight when the RS died: resumed and answered by the new RS");

    t_check_err(rsc_abort(ctl, RS_ABORT_HANG), RS_OK, "ABORT: the RS hangs (a loop at priority 254)");
    e = list(f);
    t_check(e.state == RS_SVC_RUNNING && e.generation == 1, "the guardian's watchdog replaced the hung RS");
    t_check(ping(fc, &served1) == 1 && served1 == served0 + 1, "faulty kept running (the same incarnation)");
    t_check(list(t).state == RS_SVC_RUNNING, "the timer kept running");

    t_check_err(rsc_stop(ctl, f), RS_OK, "STOP faulty");
    t_check_err(rsc_stop(ctl, t), RS_OK, "STOP timer");
    struct rs_audit a;
    t_check_err(rsc_audit(ctl, f, &a), RS_OK, "AUDIT faulty");
    t_check(a.untyped_empty == 1 && a.chunks_not_empty == 0, "faulty: nothing left (kernel and memory server)");
    t_check_err(rsc_audit(ctl, t, &a), RS_OK, "AUDIT timer");
    t_check(a.untyped_empty == 1 && a.chunks_not_empty == 0, "timer: nothing of its 4 incarnations left");
}

int main(void)
{
    su = runtime_startup();
    unsigned nch = (unsigned)(su->caps_end - su->caps_start) - 3; /* minus ms, control, exit port */
    ctl = su->caps_start + 1 + nch;
    exit_port = ctl + 1;
    seL4_Word scenario = su->nargs > 0 ? su->args[0] : 0;
    printf("rstest: scenario %lu, %u channels\n", (unsigned long)scenario, nch);
    switch (scenario) {
    case SCENARIO_DETECT: scenario_detect(); break;
    case SCENARIO_CHURN: scenario_churn(su->nargs > 1 ? su->args[1] : 1000); break;
    case SCENARIO_RECOVER: scenario_recover(); break;
    case SCENARIO_POLICY: scenario_policy(); break;
    case SCENARIO_HANG: scenario_hang(su->nargs > 1 && su->args[1] == 1); break;
    case SCENARIO_BENCH: scenario_bench(); break;
    case SCENARIO_IDLE: scenario_idle(su->nargs > 1 ? su->args[1] : 100); break;
    case SCENARIO_WATCH: scenario_watch(); break;
    default: t_check(0, "a known scenario"); break;
    }
    finish();
}
