/*
 * kv over the store: a write the store answered with an error is checked against what
 * the store holds (kvb_held, kvb_verdict).  A stand-in store that committed and answered
 * an error, one that holds the old blobs, and ones that committed bytes that differ from
 * the request (a value byte, a torn pair, a lost blob): each must get its verdict -- the
 * change taken (KV_OK), nothing changed (KV_ERR_INTERNAL), or kv's copy no longer
 * trusted (KV_ERR_CORRUPT: kv reloads).  Negative control: a kv that trusts the error
 * answer (as before) keeps a copy that differs from what a restart loads.
 */
#include <stdbool.h>
#include <string.h>
#include "check.h"
#include "kv/core/kv_blobs.h"
#include "kv/protocol/errors.h"

static struct kvb k, reloaded;
static struct kvb_write w;
static struct kv_request q;
static struct kv_reply rep;

static void request(uint32_t op, uint64_t seq, const char *key, const char *value)
{
    memset(&q, 0, sizeof(q));
    q.op = op;
    q.seq = seq;
    q.klen = (uint32_t)strlen(key);
    memcpy(q.key, key, q.klen);
    q.vlen = (uint32_t)strlen(value);
    memcpy(q.value, value, q.vlen);
    kvb_handle(&k, 5, &q, &rep, &w);
}

/* The verdict when the store holds, for each blob, `kind` (0 new, 1 old, 2 new with
 * one byte changed, 3 absent). */
static int verdict(int a, int b)
{
    enum kvb_held held[2];
    int kinds[2] = { a, b };
    for (unsigned i = 0; i < w.n && i < 2; i++) {
        static uint8_t v[STORE_VALUE_MAX];
        uint32_t len = w.b[i].len;
        memcpy(v, w.b[i].value, len);
        bool found = kinds[i] != 3;
        if (kinds[i] == 1) { /* k's current blob: slot 0 holds "ab", record seq 1 */
            static struct kvb_write before;
            struct kv_reply r;
            struct kvb empty;
            CHECK_EQ(kvb_init(&empty, 4, 2), KV_OK);
            struct kv_request q1 = q;
            q1.seq = 1;
            q1.vlen = 2;
            memcpy(q1.value, "ab", 2);
            kvb_handle(&empty, 5, &q1, &r, &before);
            len = before.b[i].len;
            memcpy(v, before.b[i].value, len);
        }
        if (kinds[i] == 2) v[len - 1] ^= 0x40;
        held[i] = kvb_held(&k, &w, i, found, v, len);
    }
    return kvb_verdict(held, w.n);
}

int main(void)
{
    CHECK_EQ(kvb_init(&k, 4, 2), KV_OK);
    request(KV_OP_APPEND, 1, "cw", "ab");
    CHECK_EQ(w.n, 2);
    CHECK_EQ(kvb_apply(&k, &w), KV_OK);
    request(KV_OP_APPEND, 2, "cw", "c"); /* entry "abc", record seq 2 */
    CHECK_EQ(rep.err, KV_OK);
    CHECK_EQ(w.n, 2);
    CHECK_EQ(verdict(0, 0), KV_OK);             /* committed, answered an error */
    CHECK_EQ(verdict(1, 1), KV_ERR_INTERNAL);   /* refused: the old blobs */
    CHECK_EQ(verdict(2, 0), KV_ERR_CORRUPT);    /* a value byte that was never sent */
    CHECK_EQ(verdict(0, 2), KV_ERR_CORRUPT);    /* a record that was never written */
    CHECK_EQ(verdict(0, 1), KV_ERR_CORRUPT);    /* torn: entry new, record old */
    CHECK_EQ(verdict(1, 0), KV_ERR_CORRUPT);
    CHECK_EQ(verdict(3, 0), KV_ERR_CORRUPT);    /* the entry gone */
    CHECK_EQ(verdict(1, 3), KV_ERR_CORRUPT);    /* k has a record, the store none */
    /* A first write to an empty slot and record: absent blobs are the old state. */
    struct kvb fresh;
    CHECK_EQ(kvb_init(&fresh, 4, 2), KV_OK);
    k = fresh;
    request(KV_OP_PUT, 1, "p", "v");
    CHECK_EQ(verdict(3, 3), KV_ERR_INTERNAL);
    CHECK_EQ(verdict(0, 0), KV_OK);
    CHECK_EQ(verdict(0, 3), KV_ERR_CORRUPT);
    CHECK_EQ(kvb_held(&k, &w, 2, 1, w.b[0].value, w.b[0].len), KVB_HELD_OTHER);
    CHECK_EQ(kvb_verdict(NULL, 0), KV_ERR_CORRUPT);

    /* The digests a store's OK answer carries confirm exactly the blobs sent. */
    uint64_t dg[2] = { store_value_digest(w.b[0].value, w.b[0].len), store_value_digest(w.b[1].value, w.b[1].len) };
    CHECK(kvb_confirmed(&w, dg, 2));
    CHECK(!kvb_confirmed(&w, dg, 1));     /* a digest missing */
    CHECK(!kvb_confirmed(&w, dg, 0));     /* an answer without digests (another store) */
    dg[1] ^= 1;                           /* the record committed differently */
    CHECK(!kvb_confirmed(&w, dg, 2));
    dg[1] ^= 1;
    dg[0] = 0;                            /* not found under kv's owner (a made-up owner) */
    CHECK(!kvb_confirmed(&w, dg, 2));

    /* Negative control: the store committed and answered an error; a kv that trusts the
     * error keeps its copy, which is not what a restart loads from the store. */
    k = fresh;
    request(KV_OP_APPEND, 1, "cw", "x");
    CHECK_EQ(kvb_init(&reloaded, 4, 2), KV_OK);
    for (unsigned i = 0; i < w.n; i++) CHECK_EQ(kvb_load(&reloaded, &w.b[i].name, w.b[i].value, w.b[i].len), KV_OK);
    CHECK(memcmp(&k, &reloaded, sizeof(k)) != 0);   /* trusting the error: they differ */
    CHECK_EQ(verdict(0, 0), KV_OK);                 /* the check takes the change ... */
    CHECK_EQ(kvb_apply(&k, &w), KV_OK);
    CHECK(memcmp(&k, &reloaded, sizeof(k)) == 0);   /* ... and the copy is the store's */
    return check_result("kv_blobs_verify_test");
}
