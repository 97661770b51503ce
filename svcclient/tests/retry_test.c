/*
 * Client retry logic: decisions, backoff, limits, and timelines against a simulated
 * supervised service (a counter with an exactly-once table in a crash-safe arena) that
 * crashes mid-request, stays down while the RS backs off, and comes back.
 */
#include <string.h>
#include "check.h"
#include "store/core/dedup.h"
#include "svcclient/core/retry.h"

static const struct svc_retry_policy policy = { 6, 10, 80, 1000 };

static void test_decisions(void)
{
    struct svc_retry r;
    struct svc_decision d;
    CHECK_EQ(svc_retry_begin(&r, &policy, SVC_OP_DEDUPED, 0, 0), SVC_ERR_BAD_ARGS); /* needs seq */
    struct svc_retry_policy bad = { 0, 1, 2, 0 };
    CHECK_EQ(svc_retry_begin(&r, &bad, SVC_OP_IDEMPOTENT, 0, 0), SVC_ERR_BAD_ARGS);
    /* OK returns at once. */
    CHECK_EQ(svc_retry_begin(&r, &policy, SVC_OP_IDEMPOTENT, 100, 0), SVC_OK);
    d = svc_retry_decide(&r, SVC_CALL_OK, 100);
    CHECK_EQ(d.kind, SVC_RETURN_OK);
    /* DEAD: retried with doubling delays, capped, re-resolving, then given up. */
    CHECK_EQ(svc_retry_begin(&r, &policy, SVC_OP_UNSAFE, 100, 0), SVC_OK);
    static const uint64_t want[5] = { 10, 20, 40, 80, 80 };
    uint64_t now = 100;
    for (int i = 0; i < 5; i++) {
        d = svc_retry_decide(&r, SVC_CALL_DEAD, now);
        CHECK_EQ(d.kind, SVC_RETRY);
        CHECK_EQ(d.reresolve, 1);
        CHECK_EQ(d.at - now, want[i]);
        now = d.at;
    }
    d = svc_retry_decide(&r, SVC_CALL_DEAD, now); /* 6th attempt failed: max_attempts */
    CHECK_EQ(d.kind, SVC_RETURN_ERROR);
    CHECK_EQ(d.err, SVC_ERR_DEAD);
    /* RESTARTED: in doubt for UNSAFE, retried with the same seq for DEDUPED. */
    CHECK_EQ(svc_retry_begin(&r, &policy, SVC_OP_UNSAFE, 0, 0), SVC_OK);
    d = svc_retry_decide(&r, SVC_CALL_RESTARTED, 0);
    CHECK_EQ(d.kind, SVC_RETURN_ERROR);
    CHECK_EQ(d.err, SVC_ERR_IN_DOUBT);
    CHECK_EQ(svc_retry_begin(&r, &policy, SVC_OP_DEDUPED, 0, 42), SVC_OK);
    d = svc_retry_decide(&r, SVC_CALL_RESTARTED, 0);
    CHECK_EQ(d.kind, SVC_RETRY);
    CHECK_EQ(d.seq, 42);
    /* Deadline: no retry scheduled past it. */
    struct svc_retry_policy p2 = { 100, 300, 300, 500 };
    CHECK_EQ(svc_retry_begin(&r, &p2, SVC_OP_IDEMPOTENT, 1000, 0), SVC_OK);
    d = svc_retry_decide(&r, SVC_CALL_RESTARTED, 1000);
    CHECK_EQ(d.kind, SVC_RETRY);
    CHECK_EQ(d.at, 1300);
    d = svc_retry_decide(&r, SVC_CALL_RESTARTED, 1300);
    CHECK_EQ(d.kind, SVC_RETURN_ERROR);
    CHECK_EQ(d.err, SVC_ERR_RESTARTED);
    /* Times near the end of the clock saturate instead of wrapping. */
    struct svc_retry_policy p3 = { 10, 1ull << 62, UINT64_MAX, 0 };
    CHECK_EQ(svc_retry_begin(&r, &p3, SVC_OP_IDEMPOTENT, UINT64_MAX - 5, 0), SVC_OK);
    d = svc_retry_decide(&r, SVC_CALL_DEAD, UINT64_MAX - 5);
    CHECK_EQ(d.kind, SVC_RETRY);
    CHECK_EQ(d.at, UINT64_MAX);
    CHECK_EQ(svc_retry_delay(&p3, 40), UINT64_MAX);
}

/* ---- a simulated supervised service ---- */
#define SIZE 4096u
#define LOG 512u
static _Alignas(8) uint8_t mem[SIZE];

struct sim {
    struct arena a;
    struct dedup d;
    uint64_t generation;
    uint64_t down_until;    /* restarting (RS backoff) until then */
    int crash_next;         /* crash while handling the next request: 1 before commit, 2 after */
    int dedup;              /* the service checks (client, seq) */
    uint64_t applied;       /* how many ADDs were applied (test oracle) */
};

static uint64_t counter(const struct sim *s)
{
    uint64_t v;
    memcpy(&v, arena_data(&s->a), 8);
    return v;
}

static void sim_start(struct sim *s)
{
    CHECK_EQ(arena_attach(&s->a, mem, SIZE, 0, 0), ARENA_OK);
    CHECK_EQ(dedup_attach(&s->d, &s->a, 64, dedup_region_size(4)), 0);
    s->generation++;
}

/* One attempt of ADD(x) at time now from (client, seq). */
static enum svc_call_result sim_call(struct sim *s, uint64_t now, uint64_t client, uint64_t seq,
                                     uint64_t x, uint64_t *reply)
{
    if (now < s->down_until) return SVC_CALL_DEAD;
    struct dedup_reply saved;
    if (s->dedup && seq) {
        enum dedup_verdict v = dedup_check(&s->d, client, seq, &saved);
        if (v == DEDUP_DUPLICATE) {
            *reply = saved.mr[0];
            return SVC_CALL_OK;
        }
        CHECK_EQ(v, DEDUP_NEW);
    }
    uint64_t val = counter(s) + x;
    struct dedup_reply rep = { 0, 1, { val } };
    int err = arena_tx_begin(&s->a);
    if (!err) err = arena_tx_write(&s->a, 0, &val, 8);
    if (!err && s->dedup && seq) err = dedup_record(&s->d, client, seq, &rep);
    if (s->crash_next == 1) { /* dies before the commit word */
        arena_tx_abort(&s->a);
        s->crash_next = 0;
        s->down_until = now + 25;
        sim_start(s);
        return SVC_CALL_RESTARTED;
    }
    if (!err) err = arena_tx_commit(&s->a);
    CHECK_EQ(err, ARENA_OK);
    s->applied++;
    if (s->crash_next == 2) { /* dies after commit, before the reply */
        s->crash_next = 0;
        s->down_until = now + 25;
        sim_start(s);
        return SVC_CALL_RESTARTED;
    }
    *reply = val;
    return SVC_CALL_OK;
}

/* The client's loop: attempt, decide, wait (virtual time), re-resolve, repeat. */
static struct svc_decision client_add(struct sim *s, uint64_t *now, enum svc_op_kind kind,
                                      uint64_t client, uint64_t seq, uint64_t x, uint64_t *reply,
                                      uint32_t *attempts, uint32_t *resolves)
{
    struct svc_retry r;
    CHECK_EQ(svc_retry_begin(&r, &policy, kind, *now, seq), SVC_OK);
    *attempts = *resolves = 0;
    for (uint32_t guard = 0; guard < 100; guard++) {
        (*attempts)++;
        enum svc_call_result res = sim_call(s, *now, client, kind == SVC_OP_DEDUPED ? seq : 0, x, reply);
        struct svc_decision d = svc_retry_decide(&r, res, *now);
        if (d.kind != SVC_RETRY) return d;
        CHECK(d.at > *now);
        *now = d.at;
        if (d.reresolve) (*resolves)++; /* names LOOKUP_IF_NEWER would run here */
    }
    CHECK(!"retry loop did not end");
    struct svc_decision none = { SVC_RETURN_ERROR, SVC_ERR_BAD_ARGS, 0, 0, 0 };
    return none;
}

static void sim_fresh(struct sim *s, int dedup)
{
    memset(s, 0, sizeof(*s));
    CHECK_EQ(arena_format(&s->a, mem, SIZE, LOG, 0, 0), ARENA_OK);
    sim_start(s);
    s->dedup = dedup;
}

static void test_timelines(void)
{
    struct sim s;
    uint64_t now = 1000, reply = 0;
    uint32_t attempts, resolves;
    struct svc_decision d;
    for (int when = 1; when <= 2; when++) {
        /* t=1000 call; crash (before/after commit); down until 1025; retries at 1010 (dead),
         * 1030 (up: applied or answered from the table). */
        sim_fresh(&s, 1);
        now = 1000;
        CHECK_EQ(client_add(&s, &now, SVC_OP_DEDUPED, 7, 1, 3, &reply, &attempts, &resolves).kind, SVC_RETURN_OK);
        s.crash_next = when;
        d = client_add(&s, &now, SVC_OP_DEDUPED, 7, 2, 5, &reply, &attempts, &resolves);
        CHECK_EQ(d.kind, SVC_RETURN_OK);
        CHECK_EQ(reply, 8);
        CHECK_EQ(counter(&s), 8);
        CHECK_EQ(s.applied, 2); /* exactly once each */
        CHECK_EQ(attempts, 3);
        CHECK_EQ(resolves, 2);
        CHECK_EQ(now, 1030);
        CHECK_EQ(s.generation, 2);
    }
    /* The same crash after commit with an UNSAFE op: the client is told it is in doubt
     * rather than applying twice. */
    sim_fresh(&s, 0);
    now = 0;
    s.crash_next = 2;
    d = client_add(&s, &now, SVC_OP_UNSAFE, 7, 0, 5, &reply, &attempts, &resolves);
    CHECK_EQ(d.kind, SVC_RETURN_ERROR);
    CHECK_EQ(d.err, SVC_ERR_IN_DOUBT);
    CHECK_EQ(attempts, 1);
    /* IDEMPOTENT without dedup would apply twice here: the declaration matters (this is what
     * SVC_OP_DEDUPED is for). */
    sim_fresh(&s, 0);
    now = 0;
    s.crash_next = 2;
    d = client_add(&s, &now, SVC_OP_IDEMPOTENT, 7, 0, 5, &reply, &attempts, &resolves);
    CHECK_EQ(d.kind, SVC_RETURN_OK);
    CHECK_EQ(s.applied, 2);
    /* The service stays down: the client gives up when attempts run out. */
    sim_fresh(&s, 1);
    now = 0;
    s.down_until = UINT64_MAX;
    d = client_add(&s, &now, SVC_OP_DEDUPED, 7, 1, 5, &reply, &attempts, &resolves);
    CHECK_EQ(d.kind, SVC_RETURN_ERROR);
    CHECK_EQ(d.err, SVC_ERR_DEAD);
    CHECK_EQ(attempts, policy.max_attempts);
    CHECK_EQ(now, 10 + 20 + 40 + 80 + 80);
    CHECK_EQ(s.applied, 0);
}

/* Random outcomes, kinds, policies and clocks: the loop always ends within max_attempts,
 * a retry is never scheduled before now or past the deadline, and a retried request keeps
 * its sequence number. */
static void test_random_properties(void)
{
    uint64_t x = 88172645463325252ull;
    int bad = 0;
    for (int round = 0; round < 20000; round++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        struct svc_retry_policy p = { 1 + (uint32_t)(x % 7), x % 50, 0, (x >> 8) % 3 ? (x >> 16) % 500 : 0 };
        p.max_ms = p.first_ms + (x >> 24) % 200;
        uint64_t now = (x >> 4) % 4 == 0 ? UINT64_MAX - (x >> 32) % 100 : (x >> 32) % 10000;
        uint64_t start = now, seq = 1 + (x >> 40) % 9;
        enum svc_op_kind kind = (enum svc_op_kind)((x >> 50) % 3);
        struct svc_retry r;
        if (svc_retry_begin(&r, &p, kind, now, seq) != SVC_OK) { bad++; continue; }
        uint32_t attempts = 0;
        for (;;) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            enum svc_call_result res = (enum svc_call_result)(x % 8 == 0 ? SVC_CALL_OK : 1 + x % 2);
            attempts++;
            struct svc_decision d = svc_retry_decide(&r, res, now);
            if (d.kind != SVC_RETRY) {
                if (res == SVC_CALL_OK && d.kind != SVC_RETURN_OK) bad++;
                if (res == SVC_CALL_RESTARTED && kind == SVC_OP_UNSAFE && d.err != SVC_ERR_IN_DOUBT) bad++;
                break;
            }
            if (d.at < now || d.seq != seq || attempts >= p.max_attempts) bad++;
            if (p.deadline_ms && start <= UINT64_MAX - p.deadline_ms && d.at > start + p.deadline_ms) bad++;
            if (res == SVC_CALL_RESTARTED && kind == SVC_OP_UNSAFE) bad++;
            now = d.at;
            if (attempts > 10) {
                bad++;
                break;
            }
        }
    }
    CHECK_EQ(bad, 0);
}

int main(void)
{
    test_decisions();
    test_random_properties();
    test_timelines();
    CHECK(strcmp(svc_err_name(SVC_ERR_IN_DOUBT), "SVC_ERR_IN_DOUBT") == 0);
    return check_result("svcclient_retry_test");
}
