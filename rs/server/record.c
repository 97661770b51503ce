/* Saving the RS's state to the recovery record pages and reading it back. */
#include "rs/server/record.h"
#include <runtime/string.h>

static struct rs_record *const record = (struct rs_record *)RS_RECORD_VADDR;
/* Built here, then copied to the shared pages (only its `length` bytes). */
static union {
    struct rs_record r;
    uint64_t words[RS_RECORD_MAX_BYTES / 8];
} scratch_space;
#define scratch (scratch_space.r)
static uint64_t my_incarnation;
static uint32_t abort_armed; /* RS_POINT_* at which to fault, 0: none */

static void save(uint32_t op, unsigned i)
{
    struct rs_record *r = &scratch;
    r->incarnation = my_incarnation;
    r->intent_op = op;
    r->intent_svc = i;
    r->nservices = rs.m.nservices;
    r->tick_ms = rs.tick_ms;
    r->now = rs.now;
    for (unsigned k = 0; k < RS_MAX_SERVICES; k++) {
        r->as[k] = rs.as[k];
        r->last[k] = (struct rs_record_last){ rs.last[k].end, rs.last[k].kind, rs.last[k].addr, rs.last[k].ip,
                                              rs.last[k].code, rs.last[k].at };
    }
    rs_record_pack_policy(r, &rs.pol, &rs.m);
    rs_record_seal(r);
    /* One copy into the shared pages; a death during it leaves a bad checksum, which the
     * next RS treats like a lost record. */
    memcpy(record, r, r->length);
}

void rs_record_intent(uint32_t op, unsigned i) { save(op, i); }
void rs_record_commit(void) { save(RS_INTENT_NONE, 0); }

int rs_record_load(uint64_t incarnation, uint32_t *op, uint32_t *svc)
{
    my_incarnation = incarnation;
    int err = rs_record_check(record, RS_RECORD_PAGES * 4096u, rs.m.nservices);
    if (err != RS_RECORD_OK) return err;
    memcpy(&scratch, record, record->length);
    static struct rs_policy saved;
    rs_record_unpack_policy(&scratch, &saved);
    if (rs_policy_restore(&rs.pol, &rs.m, &saved) != 0) return RS_RECORD_BAD_VALUE;
    *op = scratch.intent_op;
    *svc = scratch.intent_svc;
    rs.now = scratch.now;
    rs.tick_ms = scratch.tick_ms;
    for (unsigned k = 0; k < RS_MAX_SERVICES; k++) {
        rs.as[k] = scratch.as[k];
        const struct rs_record_last *l = &scratch.last[k];
        rs.last[k] = (struct rs_last){ l->end, l->kind, l->addr, l->ip, l->code, l->at };
    }
    return RS_RECORD_OK;
}

void rs_test_arm_abort(uint32_t point) { abort_armed = point; }

void rs_test_abort_point(uint32_t point)
{
    if (point == RS_POINT_IDLE && abort_armed == RS_POINT_HANG) {
        for (;;) __asm__ volatile("pause"); /* a hung RS: the guardian's watchdog takes over */
    }
    if (abort_armed != 0 && abort_armed == point) {
        abort_armed = 0;
        __asm__ volatile("movq $0, 0" : : : "memory"); /* a VM fault: the guardian takes over */
    }
}
