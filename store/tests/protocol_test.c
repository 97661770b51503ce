/* State-store codec: shapes, names, values in registers, admin requests, round trips. */
#include <string.h>
#include "check.h"
#include "store/protocol/errors.h"
#include "store/protocol/messages.h"

static uint64_t mr[STORE_PUT2_MAX_MRS + 8];

/* A matching check word again after changing argument registers (to reach their checks). */
static void reseal(uint64_t label, unsigned n) { mr[n - 1] = store_check_word(label, mr, n - 1); }


/* Every single-bit change of a PUT2's registers or label is refused (never decoded as
 * another request); the largest PUT2 fits seL4_MsgMaxLength with its check word. */
static void damaged_in_transit(void)
{
    static struct store_request r, d;
    uint64_t label;
    memset(&r, 0, sizeof(r));
    r.op = STORE_OP_PUT2;
    memcpy(r.name.s, "e07", 3);
    memcpy(r.name2.s, "c01", 3);
    r.len = 45;
    memset(r.value, 7, r.len);
    r.len2 = 32;
    memset(r.value2, 9, r.len2);
    unsigned n = store_encode_request(&r, &label, mr);
    CHECK_EQ(n, 6 + 6 + 4 + 1);
    CHECK_EQ(store_decode_request(label, mr, n, 0, &d), STORE_OK);
    for (unsigned i = 0; i < n; i++) {
        for (unsigned b = 0; b < 64; b++) {
            mr[i] ^= 1ull << b;
            CHECK(store_decode_request(label, mr, n, 0, &d) != STORE_OK);
            mr[i] ^= 1ull << b;
        }
    }
    for (unsigned b = 0; b < 20; b++) CHECK(store_decode_request(label ^ (1ull << b), mr, n, 0, &d) != STORE_OK);
    mr[0] = 'e' | ('8' << 8) | ((uint64_t)'0' << 16); /* another valid name: caught by the check word only */
    CHECK_EQ(store_decode_request(label, mr, n, 0, &d), STORE_ERR_CHECK);
    r.len = STORE_VALUE_MAX;
    r.len2 = 113 * 8 - STORE_VALUE_MAX;
    CHECK_EQ(store_encode_request(&r, &label, mr), STORE_PUT2_MAX_MRS);
    r.len2++;
    CHECK_EQ(store_encode_request(&r, &label, mr), 0);
}

int main(void)
{
    struct store_request r, d;
    uint64_t label;
    memset(&r, 0, sizeof(r));
    r.op = STORE_OP_PUT;
    memcpy(r.name.s, "config", 7);
    r.len = 13;
    memcpy(r.value, "hello, store!", 13);
    unsigned n = store_encode_request(&r, &label, mr);
    CHECK_EQ(n, 3 + 2 + 1);
    CHECK_EQ(store_decode_request(label, mr, n, 0, &d), STORE_OK);
    CHECK(memcmp(&r, &d, sizeof(r)) == 0);
    CHECK_EQ(store_decode_request(label, mr, n, 1, &d), STORE_ERR_BAD_CAP);
    mr[n - 2] = store_check_word(label, mr, n - 2);
    CHECK_EQ(store_decode_request(label, mr, n - 1, 0, &d), STORE_ERR_BAD_REQUEST); /* len says 2 words */
    n = store_encode_request(&r, &label, mr);
    mr[n - 2] |= 0xFFull << 56; /* junk after len */
    CHECK_EQ(store_decode_request(label, mr, n, 0, &d), STORE_ERR_CHECK);
    reseal(label, n);
    CHECK_EQ(store_decode_request(label, mr, n, 0, &d), STORE_ERR_BAD_REQUEST);
    /* Largest value: 512 bytes = 64 registers; one more byte is refused. */
    r.len = STORE_VALUE_MAX;
    memset(r.value, 0x5A, sizeof(r.value));
    n = store_encode_request(&r, &label, mr);
    CHECK_EQ(n, STORE_REQUEST_MAX_MRS);
    CHECK_EQ(store_decode_request(label, mr, n, 0, &d), STORE_OK);
    CHECK_EQ(d.len, STORE_VALUE_MAX);
    mr[2] = STORE_VALUE_MAX + 1;
    reseal(label, n);
    CHECK_EQ(store_decode_request(label, mr, n, 0, &d), STORE_ERR_TOO_BIG);
    CHECK_EQ(store_decode_request(label, mr, STORE_REQUEST_MAX_MRS + 1, 0, &d), STORE_ERR_BAD_REQUEST);
    r.len = STORE_VALUE_MAX + 1;
    CHECK_EQ(store_encode_request(&r, &label, mr), 0);
    /* Empty value: zero value registers. */
    r.len = 0;
    n = store_encode_request(&r, &label, mr);
    CHECK_EQ(n, 4);
    CHECK_EQ(store_decode_request(label, mr, n, 0, &d), STORE_OK);
    /* Names. */
    r.op = STORE_OP_GET;
    n = store_encode_request(&r, &label, mr);
    mr[0] = 0x41; /* "A" */
    CHECK_EQ(store_decode_request(label, mr, n, 0, &d), STORE_ERR_CHECK);
    reseal(label, n);
    CHECK_EQ(store_decode_request(label, mr, n, 0, &d), STORE_ERR_BAD_NAME);
    /* Admin requests: owner must be a valid owner badge. */
    memset(&r, 0, sizeof(r));
    r.op = STORE_OP_OWNER_SET;
    r.owner = 3;
    r.max_entries = 4;
    r.max_bytes = 1000;
    n = store_encode_request(&r, &label, mr);
    CHECK_EQ(store_decode_request(label, mr, n, 0, &d), STORE_OK);
    CHECK(memcmp(&r, &d, sizeof(r)) == 0);
    mr[1] = 1ull << 32;
    reseal(label, n);
    CHECK_EQ(store_decode_request(label, mr, n, 0, &d), STORE_ERR_BAD_REQUEST);
    mr[1] = 4;
    mr[0] = STORE_ADMIN_BADGE;
    reseal(label, n);
    CHECK_EQ(store_decode_request(label, mr, n, 0, &d), STORE_ERR_BAD_REQUEST);
    mr[0] = 0;
    reseal(label, n);
    CHECK_EQ(store_decode_request(label, mr, n, 0, &d), STORE_ERR_BAD_REQUEST);
    r.op = STORE_OP_OWNER_START;
    r.generation = 0;
    n = store_encode_request(&r, &label, mr);
    CHECK_EQ(store_decode_request(label, mr, n, 0, &d), STORE_ERR_STALE);
    mr[0] = store_check_word(STORE_LABEL(STORE_OP_GET_INCARNATION), mr, 0);
    CHECK_EQ(store_decode_request(STORE_LABEL(STORE_OP_GET_INCARNATION), mr, 1, 0, &d), STORE_OK);
    CHECK_EQ(store_decode_request(STORE_LABEL(STORE_OP_GET_INCARNATION), mr, 0, 0, &d), STORE_ERR_BAD_REQUEST);
    mr[1] = store_check_word(STORE_LABEL(STORE_OP_GET_INCARNATION), mr, 1);
    CHECK_EQ(store_decode_request(STORE_LABEL(STORE_OP_GET_INCARNATION), mr, 2, 0, &d), STORE_ERR_BAD_REQUEST);
    CHECK_EQ(store_decode_request(STORE_LABEL(STORE_OP_COUNT), mr, 1, 0, &d), STORE_ERR_BAD_REQUEST);
    CHECK_EQ(store_decode_request(STORE_LABEL(STORE_OP_HELLO) + (1u << 12), mr, 1, 0, &d), STORE_ERR_VERSION);
    damaged_in_transit();
    /* A known answer, the same in logd's Rust client (rust/logd/src/store.rs). */
    static const uint64_t sample[3] = { 0x3130676e69726c67ull, 0, 512 };
    CHECK_EQ(store_check_word(STORE_LABEL(STORE_OP_PUT), sample, 3), 0xbfb0b28d743a0917ull);
    CHECK(strcmp(store_err_name(STORE_ERR_QUOTA), "STORE_ERR_QUOTA") == 0);
    CHECK(strcmp(store_err_name(STORE_ERR_CHECK), "STORE_ERR_CHECK") == 0);
    return check_result("store_protocol_test");
}
