/*
 * The whole "clients survive restarts" story on the host, with the real cores and codecs:
 * the RS binds "kv" in the name registry; a client looks it up (a cap badged with its id),
 * writes with sequence numbers; the kv service dies after committing an APPEND but before
 * replying; the RS restarts it (same endpoint, generation + 1); the client's retry logic
 * re-resolves (LOOKUP_IF_NEWER) and repeats the APPEND with the same sequence number,
 * which the new incarnation answers from its exactly-once table.
 */
#include <string.h>
#include "check.h"
#include "kv/core/kv.h"
#include "kv/protocol/errors.h"
#include "names/core/registry.h"
#include "names/protocol/errors.h"
#include "store/protocol/messages.h"
#include "svcclient/core/retry.h"

#define SIZE 16384u
static _Alignas(8) uint8_t kv_arena[SIZE]; /* owned by the RS; outlives kv incarnations */
static struct names_registry reg;
static uint64_t clock_ms;

/* The kv service: one incarnation = one attach of the arena. */
static struct arena arena;
static struct kv kv;
static uint64_t kv_generation;
static int kv_up;

static void kv_start(void)
{
    CHECK_EQ(arena_attach(&arena, kv_arena, SIZE, 0, 0), ARENA_OK);
    CHECK_EQ(kv_attach(&kv, &arena, 16, 4), KV_OK);
    kv_generation++;
    kv_up = 1;
}

/* The RS: starts (or restarts) kv and binds its name; the endpoint cap goes with the
 * first BIND only (it survives restarts). */
static void rs_start_kv(void)
{
    kv_start();
    struct names_request q = { 0 };
    q.op = NAMES_OP_BIND;
    memcpy(q.name.s, "kv", 3);
    q.generation = kv_generation;
    q.ncaps = kv_generation == 1;
    struct names_plan p;
    CHECK_EQ(names_check(&reg, NAMES_RS_BADGE, &q, &p), NAMES_OK);
    names_apply(&reg, &p);
}

/* The client's view of the registry. */
static int lookup(uint64_t client, uint32_t op, uint64_t known, uint64_t *gen)
{
    struct names_request q = { 0 }, d;
    uint64_t label, mr[NAMES_MAX_MRS];
    q.op = op;
    memcpy(q.name.s, "kv", 3);
    q.generation = known;
    unsigned n = names_encode_request(&q, &label, mr);
    int err = names_decode_request(label, mr, n, 0, &d);
    struct names_plan p;
    if (err == NAMES_OK) err = names_check(&reg, client, &d, &p);
    if (err == NAMES_OK) {
        CHECK_EQ(p.mint_badge, client); /* the service will see the client's own id */
        *gen = p.mr[0];
    }
    return err;
}

/* One call to kv; `die_after_commit` kills the service after it handled the request. */
static enum svc_call_result call_kv(uint64_t client, const struct kv_request *q, struct kv_reply *rep,
                                    int die_after_commit)
{
    memset(rep, 0, sizeof(*rep));
    if (!kv_up) return SVC_CALL_DEAD;
    uint64_t label, mr[KV_REQUEST_MAX_MRS];
    static struct kv_request d;
    unsigned n = kv_encode_request(q, &label, mr);
    int err = kv_decode_request(label, mr, n, 0, &d);
    if (err != KV_OK) {
        rep->err = err;
        rep->mrs = 0;
        return SVC_CALL_OK;
    }
    kv_handle(&kv, client, &d, rep);
    if (die_after_commit) {
        kv_up = 0; /* the reply is lost with the process */
        return SVC_CALL_RESTARTED;
    }
    return SVC_CALL_OK;
}

static struct kv_request append(uint64_t seq, const char *v)
{
    struct kv_request q;
    memset(&q, 0, sizeof(q));
    q.op = KV_OP_APPEND;
    q.seq = seq;
    q.klen = 1;
    q.key[0] = 'k';
    q.vlen = (uint32_t)strlen(v);
    memcpy(q.value, v, q.vlen);
    return q;
}

int main(void)
{
    struct arena fa;
    CHECK_EQ(arena_format(&fa, kv_arena, SIZE, 1024, 0, 0), ARENA_OK);
    names_init(&reg, 100, 200);
    rs_start_kv();
    const uint64_t me = 5;
    uint64_t gen = 0;
    CHECK_EQ(lookup(me, NAMES_OP_LOOKUP, 0, &gen), NAMES_OK);
    CHECK_EQ(gen, 1);

    struct kv_reply rep;
    struct kv_request q = append(1, "ab");
    CHECK_EQ(call_kv(me, &q, &rep, 0), SVC_CALL_OK);
    CHECK_EQ(rep.err, KV_OK);
    CHECK_EQ(rep.mr[0], 2);

    /* APPEND "cd" with seq 2: committed, then kv dies before replying. */
    static const struct svc_retry_policy policy = { 5, 10, 100, 1000 };
    struct svc_retry r;
    CHECK_EQ(svc_retry_begin(&r, &policy, SVC_OP_DEDUPED, clock_ms, 2), SVC_OK);
    q = append(2, "cd");
    enum svc_call_result res = call_kv(me, &q, &rep, 1);
    int attempts = 1, rs_restarted = 0;
    for (struct svc_decision dec = svc_retry_decide(&r, res, clock_ms); dec.kind == SVC_RETRY;
         dec = svc_retry_decide(&r, res, clock_ms)) {
        clock_ms = dec.at;
        if (clock_ms >= 25 && !rs_restarted) { /* the RS's backoff ends: kv gen 2 */
            rs_start_kv();
            rs_restarted = 1;
        }
        uint64_t g2 = 0;
        int lerr = lookup(me, NAMES_OP_LOOKUP_IF_NEWER, gen, &g2);
        if (lerr == NAMES_OK) gen = g2;
        else CHECK_EQ(lerr, NAMES_ERR_NOT_NEWER); /* same generation: keep the cap */
        q = append(dec.seq, "cd");
        res = call_kv(me, &q, &rep, 0);
        attempts++;
        CHECK(attempts < 10);
    }
    CHECK_EQ(rep.err, KV_OK);
    CHECK_EQ(rep.mr[0], 4); /* "abcd": the reply of the one application */
    CHECK_EQ(gen, 2);
    CHECK_EQ(attempts, 3);  /* t=0 restarted, t=10 dead, t=30 answered from the table */

    /* The value holds "cd" once. */
    struct kv_request g;
    memset(&g, 0, sizeof(g));
    g.op = KV_OP_GET;
    g.klen = 1;
    g.key[0] = 'k';
    CHECK_EQ(call_kv(me, &g, &rep, 0), SVC_CALL_OK);
    uint8_t v[KV_VALUE_MAX];
    CHECK_EQ(rep.mr[0], 4);
    CHECK(store_unpack_value(rep.mr + 1, rep.mrs - 1, 4, v) == 0 && memcmp(v, "abcd", 4) == 0);

    /* Another client is distinct: its seq 2 is new to the service. */
    q = append(2, "!");
    CHECK_EQ(call_kv(6, &q, &rep, 0), SVC_CALL_OK);
    CHECK_EQ(rep.mr[0], 5);
    printf("restart story: kv generation %llu, value applied once after %d attempts\n",
           (unsigned long long)gen, attempts);
    return check_result("svcclient_restart_story_test");
}
