/*
 * Model test of kv over the state store (core/kv_blobs.h) with random crashes.  Four
 * clients send random PUT, APPEND (not idempotent), DELETE and GET requests with sequence
 * numbers; a stand-in store keeps the blobs (its PUT2 writes both or neither, as the
 * store's transaction does).  kv dies at random: before its store write, or after it and
 * before the reply; each new incarnation is rebuilt from the blobs alone.  A client
 * repeats its request until a reply arrives.  Checked after every request against a plain
 * model: the reply is the one a single application gives, every acknowledged change is
 * visible, none is applied twice.  Negative control: with the entry and the record
 * written by two separate PUTs (a crash may fall between them), the same run must find
 * requests applied twice.
 */
#include <stdbool.h>
#include <string.h>
#include "check.h"
#include "crash.h"
#include "kv/core/kv_blobs.h"
#include "kv/protocol/errors.h"
#include "store/protocol/messages.h"

#define ENTRIES 12u
#define CLIENTS 4u
#define KEYS 16u
#define ROUNDS 4000

/* The stand-in store: blob i of kind e/c, present or not. */
struct fake_blob {
    bool present;
    uint32_t len;
    uint8_t value[STORE_VALUE_MAX];
};
static struct fake_blob store_e[KVB_ENTRIES_MAX], store_c[KVB_CLIENTS_MAX];
static struct kvb kv;
static bool split; /* negative control: entry and record in two separate writes */

static struct fake_blob *blob_at(const struct svc_name *name)
{
    uint32_t i = (uint32_t)(name->s[1] - '0') * 10u + (uint32_t)(name->s[2] - '0');
    return name->s[0] == 'e' ? &store_e[i] : &store_c[i];
}

static void store_put(const struct kvb_blob *b)
{
    struct fake_blob *f = blob_at(&b->name);
    f->present = true;
    f->len = b->len;
    memcpy(f->value, b->value, b->len);
}

/* A new incarnation: the table rebuilt from the blobs only. */
static void start(void)
{
    CHECK_EQ(kvb_init(&kv, ENTRIES, CLIENTS), KV_OK);
    struct svc_name n;
    for (uint32_t i = 0; i < ENTRIES; i++) {
        kvb_blob_name('e', i, &n);
        if (store_e[i].present) CHECK_EQ(kvb_load(&kv, &n, store_e[i].value, store_e[i].len), KV_OK);
    }
    for (uint32_t i = 0; i < CLIENTS; i++) {
        kvb_blob_name('c', i, &n);
        if (store_c[i].present) CHECK_EQ(kvb_load(&kv, &n, store_c[i].value, store_c[i].len), KV_OK);
    }
    CHECK_EQ(kvb_check(&kv), KV_OK);
}

static void kv_handle(struct kvb *k, uint64_t badge, const struct kv_request *q, struct kv_reply *r)
{
    static struct kvb_write w;
    kvb_handle(k, badge, q, r, &w);
    CHECK_EQ(w.n, 0);
}
struct model_entry {
    int used;
    uint32_t vlen;
    uint8_t value[KV_VALUE_MAX];
};
static struct model_entry model[KEYS];
static uint64_t next_seq[CLIENTS + 1];
static int crashes, duplicates, acked_changes;

static void key_of(uint32_t i, struct kv_request *q)
{
    q->klen = 1 + i % 5; /* different lengths, same prefix bytes */
    memset(q->key, 0, sizeof(q->key));
    for (uint32_t j = 0; j < q->klen; j++) q->key[j] = (uint8_t)('a' + i + j);
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

/* Sends q from `client` until a reply gets through; kv dies at random before its store
 * write, between the two writes of the negative control, or after the write. */
static struct kv_reply deliver(uint64_t client, const struct kv_request *q)
{
    static struct kvb_write w;
    struct kv_reply r;
    for (int attempt = 0;; attempt++) {
        start();
        kvb_handle(&kv, client, q, &r, &w);
        int crash_at = attempt < 5 && test_rand() % 3 == 0 ? (int)(test_rand() % 3) : -1;
        if (crash_at == 0) { /* before the write */
            crashes++;
            continue;
        }
        if (w.n > 0) {
            if (split) {
                store_put(&w.b[0]);
                if (crash_at == 1) {
                    crashes++;
                    continue;
                }
                for (unsigned i = 1; i < w.n; i++) store_put(&w.b[i]);
            } else {
                for (unsigned i = 0; i < w.n; i++) store_put(&w.b[i]); /* PUT2: one transaction */
            }
            CHECK_EQ(kvb_apply(&kv, &w), KV_OK);
        }
        if (crash_at >= 1) { /* written, the reply lost */
            crashes++;
            continue;
        }
        return r;
    }
}

static void reset(void)
{
    memset(store_e, 0, sizeof(store_e));
    memset(store_c, 0, sizeof(store_c));
    memset(model, 0, sizeof(model));
    memset(next_seq, 0, sizeof(next_seq));
    crashes = duplicates = acked_changes = 0;
    start();
}

/* The random run; returns the number of mismatches with the model (stops at 5). */
static int run(void)
{
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
            if (!split) {
                fprintf(stderr, "round %d: op %u reply %s/%llu, model %s/%llu\n", round, q.op,
                        kv_err_name(got.err), (unsigned long long)got.mr[0], kv_err_name(want.err),
                        (unsigned long long)want.mr[0]);
            }
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
            if (deliver(client, &q).err != KV_ERR_STALE_SEQ) mismatches++;
        }
        if (!state_matches()) {
            if (!split) fprintf(stderr, "round %d: state differs from the model\n", round);
            mismatches++;
        }
    }
    return mismatches;
}

/* Blobs that are not what kv writes are refused whole; a fifth client is told BUSY. */
static void test_validation(void)
{
    struct kvb k;
    struct svc_name n;
    uint8_t v[STORE_VALUE_MAX] = { 0 };
    CHECK_EQ(kvb_init(&k, 4, 2), KV_OK);
    CHECK_EQ(kvb_init(&k, KVB_ENTRIES_MAX + 1, 2), KV_ERR_BAD_REQUEST);
    CHECK_EQ(kvb_init(&k, 4, 2), KV_OK);
    kvb_blob_name('e', 4, &n);
    CHECK_EQ(kvb_load(&k, &n, v, KVB_ENTRY_HEADER), KV_ERR_BAD_REQUEST); /* beyond the table */
    kvb_blob_name('e', 1, &n);
    CHECK_EQ(kvb_load(&k, &n, v, KVB_ENTRY_HEADER), KV_OK);             /* a free slot */
    CHECK_EQ(kvb_load(&k, &n, v, KVB_ENTRY_HEADER - 1), KV_ERR_CORRUPT);
    v[0] = 2; /* klen 2, vlen 3, key "ab", value "xyz" */
    v[4] = 3;
    v[8] = 'a';
    v[9] = 'b';
    memcpy(v + KVB_ENTRY_HEADER, "xyz", 3);
    CHECK_EQ(kvb_load(&k, &n, v, KVB_ENTRY_HEADER + 2), KV_ERR_CORRUPT); /* length disagrees */
    v[10] = 'c'; /* a byte after the key */
    CHECK_EQ(kvb_load(&k, &n, v, KVB_ENTRY_HEADER + 3), KV_ERR_CORRUPT);
    v[10] = 0;
    CHECK_EQ(kvb_load(&k, &n, v, KVB_ENTRY_HEADER + 3), KV_OK);
    kvb_blob_name('e', 2, &n);
    CHECK_EQ(kvb_load(&k, &n, v, KVB_ENTRY_HEADER + 3), KV_OK);
    CHECK_EQ(kvb_check(&k), KV_ERR_CORRUPT); /* "ab" in two slots */
    uint8_t rec[KVB_RECORD_BYTES] = { 0 };
    kvb_blob_name('c', 0, &n);
    CHECK_EQ(kvb_load(&k, &n, rec, sizeof(rec)), KV_ERR_CORRUPT); /* badge 0 */
    rec[0] = 5;
    rec[8] = 1;
    CHECK_EQ(kvb_load(&k, &n, rec, sizeof(rec)), KV_OK);
    rec[16] = KV_ERR_COUNT;
    CHECK_EQ(kvb_load(&k, &n, rec, sizeof(rec)), KV_ERR_CORRUPT); /* no such reply */
    memset(v, 0xff, 8);
    strcpy(n.s, "x01");
    CHECK_EQ(kvb_load(&k, &n, v, 8), KV_ERR_BAD_REQUEST);
    /* BUSY: both record slots taken by other clients */
    CHECK_EQ(kvb_init(&k, 4, 1), KV_OK);
    kvb_blob_name('c', 0, &n);
    rec[16] = 0;
    CHECK_EQ(kvb_load(&k, &n, rec, sizeof(rec)), KV_OK);
    struct kv_request q;
    memset(&q, 0, sizeof(q));
    q.op = KV_OP_PUT;
    q.seq = 1;
    key_of(0, &q);
    struct kv_reply r;
    static struct kvb_write w;
    kvb_handle(&k, 6, &q, &r, &w);
    CHECK_EQ(r.err, KV_ERR_BUSY);
    CHECK_EQ(w.n, 0);
    q.seq = 0; /* without a sequence number: the entry only */
    kvb_handle(&k, 6, &q, &r, &w);
    CHECK_EQ(r.err, KV_OK);
    CHECK_EQ(w.n, 1);
    CHECK_EQ(w.b[0].name.s[0], 'e');
    kvb_handle(&k, 0, &q, &r, &w);
    CHECK_EQ(r.err, KV_ERR_DENIED);
}

int main(void)
{
    (void)crash_store; /* crash.h's byte-level crashes are for the arena; here kv dies between calls */
    CHECK(KVB_QUOTA_BYTES <= 16384u);
    test_validation();
    reset();
    int mismatches = run();
    CHECK_EQ(mismatches, 0);
    CHECK(crashes > ROUNDS / 4);
    printf("kv over the store, model: %d requests (%d applied), %d crashes, %d late duplicates\n", ROUNDS,
           acked_changes, crashes, duplicates);
    split = true;
    reset();
    int bad = run();
    CHECK(bad > 0);
    printf("kv over the store, negative control (entry and record in two writes): %d mismatches found\n", bad);
    return check_result("kv_blobs_model_test");
}
