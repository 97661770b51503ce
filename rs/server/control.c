/* Control requests: decode (changes nothing), then act (see rs/PROTOCOL.md). */
#include "rs/server/control.h"
#include "rs/server/supervise.h"
#include "rs/server/process.h"
#include "rs/server/record.h"
#include "rs/server/log.h"
#include "rs/protocol/rs_protocol.h"
#include "memserver/client/memserver_client.h"
#include <runtime/string.h>
#include <runtime/stdio.h>

static seL4_MessageInfo_t reply(int err, unsigned n)
{
    return seL4_MessageInfo_new((seL4_Word)err, 0, 0, err == RS_OK ? n : 0);
}

/* Is the request possible in the service's state?  (the second half of decoding; the
 * policy engine checks STOP / START / RESTART itself and refuses without a change) */
static int check_state(const struct rs_request *r)
{
    if (r->op == RS_OP_FIND || r->op == RS_OP_ABORT || r->op == RS_OP_LOG) return RS_OK;
    if (r->index >= rs.m.nservices) return RS_ERR_UNKNOWN_SERVICE;
    uint8_t state = rs.pol.svc[r->index].state;
    bool live = rs.as[r->index] != 0 && (state == RS_SVC_RUNNING || state == RS_SVC_STARTING);
    switch (r->op) {
    case RS_OP_STOP: return state == RS_SVC_STOPPED ? RS_ERR_STATE : RS_OK;
    case RS_OP_CRASH:
    case RS_OP_HANG: return state == RS_SVC_RUNNING && live ? RS_OK : RS_ERR_STATE;
    case RS_OP_AUDIT:
        return rs.as[r->index] == 0 && state != RS_SVC_RUNNING && state != RS_SVC_STARTING &&
                       state != RS_SVC_BACKOFF
                   ? RS_OK
                   : RS_ERR_STATE;
    default: return RS_OK;
    }
}

static int request(uint8_t kind, unsigned i)
{
    return rs_supervise_event(kind, i, 0, 0, NULL) < 0 ? RS_ERR_STATE : RS_OK;
}

static unsigned list(unsigned i)
{
    const struct rs_svc_status *p = &rs.pol.svc[i];
    const struct rs_last *l = &rs.last[i];
    const struct rs_service *s = &rs.m.service[i];
    struct rs_list_entry e;
    memset(&e, 0, sizeof(e));
    memcpy(e.name, s->name, sizeof(e.name) - 1);
    e.state = p->state;
    e.restart_type = s->restart;
    e.generation = p->generation;
    e.restarts = p->restarts;
    e.end = l->end;
    e.fault_kind = l->kind;
    e.fault_addr = l->addr;
    e.fault_ip = l->ip;
    e.fault_code = l->code;
    e.started_at = p->started_at;
    e.ended_at = l->at;
    e.now = rs.now;
    uint64_t stats[9];
    if (msc_stats(RS_SLOT_MS_ADMIN, stats) == MS_OK) e.ms_free_pages = stats[4];
    struct ms_quota_info q;
    /* The service's own quota, asked with its own cap (QUOTA_GET is per client). */
    if (msc_quota_get(RS_SVC_SLOT(i, RS_SVC_MS), &q) == MS_OK) {
        e.pages_used = q.pages_used;
        e.pages_quota = q.pages_limit;
    }
    uint64_t mr[RS_LIST_WORDS];
    unsigned n = rs_encode_list(&e, mr);
    for (unsigned k = 0; k < n; k++) seL4_SetMR((int)k, mr[k]);
    return n;
}

static int audit(unsigned i)
{
    uint64_t mr[RS_AUDIT_WORDS] = { 0 };
    mr[0] = rs_process_untyped_empty(i, rs.m.service[i].untyped_bits);
    uint64_t stats[9];
    int err = msc_stats(RS_SLOT_MS_ADMIN, stats);
    if (err == MS_OK) {
        mr[1] = stats[4];
        mr[2] = stats[5];
        err = msc_verify_free(RS_SLOT_MS_ADMIN, &mr[3], &mr[4]);
    }
    if (err != MS_OK) return RS_ERR_KERNEL;
    for (unsigned k = 0; k < RS_AUDIT_WORDS; k++) seL4_SetMR((int)k, mr[k]);
    return RS_OK;
}

static int find(const char *name)
{
    for (unsigned i = 0; i < rs.m.nservices; i++) {
        if (strncmp(rs.m.service[i].name, name, RS_NAME_BYTES) == 0) {
            seL4_SetMR(0, i);
            return RS_OK;
        }
    }
    return RS_ERR_UNKNOWN_SERVICE;
}

seL4_MessageInfo_t rs_control(seL4_MessageInfo_t info, seL4_Word badge)
{
    uint64_t mr[4] = { 0 };
    unsigned n = (unsigned)seL4_MessageInfo_get_length(info);
    for (unsigned k = 0; k < n && k < 4; k++) mr[k] = seL4_GetMR((int)k);
    if ((badge & RS_BADGE_CONTROL) != RS_BADGE_CONTROL) return reply(RS_ERR_DENIED, 0);
    struct rs_request r;
    int err = n > 4 ? RS_ERR_BAD_REQUEST
                    : rs_decode_request(seL4_MessageInfo_get_label(info), mr, n,
                                        (unsigned)seL4_MessageInfo_get_extraCaps(info), &r);
    if (err == RS_OK) err = check_state(&r);
    if (err != RS_OK) return reply(err, 0);
    rs_test_abort_point(RS_POINT_IN_REQUEST); /* test: die with this request in flight */
    switch (r.op) {
    case RS_OP_LIST: return reply(RS_OK, list(r.index));
    case RS_OP_FIND: err = find(r.name); return reply(err, 1);
    case RS_OP_STOP: return reply(request(RS_EV_STOP_REQ, r.index), 0);
    case RS_OP_START: return reply(request(RS_EV_START_REQ, r.index), 0);
    case RS_OP_RESTART: return reply(request(RS_EV_RESTART_REQ, r.index), 0);
    case RS_OP_CRASH:
        printf("rs: %s gen %u: crash injected (control request)\n", rs.m.service[r.index].name,
               (unsigned)rs.pol.svc[r.index].generation);
        return reply(rs_process_crash(r.index) == seL4_NoError ? RS_OK : RS_ERR_KERNEL, 0);
    case RS_OP_HANG:
        printf("rs: %s gen %u: hang injected (control request)\n", rs.m.service[r.index].name,
               (unsigned)rs.pol.svc[r.index].generation);
        return reply(rs_process_hang(r.index) == seL4_NoError ? RS_OK : RS_ERR_KERNEL, 0);
    case RS_OP_ABORT:
        /* NOW: after this reply, so that the caller is not left waiting for ever. */
        rs_test_arm_abort(r.when == RS_ABORT_AFTER_START ? RS_POINT_START_UNCOMMITTED
                          : r.when == RS_ABORT_HANG       ? RS_POINT_HANG
                          : r.when == RS_ABORT_IN_REQUEST ? RS_POINT_IN_REQUEST
                                                          : RS_POINT_IDLE);
        printf("rs: control: abort armed (test of the guardian)\n");
        return reply(RS_OK, 0);
    case RS_OP_AUDIT: err = audit(r.index); return reply(err, RS_AUDIT_WORDS);
    case RS_OP_LOG: return reply(RS_OK, rs_log_reply(r.when));
    default: return reply(RS_ERR_BAD_REQUEST, 0);
    }
}
