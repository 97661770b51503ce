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

int main(void)
{
    uint64_t label, mr[KV_MAX_MRS + 2];
    struct kv_request r = make(KV_OP_PUT, 9, "user:42", "alice"), d;
    unsigned n = kv_encode_request(&r, &label, mr);
    CHECK_EQ(n, 3 + KV_KEY_MRS + 1);
    CHECK_EQ(kv_decode_request(label, mr, n, 0, &d), KV_OK);
    CHECK(memcmp(&r, &d, sizeof(r)) == 0);
    CHECK_EQ(kv_decode_request(label, mr, n, 1, &d), KV_ERR_BAD_CAP);
    CHECK_EQ(kv_decode_request(label, mr, n + 1, 0, &d), KV_ERR_BAD_REQUEST);
    mr[2] |= 1ull << 56; /* key byte 7 = junk after "user:42" */
    CHECK_EQ(kv_decode_request(label, mr, n, 0, &d), KV_ERR_BAD_KEY);
    n = kv_encode_request(&r, &label, mr);
    mr[1] = 0;
    CHECK_EQ(kv_decode_request(label, mr, n, 0, &d), KV_ERR_BAD_KEY);
    mr[1] = KV_KEY_MAX + 1;
    CHECK_EQ(kv_decode_request(label, mr, n, 0, &d), KV_ERR_BAD_KEY);
    /* Longest key and value. */
    char key[KV_KEY_MAX + 1], value[KV_VALUE_MAX + 2];
    memset(key, 'k', KV_KEY_MAX);
    key[KV_KEY_MAX] = '\0';
    memset(value, 'v', KV_VALUE_MAX);
    value[KV_VALUE_MAX] = '\0';
    r = make(KV_OP_APPEND, 1, key, value);
    n = kv_encode_request(&r, &label, mr);
    CHECK_EQ(n, KV_MAX_MRS);
    CHECK_EQ(kv_decode_request(label, mr, n, 0, &d), KV_OK);
    CHECK_EQ(d.vlen, KV_VALUE_MAX);
    mr[2 + KV_KEY_MRS] = KV_VALUE_MAX + 1;
    CHECK_EQ(kv_decode_request(label, mr, n, 0, &d), KV_ERR_TOO_BIG);
    r = make(KV_OP_PUT, 1, "k", value);
    r.vlen = KV_VALUE_MAX + 1;
    CHECK_EQ(kv_encode_request(&r, &label, mr), 0);
    /* GET / DELETE / LIST shapes. */
    r = make(KV_OP_GET, 0, "k", 0);
    n = kv_encode_request(&r, &label, mr);
    CHECK_EQ(n, 1 + KV_KEY_MRS);
    CHECK_EQ(kv_decode_request(label, mr, n, 0, &d), KV_OK);
    r = make(KV_OP_DELETE, 3, "k", 0);
    n = kv_encode_request(&r, &label, mr);
    CHECK_EQ(n, 2 + KV_KEY_MRS);
    CHECK_EQ(kv_decode_request(label, mr, n, 0, &d), KV_OK);
    CHECK_EQ(d.seq, 3);
    CHECK_EQ(kv_decode_request(KV_LABEL(KV_OP_LIST), mr, 1, 0, &d), KV_OK);
    CHECK_EQ(kv_decode_request(KV_LABEL(KV_OP_HELLO), mr, 1, 0, &d), KV_ERR_BAD_REQUEST);
    CHECK_EQ(kv_decode_request(KV_LABEL(KV_OP_COUNT), mr, 0, 0, &d), KV_ERR_BAD_REQUEST);
    CHECK_EQ(kv_decode_request(2u << 12 | KV_OP_GET, mr, 5, 0, &d), KV_ERR_VERSION);
    CHECK(strcmp(kv_err_name(KV_ERR_STALE_SEQ), "KV_ERR_STALE_SEQ") == 0);
    return check_result("kv_protocol_test");
}
