/* kv over the state store (kv_blobs.h). */
#include "kv/core/kv_blobs.h"
#include <stdbool.h>
#include <string.h>
#include "kv/protocol/errors.h"

static void put32(uint8_t *p, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t *p, uint64_t v)
{
    for (unsigned i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get32(const uint8_t *p)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < 4; i++) v |= (uint32_t)p[i] << (8 * i);
    return v;
}
static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

int kvb_init(struct kvb *k, uint32_t n, uint32_t clients)
{
    memset(k, 0, sizeof(*k));
    if (n == 0 || n > KVB_ENTRIES_MAX || clients == 0 || clients > KVB_CLIENTS_MAX) return KV_ERR_BAD_REQUEST;
    k->n = n;
    k->clients = clients;
    return KV_OK;
}

void kvb_blob_name(char kind, uint32_t i, struct svc_name *out)
{
    memset(out, 0, sizeof(*out));
    out->s[0] = kind;
    out->s[1] = (char)('0' + i / 10 % 10);
    out->s[2] = (char)('0' + i % 10);
}

/* "e07" -> kind 'e', index 7; -1 if the name is not of that form. */
static int parse_name(const struct svc_name *name, char *kind, uint32_t *index)
{
    const char *s = name->s;
    if ((s[0] != 'e' && s[0] != 'c') || s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9' || s[3] != '\0') {
        return -1;
    }
    *kind = s[0];
    *index = (uint32_t)(s[1] - '0') * 10u + (uint32_t)(s[2] - '0');
    return 0;
}

static int load_entry(struct kvb_entry *e, const uint8_t *v, uint32_t len)
{
    if (len < KVB_ENTRY_HEADER) return KV_ERR_CORRUPT;
    uint32_t klen = get32(v), vlen = get32(v + 4);
    if (klen > KV_KEY_MAX || vlen > KV_VALUE_MAX || len != KVB_ENTRY_HEADER + vlen || (klen == 0 && vlen != 0)) {
        return KV_ERR_CORRUPT;
    }
    for (uint32_t i = klen; i <= KV_KEY_MAX; i++) {
        if (v[8 + i] != 0) return KV_ERR_CORRUPT;
    }
    memset(e, 0, sizeof(*e));
    e->klen = klen;
    e->vlen = vlen;
    memcpy(e->key, v + 8, KV_KEY_MAX + 1);
    memcpy(e->value, v + KVB_ENTRY_HEADER, vlen);
    return KV_OK;
}

static int load_record(struct kvb_client *c, const uint8_t *v, uint32_t len)
{
    if (len != KVB_RECORD_BYTES) return KV_ERR_CORRUPT;
    uint64_t badge = get64(v), seq = get64(v + 8);
    uint32_t label = get32(v + 16), mrs = get32(v + 20);
    if (badge == 0 || (badge >> 63) != 0 || seq == 0 || label >= KV_ERR_COUNT || mrs > 1) return KV_ERR_CORRUPT;
    c->badge = badge;
    c->seq = seq;
    c->label = label;
    c->mrs = mrs;
    c->mr0 = get64(v + 24);
    return KV_OK;
}

int kvb_load(struct kvb *k, const struct svc_name *name, const uint8_t *v, uint32_t len)
{
    char kind = 0;
    uint32_t i = 0;
    if (parse_name(name, &kind, &i) != 0) return KV_ERR_BAD_REQUEST;
    if (kind == 'e') return i < k->n ? load_entry(&k->e[i], v, len) : KV_ERR_BAD_REQUEST;
    return i < k->clients ? load_record(&k->c[i], v, len) : KV_ERR_BAD_REQUEST;
}

static int find(const struct kvb *k, const uint8_t *key, uint32_t klen)
{
    for (uint32_t i = 0; i < k->n; i++) {
        if (k->e[i].klen == klen && memcmp(k->e[i].key, key, klen) == 0) return (int)i;
    }
    return -1;
}

int kvb_check(const struct kvb *k)
{
    for (uint32_t i = 0; i < k->n; i++) {
        if (k->e[i].klen != 0 && find(k, k->e[i].key, k->e[i].klen) != (int)i) return KV_ERR_CORRUPT;
    }
    for (uint32_t i = 0; i < k->clients; i++) {
        for (uint32_t j = i + 1; j < k->clients && k->c[i].badge != 0; j++) {
            if (k->c[j].badge == k->c[i].badge) return KV_ERR_CORRUPT;
        }
    }
    return KV_OK;
}

static void entry_blob(uint32_t i, const struct kvb_entry *e, struct kvb_blob *b)
{
    memset(b, 0, sizeof(*b));
    kvb_blob_name('e', i, &b->name);
    put32(b->value, e->klen);
    put32(b->value + 4, e->vlen);
    memcpy(b->value + 8, e->key, KV_KEY_MAX + 1);
    memcpy(b->value + KVB_ENTRY_HEADER, e->value, e->vlen);
    b->len = KVB_ENTRY_HEADER + e->vlen;
}

static void record_blob(uint32_t i, const struct kvb_client *c, struct kvb_blob *b)
{
    memset(b, 0, sizeof(*b));
    kvb_blob_name('c', i, &b->name);
    put64(b->value, c->badge);
    put64(b->value + 8, c->seq);
    put32(b->value + 16, c->label);
    put32(b->value + 20, c->mrs);
    put64(b->value + 24, c->mr0);
    b->len = KVB_RECORD_BYTES;
}

/* The outcome of a changing request, decided from the table (as kv.c's plan). */
struct plan {
    int err;
    uint32_t index;
    struct kvb_entry e;
    unsigned mrs;
    uint64_t mr0;
};

static void plan(const struct kvb *k, const struct kv_request *q, struct plan *p)
{
    int i = find(k, q->key, q->klen);
    memset(p, 0, sizeof(*p));
    if (q->op == KV_OP_DELETE) {
        if (i < 0) {
            p->err = KV_ERR_NOT_FOUND;
        } else {
            p->index = (uint32_t)i; /* p->e all zero: free */
        }
        return;
    }
    uint32_t old = 0;
    if (i >= 0) {
        p->e = k->e[i];
        old = q->op == KV_OP_PUT ? 0 : p->e.vlen;
    }
    if (old + q->vlen > KV_VALUE_MAX) {
        p->err = KV_ERR_TOO_BIG;
        return;
    }
    bool created = i < 0;
    if (i < 0) i = find(k, (const uint8_t *)"", 0); /* a free slot: klen 0 */
    if (i < 0) {
        p->err = KV_ERR_FULL;
        return;
    }
    p->e.klen = q->klen;
    memset(p->e.key, 0, sizeof(p->e.key));
    memcpy(p->e.key, q->key, q->klen);
    if (q->op == KV_OP_PUT) memset(p->e.value, 0, sizeof(p->e.value));
    memcpy(p->e.value + old, q->value, q->vlen);
    p->e.vlen = old + q->vlen;
    p->index = (uint32_t)i;
    p->mrs = 1;
    p->mr0 = q->op == KV_OP_PUT ? created : p->e.vlen;
}

/* The client slot of `badge` (its record, or a free one); -1 if none is free. */
static int client_slot(const struct kvb *k, uint64_t badge, bool *known)
{
    int free_slot = -1;
    for (uint32_t i = 0; i < k->clients; i++) {
        if (k->c[i].badge == badge) {
            *known = true;
            return (int)i;
        }
        if (k->c[i].badge == 0 && free_slot < 0) free_slot = (int)i;
    }
    *known = false;
    return free_slot;
}

static void change(const struct kvb *k, uint64_t badge, const struct kv_request *q, struct kv_reply *rep,
                   struct kvb_write *w)
{
    int slot = -1;
    if (q->seq != 0) {
        bool known = false;
        slot = client_slot(k, badge, &known);
        if (slot < 0) {
            rep->err = KV_ERR_BUSY;
            return;
        }
        const struct kvb_client *c = &k->c[slot];
        if (known && q->seq == c->seq) { /* a repeat: the reply it got first */
            rep->err = (int)c->label;
            rep->mrs = c->mrs;
            rep->mr[0] = c->mr0;
            return;
        }
        if (known && q->seq < c->seq) {
            rep->err = KV_ERR_STALE_SEQ;
            return;
        }
    }
    static struct plan p;
    plan(k, q, &p);
    rep->err = p.err;
    rep->mrs = p.err == KV_OK ? p.mrs : 0;
    rep->mr[0] = p.err == KV_OK ? p.mr0 : 0;
    if (p.err == KV_OK) entry_blob(p.index, &p.e, &w->b[w->n++]);
    if (slot >= 0) {
        struct kvb_client c = { badge, q->seq, (uint32_t)rep->err, rep->mrs, rep->mr[0] };
        record_blob((uint32_t)slot, &c, &w->b[w->n++]);
    }
}

void kvb_handle(const struct kvb *k, uint64_t badge, const struct kv_request *q, struct kv_reply *rep,
                struct kvb_write *w)
{
    rep->err = KV_OK;
    rep->mrs = 0;
    w->n = 0;
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
        rep->mr[0] = k->e[i].vlen;
        rep->mrs = 1 + store_pack_value(k->e[i].value, k->e[i].vlen, rep->mr + 1);
        return;
    }
    case KV_OP_LIST: {
        uint64_t seen = 0;
        for (uint32_t i = 0; i < k->n; i++) {
            if (k->e[i].klen == 0 || seen++ != q->index) continue;
            rep->mr[0] = k->e[i].klen;
            kv_pack_key(k->e[i].key, rep->mr + 1);
            rep->mr[1 + KV_KEY_MRS] = k->e[i].vlen;
            rep->mrs = 2 + KV_KEY_MRS;
            return;
        }
        rep->err = KV_ERR_NOT_FOUND;
        return;
    }
    case KV_OP_PUT:
    case KV_OP_DELETE:
    case KV_OP_APPEND:
        change(k, badge, q, rep, w);
        return;
    default:
        rep->err = KV_ERR_BAD_REQUEST;
        return;
    }
}

int kvb_apply(struct kvb *k, const struct kvb_write *w)
{
    for (unsigned i = 0; i < w->n && i < 2; i++) {
        int err = kvb_load(k, &w->b[i].name, w->b[i].value, w->b[i].len);
        if (err != KV_OK) return err;
    }
    return KV_OK;
}

/* k's own blob under `name` (the one start-up would have loaded; a free slot's is its 40
 * zero bytes) and whether k's slot or record is empty (then the store may have no blob);
 * false if the name is not one of k's. */
static bool own_blob(const struct kvb *k, const struct svc_name *name, struct kvb_blob *out, bool *empty)
{
    char kind = 0;
    uint32_t i = 0;
    if (parse_name(name, &kind, &i) != 0) return false;
    if (kind == 'e') {
        if (i >= k->n) return false;
        entry_blob(i, &k->e[i], out);
        *empty = k->e[i].klen == 0;
        return true;
    }
    if (i >= k->clients) return false;
    record_blob(i, &k->c[i], out);
    *empty = k->c[i].badge == 0;
    return true;
}

static bool same(const struct kvb_blob *b, const uint8_t *v, uint32_t len)
{
    return b->len == len && memcmp(b->value, v, len) == 0;
}

enum kvb_held kvb_held(const struct kvb *k, const struct kvb_write *w, unsigned i, int found, const uint8_t *v,
                       uint32_t len)
{
    if (i >= w->n || i >= 2) return KVB_HELD_OTHER;
    if (found && same(&w->b[i], v, len)) return KVB_HELD_NEW;
    static struct kvb_blob old;
    bool empty = false;
    if (!own_blob(k, &w->b[i].name, &old, &empty)) return KVB_HELD_OTHER;
    if (!found) return empty ? KVB_HELD_OLD : KVB_HELD_OTHER;
    return same(&old, v, len) ? KVB_HELD_OLD : KVB_HELD_OTHER;
}

int kvb_verdict(const enum kvb_held *held, unsigned n)
{
    unsigned fresh = 0, old = 0;
    for (unsigned i = 0; i < n; i++) {
        fresh += held[i] == KVB_HELD_NEW;
        old += held[i] == KVB_HELD_OLD;
    }
    if (n > 0 && fresh == n) return KV_OK;
    if (n > 0 && old == n) return KV_ERR_INTERNAL;
    return KV_ERR_CORRUPT;
}

int kvb_confirmed(const struct kvb_write *w, const uint64_t *digests, unsigned n)
{
    if (w->n == 0 || w->n > 2 || n != w->n) return 0;
    for (unsigned i = 0; i < n; i++) {
        if (digests[i] != store_value_digest(w->b[i].value, w->b[i].len)) return 0;
    }
    return 1;
}
