/*
 * Exactly-once requests: a table, kept in a crash-safe arena (store/core/arena.h), of the
 * last request sequence number applied per client and the reply sent for it.  Plain C.
 *
 * Protocol between a client and a service that uses it:
 *   - every non-idempotent request carries (client id = the caller's badge, seq), seq > 0
 *     and increasing per client; a client has one request outstanding at a time (seL4_Call
 *     blocks) and repeats it, unchanged, until it gets a reply;
 *   - the service calls dedup_check():
 *       NEW        seq > last: apply the request;
 *       DUPLICATE  seq == last: already applied; send the saved reply again, apply nothing;
 *       STALE      seq < last: an old request (the client already had its reply): error;
 *       FULL       the client has no record and the table is full: refuse without applying
 *                  (the client may retry later; nothing was applied);
 *   - for NEW, the service's state change and dedup_record() are written in ONE arena
 *     transaction (begin; state writes; dedup_record; commit): a crash leaves both or
 *     neither, so a retry after a restart is either applied once (neither) or answered
 *     from the record (both).  The reply is sent after commit; if it is lost (crash before
 *     the reply) the retry gets the saved reply.
 *   Errors are replies too: a NEW request that fails is recorded with its error.
 *
 * Record (96 bytes): client, seq, reply label, reply register count, 8 reply registers,
 * checksum.  Client 0 = free.
 */
#pragma once
#include <stdint.h>
#include "store/core/arena.h"

#define DEDUP_REPLY_MRS 8u
#define DEDUP_REC_SIZE 96u

struct dedup_reply {
    uint32_t label;
    uint32_t mrs;
    uint64_t mr[DEDUP_REPLY_MRS];
};

enum dedup_verdict { DEDUP_NEW = 0, DEDUP_DUPLICATE, DEDUP_STALE, DEDUP_FULL };

struct dedup {
    struct arena *a;
    uint32_t off, n; /* region offset in the arena's data; records */
};

static inline uint32_t dedup_region_size(uint32_t n) { return n * DEDUP_REC_SIZE; }
/* Attaches to [off, off + size) of an attached arena; validates every record.
 * 0, or -1 if a record is corrupt or the geometry is wrong. */
int dedup_attach(struct dedup *d, struct arena *a, uint32_t off, uint32_t size);
/* Classifies (client, seq); fills *saved for DUPLICATE.  Changes nothing.  Client 0 or
 * seq 0 is not a deduplicated request: STALE (callers handle seq 0 before asking). */
enum dedup_verdict dedup_check(const struct dedup *d, uint64_t client, uint64_t seq,
                               struct dedup_reply *saved);
/* Inside an open arena transaction: records (client, seq, reply).  Call only after
 * dedup_check() said NEW for this client (so a record slot exists).  Arena error or 0. */
int dedup_record(struct dedup *d, uint64_t client, uint64_t seq, const struct dedup_reply *reply);
/* Inside an open transaction: drops the client's record (the client is gone for good;
 * its id may be reused with seq starting again at 1). */
int dedup_forget(struct dedup *d, uint64_t client);
/* Last applied seq of a client (0: none). */
uint64_t dedup_last(const struct dedup *d, uint64_t client);
