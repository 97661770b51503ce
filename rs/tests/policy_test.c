/* Host tests of the policy engine over timelines: events at virtual times in, the
 * expected actions (kinds, services, generations, order) and delays out. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "rs/core/policy.h"

static struct rs_manifest m;
static struct rs_policy p;
static struct rs_action acts[RS_POLICY_MAX_ACTIONS];
static int nacts;
static char got[2048];

static void load(const char *text)
{
    struct rs_manifest_error err;
    if (rs_manifest_parse(text, strlen(text), &m, &err)) {
        fprintf(stderr, "test manifest: line %u field %s: %s\n", err.line, err.field, err.message);
        check_failures++;
    }
    rs_policy_init(&p, &m);
}

static uint8_t idx(const char *name)
{
    int i = rs_manifest_find_service(&m, name, strlen(name));
    if (i < 0) {
        fprintf(stderr, "no service %s\n", name);
        check_failures++;
        return 0;
    }
    return (uint8_t)i;
}

/* The actions as text: "START a/1, KILL b/2, KILL! c/1 (final), PING a/1, GIVE_UP g, ..." */
static const char *render(void)
{
    size_t n = 0;
    got[0] = '\0';
    for (int i = 0; i < nacts && n < sizeof(got) - 64; i++) {
        const struct rs_action *a = &acts[i];
        const char *sep = i ? ", " : "";
        if (a->kind == RS_ACT_GIVE_UP || a->kind == RS_ACT_ESCALATE)
            n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s %s", sep, rs_action_name(a->kind), m.group[a->group].name);
        else if (a->kind == RS_ACT_NOTE)
            n += (size_t)snprintf(got + n, sizeof(got) - n, "%sNOTE %s", sep, m.service[a->svc].name);
        else
            n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s%s %s/%u", sep, rs_action_name(a->kind),
                                  a->kind == RS_ACT_KILL && a->final ? "!" : "", m.service[a->svc].name, a->generation);
    }
    return got;
}

static const char *boot(uint64_t now)
{
    nacts = rs_policy_boot(&p, now, acts, RS_POLICY_MAX_ACTIONS);
    return render();
}

static const char *feed(unsigned kind, const char *svc, uint64_t now, int64_t status)
{
    struct rs_event ev = { (uint8_t)kind, svc ? idx(svc) : 0, 0, now, status, "VM fault" };
    nacts = rs_policy_event(&p, &ev, acts, RS_POLICY_MAX_ACTIONS);
    return render();
}
#define TICK(t) feed(RS_EV_TICK, NULL, t, 0)
#define STARTED(s, t) feed(RS_EV_STARTED, s, t, 0)
#define CRASH(s, t) feed(RS_EV_CRASHED, s, t, 0)
#define EXIT(s, t, st) feed(RS_EV_EXITED, s, t, st)
#define ACK(s, t) feed(RS_EV_HEARTBEAT_ACK, s, t, 0)

static void expect(int line, const char *actual, const char *want)
{
    check_count++;
    if (strcmp(actual, want) != 0) {
        check_failures++;
        fprintf(stderr, "%s:%d:\n  got:  %s\n  want: %s\n", __FILE__, line, actual, want);
    }
}
#define EXPECT(actual, want) expect(__LINE__, actual, want)

static unsigned state(const char *svc)
{
    return p.svc[idx(svc)].state;
}

/* Starts everything at time 0 and reports each START as STARTED at `at`. */
static void boot_all(uint64_t at)
{
    boot(0);
    int n = nacts;
    struct rs_action starts[RS_POLICY_MAX_ACTIONS];
    memcpy(starts, acts, sizeof(starts));
    for (int i = 0; i < n; i++) STARTED(m.service[starts[i].svc].name, at);
}

static void test_boot_order(void)
{
    load("service web\n image = w\n depends = db log\n"
         "service db\n image = d\n depends = log\n"
         "service log\n image = l\n"
         "service misc\n image = x\n");
    EXPECT(boot(5), "START log/1, START db/1, START web/1, START misc/1");
    CHECK_EQ(state("web"), RS_SVC_STARTING);
    CHECK_EQ(rs_policy_next_wakeup(&p), RS_NEVER);
    EXPECT(STARTED("db", 6), "");
    CHECK_EQ(state("db"), RS_SVC_RUNNING);
    CHECK_EQ(p.svc[idx("db")].started_at, 6);
}

static const char one[] =
    "group g intensity=64/1s\n"
    "service a\n image = a\n group = g\n backoff = 10ms 100ms\n stable = 5s\n";

static void test_backoff(void)
{
    load(one);
    boot_all(0);
    /* Exponential backoff from 10 ms, doubling, capped at 100 ms. */
    uint64_t t = 1000;
    static const uint64_t delays[] = { 10, 20, 40, 80, 100, 100 };
    for (unsigned k = 0; k < 6; k++) {
        char want[64];
        snprintf(want, sizeof(want), "KILL a/%u", k + 1);
        EXPECT(CRASH("a", t), want);
        CHECK_EQ(state("a"), RS_SVC_BACKOFF);
        CHECK_EQ(rs_policy_next_wakeup(&p), t + delays[k]);
        EXPECT(TICK(t + delays[k] - 1), ""); /* not a millisecond early */
        snprintf(want, sizeof(want), "START a/%u", k + 2);
        EXPECT(TICK(t + delays[k]), want);
        t += delays[k];
        STARTED("a", t);
        t += 1;
    }
    CHECK_EQ(p.svc[idx("a")].restarts, 6);
    CHECK_EQ(p.svc[idx("a")].consecutive, 6);
    /* A run of exactly `stable` (5 s from STARTED) resets the backoff to the first delay. */
    uint64_t started = p.svc[idx("a")].started_at;
    EXPECT(CRASH("a", started + 5000), "KILL a/7");
    CHECK_EQ(rs_policy_next_wakeup(&p), started + 5000 + 10);
    CHECK_EQ(p.svc[idx("a")].consecutive, 1);
    /* ... but 4999 ms does not. */
    TICK(started + 5010);
    STARTED("a", started + 5010);
    EXPECT(CRASH("a", started + 5010 + 4999), "KILL a/8");
    CHECK_EQ(rs_policy_next_wakeup(&p), started + 5010 + 4999 + 20);
    /* The log line says what happened and what comes next. */
    char want[RS_LOG_MAX + 1];
    snprintf(want, sizeof(want), "a gen 8 crashed: VM fault -> restart in 20 ms (at %llu ms; failure 2 in a row)",
             (unsigned long long)started + 5010 + 4999 + 20);
    EXPECT(acts[0].log, want);
}

static void test_crash_loop_gives_up(void)
{
    /* Dies right after every start: 10, 20, 40 ms apart, then the 4th restart within
     * 1 s exceeds intensity 3: give up, never a busy loop. */
    load("group g intensity=3/1s\n"
         "service a\n image = a\n group = g\n backoff = 10ms 1s\n"
         "service b\n image = b\n group = g\n"
         "service other\n image = o\n");
    boot_all(0);
    uint64_t t = 100, last_start = 0;
    static const uint64_t delays[] = { 10, 20, 40 };
    for (unsigned k = 0; k < 3; k++) {
        EXPECT(CRASH("a", t), k == 0 ? "KILL a/1" : k == 1 ? "KILL a/2" : "KILL a/3");
        uint64_t wake = rs_policy_next_wakeup(&p);
        CHECK_EQ(wake, t + delays[k]);
        TICK(wake);
        CHECK_EQ(nacts, 1);
        CHECK(wake - t >= delays[k]);
        CHECK(last_start == 0 || wake - last_start >= delays[k]);
        last_start = wake;
        t = wake + 1; /* crashes 1 ms after the start */
    }
    EXPECT(CRASH("a", t), "KILL! b/1, KILL! a/4, GIVE_UP g, ESCALATE g");
    CHECK(strstr(acts[1].log, "give up: more than 3 restarts of group g in 1000 ms") != NULL);
    CHECK_EQ(acts[0].reason, RS_KILL_GIVE_UP);
    CHECK_EQ(acts[1].reason, RS_KILL_CRASHED);
    CHECK_EQ(state("a"), RS_SVC_FAILED);
    CHECK_EQ(state("b"), RS_SVC_FAILED);
    CHECK_EQ(state("other"), RS_SVC_RUNNING); /* other groups are not touched */
    CHECK_EQ(rs_policy_next_wakeup(&p), RS_NEVER);
    EXPECT(TICK(100000), "");
    EXPECT(CRASH("a", 100001), ""); /* nothing live: ignored */
    /* An operator's START brings it back, with a fresh intensity count. */
    EXPECT(feed(RS_EV_START_REQ, "a", 200000, 0), "START a/5");
    CHECK_EQ(p.group[0].failed, 0);
    STARTED("a", 200000);
    EXPECT(CRASH("a", 200001), "KILL a/5");
    CHECK_EQ(state("b"), RS_SVC_FAILED); /* b stays failed until started */
}

static void test_intensity_window(void)
{
    /* 2 restarts per 100 ms: failures 60 ms apart never give up; 3 within 100 ms do. */
    load("group g intensity=2/100ms\nservice a\n image = a\n group = g\n backoff = 1ms 1ms\n");
    boot_all(0);
    uint64_t t = 10;
    for (int k = 0; k < 10; k++) {
        char want[32];
        snprintf(want, sizeof(want), "KILL a/%d", k + 1);
        EXPECT(CRASH("a", t), want); /* restarted every time */
        CHECK_EQ(acts[0].kind, RS_ACT_KILL);
        TICK(t + 1);
        STARTED("a", t + 1);
        t += 60;
    }
    /* Restarts at t - 60, t and t + 2: three within 100 ms. */
    CHECK_EQ(state("a"), RS_SVC_RUNNING);
    EXPECT(CRASH("a", t), "KILL a/11");
    TICK(t + 1);
    STARTED("a", t + 1);
    EXPECT(CRASH("a", t + 2), "KILL! a/12, GIVE_UP g, ESCALATE g"); /* restarts at t-60, t, t+2 */
}

static const char strategies[] =
    "group g1 strategy=one_for_one  intensity=10/1s\n"
    "group g2 strategy=rest_for_one intensity=10/1s\n"
    "group g3 strategy=one_for_all  intensity=10/1s\n"
    "service a1\n image = x\n group = g1\n"
    "service b1\n image = x\n group = g1\n"
    "service a2\n image = x\n group = g2\n"
    "service b2\n image = x\n group = g2\n depends = a2\n"
    "service c2\n image = x\n group = g2\n depends = b2\n"
    "service a3\n image = x\n group = g3\n"
    "service b3\n image = x\n group = g3\n"
    "service c3\n image = x\n group = g3\n";

static void test_strategies(void)
{
    load(strategies);
    boot_all(0);
    /* one_for_one: only the failed service. */
    EXPECT(CRASH("a1", 100), "KILL a1/1");
    EXPECT(TICK(110), "START a1/2");
    CHECK_EQ(state("b1"), RS_SVC_RUNNING);
    /* rest_for_one: it and the members started after it; kills in reverse start order,
     * starts in start order when its backoff ends. */
    EXPECT(CRASH("b2", 200), "KILL c2/1, KILL b2/1");
    CHECK_EQ(acts[0].reason, RS_KILL_STRATEGY);
    CHECK_EQ(acts[1].reason, RS_KILL_CRASHED);
    CHECK_EQ(state("a2"), RS_SVC_RUNNING);
    CHECK_EQ(state("c2"), RS_SVC_BACKOFF);
    EXPECT(TICK(209), "");
    EXPECT(TICK(210), "START b2/2, START c2/2");
    STARTED("b2", 210);
    STARTED("c2", 210);
    /* The last one under rest_for_one: only itself. */
    EXPECT(CRASH("c2", 300), "KILL c2/2");
    TICK(310);
    STARTED("c2", 310);
    /* The first one: the whole group. */
    EXPECT(CRASH("a2", 400), "KILL c2/3, KILL b2/2, KILL a2/1");
    EXPECT(TICK(410), "START a2/2, START b2/3, START c2/4");
    /* one_for_all: everyone in the group, reverse start order; other groups untouched. */
    EXPECT(CRASH("b3", 500), "KILL c3/1, KILL b3/1, KILL a3/1");
    CHECK_EQ(state("b1"), RS_SVC_RUNNING);
    EXPECT(TICK(510), "START a3/2, START b3/2, START c3/2");
    /* A sibling still starting (no STARTED yet) is killed too. */
    STARTED("a3", 511);
    STARTED("b3", 511);
    EXPECT(CRASH("a3", 600), "KILL c3/2, KILL b3/2, KILL a3/2");
    /* A manually stopped member stays stopped through its group's restarts. */
    TICK(610);
    STARTED("a3", 610);
    STARTED("b3", 610);
    STARTED("c3", 610);
    EXPECT(feed(RS_EV_STOP_REQ, "c3", 620, 0), "KILL! c3/3");
    EXPECT(CRASH("a3", 630), "KILL b3/3, KILL a3/3");
    EXPECT(TICK(650), "START a3/4, START b3/4");
    CHECK_EQ(state("c3"), RS_SVC_STOPPED);
}

static void test_restart_types(void)
{
    load("group g strategy=one_for_all intensity=10/1s\n"
         "service perm\n image = x\n group = g\n"
         "service tran\n image = x\n group = g\n restart = transient\n"
         "service temp\n image = x\n group = g\n restart = temporary\n");
    boot_all(0);
    /* transient: exit 0 ends it, no restart, no effect on the group. */
    EXPECT(EXIT("tran", 100, 0), "KILL! tran/1");
    CHECK_EQ(acts[0].reason, RS_KILL_EXITED);
    CHECK_EQ(state("tran"), RS_SVC_EXITED);
    CHECK_EQ(p.svc[idx("tran")].exit_status, 0);
    CHECK_EQ(rs_policy_next_wakeup(&p), RS_NEVER);
    /* temporary: never restarted, even after a crash, and never affects the group. */
    EXPECT(CRASH("temp", 110), "KILL! temp/1");
    CHECK_EQ(state("temp"), RS_SVC_EXITED);
    CHECK_EQ(state("perm"), RS_SVC_RUNNING);
    /* permanent: even exit 0 is restarted (and the group with it: one_for_all; exited
     * members stay exited). */
    EXPECT(EXIT("perm", 120, 0), "KILL perm/1");
    CHECK(strstr(acts[0].log, "exited with status 0 -> restart in 10 ms") != NULL);
    EXPECT(TICK(130), "START perm/2");
    /* transient with a non-zero status: restarted. */
    EXPECT(feed(RS_EV_START_REQ, "tran", 140, 0), "START tran/2");
    STARTED("tran", 140);
    STARTED("perm", 140);
    EXPECT(EXIT("tran", 150, 3), "KILL tran/2, KILL perm/2");
    EXPECT(TICK(160), "START perm/3, START tran/3");
}

/* A hung high-priority service starves the ones below it: only it is a hang; the
 * others get another deadline and answer once it is gone. */
static void test_heartbeat_starved(void)
{
    load("service hi\n image = a\n priority = 200\n heartbeat = 100ms 50ms\n backoff = 10ms 1s\n"
         "service lo\n image = a\n priority = 100\n heartbeat = 100ms 50ms\n backoff = 10ms 1s\n");
    boot(0);
    STARTED("hi", 1000);
    STARTED("lo", 1000);
    EXPECT(TICK(1100), "PING hi/1, PING lo/1");
    CHECK(!rs_policy_starved(&p, idx("lo"))); /* sent just now: no chance to answer yet */
    EXPECT(TICK(1120), "");
    CHECK(rs_policy_starved(&p, idx("lo")));
    CHECK(!rs_policy_starved(&p, idx("hi")));
    EXPECT(TICK(1150), "KILL hi/1"); /* lo: not a hang yet, deadline now 1200 */
    CHECK_EQ(state("lo"), RS_SVC_RUNNING);
    CHECK(!rs_policy_starved(&p, idx("lo")));
    EXPECT(ACK("lo", 1170), "START hi/2"); /* its answer came; hi's backoff is over */
    EXPECT(TICK(1200), "PING lo/1");
    /* A hang of the lower one alone, while the higher one answers: found at its deadline. */
    STARTED("hi", 1210);
    EXPECT(ACK("lo", 1220), "");
    EXPECT(TICK(1250), "");
    EXPECT(TICK(1300), "PING lo/1");
    EXPECT(TICK(1310), "PING hi/2");
    EXPECT(ACK("hi", 1320), "");
    EXPECT(TICK(1350), "KILL lo/1");
    CHECK_EQ(acts[0].reason, RS_KILL_HANG);
    /* A ping sent at this very time (e.g. after the clock jumped) has not had a chance
     * to be answered: it does not make the lower one starved, which is found. */
    EXPECT(TICK(1360), "START lo/2");
    STARTED("lo", 1360);
    EXPECT(TICK(1410), "PING hi/2");
    EXPECT(ACK("hi", 1415), "");
    EXPECT(TICK(1460), "PING lo/2");
    EXPECT(TICK(1510), "KILL lo/2, PING hi/2"); /* the hang check comes before the pings */
    CHECK(!rs_policy_starved(&p, idx("lo")));
}

/* The clock stood still since `since` (the timer driver, below hi, was silent): hi
 * answered its last ping at or before then, so it may be the hog (a hung console at
 * 250 answers its ping, then spins).  A jump over the silence (TICK with status since +
 * 1) extends lo's missed deadline and pings hi; hi, hung, is found at its deadline, and
 * lo, answering once hi is gone, survives.  When hi answers a ping sent during the
 * silence, it is not the hog: lo's next missed deadline is a hang. */
static void test_heartbeat_hog_silence(void)
{
    load("service hi\n image = a\n priority = 250\n heartbeat = 20ms 10ms\n backoff = 1ms 1s\n"
         "service lo\n image = a\n priority = 200\n heartbeat = 20ms 10ms\n backoff = 1ms 1s\n");
    boot(0);
    STARTED("hi", 0);
    STARTED("lo", 0);
    EXPECT(TICK(20), "PING hi/1, PING lo/1");
    EXPECT(ACK("hi", 20), ""); /* hi answers at once (then spins: lo never runs) */
    CHECK(!rs_policy_starved(&p, idx("lo")));
    CHECK(rs_policy_hog_above(&p, idx("lo"), 20));  /* asked at 20, not after */
    CHECK(!rs_policy_hog_above(&p, idx("lo"), 19)); /* answered a ping sent after 19 */
    CHECK(!rs_policy_hog_above(&p, idx("hi"), 20)); /* nothing above hi */
    /* the silence (109 ms) is added: lo's deadline (30) was missed in the jump */
    EXPECT(feed(RS_EV_TICK, NULL, 129, 20 + 1), "PING hi/1");
    CHECK_EQ(state("lo"), RS_SVC_RUNNING);
    CHECK(!rs_policy_starved(&p, idx("lo"))); /* hi's ping went out just now */
    CHECK(rs_policy_hog_above(&p, idx("lo"), 20));
    /* the next silence: hi's deadline is missed, lo is spared once more */
    EXPECT(feed(RS_EV_TICK, NULL, 238, 20 + 1), "KILL hi/1");
    CHECK_EQ(state("lo"), RS_SVC_RUNNING);
    EXPECT(ACK("lo", 238), "PING lo/1"); /* lo runs again and answers; overdue: asked again */
    EXPECT(ACK("lo", 239), "START hi/2");
    STARTED("hi", 239);
    /* Without the status (an ordinary TICK) a missed deadline is a hang, as before. */
    EXPECT(TICK(258), "PING lo/1");
    EXPECT(TICK(259), "PING hi/2");
    EXPECT(ACK("hi", 259), "");
    EXPECT(TICK(268), "KILL lo/1");
    /* A hung lo under a hi that answers the ping sent during the silence. */
    EXPECT(TICK(269), "START lo/2");
    STARTED("lo", 269);
    EXPECT(TICK(279), "PING hi/2");
    EXPECT(ACK("hi", 279), "");
    EXPECT(TICK(289), "PING lo/2"); /* never answered: the clock stands still from 289 */
    EXPECT(feed(RS_EV_TICK, NULL, 398, 289 + 1), "PING hi/2"); /* hi last asked at 279 */
    CHECK(rs_policy_hog_above(&p, idx("lo"), 289));
    EXPECT(ACK("hi", 398), ""); /* hi answers a ping sent during the silence: not the hog */
    CHECK(!rs_policy_hog_above(&p, idx("lo"), 289));
    EXPECT(feed(RS_EV_TICK, NULL, 507, 289 + 1), "KILL lo/2, PING hi/2");
    CHECK_EQ(acts[0].reason, RS_KILL_HANG);
}

static void test_heartbeat(void)
{
    load("service a\n image = a\n heartbeat = 100ms 50ms\n backoff = 10ms 1s\n");
    boot(0);
    CHECK_EQ(rs_policy_next_wakeup(&p), RS_NEVER); /* no pings before STARTED */
    STARTED("a", 1000);
    CHECK_EQ(rs_policy_next_wakeup(&p), 1100);
    EXPECT(TICK(1099), "");
    EXPECT(TICK(1100), "PING a/1");
    CHECK_EQ(rs_policy_next_wakeup(&p), 1150);
    EXPECT(ACK("a", 1120), "");
    CHECK_EQ(rs_policy_next_wakeup(&p), 1200); /* the period counts from the previous ping */
    EXPECT(TICK(1200), "PING a/1");
    EXPECT(ACK("a", 1250), ""); /* exactly at the deadline: in time (ACK first, then timers) */
    EXPECT(TICK(1300), "PING a/1");
    /* No answer: a hang exactly period + deadline after the last answered cycle. */
    EXPECT(TICK(1349), "");
    EXPECT(TICK(1350), "KILL a/1");
    CHECK_EQ(acts[0].reason, RS_KILL_HANG);
    CHECK(strstr(acts[0].log, "a gen 1 hang: no heartbeat answer within 50 ms -> restart in 10 ms") == acts[0].log);
    CHECK(strcmp(p.svc[0].last_fault, "hang: no heartbeat answer within 50 ms") == 0);
    EXPECT(ACK("a", 1351), ""); /* too late: ignored */
    EXPECT(TICK(1360), "START a/2");
    /* A new incarnation: first ping one period after its STARTED; detection of a
     * service that never answers: exactly STARTED + period + deadline. */
    STARTED("a", 1365);
    EXPECT(TICK(1465), "PING a/2");
    EXPECT(TICK(1514), "");
    EXPECT(TICK(1515), "KILL a/2");
    /* A late TICK still pings once, not a burst. */
    TICK(1535);
    STARTED("a", 1535);
    EXPECT(TICK(5000), "PING a/3");
    EXPECT(ACK("a", 5001), "");
    CHECK_EQ(rs_policy_next_wakeup(&p), 5100);
}

static void test_manual(void)
{
    load("group g intensity=1/1s\nservice a\n image = a\n group = g\nservice b\n image = b\n group = g\n");
    boot_all(0);
    /* STOP: killed for good, never restarted by timers or events. */
    EXPECT(feed(RS_EV_STOP_REQ, "a", 10, 0), "KILL! a/1");
    CHECK_EQ(acts[0].reason, RS_KILL_STOP_REQ);
    CHECK_EQ(state("a"), RS_SVC_STOPPED);
    EXPECT(CRASH("a", 11), "");
    EXPECT(TICK(100000), "");
    EXPECT(feed(RS_EV_STOP_REQ, "a", 100001, 0), "");
    EXPECT(feed(RS_EV_START_REQ, "a", 100002, 0), "START a/2");
    EXPECT(feed(RS_EV_START_REQ, "a", 100003, 0), ""); /* already starting */
    STARTED("a", 100004);
    /* RESTART: kill + start now; not a failure (intensity 1 would give up otherwise). */
    for (int k = 0; k < 5; k++) {
        char want[64];
        snprintf(want, sizeof(want), "KILL a/%d, START a/%d", k + 2, k + 3);
        EXPECT(feed(RS_EV_RESTART_REQ, "a", 100010 + (uint64_t)k, 0), want);
        CHECK_EQ(acts[0].reason, RS_KILL_RESTART_REQ);
        STARTED("a", 100010 + (uint64_t)k);
    }
    CHECK_EQ(p.svc[idx("a")].restarts, 0);
    CHECK_EQ(p.group[0].nrestarts, 0);
    /* STOP of a service waiting in backoff: no kill (nothing live), a note. */
    EXPECT(CRASH("b", 200000), "KILL b/1");
    EXPECT(feed(RS_EV_STOP_REQ, "b", 200001, 0), "NOTE b");
    EXPECT(TICK(300000), "");
    /* RESTART of a stopped service starts it. */
    EXPECT(feed(RS_EV_RESTART_REQ, "b", 300001, 0), "START b/2");
}

/* Field by field (the structs have padding). */
static bool same_policy(const struct rs_policy *a, const struct rs_policy *b)
{
    if (a->now != b->now) return false;
    for (unsigned i = 0; i < RS_MAX_SERVICES; i++) {
        const struct rs_svc_status *x = &a->svc[i], *y = &b->svc[i];
        if (x->state != y->state || x->ping_outstanding != y->ping_outstanding || x->generation != y->generation ||
            x->restarts != y->restarts || x->consecutive != y->consecutive || x->started_at != y->started_at ||
            x->until != y->until || x->next_ping != y->next_ping || x->ping_deadline != y->ping_deadline ||
            x->exit_status != y->exit_status || strcmp(x->last_fault, y->last_fault) != 0)
            return false;
    }
    for (unsigned g = 0; g < RS_MAX_GROUPS; g++) {
        const struct rs_group_status *x = &a->group[g], *y = &b->group[g];
        if (x->failed != y->failed || x->nrestarts != y->nrestarts || x->head != y->head ||
            memcmp(x->restart_at, y->restart_at, sizeof(x->restart_at)) != 0)
            return false;
    }
    return true;
}

static void test_stale_and_errors(void)
{
    load(one);
    boot(0);
    struct rs_event ev = { RS_EV_STARTED, 0, 7, 1, 0, NULL };
    CHECK_EQ(rs_policy_event(&p, &ev, acts, RS_POLICY_MAX_ACTIONS), 0);
    CHECK_EQ(state("a"), RS_SVC_STARTING); /* generation 7 is not the current one */
    ev.generation = 1;
    CHECK_EQ(rs_policy_event(&p, &ev, acts, RS_POLICY_MAX_ACTIONS), 0);
    CHECK_EQ(state("a"), RS_SVC_RUNNING);
    ev.kind = RS_EV_CRASHED;
    ev.generation = 2;
    CHECK_EQ(rs_policy_event(&p, &ev, acts, RS_POLICY_MAX_ACTIONS), 0); /* from the future: ignored */
    CHECK_EQ(state("a"), RS_SVC_RUNNING);
    /* Rejected requests change nothing. */
    struct rs_policy before = p;
    ev.svc = 1;
    CHECK_EQ(rs_policy_event(&p, &ev, acts, RS_POLICY_MAX_ACTIONS), RS_POLICY_EINVAL);
    ev.svc = 0;
    ev.kind = RS_EV_KIND_COUNT;
    CHECK_EQ(rs_policy_event(&p, &ev, acts, RS_POLICY_MAX_ACTIONS), RS_POLICY_EINVAL);
    ev.kind = RS_EV_CRASHED;
    ev.generation = 0;
    CHECK_EQ(rs_policy_event(&p, &ev, acts, RS_POLICY_MAX_ACTIONS - 1), RS_POLICY_ESPACE);
    CHECK_EQ(rs_policy_boot(&p, 5, acts, 3), RS_POLICY_ESPACE);
    CHECK(same_policy(&before, &p));
    /* Time never goes backwards. */
    TICK(500);
    CHECK_EQ(CRASH("a", 100)[0] != '\0', 1);
    CHECK_EQ(rs_policy_next_wakeup(&p), 510);
}

static void test_saturation(void)
{
    /* Times near the end of uint64 saturate instead of wrapping. */
    load("service a\n image = a\n backoff = 1s 1s\n heartbeat = 1s 1s\n");
    boot(UINT64_MAX - 1500);
    STARTED("a", UINT64_MAX - 1500);
    CHECK_EQ(rs_policy_next_wakeup(&p), UINT64_MAX - 500);
    EXPECT(TICK(UINT64_MAX - 500), "PING a/1");
    CHECK_EQ(rs_policy_next_wakeup(&p), RS_NEVER - 0); /* deadline saturated */
    EXPECT(CRASH("a", UINT64_MAX - 400), "KILL a/1");
    CHECK_EQ(rs_policy_next_wakeup(&p), UINT64_MAX);
}

static void test_restore(void)
{
    /* A saved state restored in a new engine behaves the same. */
    load(strategies);
    boot_all(0);
    CRASH("b2", 200);
    struct rs_policy saved = p, q;
    CHECK_EQ(rs_policy_restore(&q, &m, &saved), 0);
    CHECK_EQ(rs_policy_next_wakeup(&q), rs_policy_next_wakeup(&p));
    struct rs_event tick = { RS_EV_TICK, 0, 0, 210, 0, NULL };
    struct rs_action a2[RS_POLICY_MAX_ACTIONS];
    int n2 = rs_policy_event(&q, &tick, a2, RS_POLICY_MAX_ACTIONS);
    EXPECT(TICK(210), "START b2/2, START c2/2");
    CHECK_EQ(n2, nacts);
    CHECK(n2 == nacts && memcmp(a2, acts, sizeof(acts[0]) * (size_t)n2) == 0);
    /* Corrupt records are refused, leaving the target alone. */
    struct rs_policy bad = saved;
    bad.svc[0].state = 77;
    CHECK_EQ(rs_policy_restore(&q, &m, &bad), RS_POLICY_EINVAL);
    bad = saved;
    bad.group[1].head = RS_MAX_INTENSITY;
    CHECK_EQ(rs_policy_restore(&q, &m, &bad), RS_POLICY_EINVAL);
    bad = saved;
    bad.svc[RS_MAX_SERVICES - 1].state = RS_SVC_RUNNING; /* beyond the manifest */
    CHECK_EQ(rs_policy_restore(&q, &m, &bad), RS_POLICY_EINVAL);
    CHECK_EQ(q.svc[idx("b2")].generation, 2);
}

int main(void)
{
    test_boot_order();
    test_backoff();
    test_crash_loop_gives_up();
    test_intensity_window();
    test_strategies();
    test_restart_types();
    test_heartbeat();
    test_heartbeat_starved();
    test_heartbeat_hog_silence();
    test_manual();
    test_stale_and_errors();
    test_saturation();
    test_restore();
    return check_result("rs_policy_test");
}
