/* kv's store calls (in_store.h).  Every call is idempotent (GET, PUT and PUT2 of given
 * bytes): svc_call repeats it when the store dies in the middle. */
#include "kv/server/in_store.h"
#include <runtime/string.h>
#include "kv/protocol/errors.h"
#include "store/protocol/errors.h"
#include "svcclient/client/svc_call.h"
#include "store/protocol/op_kinds.h"

static struct svc_conn store;
static struct store_request q;
static struct svc_msg in, out;

/* STORE_ERR_CHECK: the request reached the store damaged and was not applied: sent
 * again, the same request, a few times. */
#define CHECK_RESENDS 4u

static int call(void)
{
    int err = SVC_OK;
    for (unsigned t = 0; t <= CHECK_RESENDS; t++) {
        /* encoded afresh each time: a check word kv itself computed wrong (a register
         * corrupted while it did) is not sent again */
        uint64_t label = 0;
        in.n = store_encode_request(&q, &label, in.mr);
        if (label == 0) return STORE_ERR_BAD_REQUEST;
        in.label = label;
        err = svc_call_op(&store, &store_op_table, q.op, 0, &in, &out);
        if (err != SVC_OK || out.label != STORE_ERR_CHECK) break;
    }
    return err != SVC_OK ? KV_STORE_NO_ANSWER : (int)out.label;
}

/* GET of blob `name` into v (STORE_VALUE_MAX bytes). */
static int get(const struct svc_name *name, uint8_t *v, uint32_t *len)
{
    memset(&q, 0, sizeof(q));
    q.op = STORE_OP_GET;
    q.name = *name;
    int err = call();
    if (err != STORE_OK) return err;
    if (out.n < 1 || out.mr[0] > STORE_VALUE_MAX ||
        store_unpack_value(out.mr + 1, out.n - 1, (uint32_t)out.mr[0], v) != 0) {
        return STORE_ERR_BAD_REQUEST;
    }
    *len = (uint32_t)out.mr[0];
    return STORE_OK;
}

static void load_one(struct kvb *t, char kind, uint32_t i, unsigned *refused, unsigned *store_errors)
{
    static uint8_t v[STORE_VALUE_MAX];
    struct svc_name name;
    uint32_t len = 0;
    kvb_blob_name(kind, i, &name);
    int err = get(&name, v, &len);
    if (err == STORE_ERR_NOT_FOUND) return;
    if (err != STORE_OK) {
        (*store_errors)++;
        return;
    }
    if (kvb_load(t, &name, v, len) != KV_OK) (*refused)++;
}

int kv_store_load(seL4_CPtr cap, struct kvb *t, unsigned *refused, unsigned *store_errors)
{
    memset(&store, 0, sizeof(store));
    store.cap = cap;
    store.max_attempts = 64;
    *refused = *store_errors = 0;
    for (uint32_t i = 0; i < t->n; i++) load_one(t, 'e', i, refused, store_errors);
    for (uint32_t i = 0; i < t->clients; i++) load_one(t, 'c', i, refused, store_errors);
    return kvb_check(t);
}

int kv_store_write(const struct kvb_write *w, int *confirmed)
{
    *confirmed = 0;
    memset(&q, 0, sizeof(q));
    q.op = w->n == 2 ? STORE_OP_PUT2 : STORE_OP_PUT;
    q.name = w->b[0].name;
    q.len = w->b[0].len;
    memcpy(q.value, w->b[0].value, q.len);
    if (w->n == 2) {
        q.name2 = w->b[1].name;
        q.len2 = w->b[1].len;
        memcpy(q.value2, w->b[1].value, q.len2);
    }
    int err = call();
    *confirmed = err == STORE_OK && kvb_confirmed(w, out.mr, out.n);
    return err;
}

int kv_store_held(const struct kvb *t, const struct kvb_write *w)
{
    static uint8_t v[STORE_VALUE_MAX];
    enum kvb_held held[2] = { KVB_HELD_OTHER, KVB_HELD_OTHER };
    for (unsigned i = 0; i < w->n && i < 2; i++) {
        uint32_t len = 0;
        int err = get(&w->b[i].name, v, &len);
        if (err != STORE_OK && err != STORE_ERR_NOT_FOUND) return KV_ERR_CORRUPT; /* cannot tell */
        held[i] = kvb_held(t, w, i, err == STORE_OK, v, len);
    }
    return kvb_verdict(held, w->n);
}
