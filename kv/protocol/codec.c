/* Encoding and decoding of key-value messages (pure functions; fuzzed). */
#include <string.h>
#include "kv/protocol/errors.h"
#include "kv/protocol/messages.h"
#include "store/protocol/messages.h"

void kv_pack_key(const uint8_t key[KV_KEY_MAX + 1], uint64_t *mr)
{
    (void)store_pack_value(key, KV_KEY_MAX + 1, mr);
}

/* klen register + 4 key registers. */
static int unpack_key(const uint64_t *mr, struct kv_request *r)
{
    if (mr[0] == 0 || mr[0] > KV_KEY_MAX) return KV_ERR_BAD_KEY;
    if (store_unpack_value(mr + 1, KV_KEY_MRS, KV_KEY_MAX + 1, r->key) != 0) return KV_ERR_BAD_KEY;
    for (uint32_t i = (uint32_t)mr[0]; i <= KV_KEY_MAX; i++) {
        if (r->key[i] != 0) return KV_ERR_BAD_KEY;
    }
    r->klen = (uint32_t)mr[0];
    return KV_OK;
}

uint64_t kv_check_word(uint64_t label, const uint64_t *mr, unsigned n) { return store_check_word(label, mr, n); }

static int decode(uint32_t op, const uint64_t *mr, unsigned n, struct kv_request *r)
{
    int err;
    switch (op) {
    case KV_OP_GET:
        if (n != 1 + KV_KEY_MRS) return KV_ERR_BAD_REQUEST;
        return unpack_key(mr, r);
    case KV_OP_DELETE:
        if (n != 2 + KV_KEY_MRS) return KV_ERR_BAD_REQUEST;
        r->seq = mr[0];
        return unpack_key(mr + 1, r);
    case KV_OP_PUT:
    case KV_OP_APPEND:
        if (n < 3 + KV_KEY_MRS || n > KV_MAX_MRS) return KV_ERR_BAD_REQUEST;
        r->seq = mr[0];
        if ((err = unpack_key(mr + 1, r)) != KV_OK) return err;
        if (mr[2 + KV_KEY_MRS] > KV_VALUE_MAX) return KV_ERR_TOO_BIG;
        r->vlen = (uint32_t)mr[2 + KV_KEY_MRS];
        if (store_unpack_value(mr + 3 + KV_KEY_MRS, n - 3 - KV_KEY_MRS, r->vlen, r->value) != 0) {
            return KV_ERR_BAD_REQUEST;
        }
        return KV_OK;
    case KV_OP_LIST:
        if (n != 1) return KV_ERR_BAD_REQUEST;
        r->index = mr[0];
        return KV_OK;
    default: /* HELLO */
        return n == 0 ? KV_OK : KV_ERR_BAD_REQUEST;
    }
}

int kv_decode_request(uint64_t label, const uint64_t *mr, unsigned n, unsigned ncaps,
                      struct kv_request *out)
{
    memset(out, 0, sizeof(*out));
    if (label >> 20) return KV_ERR_BAD_REQUEST;
    if (KV_LABEL_VERSION(label) != KV_PROTOCOL_VERSION) return KV_ERR_VERSION;
    uint32_t op = (uint32_t)KV_LABEL_OP(label);
    if (op == 0 || op >= KV_OP_COUNT) return KV_ERR_BAD_REQUEST;
    if (ncaps != 0) return KV_ERR_BAD_CAP;
    if (n == 0 || n > KV_REQUEST_MAX_MRS) return KV_ERR_BAD_REQUEST;
    if (mr[n - 1] != kv_check_word(label, mr, n - 1)) return KV_ERR_CHECK;
    int err = decode(op, mr, n - 1, out);
    if (err != KV_OK) {
        memset(out, 0, sizeof(*out));
        return err;
    }
    out->op = op;
    return KV_OK;
}

static unsigned encode(const struct kv_request *r, uint64_t *label, uint64_t *mr)
{
    *label = KV_LABEL(r->op);
    unsigned k = 0;
    switch (r->op) {
    case KV_OP_GET:
    case KV_OP_DELETE:
    case KV_OP_PUT:
    case KV_OP_APPEND:
        if (r->klen == 0 || r->klen > KV_KEY_MAX || r->vlen > KV_VALUE_MAX) break;
        if (r->op != KV_OP_GET) mr[k++] = r->seq;
        mr[k++] = r->klen;
        kv_pack_key(r->key, mr + k);
        k += KV_KEY_MRS;
        if (r->op == KV_OP_GET || r->op == KV_OP_DELETE) return k;
        mr[k++] = r->vlen;
        return k + store_pack_value(r->value, r->vlen, mr + k);
    case KV_OP_LIST:
        mr[0] = r->index;
        return 1;
    default:
        return 0;
    }
    *label = 0;
    return 0;
}

unsigned kv_encode_request(const struct kv_request *r, uint64_t *label, uint64_t *mr)
{
    unsigned n = encode(r, label, mr);
    if (*label == 0) return 0;
    mr[n] = kv_check_word(*label, mr, n);
    return n + 1;
}
