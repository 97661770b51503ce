/* Retry decisions for calls to supervised services (see retry.h). */
#include "svcclient/core/retry.h"

static uint64_t sat_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

uint64_t svc_retry_delay(const struct svc_retry_policy *p, uint32_t n)
{
    uint64_t d = p->first_ms;
    for (uint32_t i = 1; i < n && d < p->max_ms; i++) d = d > UINT64_MAX / 2 ? UINT64_MAX : d * 2;
    return d < p->max_ms ? d : p->max_ms;
}

int svc_retry_begin(struct svc_retry *r, const struct svc_retry_policy *p, enum svc_op_kind kind,
                    uint64_t now, uint64_t seq)
{
    struct svc_retry z = { 0 };
    *r = z;
    if (p->max_attempts == 0 || p->first_ms > p->max_ms || !svc_retry_kind_ok(kind, seq)) return SVC_ERR_BAD_ARGS;
    r->policy = *p;
    r->kind = (uint32_t)kind;
    r->started_at = now;
    r->seq = seq;
    return SVC_OK;
}

static struct svc_decision give_up(uint32_t err)
{
    struct svc_decision d = { SVC_RETURN_ERROR, err, 0, 0, 0 };
    return d;
}

struct svc_decision svc_retry_decide(struct svc_retry *r, enum svc_call_result res, uint64_t now)
{
    struct svc_decision d = { SVC_RETURN_OK, SVC_OK, 0, 0, 0 };
    if (r->attempts < UINT32_MAX) r->attempts++;
    if (res == SVC_CALL_OK) return d;
    if (res != SVC_CALL_RESTARTED && res != SVC_CALL_DEAD) return give_up(SVC_ERR_BAD_ARGS);
    if (res == SVC_CALL_RESTARTED && r->kind == SVC_OP_UNSAFE) return give_up(SVC_ERR_IN_DOUBT);
    uint32_t err = res == SVC_CALL_DEAD ? SVC_ERR_DEAD : SVC_ERR_RESTARTED;
    if (r->attempts >= r->policy.max_attempts) return give_up(err);
    uint64_t at = sat_add(now, svc_retry_delay(&r->policy, r->attempts));
    if (r->policy.deadline_ms != 0 && at > sat_add(r->started_at, r->policy.deadline_ms)) {
        return give_up(err);
    }
    d.kind = SVC_RETRY;
    d.reresolve = 1;
    d.at = at;
    d.seq = r->seq;
    return d;
}

const char *svc_err_name(int err)
{
    static const char *const names[SVC_ERR_COUNT] = {
        "SVC_OK", "SVC_ERR_DEAD", "SVC_ERR_RESTARTED", "SVC_ERR_IN_DOUBT", "SVC_ERR_BAD_ARGS",
    };
    if (err < 0 || err >= SVC_ERR_COUNT) return "SVC_ERR_UNKNOWN";
    return names[err];
}
