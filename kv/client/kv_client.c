/* kv client library (kv_client.h). */
#include "kv/client/kv_client.h"
#include "store/protocol/messages.h"
#include <runtime/string.h>
#include <stdbool.h>

static struct kv_request q;
static struct svc_msg in, out;

void kvc_init(struct kvc *k, seL4_CPtr cap)
{
    memset(k, 0, sizeof(*k));
    k->conn.cap = cap;
    k->conn.max_attempts = 64;
}

/* Fills q with op, key and value; false if the key or value does not fit. */
static int prepare(uint32_t op, const char *key, const uint8_t *value, uint32_t vlen)
{
    memset(&q, 0, sizeof(q));
    q.op = op;
    size_t klen = key != NULL ? strlen(key) : 0;
    if (klen > KV_KEY_MAX) return KV_ERR_BAD_KEY;
    if (vlen > KV_VALUE_MAX) return KV_ERR_TOO_BIG;
    q.klen = (uint32_t)klen;
    if (klen > 0) memcpy(q.key, key, klen);
    q.vlen = vlen;
    if (vlen > 0) memcpy(q.value, value, vlen);
    return KV_OK;
}

/* A refusal that a request this library encoded can only get when it arrived damaged
 * (KV_ERR_CHECK; a label, register count or badge that kv could not take): nothing was
 * applied, so the same request (same sequence number) is sent again, a few times. */
#define CHECK_RESENDS 4u

static bool damaged(uint64_t label)
{
    return label == KV_ERR_CHECK || label == KV_ERR_BAD_REQUEST || label == KV_ERR_VERSION ||
           label == KV_ERR_BAD_CAP || label == KV_ERR_DENIED;
}

/* q through svc_call with the kind kv_op_table declares for q.op (seq 0: UNSAFE). */
static int call(struct kvc *k)
{
    int err = SVC_OK;
    for (unsigned t = 0; t <= CHECK_RESENDS; t++) {
        in.n = kv_encode_request(&q, &in.label, in.mr); /* afresh: the check word too */
        err = svc_call_op(&k->conn, &kv_op_table, q.op, q.seq, &in, &out);
        if (err != SVC_OK || !damaged(out.label)) break;
        k->check_resends++;
    }
    return err == SVC_OK ? (int)out.label : KVC_ERR(err);
}

static uint64_t result0(int err) { return err == KV_OK && out.n > 0 ? out.mr[0] : 0; }

int kvc_hello(struct kvc *k, uint64_t *version)
{
    (void)prepare(KV_OP_HELLO, NULL, NULL, 0);
    int err = call(k);
    if (version) *version = result0(err);
    return err;
}

int kvc_get(struct kvc *k, const char *key, uint8_t *value, uint32_t *vlen)
{
    int err = prepare(KV_OP_GET, key, NULL, 0);
    if (err != KV_OK) return err;
    err = call(k);
    *vlen = 0;
    if (err == KV_OK) {
        uint64_t len = result0(err);
        if (len > KV_VALUE_MAX || out.n < 1 + (len + 7) / 8) return KV_ERR_BAD_REQUEST;
        (void)store_unpack_value(&out.mr[1], (unsigned)(len + 7) / 8, (uint32_t)len, value);
        *vlen = (uint32_t)len;
    }
    return err;
}

static int changing(struct kvc *k, uint32_t op, const char *key, const uint8_t *value, uint32_t vlen,
                    bool dedup, uint64_t *res)
{
    int err = prepare(op, key, value, vlen);
    if (err != KV_OK) return err;
    q.seq = dedup ? ++k->seq : 0;
    err = call(k);
    if (res) *res = result0(err);
    return err;
}

int kvc_put(struct kvc *k, const char *key, const uint8_t *value, uint32_t vlen, uint64_t *created)
{
    return changing(k, KV_OP_PUT, key, value, vlen, true, created);
}

int kvc_delete(struct kvc *k, const char *key) { return changing(k, KV_OP_DELETE, key, NULL, 0, true, NULL); }

int kvc_append(struct kvc *k, const char *key, const uint8_t *value, uint32_t vlen, uint64_t *newlen)
{
    return changing(k, KV_OP_APPEND, key, value, vlen, true, newlen);
}

int kvc_append_unsafe(struct kvc *k, const char *key, const uint8_t *value, uint32_t vlen, uint64_t *newlen)
{
    return changing(k, KV_OP_APPEND, key, value, vlen, false, newlen);
}
