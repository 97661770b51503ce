/* The retry loop around seL4_Call (svc_call.h). */
#include "svcclient/client/svc_call.h"
#include "svcclient/core/released.h"
#include <stddef.h>

static enum svc_call_result attempt(struct svc_conn *c, const struct svc_msg *in, struct svc_msg *out)
{
    unsigned n = in->n <= seL4_MsgMaxLength ? in->n : seL4_MsgMaxLength;
    unsigned ncaps = in->ncaps <= seL4_MsgMaxExtraCaps ? in->ncaps : seL4_MsgMaxExtraCaps;
    seL4_IPCBuffer *ipc = seL4_GetIPCBuffer();
    for (unsigned k = 0; k < n; k++) ipc->msg[k] = in->mr[k];
    for (unsigned k = 0; k < ncaps; k++) seL4_SetCap((int)k, in->caps[k]);
    c->attempts++;
    seL4_MessageInfo_t r = seL4_Call(c->cap, seL4_MessageInfo_new(in->label | SVC_LABEL_RESTARTABLE, 0, ncaps, n));
    if (seL4_MessageInfo_get_label(r) == SVC_REPLY_RESTARTED && seL4_MessageInfo_get_length(r) == 0) {
        c->restarted++;
        return SVC_CALL_RESTARTED;
    }
    out->label = seL4_MessageInfo_get_label(r);
    unsigned m = (unsigned)seL4_MessageInfo_get_length(r);
    out->n = m;
    out->ncaps = (unsigned)seL4_MessageInfo_get_extraCaps(r);
    if (m > seL4_MsgMaxLength) m = seL4_MsgMaxLength;
    ipc = seL4_GetIPCBuffer();
    for (unsigned k = 0; k < m; k++) out->mr[k] = ipc->msg[k];
    return SVC_CALL_OK;
}

int svc_call(struct svc_conn *c, enum svc_op_kind kind, uint64_t seq, const struct svc_msg *in,
             struct svc_msg *out)
{
    /* What svc_retry_begin would refuse is refused before anything is sent. */
    if (c->max_attempts == 0 || !svc_retry_kind_ok(kind, seq)) return SVC_ERR_BAD_ARGS;
    c->calls++;
    enum svc_call_result res = attempt(c, in, out);
    /* A reply (the common case) is returned whatever the kind: the rules are set up and
     * asked only about the others. */
    if (res == SVC_CALL_OK) return SVC_OK;
    /* No clock: delays are 0 (a repeated Call waits in the endpoint's queue instead). */
    struct svc_retry_policy p = { .max_attempts = c->max_attempts, .first_ms = 0, .max_ms = 0, .deadline_ms = 0 };
    struct svc_retry r;
    int err = svc_retry_begin(&r, &p, kind, 0, seq);
    if (err != SVC_OK) return err;
    for (uint32_t made = 1; res != SVC_CALL_OK; made++) {
        struct svc_decision d = svc_retry_decide(&r, res, 0);
        if (d.kind == SVC_RETURN_OK) return SVC_OK;
        if (d.kind == SVC_RETURN_ERROR) {
            if (d.err == SVC_ERR_IN_DOUBT) c->in_doubt++;
            return (int)d.err;
        }
        if (made >= c->max_attempts) return SVC_ERR_RESTARTED;
        if (d.reresolve && c->resolve != NULL) c->resolve(c);
        res = attempt(c, in, out);
    }
    return SVC_OK;
}

int svc_call_op(struct svc_conn *c, const struct svc_op_table *t, uint32_t op, uint64_t seq,
                const struct svc_msg *in, struct svc_msg *out)
{
    enum svc_op_kind kind = svc_op_kind(t, op, seq);
    return svc_call(c, kind, kind == SVC_OP_DEDUPED ? seq : 0, in, out);
}
