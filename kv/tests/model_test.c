/*
 * Model test of the key-value core with random crashes.  Four clients send random PUT,
 * APPEND (not idempotent), DELETE and GET requests with sequence numbers; the service
 * dies at a random byte of a random share of its requests, and sometimes again while
 * recovering, and is re-attached from the arena as the next incarnation would be.  A
 * client repeats its request until a reply arrives.  Checked after every request against
 * a plain in-memory model: the reply is the one the model gives for a single application,
 * every acknowledged change is visible, none is applied twice.
 */
#include <string.h>
#include "check.h"
#include "crash.h"
#include "kv/core/kv.h"
#include "kv/protocol/errors.h"
#include "store/protocol/messages.h"

#define ENTRIES 12u
#define CLIENTS 4u
#define KEYS 16u
#define ROUNDS 4000
#define SIZE (8192u + 4096u)
#define LOG 1024u

static _Alignas(8) uint8_t mem[SIZE];
static struct arena arena;
static struct kv kv;

struct model_entry {
    int used;
    uint32_t vlen;
    uint8_t value[KV_VALUE_MAX];
};
static struct model_entry model[KEYS];
static uint64_t next_seq[CLIENTS + 1];
static int crashes, recovery_crashes, duplicates, acked_changes;

static void key_of(uint32_t i, struct kv_request *q)
{
    q->klen = 1 + i % 5; /* different lengths, same prefix bytes */
    memset(q->key, 0, sizeof(q->key));
    for (uint32_t j = 0; j < q->klen; j++) q->key[j] = (uint8_t)('a' + i + j);
}

/* A new incarnation attaches (and recovers); 0 if it died while recovering. */
static int start(struct crash *c)
{
    CHECK_EQ(arena_attach(&arena, mem, SIZE, c ? crash_store : 0, c), ARENA_OK);
    if (c && c->crashed) return 0;
    CHECK_EQ(kv_attach(&kv, &arena, ENTRIES, CLIENTS), KV_OK);
    return 1;
}

/* The reply one application gives, and the model after it. */
static struct kv_reply model_apply(uint32_t ki, const struct kv_request *q)
{
    struct kv_reply r = { 0 };
    struct model_entry *e = &model[ki];
    uint32_t used = 0;
    for (uint32_t i = 0; i < KEYS; i++) used += model[i].used;
    if (q->op == KV_OP_DELETE) {
        if (!e->used) r.err = KV_ERR_NOT_FOUND;
        else e->used = 0;
        return r;
    }
    uint32_t old = q->op == KV_OP_APPEND && e->used ? e->vlen : 0;
    if (old + q->vlen > KV_VALUE_MAX) {
        r.err = KV_ERR_TOO_BIG;
        return r;
    }
    if (!e->used && used == ENTRIES) {
        r.err = KV_ERR_FULL;
        return r;
    }
    r.mrs = 1;
    r.mr[0] = q->op == KV_OP_PUT ? !e->used : old + q->vlen;
    if (q->op == KV_OP_PUT || !e->used) memset(e->value, 0, sizeof(e->value));
    memcpy(e->value + old, q->value, q->vlen);
    e->vlen = old + q->vlen;
    e->used = 1;
    return r;
}

/* Every key as GET sees it equals the model; LIST counts the same entries. */
static int state_matches(void)
{
    struct kv_request q;
    struct kv_reply r;
    uint32_t count = 0;
    for (uint32_t i = 0; i < KEYS; i++) {
        memset(&q, 0, sizeof(q));
        q.op = KV_OP_GET;
        key_of(i, &q);
        kv_handle(&kv, 1, &q, &r);
        if (!model[i].used) {
            if (r.err != KV_ERR_NOT_FOUND) return 0;
            continue;
        }
        count++;
        uint8_t v[KV_VALUE_MAX];
        if (r.err != KV_OK || r.mr[0] != model[i].vlen) return 0;
        if (store_unpack_value(r.mr + 1, r.mrs - 1, model[i].vlen, v) != 0) return 0;
        if (memcmp(v, model[i].value, model[i].vlen) != 0) return 0;
    }
    memset(&q, 0, sizeof(q));
    q.op = KV_OP_LIST;
    q.index = count;
    kv_handle(&kv, 1, &q, &r);
    if (r.err != KV_ERR_NOT_FOUND) return 0;
    if (count == 0) return 1;
    q.index = count - 1;
    kv_handle(&kv, 1, &q, &r);
    return r.err == KV_OK;
}

/* Sends q from `client` until a reply gets through, crashing the service at random. */
static struct kv_reply deliver(uint64_t client, const struct kv_request *q)
{
    struct kv_reply r;
    for (int attempt = 0;; attempt++) {
        int crash_now = attempt < 5 && test_rand() % 3 == 0;
        struct crash c = crash_after(crash_now ? (uint64_t)(test_rand() % 700) : UINT64_MAX);
        if (start(&c)) {
            kv_handle(&kv, client, q, &r);
            if (!c.crashed) return r;
        }
        crashes++;
        if (test_rand() % 4 == 0) { /* dies again during recovery */
            struct crash c2 = crash_after((uint64_t)(test_rand() % 400));
            CHECK_EQ(arena_attach(&arena, mem, SIZE, crash_store, &c2), ARENA_OK);
            recovery_crashes += c2.crashed;
        }
    }
}

int main(void)
{
    CHECK_EQ(arena_format(&arena, mem, SIZE, LOG, 0, 0), ARENA_OK);
    CHECK(kv_region_size(ENTRIES, CLIENTS) <= arena_data_size(&arena));
    CHECK(start(0));
    test_srand(12345);
    int mismatches = 0;
    for (int round = 0; round < ROUNDS && mismatches < 5; round++) {
        uint64_t client = 1 + (uint64_t)(test_rand() % CLIENTS);
        uint32_t ki = (uint32_t)test_rand() % KEYS;
        struct kv_request q;
        memset(&q, 0, sizeof(q));
        static const uint32_t ops[4] = { KV_OP_PUT, KV_OP_APPEND, KV_OP_DELETE, KV_OP_APPEND };
        q.op = ops[test_rand() % 4];
        key_of(ki, &q);
        q.vlen = q.op == KV_OP_DELETE ? 0 : (uint32_t)(test_rand() % 90);
        for (uint32_t j = 0; j < q.vlen; j++) q.value[j] = (uint8_t)test_rand();
        q.seq = ++next_seq[client];
        struct kv_reply want = model_apply(ki, &q);
        struct kv_reply got = deliver(client, &q);
        if (got.err != want.err || got.mrs != want.mrs || (want.mrs && got.mr[0] != want.mr[0])) {
            fprintf(stderr, "round %d: op %u reply %s/%llu, model %s/%llu\n", round, q.op,
                    kv_err_name(got.err), (unsigned long long)got.mr[0], kv_err_name(want.err),
                    (unsigned long long)want.mr[0]);
            mismatches++;
        }
        acked_changes += want.err == KV_OK;
        /* A late duplicate of the request is answered the same and changes nothing. */
        if (test_rand() % 8 == 0) {
            struct kv_reply again = deliver(client, &q);
            duplicates++;
            if (again.err != want.err || (want.mrs && again.mr[0] != want.mr[0])) mismatches++;
        }
        /* An older sequence number is refused. */
        if (q.seq > 1 && test_rand() % 16 == 0) {
            q.seq--;
            CHECK_EQ(deliver(client, &q).err, KV_ERR_STALE_SEQ);
        }
        if (!state_matches()) {
            fprintf(stderr, "round %d: state differs from the model\n", round);
            mismatches++;
        }
    }
    CHECK_EQ(mismatches, 0);
    CHECK(crashes > ROUNDS / 4);
    CHECK(recovery_crashes > 0);
    printf("kv model: %d requests (%d applied), %d service crashes (%d more during recovery), "
           "%d late duplicates\n", ROUNDS, acked_changes, crashes, recovery_crashes, duplicates);
    return check_result("kv_model_test");
}
