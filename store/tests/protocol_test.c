/* State-store codec: shapes, names, values in registers, admin requests, round trips. */
#include <string.h>
#include "check.h"
#include "store/protocol/errors.h"
#include "store/protocol/messages.h"

static uint64_t mr[STORE_MAX_MRS + 8];

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
    CHECK_EQ(n, 3 + 2);
    CHECK_EQ(store_decode_request(label, mr, n, 0, &d), STORE_OK);
    CHECK(memcmp(&r, &d, sizeof(r)) == 0);
    CHECK_EQ(store_decode_request(label, mr, n, 1, &d), STORE_ERR_BAD_CAP);
    CHECK_EQ(store_decode_request(label, mr, n - 1, 0, &d), STORE_ERR_BAD_REQUEST); /* len says 2 words */
    mr[n - 1] |= 0xFFull << 56;                                                     /* junk after len */
    CHECK_EQ(store_decode_request(label, mr, n, 0, &d), STORE_ERR_BAD_REQUEST);
    /* Largest value: 512 bytes = 64 registers; one more byte is refused. */
    r.len = STORE_VALUE_MAX;
    memset(r.value, 0x5A, sizeof(r.value));
    n = store_encode_request(&r, &label, mr);
    CHECK_EQ(n, STORE_MAX_MRS);
    CHECK_EQ(store_decode_request(label, mr, n, 0, &d), STORE_OK);
    CHECK_EQ(d.len, STORE_VALUE_MAX);
    mr[2] = STORE_VALUE_MAX + 1;
    CHECK_EQ(store_decode_request(label, mr, n, 0, &d), STORE_ERR_TOO_BIG);
    CHECK_EQ(store_decode_request(label, mr, STORE_MAX_MRS + 1, 0, &d), STORE_ERR_BAD_REQUEST);
    r.len = STORE_VALUE_MAX + 1;
    CHECK_EQ(store_encode_request(&r, &label, mr), 0);
    /* Empty value: zero value registers. */
    r.len = 0;
    n = store_encode_request(&r, &label, mr);
    CHECK_EQ(n, 3);
    CHECK_EQ(store_decode_request(label, mr, n, 0, &d), STORE_OK);
    /* Names. */
    r.op = STORE_OP_GET;
    n = store_encode_request(&r, &label, mr);
    mr[0] = 0x41; /* "A" */
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
    CHECK_EQ(store_decode_request(label, mr, n, 0, &d), STORE_ERR_BAD_REQUEST);
    mr[1] = 4;
    mr[0] = STORE_ADMIN_BADGE;
    CHECK_EQ(store_decode_request(label, mr, n, 0, &d), STORE_ERR_BAD_REQUEST);
    mr[0] = 0;
    CHECK_EQ(store_decode_request(label, mr, n, 0, &d), STORE_ERR_BAD_REQUEST);
    r.op = STORE_OP_OWNER_START;
    r.generation = 0;
    n = store_encode_request(&r, &label, mr);
    CHECK_EQ(store_decode_request(label, mr, n, 0, &d), STORE_ERR_STALE);
    CHECK_EQ(store_decode_request(STORE_LABEL(STORE_OP_GET_INCARNATION), mr, 0, 0, &d), STORE_OK);
    CHECK_EQ(store_decode_request(STORE_LABEL(STORE_OP_GET_INCARNATION), mr, 1, 0, &d), STORE_ERR_BAD_REQUEST);
    CHECK_EQ(store_decode_request(STORE_LABEL(STORE_OP_COUNT), mr, 0, 0, &d), STORE_ERR_BAD_REQUEST);
    CHECK_EQ(store_decode_request(STORE_LABEL(STORE_OP_HELLO) + (1u << 12), mr, 0, 0, &d), STORE_ERR_VERSION);
    CHECK(strcmp(store_err_name(STORE_ERR_QUOTA), "STORE_ERR_QUOTA") == 0);
    return check_result("store_protocol_test");
}
