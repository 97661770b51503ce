/* Key-value codec: keys, values, sequence numbers, shapes, round trips. */
#include <string.h>
#include "check.h"
#include "kv/protocol/errors.h"
#include "kv/protocol/messages.h"

static struct kv_request make(uint32_t op, uint64_t seq, const char *key, const char *value)
{
    struct kv_request r;
    memset(&r, 0, sizeof(r));
    r.op = op;
    r.seq = seq;
    r.klen = (uint32_t)strlen(key);
    memcpy(r.key, key, r.klen);
    r.vlen = value ? (uint32_t)strlen(value) : 0;
    if (value) memcpy(r.value, value, r.vlen);
    return r;
}

/* After changing argument registers: a matching check word again (to reach the argument
 * checks). */
static void reseal(uint64_t label, uint64_t *mr, unsigned n) { mr[n - 1] = kv_check_word(label, mr, n - 1); }

/* Every single-bit change of a request's label, registers or count is refused with
 * KV_ERR_CHECK (or earlier), never decoded as another request. */
static void damaged_in_transit(void)
{
    uint64_t label, mr[KV_REQUEST_MAX_MRS + 1];
    struct kv_request r = make(KV_OP_APPEND, 77, "cw", "x"), d;
    unsigned n = kv_encode_request(&r, &label, mr);
    for (unsigned i = 0; i < n; i++) {
        for (unsigned b = 0; b < 64; b++) {
            mr[i] ^= 1ull << b;
            CHECK(kv_decode_request(label, mr, n, 0, &d) != KV_OK);
            mr[i] ^= 1ull << b;
        }
    }
    for (unsigned b = 0; b < 20; b++) CHECK(kv_decode_request(label ^ (1ull << b), mr, n, 0, &d) != KV_OK);
    mr[n] = 0;
    CHECK_EQ(kv_decode_request(label, mr, n + 1, 0, &d), KV_ERR_CHECK);
    CHECK_EQ(kv_decode_request(label, mr, n - 1, 0, &d), KV_ERR_CHECK);
    mr[0] = 0xf8668; /* the sequence number a corrupted register gave kv (campaign seed 7 run 6) */
    CHECK_EQ(kv_decode_request(label, mr, n, 0, &d), KV_ERR_CHECK);
    CHECK_EQ(d.seq, 0);
    CHECK_EQ(kv_decode_request(label, mr, 0, 0, &d), KV_ERR_BAD_REQUEST);
    CHECK_EQ(kv_decode_request(label, mr, KV_REQUEST_MAX_MRS + 1, 0, &d), KV_ERR_BAD_REQUEST);
}

int main(void)
{
    uint64_t label, mr[KV_REQUEST_MAX_MRS + 2];
    struct kv_request r = make(KV_OP_PUT, 9, "user:42", "alice"), d;
    unsigned n = kv_encode_request(&r, &label, mr);
    CHECK_EQ(n, 3 + KV_KEY_MRS + 1 + 1);
    CHECK_EQ(kv_decode_request(label, mr, n, 0, &d), KV_OK);
    CHECK(memcmp(&r, &d, sizeof(r)) == 0);
    CHECK_EQ(kv_decode_request(label, mr, n, 1, &d), KV_ERR_BAD_CAP);
    mr[n] = kv_check_word(label, mr, n);
    CHECK_EQ(kv_decode_request(label, mr, n + 1, 0, &d), KV_ERR_BAD_REQUEST);
    mr[2] |= 1ull << 56; /* key byte 7 = junk after "user:42" */
    reseal(label, mr, n);
    CHECK_EQ(kv_decode_request(label, mr, n, 0, &d), KV_ERR_BAD_KEY);
    n = kv_encode_request(&r, &label, mr);
    mr[1] = 0;
    reseal(label, mr, n);
    CHECK_EQ(kv_decode_request(label, mr, n, 0, &d), KV_ERR_BAD_KEY);
    mr[1] = KV_KEY_MAX + 1;
    reseal(label, mr, n);
    CHECK_EQ(kv_decode_request(label, mr, n, 0, &d), KV_ERR_BAD_KEY);
    /* Longest key and value. */
    char key[KV_KEY_MAX + 1], value[KV_VALUE_MAX + 2];
    memset(key, 'k', KV_KEY_MAX);
    key[KV_KEY_MAX] = '\0';
    memset(value, 'v', KV_VALUE_MAX);
    value[KV_VALUE_MAX] = '\0';
    r = make(KV_OP_APPEND, 1, key, value);
    n = kv_encode_request(&r, &label, mr);
    CHECK_EQ(n, KV_REQUEST_MAX_MRS);
    CHECK_EQ(kv_decode_request(label, mr, n, 0, &d), KV_OK);
    CHECK_EQ(d.vlen, KV_VALUE_MAX);
    mr[2 + KV_KEY_MRS] = KV_VALUE_MAX + 1;
    reseal(label, mr, n);
    CHECK_EQ(kv_decode_request(label, mr, n, 0, &d), KV_ERR_TOO_BIG);
    r = make(KV_OP_PUT, 1, "k", value);
    r.vlen = KV_VALUE_MAX + 1;
    CHECK_EQ(kv_encode_request(&r, &label, mr), 0);
    /* GET / DELETE / LIST / HELLO shapes. */
    r = make(KV_OP_GET, 0, "k", 0);
    n = kv_encode_request(&r, &label, mr);
    CHECK_EQ(n, 1 + KV_KEY_MRS + 1);
    CHECK_EQ(kv_decode_request(label, mr, n, 0, &d), KV_OK);
    r = make(KV_OP_DELETE, 3, "k", 0);
    n = kv_encode_request(&r, &label, mr);
    CHECK_EQ(n, 2 + KV_KEY_MRS + 1);
    CHECK_EQ(kv_decode_request(label, mr, n, 0, &d), KV_OK);
    CHECK_EQ(d.seq, 3);
    r = make(KV_OP_LIST, 0, "", 0);
    r.index = 5;
    CHECK_EQ(kv_encode_request(&r, &label, mr), 2);
    CHECK_EQ(kv_decode_request(label, mr, 2, 0, &d), KV_OK);
    CHECK_EQ(d.index, 5);
    mr[0] = kv_check_word(KV_LABEL(KV_OP_HELLO), mr, 0);
    CHECK_EQ(kv_decode_request(KV_LABEL(KV_OP_HELLO), mr, 1, 0, &d), KV_OK);
    mr[1] = kv_check_word(KV_LABEL(KV_OP_HELLO), mr, 1);
    CHECK_EQ(kv_decode_request(KV_LABEL(KV_OP_HELLO), mr, 2, 0, &d), KV_ERR_BAD_REQUEST);
    CHECK_EQ(kv_decode_request(KV_LABEL(KV_OP_COUNT), mr, 1, 0, &d), KV_ERR_BAD_REQUEST);
    CHECK_EQ(kv_decode_request(2u << 12 | KV_OP_GET, mr, 6, 0, &d), KV_ERR_VERSION);
    CHECK(strcmp(kv_err_name(KV_ERR_STALE_SEQ), "KV_ERR_STALE_SEQ") == 0);
    CHECK(strcmp(kv_err_name(KV_ERR_CHECK), "KV_ERR_CHECK") == 0);
    damaged_in_transit();
    return check_result("kv_protocol_test");
}
