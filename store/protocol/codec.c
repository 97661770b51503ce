/* Encoding and decoding of state-store messages (pure functions; fuzzed). */
#include <string.h>
#include "store/protocol/errors.h"
#include "store/protocol/messages.h"

static const uint8_t fixed_mrs[STORE_OP_COUNT] = {
    [STORE_OP_HELLO] = 0,           [STORE_OP_PUT] = 3, /* + value registers */
    [STORE_OP_GET] = 2,             [STORE_OP_DELETE] = 2,     [STORE_OP_LIST] = 1,
    [STORE_OP_GET_INCARNATION] = 0, [STORE_OP_QUOTA_GET] = 0,  [STORE_OP_OWNER_SET] = 3,
    [STORE_OP_OWNER_START] = 2,     [STORE_OP_OWNER_FORGET] = 1, [STORE_OP_PUT2] = 6, /* + values */
};

unsigned store_pack_value(const uint8_t *v, uint32_t len, uint64_t *mr)
{
    unsigned n = (len + 7u) / 8u;
    for (unsigned i = 0; i < n; i++) mr[i] = 0;
    for (uint32_t i = 0; i < len; i++) mr[i / 8] |= (uint64_t)v[i] << (8 * (i % 8));
    return n;
}

int store_unpack_value(const uint64_t *mr, unsigned n, uint32_t len, uint8_t *v)
{
    if (n != (len + 7u) / 8u) return -1;
    for (uint32_t i = 0; i < len; i++) v[i] = (uint8_t)(mr[i / 8] >> (8 * (i % 8)));
    if (len % 8 && (mr[n - 1] >> (8 * (len % 8))) != 0) return -1;
    return 0;
}

uint64_t store_check_word(uint64_t label, const uint64_t *mr, unsigned n)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a over the words' bytes, little-endian */
    for (unsigned i = 0; i < 2 + n; i++) {
        uint64_t v = i == 0 ? label : i == 1 ? (uint64_t)n + 1 : mr[i - 2];
        for (unsigned b = 0; b < 8; b++) {
            h ^= (v >> (8 * b)) & 0xff;
            h *= 0x100000001b3ull;
        }
    }
    return h;
}

uint64_t store_value_digest(const uint8_t *v, uint32_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned b = 0; b < 8; b++) {
        h ^= ((uint64_t)len >> (8 * b)) & 0xff;
        h *= 0x100000001b3ull;
    }
    for (uint32_t i = 0; i < len; i++) {
        h ^= v[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* The request's arguments (n registers, the check word already taken off). */
static int decode_args(uint32_t op, const uint64_t *mr, unsigned n, struct store_request *out);

int store_decode_request(uint64_t label, const uint64_t *mr, unsigned n, unsigned ncaps,
                         struct store_request *out)
{
    memset(out, 0, sizeof(*out));
    if (label >> 20) return STORE_ERR_BAD_REQUEST;
    if (STORE_LABEL_VERSION(label) != STORE_PROTOCOL_VERSION) return STORE_ERR_VERSION;
    uint32_t op = (uint32_t)STORE_LABEL_OP(label);
    if (op == 0 || op >= STORE_OP_COUNT) return STORE_ERR_BAD_REQUEST;
    unsigned max = op == STORE_OP_PUT ? STORE_MAX_MRS : op == STORE_OP_PUT2 ? STORE_PUT2_MAX_MRS - 1 : fixed_mrs[op];
    if (n < fixed_mrs[op] + 1u || n > max + 1u) return STORE_ERR_BAD_REQUEST;
    if (ncaps != 0) return STORE_ERR_BAD_CAP;
    if (mr[n - 1] != store_check_word(label, mr, n - 1)) return STORE_ERR_CHECK;
    int err = decode_args(op, mr, n - 1, out);
    if (err != STORE_OK) memset(out, 0, sizeof(*out));
    return err;
}

static int decode_args(uint32_t op, const uint64_t *mr, unsigned n, struct store_request *out)
{
    struct store_request *r = out;
    switch (op) {
    case STORE_OP_PUT:
    case STORE_OP_GET:
    case STORE_OP_DELETE:
        if (name_unpack(mr, &r->name) != 0) return STORE_ERR_BAD_NAME;
        if (op == STORE_OP_PUT) {
            if (mr[2] > STORE_VALUE_MAX) return STORE_ERR_TOO_BIG;
            if (store_unpack_value(mr + 3, n - 3, (uint32_t)mr[2], r->value) != 0) {
                return STORE_ERR_BAD_REQUEST;
            }
            r->len = (uint32_t)mr[2];
        }
        break;
    case STORE_OP_PUT2: {
        if (name_unpack(mr, &r->name) != 0 || name_unpack(mr + 3, &r->name2) != 0) {
            return STORE_ERR_BAD_NAME;
        }
        if (mr[2] > STORE_VALUE_MAX || mr[5] > STORE_VALUE_MAX) {
            return STORE_ERR_TOO_BIG;
        }
        unsigned na = (unsigned)((mr[2] + 7u) / 8u);
        if (name_equal(&r->name, &r->name2) || n - 6 < na ||
            store_unpack_value(mr + 6, na, (uint32_t)mr[2], r->value) != 0 ||
            store_unpack_value(mr + 6 + na, n - 6 - na, (uint32_t)mr[5], r->value2) != 0) {
            return STORE_ERR_BAD_REQUEST;
        }
        r->len = (uint32_t)mr[2];
        r->len2 = (uint32_t)mr[5];
        break;
    }
    case STORE_OP_LIST:
        r->index = mr[0];
        break;
    case STORE_OP_OWNER_SET:
    case STORE_OP_OWNER_START:
    case STORE_OP_OWNER_FORGET:
        if (!STORE_OWNER_OK(mr[0])) return STORE_ERR_BAD_REQUEST;
        r->owner = mr[0];
        if (op == STORE_OP_OWNER_SET) {
            if (mr[1] > UINT32_MAX || mr[2] > UINT32_MAX) {
                return STORE_ERR_BAD_REQUEST;
            }
            r->max_entries = mr[1];
            r->max_bytes = mr[2];
        } else if (op == STORE_OP_OWNER_START) {
            if (mr[1] == 0) {
                return STORE_ERR_STALE;
            }
            r->generation = mr[1];
        }
        break;
    default: /* HELLO, GET_INCARNATION, QUOTA_GET */
        break;
    }
    r->op = op;
    return STORE_OK;
}

static unsigned encode_args(const struct store_request *r, uint64_t *label, uint64_t *mr)
{
    *label = STORE_LABEL(r->op);
    switch (r->op) {
    case STORE_OP_PUT:
    case STORE_OP_GET:
    case STORE_OP_DELETE:
        if (name_pack(r->name.s, mr) != 0 || r->len > STORE_VALUE_MAX) break;
        if (r->op != STORE_OP_PUT) return 2;
        mr[2] = r->len;
        return 3 + store_pack_value(r->value, r->len, mr + 3);
    case STORE_OP_PUT2: {
        unsigned na = (r->len + 7u) / 8u, nb = (r->len2 + 7u) / 8u;
        if (name_pack(r->name.s, mr) != 0 || name_pack(r->name2.s, mr + 3) != 0 || r->len > STORE_VALUE_MAX ||
            r->len2 > STORE_VALUE_MAX || 6u + na + nb + 1u > STORE_PUT2_MAX_MRS || name_equal(&r->name, &r->name2)) {
            break;
        }
        mr[2] = r->len;
        mr[5] = r->len2;
        store_pack_value(r->value, r->len, mr + 6);
        store_pack_value(r->value2, r->len2, mr + 6 + na);
        return 6 + na + nb;
    }
    case STORE_OP_LIST:
        mr[0] = r->index;
        return 1;
    case STORE_OP_OWNER_SET:
        mr[0] = r->owner;
        mr[1] = r->max_entries;
        mr[2] = r->max_bytes;
        return 3;
    case STORE_OP_OWNER_START:
        mr[0] = r->owner;
        mr[1] = r->generation;
        return 2;
    case STORE_OP_OWNER_FORGET:
        mr[0] = r->owner;
        return 1;
    default:
        return 0;
    }
    *label = 0;
    return 0;
}

unsigned store_encode_request(const struct store_request *r, uint64_t *label, uint64_t *mr)
{
    unsigned n = encode_args(r, label, mr);
    if (*label == 0) return 0;
    mr[n] = store_check_word(*label, mr, n);
    return n + 1;
}
