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
        uint64_t label = 0, m[RS_REQUEST_MAX_MRS];
        unsigned n = rs_encode_request(&r, &label, m);
        struct rs_request d;
        CHECK_EQ(rs_decode_request(label, m, n, 0, &d), RS_OK);
        CHECK_EQ(d.op, op);
        if (op == RS_OP_FIND) CHECK(strcmp(d.name, "timer") == 0);
        else if (op == RS_OP_ABORT || op == RS_OP_LOG) CHECK_EQ(d.when, RS_ABORT_AFTER_START);
        else CHECK_EQ(d.index, 7);
    }
}

/* rs_check_word(RS_LABEL(RS_OP_LIST), {7}, 1), also in rust/logd/src/rs_events.rs. */
#define RS_LIST_7_CHECK 0xee884d912a911031ull

static uint64_t req[RS_REQUEST_MAX_MRS + 1];

/* Decodes label with nargs arguments mr[0..nargs) sealed with their check word. */
static int sealed(uint64_t label, unsigned nargs, unsigned ncaps, struct rs_request *d)
{
    req[nargs] = rs_check_word(label, req, nargs);
    return rs_decode_request(label, req, nargs + 1, ncaps, d);
}

static void test_rejects(void)
{
    struct rs_request d;
    memset(req, 0, sizeof(req));
    CHECK_EQ(rs_decode_request(RS_LABEL(RS_OP_LIST), req, 0, 0, &d), RS_ERR_BAD_REQUEST);
    CHECK_EQ(rs_decode_request(RS_LABEL(RS_OP_LIST), req, RS_REQUEST_MAX_MRS + 1, 0, &d), RS_ERR_BAD_REQUEST);
    CHECK_EQ(sealed(RS_LABEL(0), 0, 0, &d), RS_ERR_BAD_REQUEST);
    CHECK_EQ(sealed(RS_LABEL(RS_OP_COUNT), 1, 0, &d), RS_ERR_BAD_REQUEST);
    CHECK_EQ(sealed((2u << 12) | RS_OP_LIST, 1, 0, &d), RS_ERR_VERSION);
    CHECK_EQ(sealed(1ull << 20 | RS_LABEL(RS_OP_LIST), 1, 0, &d), RS_ERR_BAD_REQUEST);
    CHECK_EQ(sealed(RS_LABEL(RS_OP_LIST), 2, 0, &d), RS_ERR_BAD_REQUEST);
    CHECK_EQ(sealed(RS_LABEL(RS_OP_LIST), 0, 0, &d), RS_ERR_BAD_REQUEST);
    req[0] = 0;
    CHECK_EQ(sealed(RS_LABEL(RS_OP_LIST), 1, 1, &d), RS_ERR_BAD_REQUEST);
    CHECK_EQ(sealed(RS_LABEL(RS_OP_LIST), 1, 0, &d), RS_OK);
    /* no check word (the protocol before it): refused */
    CHECK_EQ(rs_decode_request(RS_LABEL(RS_OP_LIST), req, 1, 0, &d), RS_ERR_CHECK);
    req[0] = 32;
    CHECK_EQ(sealed(RS_LABEL(RS_OP_STOP), 1, 0, &d), RS_ERR_UNKNOWN_SERVICE);
    req[0] = RS_ABORT_IN_REQUEST + 1;
    CHECK_EQ(sealed(RS_LABEL(RS_OP_ABORT), 1, 0, &d), RS_ERR_BAD_REQUEST);
    req[0] = RS_ABORT_HANG;
    CHECK_EQ(sealed(RS_LABEL(RS_OP_ABORT), 1, 0, &d), RS_OK);
    CHECK_EQ(d.when, RS_ABORT_HANG);
    /* FIND: empty, unterminated, garbage after the NUL */
    req[0] = 0;
    req[1] = 0;
    CHECK_EQ(sealed(RS_LABEL(RS_OP_FIND), 2, 0, &d), RS_ERR_BAD_REQUEST);
    req[0] = 0x6161616161616161ull;
    req[1] = 0x6161616161616161ull;
    CHECK_EQ(sealed(RS_LABEL(RS_OP_FIND), 2, 0, &d), RS_ERR_BAD_REQUEST);
    req[0] = 0x61;
    req[1] = 0x6100000000000000ull;
    CHECK_EQ(sealed(RS_LABEL(RS_OP_FIND), 2, 0, &d), RS_ERR_BAD_REQUEST);
}

/* Every single bit flip of the label (its 52 bits in the message info) or of a register
 * of every request is refused with RS_ERR_CHECK; so is a register count one more or one
 * less (within the registers a request may have). */
static void test_damage(void)
{
    unsigned refused = 0, total = 0;
    for (uint32_t op = 1; op < RS_OP_COUNT; op++) {
        struct rs_request r = { .op = op, .index = 5, .when = RS_ABORT_HANG };
        memcpy(r.name, "kv", 3);
        uint64_t label = 0, m[RS_REQUEST_MAX_MRS + 1] = { 0 };
        unsigned n = rs_encode_request(&r, &label, m);
        CHECK(n >= 2 && n <= RS_REQUEST_MAX_MRS);
        struct rs_request d;
        for (unsigned b = 0; b < 52; b++) {
            total++;
            refused += rs_decode_request(label ^ (1ull << b), m, n, 0, &d) == RS_ERR_CHECK;
        }
        for (unsigned k = 0; k < n; k++) {
            for (unsigned b = 0; b < 64; b++) {
                m[k] ^= 1ull << b;
                total++;
                refused += rs_decode_request(label, m, n, 0, &d) == RS_ERR_CHECK;
                m[k] ^= 1ull << b;
            }
        }
        CHECK_EQ(rs_decode_request(label, m, n - 1, 0, &d), RS_ERR_CHECK);
        if (n < RS_REQUEST_MAX_MRS) CHECK_EQ(rs_decode_request(label, m, n + 1, 0, &d), RS_ERR_CHECK);
        CHECK_EQ(rs_decode_request(label, m, n, 0, &d), RS_OK); /* undamaged again */
    }
    CHECK_EQ(refused, total);
    CHECK(total > 1000u);
    CHECK_EQ(rs_check_word(RS_LABEL(RS_OP_LIST), (const uint64_t[]){ 7 }, 1), RS_LIST_7_CHECK);
}

/* rs_call_resending against a transport that damages the first `damage` requests (one
 * bit of a register) before the decoder sees them. */
struct wire {
    unsigned damage, sent, applied;
    int last;
};

static int wire_send(void *ctx, uint64_t label, const uint64_t *m, unsigned n)
{
    struct wire *w = ctx;
    uint64_t got[RS_REQUEST_MAX_MRS];
    CHECK(n <= RS_REQUEST_MAX_MRS);
    memcpy(got, m, n * sizeof(*m));
    if (w->sent++ < w->damage) got[w->sent % n] ^= 1ull << (w->sent % 64);
    struct rs_request d;
    w->last = rs_decode_request(label, got, n, 0, &d);
    if (w->last == RS_OK) w->applied++;
    return w->last;
}

static void test_resend(void)
{
    struct rs_request r = { .op = RS_OP_STOP, .index = 3 };
    for (unsigned damage = 0; damage <= RS_CHECK_RESENDS + 2; damage++) {
        struct wire w = { .damage = damage };
        unsigned resends = 0;
        int err = rs_call_resending(&r, wire_send, &w, &resends);
        if (damage <= RS_CHECK_RESENDS) {
            CHECK_EQ(err, RS_OK);
            CHECK_EQ(resends, damage);
            CHECK_EQ(w.sent, damage + 1);
        } else {
            CHECK_EQ(err, RS_ERR_CHECK); /* given up: the caller sees the refusal */
            CHECK_EQ(resends, RS_CHECK_RESENDS);
            CHECK_EQ(w.sent, RS_CHECK_RESENDS + 1);
        }
        CHECK(w.applied <= 1);
    }
    /* a refusal that is an answer (no such service) is not sent again */
    struct rs_request far = { .op = RS_OP_STOP, .index = 40 };
    struct wire w = { 0 };
    CHECK_EQ(rs_call_resending(&far, wire_send, &w, 0), RS_ERR_UNKNOWN_SERVICE);
    CHECK_EQ(w.sent, 1);
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
    test_damage();
    test_resend();
    test_list();
    test_record();
    return check_result("rs_protocol_test");
}
