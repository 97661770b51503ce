/*
 * seL4_Call to a supervised service with the retry rules of svcclient/core/retry.h: one
 * request (label, registers) is sent, and sent again while the outcome says so.  Used by
 * every protocol's client library (kv/client, ...).
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
    uint64_t mr[seL4_MsgMaxLength];
};

/* Sends `in` (kind: how a repeat is handled; seq: the request's sequence number for
 * DEDUPED, else 0) until a reply arrives or the rules give up.  On SVC_OK `out` holds the
 * reply (label = the protocol's error code).  Otherwise SVC_ERR_IN_DOUBT (UNSAFE request
 * interrupted), SVC_ERR_RESTARTED (attempts used up), SVC_ERR_BAD_ARGS. */
int svc_call(struct svc_conn *c, enum svc_op_kind kind, uint64_t seq, const struct svc_msg *in,
             struct svc_msg *out);
