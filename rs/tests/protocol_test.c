/* Host tests of the RS control-protocol codec and the recovery record. */
#include "rs/protocol/rs_protocol.h"
#include "rs/protocol/rs_record.h"
#include "check.h"
#include <string.h>

static void test_roundtrip(void)
{
    for (uint32_t op = 1; op < RS_OP_COUNT; op++) {
        struct rs_request r = { .op = op, .index = 7, .when = RS_ABORT_AFTER_START };
        memcpy(r.name, "timer", 6);
        uint64_t label = 0, mr[4];
        unsigned n = rs_encode_request(&r, &label, mr);
        struct rs_request d;
        CHECK_EQ(rs_decode_request(label, mr, n, 0, &d), RS_OK);
        CHECK_EQ(d.op, op);
        if (op == RS_OP_FIND) CHECK(strcmp(d.name, "timer") == 0);
        else if (op == RS_OP_ABORT || op == RS_OP_LOG) CHECK_EQ(d.when, RS_ABORT_AFTER_START);
        else CHECK_EQ(d.index, 7);
    }
}

static void test_rejects(void)
{
    struct rs_request d;
    uint64_t mr[4] = { 0 };
    CHECK_EQ(rs_decode_request(RS_LABEL(0), mr, 0, 0, &d), RS_ERR_BAD_REQUEST);
    CHECK_EQ(rs_decode_request(RS_LABEL(RS_OP_COUNT), mr, 1, 0, &d), RS_ERR_BAD_REQUEST);
    CHECK_EQ(rs_decode_request((2u << 12) | RS_OP_LIST, mr, 1, 0, &d), RS_ERR_VERSION);
    CHECK_EQ(rs_decode_request(1ull << 20 | RS_LABEL(RS_OP_LIST), mr, 1, 0, &d), RS_ERR_BAD_REQUEST);
    CHECK_EQ(rs_decode_request(RS_LABEL(RS_OP_LIST), mr, 2, 0, &d), RS_ERR_BAD_REQUEST);
    CHECK_EQ(rs_decode_request(RS_LABEL(RS_OP_LIST), mr, 1, 1, &d), RS_ERR_BAD_REQUEST);
    mr[0] = 32;
    CHECK_EQ(rs_decode_request(RS_LABEL(RS_OP_STOP), mr, 1, 0, &d), RS_ERR_UNKNOWN_SERVICE);
    mr[0] = RS_ABORT_IN_REQUEST + 1;
    CHECK_EQ(rs_decode_request(RS_LABEL(RS_OP_ABORT), mr, 1, 0, &d), RS_ERR_BAD_REQUEST);
    mr[0] = RS_ABORT_HANG;
    CHECK_EQ(rs_decode_request(RS_LABEL(RS_OP_ABORT), mr, 1, 0, &d), RS_OK);
    CHECK_EQ(d.when, RS_ABORT_HANG);
    /* FIND: empty, unterminated, garbage after the NUL */
    mr[0] = 0;
    mr[1] = 0;
    CHECK_EQ(rs_decode_request(RS_LABEL(RS_OP_FIND), mr, 2, 0, &d), RS_ERR_BAD_REQUEST);
    mr[0] = 0x6161616161616161ull;
    mr[1] = 0x6161616161616161ull;
    CHECK_EQ(rs_decode_request(RS_LABEL(RS_OP_FIND), mr, 2, 0, &d), RS_ERR_BAD_REQUEST);
    mr[0] = 0x61;
    mr[1] = 0x6100000000000000ull;
    CHECK_EQ(rs_decode_request(RS_LABEL(RS_OP_FIND), mr, 2, 0, &d), RS_ERR_BAD_REQUEST);
}

static void test_list(void)
{
    struct rs_list_entry e = { .state = 2, .restart_type = 1, .generation = 9, .restarts = 8, .end = 1,
                               .fault_kind = 3, .fault_addr = 0x1000, .fault_ip = 0x401234, .fault_code = 6,
                               .pages_used = 40, .pages_quota = 64, .started_at = 12345,
                               .ended_at = 23456, .now = 34567 };
    memcpy(e.name, "kv", 3);
    uint64_t mr[RS_LIST_WORDS];
    struct rs_list_entry d;
    CHECK_EQ(rs_encode_list(&e, mr), RS_LIST_WORDS);
    CHECK_EQ(rs_decode_list(mr, RS_LIST_WORDS, &d), RS_OK);
    CHECK(strcmp(d.name, "kv") == 0);
    CHECK(d.state == 2 && d.restart_type == 1 && d.generation == 9 && d.restarts == 8 && d.end == 1);
    CHECK(d.fault_kind == 3 && d.fault_addr == 0x1000 && d.fault_ip == 0x401234 && d.fault_code == 6);
    CHECK(d.pages_used == 40 && d.pages_quota == 64 && d.started_at == 12345);
    CHECK(d.ended_at == 23456 && d.now == 34567);
    CHECK_EQ(rs_decode_list(mr, 3, &d), RS_ERR_BAD_REQUEST);
}

static struct rs_manifest tm;

static void test_record(void)
{
    static union { struct rs_record r; uint64_t w[RS_RECORD_PAGES * 512]; } u;
    static struct rs_policy pol, back;
    struct rs_record *r = &u.r;
    memset(&u, 0, sizeof(u));
    CHECK_EQ(rs_record_check(r, sizeof(u), 2), RS_RECORD_EMPTY);
    /* a policy with 5 restart times in group 0 (intensity 3: the latest 3 are kept) */
    tm.ngroups = 1;
    tm.group[0].intensity = 3;
    tm.group[0].period_ms = 1000;
    memset(&pol, 0, sizeof(pol));
    pol.now = 500;
    pol.svc[1].generation = 3;
    pol.svc[1].state = RS_SVC_RUNNING;
    for (uint32_t k = 0; k < 5; k++) pol.group[0].restart_at[k] = 100 * (k + 1);
    pol.group[0].head = 5;
    pol.group[0].nrestarts = 5;
    r->nservices = 2;
    r->as[1] = 0x10001;
    r->intent_op = RS_INTENT_START;
    r->intent_svc = 1;
    rs_record_pack_policy(r, &pol, &tm);
    CHECK_EQ(r->group[0].count, 3);
    CHECK_EQ(r->length, sizeof(*r) + 3 * 8);
    rs_record_seal(r);
    CHECK_EQ(rs_record_check(r, sizeof(u), 2), RS_RECORD_OK);
    rs_record_unpack_policy(r, &back);
    CHECK_EQ(back.now, 500);
    CHECK_EQ(back.svc[1].generation, 3);
    CHECK_EQ(back.group[0].nrestarts, 3);
    CHECK(back.group[0].restart_at[0] == 300 && back.group[0].restart_at[1] == 400 &&
          back.group[0].restart_at[2] == 500 && back.group[0].head == 3);
    CHECK_EQ(rs_record_check(r, sizeof(u), 3), RS_RECORD_BAD_VALUE); /* another manifest */
    CHECK_EQ(rs_record_check(r, sizeof(*r), 2), RS_RECORD_BAD_VALUE);  /* times beyond the space */
    u.w[40] ^= 1;
    CHECK_EQ(rs_record_check(r, sizeof(u), 2), RS_RECORD_BAD_CHECKSUM);
    u.w[40] ^= 1;
    r->intent_svc = 2;
    rs_record_seal(r);
    CHECK_EQ(rs_record_check(r, sizeof(u), 2), RS_RECORD_BAD_VALUE);
    r->intent_svc = 1;
    r->group[1].count = 1; /* counts and length disagree */
    rs_record_seal(r);
    CHECK_EQ(rs_record_check(r, sizeof(u), 2), RS_RECORD_BAD_VALUE);
    r->group[1].count = 0;
    r->length = 12;
    r->checksum = 0;
    CHECK_EQ(rs_record_check(r, sizeof(u), 2), RS_RECORD_BAD_VALUE);
    r->length = sizeof(*r) + 3 * 8;
    r->version = 1;
    r->checksum = rs_record_checksum(r);
    CHECK_EQ(rs_record_check(r, sizeof(u), 2), RS_RECORD_BAD_VERSION);
    CHECK_EQ(rs_record_check(r, 100, 2), RS_RECORD_BAD_VALUE);
}

int main(void)
{
    test_roundtrip();
    test_rejects();
    test_list();
    test_record();
    return check_result("rs_protocol_test");
}
