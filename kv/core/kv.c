/* Key-value core: validation, requests, exactly-once transactions (see kv.h). */
#include <string.h>
#include "kv/core/kv.h"
#include "kv/protocol/errors.h"
#include "store/protocol/messages.h"

struct kv_entry {
    uint32_t klen, vlen;
    uint8_t key[KV_KEY_MAX + 1];
    uint8_t value[KV_VALUE_MAX];
    uint64_t sum;
};
_Static_assert(sizeof(struct kv_entry) == KV_ENTRY_SIZE, "kv entry layout");

static uint64_t entry_sum(const struct kv_entry *e)
{
    return arena_fnv(ARENA_FNV_START, e, KV_ENTRY_SIZE - 8);
}

uint32_t kv_region_size(uint32_t n, uint32_t clients)
{
    return n * KV_ENTRY_SIZE + dedup_region_size(clients);
}

uint32_t kv_log_need(void) { return arena_log_cost(KV_ENTRY_SIZE) + arena_log_cost(DEDUP_REC_SIZE); }

static void get(const struct kv *k, uint32_t i, struct kv_entry *e)
{
    memcpy(e, arena_data(k->a) + i * KV_ENTRY_SIZE, sizeof(*e));
}

static uint32_t get_klen(const struct kv *k, uint32_t i)
{
    uint32_t v;
    memcpy(&v, arena_data(k->a) + i * KV_ENTRY_SIZE, 4);
    return v;
}

static int find(const struct kv *k, const uint8_t *key, uint32_t klen)
{
    const uint8_t *d = arena_data(k->a);
    for (uint32_t i = 0; i < k->n; i++) {
        if (get_klen(k, i) == klen && memcmp(d + i * KV_ENTRY_SIZE + 8, key, klen) == 0) return (int)i;
    }
    return -1;
}

static int entry_valid(const struct kv *k, uint32_t i)
{
    static struct kv_entry e;
    get(k, i, &e);
    if (e.klen > KV_KEY_MAX || e.vlen > KV_VALUE_MAX || e.sum != entry_sum(&e)) return 0;
    for (uint32_t j = e.klen; j <= KV_KEY_MAX; j++) {
        if (e.key[j]) return 0;
    }
    for (uint32_t j = e.vlen; j < KV_VALUE_MAX; j++) {
        if (e.value[j]) return 0;
    }
    return find(k, e.key, e.klen) == (int)i; /* first with this key */
}

int kv_attach(struct kv *k, struct arena *a, uint32_t n, uint32_t clients)
{
    k->a = a;
    k->n = n;
    uint64_t need = (uint64_t)n * KV_ENTRY_SIZE + dedup_region_size(clients);
    if (n == 0 || clients == 0 || need > arena_data_size(a) || a->log_cap < kv_log_need()) {
        return KV_ERR_BAD_REQUEST;
    }
    if (dedup_attach(&k->d, a, n * KV_ENTRY_SIZE, dedup_region_size(clients)) != 0) return KV_ERR_CORRUPT;
    for (uint32_t i = 0; i < n; i++) {
        if (get_klen(k, i) != 0 && !entry_valid(k, i)) return KV_ERR_CORRUPT;
    }
    return KV_OK;
}

/* The outcome of a changing request, decided before anything is written. */
struct change {
    int err;
    int write;   /* write entry `index` (klen 0: free it) */
    uint32_t index;
    struct kv_entry e;
    unsigned mrs;
    uint64_t mr0;
};

static void plan(const struct kv *k, const struct kv_request *q, struct change *c)
{
    int i = find(k, q->key, q->klen);
    memset(&c->e, 0, sizeof(c->e));
    c->err = KV_OK;
    c->write = 0;
    c->mrs = 0;
    if (q->op == KV_OP_DELETE) {
        if (i < 0) {
            c->err = KV_ERR_NOT_FOUND;
            return;
        }
        c->write = 1;
        c->index = (uint32_t)i;
        return; /* c->e all zero: free */
    }
    uint32_t old = 0;
    if (i >= 0) {
        get(k, (uint32_t)i, &c->e);
        old = c->e.vlen;
    }
    if (q->op == KV_OP_PUT) old = 0;
    if (old + q->vlen > KV_VALUE_MAX) {
        c->err = KV_ERR_TOO_BIG;
        return;
    }
    if (i < 0) i = find(k, (const uint8_t *)"", 0); /* a free entry: klen 0 */
    if (i < 0) {
        c->err = KV_ERR_FULL;
        return;
    }
    c->e.klen = q->klen;
    memset(c->e.key, 0, sizeof(c->e.key));
    memcpy(c->e.key, q->key, q->klen);
    if (q->op == KV_OP_PUT) memset(c->e.value, 0, sizeof(c->e.value));
    memcpy(c->e.value + old, q->value, q->vlen);
    c->e.vlen = old + q->vlen;
    c->e.sum = entry_sum(&c->e);
    c->write = 1;
    c->index = (uint32_t)i;
    c->mrs = 1;
    c->mr0 = q->op == KV_OP_PUT ? get_klen(k, (uint32_t)i) == 0 : c->e.vlen;
}

static void change(struct kv *k, uint64_t client, const struct kv_request *q, struct kv_reply *rep)
{
    if (q->seq != 0) {
        struct dedup_reply saved;
        switch (dedup_check(&k->d, client, q->seq, &saved)) {
        case DEDUP_DUPLICATE:
            rep->err = (int)saved.label;
            rep->mrs = saved.mrs;
            memcpy(rep->mr, saved.mr, saved.mrs * sizeof(rep->mr[0]));
            return;
        case DEDUP_STALE:
            rep->err = KV_ERR_STALE_SEQ;
            return;
        case DEDUP_FULL:
            rep->err = KV_ERR_BUSY;
            return;
        default:
            break;
        }
    }
    static struct change c;
    plan(k, q, &c);
    if (c.err != KV_OK && q->seq == 0) {
        rep->err = c.err;
        return;
    }
    int err = arena_tx_begin(k->a);
    if (!err && c.err == KV_OK) {
        err = arena_tx_write(k->a, c.index * KV_ENTRY_SIZE, &c.e, c.e.klen ? KV_ENTRY_SIZE : 8);
    }
    struct dedup_reply r = { (uint32_t)c.err, c.err == KV_OK ? c.mrs : 0, { c.mr0 } };
    if (!err && q->seq != 0) err = dedup_record(&k->d, client, q->seq, &r);
    if (err) {
        arena_tx_abort(k->a);
        rep->err = KV_ERR_INTERNAL;
        return;
    }
    if (arena_tx_commit(k->a) != ARENA_OK) {
        rep->err = KV_ERR_INTERNAL;
        return;
    }
    rep->err = (int)r.label;
    rep->mrs = r.mrs;
    rep->mr[0] = r.mr[0];
}

void kv_handle(struct kv *k, uint64_t badge, const struct kv_request *q, struct kv_reply *rep)
{
    rep->err = KV_OK;
    rep->mrs = 0;
    if (badge == 0 || (badge >> 63) != 0) {
        rep->err = KV_ERR_DENIED;
        return;
    }
    switch (q->op) {
    case KV_OP_HELLO:
        rep->mr[0] = KV_PROTOCOL_VERSION;
        rep->mrs = 1;
        return;
    case KV_OP_GET: {
        int i = find(k, q->key, q->klen);
        if (i < 0) {
            rep->err = KV_ERR_NOT_FOUND;
            return;
        }
        static struct kv_entry e;
        get(k, (uint32_t)i, &e);
        rep->mr[0] = e.vlen;
        rep->mrs = 1 + store_pack_value(e.value, e.vlen, rep->mr + 1);
        return;
    }
    case KV_OP_LIST: {
        uint64_t seen = 0;
        for (uint32_t i = 0; i < k->n; i++) {
            if (get_klen(k, i) == 0 || seen++ != q->index) continue;
            static struct kv_entry e;
            get(k, i, &e);
            rep->mr[0] = e.klen;
            kv_pack_key(e.key, rep->mr + 1);
            rep->mr[1 + KV_KEY_MRS] = e.vlen;
            rep->mrs = 2 + KV_KEY_MRS;
            return;
        }
        rep->err = KV_ERR_NOT_FOUND;
        return;
    }
    case KV_OP_PUT:
    case KV_OP_DELETE:
    case KV_OP_APPEND:
        change(k, badge, q, rep);
        if (rep->err != KV_OK) rep->mrs = 0;
        return;
    default:
        rep->err = KV_ERR_BAD_REQUEST;
        return;
    }
}
