/* Saving the RS's state to the recovery record page and reading it back. */
#include "rs/server/record.h"
#include <runtime/string.h>

static struct rs_record *const record = (struct rs_record *)RS_RECORD_VADDR;
static uint64_t my_incarnation;
static uint32_t abort_armed; /* RS_POINT_* at which to fault, 0: none */

static void save(uint32_t op, unsigned i)
{
    struct rs_record r;
    memset(&r, 0, sizeof(r));
    r.incarnation = my_incarnation;
    r.intent_op = op;
    r.intent_svc = i;
    r.nservices = rs.m.nservices;
    r.tick_ms = rs.tick_ms;
    r.now = rs.now;
    memcpy(r.restart_log, rs.restart_log, sizeof(r.restart_log));
    for (unsigned k = 0; k < rs.m.nservices; k++) {
        const struct rs_proc *p = &rs.p[k];
        struct rs_record_service *s = &r.svc[k];
        s->state = p->state;
        s->generation = p->generation;
        s->restarts = p->restarts;
        s->consecutive = p->consecutive;
        s->as = p->as;
        s->end = p->last.end;
        s->kind = p->last.kind;
        s->started_at = p->started_at;
        s->until = p->until;
        s->addr = p->last.addr;
        s->ip = p->last.ip;
        s->code = p->last.code;
    }
    rs_record_seal(&r);
    /* One copy into the shared page; a death during it leaves a bad checksum, which the
     * next RS treats like a lost record. */
    memcpy(record, &r, sizeof(r));
}

void rs_record_intent(uint32_t op, unsigned i) { save(op, i); }
void rs_record_commit(void) { save(RS_INTENT_NONE, 0); }

int rs_record_load(uint64_t incarnation, uint32_t *op, uint32_t *svc)
{
    my_incarnation = incarnation;
    int err = rs_record_check(record, 4096, rs.m.nservices, RS_FAILED + 1);
    if (err != RS_RECORD_OK) return err;
    *op = record->intent_op;
    *svc = record->intent_svc;
    rs.now = record->now;
    rs.tick_ms = record->tick_ms;
    memcpy(rs.restart_log, record->restart_log, sizeof(rs.restart_log));
    for (unsigned k = 0; k < rs.m.nservices; k++) {
        struct rs_proc *p = &rs.p[k];
        const struct rs_record_service *s = &record->svc[k];
        p->state = s->state;
        p->generation = s->generation;
        p->restarts = s->restarts;
        p->consecutive = s->consecutive;
        p->as = s->as;
        p->last.end = s->end;
        p->last.kind = s->kind;
        p->started_at = s->started_at;
        p->until = s->until;
        p->last.addr = s->addr;
        p->last.ip = s->ip;
        p->last.code = s->code;
        p->deadline = 0;
        p->ping_at = rs.now;
    }
    return RS_RECORD_OK;
}

void rs_test_arm_abort(uint32_t point) { abort_armed = point; }

void rs_test_abort_point(uint32_t point)
{
    if (abort_armed != 0 && abort_armed == point) {
        abort_armed = 0;
        __asm__ volatile("movq $0, 0" : : : "memory"); /* a VM fault: the guardian takes over */
    }
}
