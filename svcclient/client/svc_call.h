/*
 * seL4_Call to a supervised service with the retry rules of svcclient/core/retry.h: one
 * request (label, registers, caps) is sent, and sent again while the outcome says so.
 * Used by every protocol's client library: kv/client, names/client, logd's C client,
 * kv's store calls and memserver/client (the memory server is never restarted, but its
 * clients take the same path).  Each protocol declares how its operations may be
 * repeated in one table (svcclient/core/op_table.h); svc_call_op reads it.
 *
 * Outcome of one attempt:
 *   the reply's label is SVC_REPLY_RESTARTED (svcclient/core/released.h): the RS released
 *     this Call because the service died while it was queued or being served -> RESTARTED;
 *   any other reply: the service answered (its label is the protocol's error code) -> OK.
 * A service that is down keeps its endpoint (the RS's design), so a repeated Call waits
 * in the endpoint's queue for the next incarnation: retries need no sleeping and no clock.
 * Without a name service the cap never changes (manifest channels); re-resolving is the
 * caller's business (`resolve`, may be NULL).
 */
#pragma once
#include <sel4/sel4.h>
#include <stdint.h>
#include "svcclient/core/retry.h"
#include "svcclient/core/op_table.h"

/* What a client library returns when no reply came (svc_call's svc_err_t, SVC_OK
 * excluded), above every protocol's own codes (all < 0x100): the same numbers for every
 * protocol (KVC_ERR, NAMESC_ERR, LOGDC_ERR, MSC_ERR are this). */
#define SVC_CLIENT_ERR(svc_err) (0x100 + (svc_err))

struct svc_conn {
    seL4_CPtr cap;
    uint32_t max_attempts;      /* per request (>= 1) */
    /* Re-resolve before a retry (e.g. a names LOOKUP_IF_NEWER); may change cap. */
    void (*resolve)(struct svc_conn *c);
    /* Counters for tests and benches. */
    uint64_t calls, attempts, restarted, in_doubt;
};

struct svc_msg {
    uint64_t label;
    unsigned n;                 /* registers */
    unsigned ncaps;             /* request: caps[] sent (<= seL4_MsgMaxExtraCaps); reply:
                                   caps received (into the receive path the caller set) */
    seL4_CPtr caps[seL4_MsgMaxExtraCaps];
    uint64_t mr[seL4_MsgMaxLength];
};

/* Sends `in` (kind: how a repeat is handled; seq: the request's sequence number for
 * DEDUPED, else 0) until a reply arrives or the rules give up.  On SVC_OK `out` holds the
 * reply (label = the protocol's error code).  Otherwise SVC_ERR_IN_DOUBT (UNSAFE request
 * interrupted), SVC_ERR_RESTARTED (attempts used up), SVC_ERR_BAD_ARGS. */
int svc_call(struct svc_conn *c, enum svc_op_kind kind, uint64_t seq, const struct svc_msg *in,
             struct svc_msg *out);
/* svc_call with the kind the protocol's table declares for operation `op` (op_table.h). */
int svc_call_op(struct svc_conn *c, const struct svc_op_table *t, uint32_t op, uint64_t seq,
                const struct svc_msg *in, struct svc_msg *out);
