/* Name-registry codec: names, shapes, caps, round trips. */
#include <string.h>
#include "check.h"
#include "names/protocol/errors.h"
#include "names/protocol/messages.h"

static int decode_name(const char *bytes16)
{
    uint64_t mr[3] = { 0, 0, 1 };
    memcpy(mr, bytes16, 16);
    struct names_request r;
    return names_decode_request(NAMES_LABEL(NAMES_OP_LOOKUP), mr, 2, 0, &r);
}

int main(void)
{
    CHECK_EQ(decode_name("kv\0\0\0\0\0\0\0\0\0\0\0\0\0"), NAMES_OK);
    CHECK_EQ(decode_name("abcdefghijklmno"), NAMES_OK); /* 15 characters */
    CHECK_EQ(decode_name("a-b_c-0123456789"), NAMES_ERR_BAD_NAME); /* 16: no terminator */
    CHECK_EQ(decode_name("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"), NAMES_ERR_BAD_NAME); /* empty */
    CHECK_EQ(decode_name("Kv\0\0\0\0\0\0\0\0\0\0\0\0\0"), NAMES_ERR_BAD_NAME); /* upper case */
    CHECK_EQ(decode_name("k v\0\0\0\0\0\0\0\0\0\0\0\0"), NAMES_ERR_BAD_NAME);
    CHECK_EQ(decode_name("kv\0x\0\0\0\0\0\0\0\0\0\0\0"), NAMES_ERR_BAD_NAME); /* junk after NUL */

    struct names_request r = { 0 }, d;
    uint64_t label, mr[NAMES_MAX_MRS];
    r.op = NAMES_OP_BIND;
    memcpy(r.name.s, "timer", 6);
    r.generation = 7;
    unsigned n = names_encode_request(&r, &label, mr);
    CHECK_EQ(n, 3);
    CHECK_EQ(names_decode_request(label, mr, n, 1, &d), NAMES_OK);
    CHECK(strcmp(d.name.s, "timer") == 0);
    CHECK_EQ(d.generation, 7);
    CHECK_EQ(d.ncaps, 1);
    CHECK_EQ(names_decode_request(label, mr, n, 2, &d), NAMES_ERR_BAD_CAP);
    CHECK_EQ(names_decode_request(label, mr, 2, 1, &d), NAMES_ERR_BAD_REQUEST);
    r.generation = 0;
    n = names_encode_request(&r, &label, mr);
    CHECK_EQ(names_decode_request(label, mr, n, 1, &d), NAMES_ERR_STALE);
    r.op = NAMES_OP_LOOKUP;
    n = names_encode_request(&r, &label, mr);
    CHECK_EQ(n, 2);
    CHECK_EQ(names_decode_request(label, mr, n, 1, &d), NAMES_ERR_BAD_CAP); /* no caps in */
    CHECK_EQ(names_decode_request(label, mr, n, 0, &d), NAMES_OK);
    CHECK_EQ(names_decode_request(label | (2u << 12), mr, n, 0, &d), NAMES_ERR_VERSION);
    CHECK_EQ(names_decode_request(1u << 20 | label, mr, n, 0, &d), NAMES_ERR_BAD_REQUEST);
    CHECK_EQ(names_decode_request(NAMES_LABEL(0), mr, 0, 0, &d), NAMES_ERR_BAD_REQUEST);
    CHECK_EQ(names_decode_request(NAMES_LABEL(NAMES_OP_COUNT), mr, 0, 0, &d), NAMES_ERR_BAD_REQUEST);
    memcpy(r.name.s, "Bad", 4);
    CHECK_EQ(names_encode_request(&r, &label, mr), 0);
    CHECK_EQ(label, 0);

    struct names_list_result l = { { "store" }, NAMES_STATE_BOUND, 3 }, l2;
    CHECK_EQ(names_decode_list(mr, names_encode_list(&l, mr), &l2), NAMES_OK);
    CHECK(strcmp(l2.name.s, "store") == 0 && l2.state == NAMES_STATE_BOUND && l2.generation == 3);
    CHECK(strcmp(names_err_name(NAMES_ERR_NOT_NEWER), "NAMES_ERR_NOT_NEWER") == 0);
    CHECK(strcmp(names_err_name(99), "NAMES_ERR_UNKNOWN") == 0);
    return check_result("names_protocol_test");
}
