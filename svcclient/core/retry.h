/*
 * Client-side retry logic for calls to supervised services (services the RS restarts).
 * Plain C, no syscalls, no clock: the caller passes the time (ms, any monotonic origin).
 *
 * After each attempt the caller classifies what happened and asks what to do next:
 *   SVC_CALL_OK         a reply came (whatever its application error code): return it.
 *   SVC_CALL_RESTARTED  the service died or was restarted while the request was in flight:
 *                       it may or may not have been applied ("in doubt").
 *   SVC_CALL_DEAD       no incarnation took the request: the name is unbound, the cap is
 *                       gone, or the service refused it as addressed to an old generation.
 *                       Nothing was applied.
 * and declares what the operation is:
 *   SVC_OP_IDEMPOTENT   applying it twice is the same as once (GET, PUT of a whole value).
 *   SVC_OP_DEDUPED      not idempotent, but it carries (client, seq) and the service keeps
 *                       an exactly-once table (store/core/dedup.h): a repeat with the same
 *                       seq is answered from the table, never applied twice.
 *   SVC_OP_UNSAFE       not idempotent and not deduplicated.
 * Decisions:
 *   OK / ERROR:  return to the caller (ERROR: err says why);
 *   RETRY:       re-resolve the name (names LOOKUP_IF_NEWER with the known generation) when
 *                `reresolve` is set, then repeat the SAME request (same seq) at time >= `at`.
 * Rules: DEAD is retried for every kind (nothing was applied); RESTARTED is retried for
 * IDEMPOTENT and DEDUPED, and is an error (SVC_ERR_IN_DOUBT) for UNSAFE.  Delays double
 * from first_ms up to max_ms; at most max_attempts attempts and nothing after the deadline.
 * All time arithmetic saturates.
 */
#pragma once
#include <stdint.h>

enum svc_call_result { SVC_CALL_OK = 0, SVC_CALL_RESTARTED, SVC_CALL_DEAD };
enum svc_op_kind { SVC_OP_IDEMPOTENT = 0, SVC_OP_DEDUPED, SVC_OP_UNSAFE };
enum svc_decision_kind { SVC_RETURN_OK = 0, SVC_RETURN_ERROR, SVC_RETRY };

typedef enum svc_err {
    SVC_OK = 0,
    SVC_ERR_DEAD = 1,      /* gave up: the service stayed unreachable (attempts or deadline) */
    SVC_ERR_RESTARTED = 2, /* gave up: the service kept restarting during the call */
    SVC_ERR_IN_DOUBT = 3,  /* an UNSAFE operation was interrupted by a restart: it may or
                              may not have been applied; the caller must find out */
    SVC_ERR_BAD_ARGS = 4,  /* policy or operation kind invalid */
    SVC_ERR_COUNT
} svc_err_t;

struct svc_retry_policy {
    uint32_t max_attempts; /* >= 1: attempts in all, the first included */
    uint64_t first_ms;     /* delay before the first retry */
    uint64_t max_ms;       /* delay cap */
    uint64_t deadline_ms;  /* total time allowed from svc_retry_begin (0: none) */
};

struct svc_retry {
    struct svc_retry_policy policy;
    uint32_t kind;     /* enum svc_op_kind */
    uint32_t attempts; /* attempts made (decided) so far */
    uint64_t started_at;
    uint64_t seq;      /* the request's sequence number (DEDUPED), repeated unchanged */
};

struct svc_decision {
    uint32_t kind;      /* enum svc_decision_kind */
    uint32_t err;       /* svc_err_t for SVC_RETURN_ERROR */
    uint32_t reresolve; /* RETRY: look the name up again first */
    uint64_t at;        /* RETRY: not before this time */
    uint64_t seq;       /* RETRY: the sequence number to send (the same as before) */
};

/* True if an operation of this kind may be sent with this sequence number (a DEDUPED one
 * needs one); svc_retry_begin refuses the others. */
static inline int svc_retry_kind_ok(enum svc_op_kind kind, uint64_t seq)
{
    return kind <= SVC_OP_UNSAFE && (kind != SVC_OP_DEDUPED || seq != 0);
}

/* Starts the retry state of one operation; SVC_OK or SVC_ERR_BAD_ARGS. */
int svc_retry_begin(struct svc_retry *r, const struct svc_retry_policy *p, enum svc_op_kind kind,
                    uint64_t now, uint64_t seq);
/* What to do after an attempt that ended with `res` at time `now`. */
struct svc_decision svc_retry_decide(struct svc_retry *r, enum svc_call_result res, uint64_t now);
/* The delay before retry number n (1 = first retry), saturating. */
uint64_t svc_retry_delay(const struct svc_retry_policy *p, uint32_t n);
const char *svc_err_name(int err);
