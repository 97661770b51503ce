/* RS control client: encode, seL4_Call, decode (see rs_client.h). */
#include "rs/client/rs_client.h"

struct conn {
    seL4_CPtr ep;
    unsigned reply_length;
};

static int send(void *ctx, uint64_t label, const uint64_t *mr, unsigned n)
{
    struct conn *c = ctx;
    for (unsigned k = 0; k < n; k++) seL4_SetMR((int)k, mr[k]);
    seL4_MessageInfo_t info = seL4_Call(c->ep, seL4_MessageInfo_new(label, 0, 0, n));
    c->reply_length = (unsigned)seL4_MessageInfo_get_length(info);
    return (int)seL4_MessageInfo_get_label(info);
}

/* With its check word, sent again if it arrived damaged (rs_call_resending). */
static int call(seL4_CPtr ep, const struct rs_request *r, uint64_t *res, unsigned nres)
{
    struct conn c = { ep, 0 };
    int err = rs_call_resending(r, send, &c, 0);
    if (err != RS_OK) return err;
    if (c.reply_length < nres) return RS_ERR_BAD_REQUEST;
    for (unsigned k = 0; k < nres; k++) res[k] = seL4_GetMR((int)k);
    return RS_OK;
}

static int simple(seL4_CPtr ep, uint32_t op, uint32_t index)
{
    struct rs_request r = { .op = op, .index = index };
    return call(ep, &r, 0, 0);
}

int rsc_list(seL4_CPtr ep, uint32_t index, struct rs_list_entry *e)
{
    struct rs_request r = { .op = RS_OP_LIST, .index = index };
    uint64_t mr[RS_LIST_WORDS];
    int err = call(ep, &r, mr, RS_LIST_WORDS);
    return err != RS_OK ? err : rs_decode_list(mr, RS_LIST_WORDS, e);
}

int rsc_find(seL4_CPtr ep, const char *name, uint32_t *index)
{
    struct rs_request r = { .op = RS_OP_FIND };
    for (unsigned k = 0; k + 1 < RS_NAME_BYTES && name[k] != '\0'; k++) r.name[k] = name[k];
    uint64_t v = 0;
    int err = call(ep, &r, &v, 1);
    if (err == RS_OK) *index = (uint32_t)v;
    return err;
}

int rsc_stop(seL4_CPtr ep, uint32_t index) { return simple(ep, RS_OP_STOP, index); }
int rsc_start(seL4_CPtr ep, uint32_t index) { return simple(ep, RS_OP_START, index); }
int rsc_restart(seL4_CPtr ep, uint32_t index) { return simple(ep, RS_OP_RESTART, index); }
int rsc_crash(seL4_CPtr ep, uint32_t index) { return simple(ep, RS_OP_CRASH, index); }
int rsc_hang(seL4_CPtr ep, uint32_t index) { return simple(ep, RS_OP_HANG, index); }

int rsc_abort(seL4_CPtr ep, uint64_t when)
{
    struct rs_request r = { .op = RS_OP_ABORT, .when = when };
    return call(ep, &r, 0, 0);
}

int rsc_audit(seL4_CPtr ep, uint32_t index, struct rs_audit *a)
{
    struct rs_request r = { .op = RS_OP_AUDIT, .index = index };
    uint64_t mr[RS_AUDIT_WORDS];
    int err = call(ep, &r, mr, RS_AUDIT_WORDS);
    if (err == RS_OK) {
        a->untyped_empty = mr[0];
        a->free_pages = mr[1];
        a->free_slots = mr[2];
        a->chunks_checked = mr[3];
        a->chunks_not_empty = mr[4];
    }
    return err;
}

int rsc_log(seL4_CPtr ep, uint64_t seq, uint64_t *got, char *text, unsigned *len)
{
    struct rs_request r = { .op = RS_OP_LOG, .when = seq };
    uint64_t mr[2];
    int err = call(ep, &r, mr, 2);
    if (err != RS_OK) return err;
    unsigned n = (unsigned)(mr[1] > RS_LOG_TEXT_MAX ? RS_LOG_TEXT_MAX : mr[1]);
    for (unsigned k = 0; k < n; k++) text[k] = (char)(seL4_GetMR((int)(2 + k / 8)) >> (8 * (k % 8)));
    *got = mr[0];
    *len = n;
    return RS_OK;
}
