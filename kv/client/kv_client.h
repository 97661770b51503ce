/*
 * Client library of the key-value service (kv/PROTOCOL.md), on svcclient's retry loop
 * (svcclient/client/svc_call.h) with kv's declarations (kv/protocol/op_kinds.c).  GET,
 * HELLO and LIST are idempotent; PUT, DELETE and
 * APPEND carry the next sequence number of this client (DEDUPED): a call the RS released
 * because kv died is sent again with the same number, and kv's exactly-once table makes
 * sure it is applied once.  kvc_append_unsafe sends seq 0 (no exactly-once): interrupted,
 * it returns KVC_ERR(SVC_ERR_IN_DOUBT) instead of repeating.
 *
 * Every request carries a check word (kv_encode_request); one that kv refused as damaged
 * on its way (KV_ERR_CHECK, or BAD_REQUEST, VERSION, BAD_CAP, DENIED: refusals before
 * anything is applied, which a request of this library gets only when its label, count
 * or badge changed in transit) is sent again, unchanged, up to 4 times.
 *
 * Results: a KV_* code (the service's reply), or KVC_ERR(svc error) when no reply came.
 */
#pragma once
#include <stdint.h>
#include "svcclient/client/svc_call.h"
#include "kv/protocol/errors.h"
#include "kv/protocol/messages.h"
#include "kv/protocol/op_kinds.h"

#define KVC_ERR(svc_err) SVC_CLIENT_ERR(svc_err)

struct kvc {
    struct svc_conn conn;
    uint64_t seq; /* last sequence number used */
    uint64_t check_resends; /* requests sent again after KV_ERR_CHECK */
};

/* cap: the client's badged endpoint cap to kv. */
void kvc_init(struct kvc *k, seL4_CPtr cap);
int kvc_hello(struct kvc *k, uint64_t *version);
int kvc_get(struct kvc *k, const char *key, uint8_t *value, uint32_t *vlen);
int kvc_put(struct kvc *k, const char *key, const uint8_t *value, uint32_t vlen, uint64_t *created);
int kvc_delete(struct kvc *k, const char *key);
int kvc_append(struct kvc *k, const char *key, const uint8_t *value, uint32_t vlen, uint64_t *newlen);
int kvc_append_unsafe(struct kvc *k, const char *key, const uint8_t *value, uint32_t vlen, uint64_t *newlen);
