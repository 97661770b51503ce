/* The retry loop around seL4_Call (svc_call.h). */
#include "svcclient/client/svc_call.h"
#include "svcclient/core/released.h"
#include <stddef.h>

static enum svc_call_result attempt(struct svc_conn *c, const struct svc_msg *in, struct svc_msg *out)
{
    unsigned n = in->n <= seL4_MsgMaxLength ? in->n : seL4_MsgMaxLength;
    for (unsigned k = 0; k < n; k++) seL4_SetMR((int)k, in->mr[k]);
    c->attempts++;
    seL4_MessageInfo_t r = seL4_Call(c->cap, seL4_MessageInfo_new(in->label | SVC_LABEL_RESTARTABLE, 0, 0, n));
    if (seL4_MessageInfo_get_label(r) == SVC_REPLY_RESTARTED && seL4_MessageInfo_get_length(r) == 0) {
        c->restarted++;
        return SVC_CALL_RESTARTED;
    }
    out->label = seL4_MessageInfo_get_label(r);
    out->n = (unsigned)seL4_MessageInfo_get_length(r);
    for (unsigned k = 0; k < out->n && k < seL4_MsgMaxLength; k++) out->mr[k] = seL4_GetMR((int)k);
    return SVC_CALL_OK;
}

int svc_call(struct svc_conn *c, enum svc_op_kind kind, uint64_t seq, const struct svc_msg *in,
             struct svc_msg *out)
{
    /* No clock: delays are 0 (a repeated Call waits in the endpoint's queue instead). */
    struct svc_retry_policy p = { .max_attempts = c->max_attempts, .first_ms = 0, .max_ms = 0, .deadline_ms = 0 };
    struct svc_retry r;
    int err = svc_retry_begin(&r, &p, kind, 0, seq);
    if (err != SVC_OK) return err;
    c->calls++;
    for (uint32_t guard = 0; guard < c->max_attempts; guard++) {
        struct svc_decision d = svc_retry_decide(&r, attempt(c, in, out), 0);
        if (d.kind == SVC_RETURN_OK) return SVC_OK;
        if (d.kind == SVC_RETURN_ERROR) {
            if (d.err == SVC_ERR_IN_DOUBT) c->in_doubt++;
            return (int)d.err;
        }
        if (d.reresolve && c->resolve != NULL) c->resolve(c);
    }
    return SVC_ERR_RESTARTED;
}
