/*
 * What a key that a client appends to may hold: the acknowledged bytes, and what an
 * answer it could not trust (an error, or no answer) leaves open.  Plain C, no syscalls;
 * used by the workloads that check kv (tests/survive/kvload.c, tests/campaign/svcload.c).
 *
 * The client appends one byte at a time, byte i of the key being (first + i) & 0xff, and
 * deletes the key when it is full.  Outcomes of a changing request:
 *   acknowledged  kv answered KV_OK: an APPEND's new length must be the acknowledged
 *                 length + 1 (more: applied twice; less: an acknowledged byte was lost);
 *   unknown       any other outcome.  An error answer normally means "nothing applied"
 *                 (kv/PROTOCOL.md), but a corrupted incarnation may apply a request and
 *                 answer an error, and an error from the store leaves kv's request undone
 *                 only if the store itself is right: the client treats it as "applied or
 *                 not" and does not send the next change before it has read the key back.
 * A read-back then accepts exactly the states the outcomes allow -- an APPEND in doubt:
 * the acknowledged bytes, or those plus its byte; a DELETE in doubt: the acknowledged
 * bytes, or no key -- and nothing else: a byte that was never sent, or a missing
 * acknowledged one, is counted lost.  After such a finding the key's content is unknown
 * (KVAC_DAMAGED) until a DELETE is acknowledged.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

enum kvac_state {
    KVAC_SURE = 0,      /* the key holds exactly the acknowledged bytes */
    KVAC_APPEND_DOUBT,  /* ... or those and one more byte */
    KVAC_DELETE_DOUBT,  /* ... or nothing */
    KVAC_DAMAGED,       /* anything: a read-back found what no outcome allows */
};

struct kvac {
    uint32_t len;   /* acknowledged length */
    uint8_t first;  /* byte 0 */
    enum kvac_state state;
    uint64_t lost, duplicated;
};

/* The key is absent; its next content starts with byte `first`. */
void kvac_reset(struct kvac *t, uint8_t first);
/* The byte the next APPEND sends. */
static inline uint8_t kvac_next(const struct kvac *t) { return (uint8_t)(t->first + t->len); }
/* True if a change may be sent (the outcome of the last one is known). */
static inline bool kvac_settled(const struct kvac *t) { return t->state == KVAC_SURE; }
/* An APPEND of kvac_next() was acknowledged with the key's new length. */
void kvac_appended(struct kvac *t, uint64_t newlen);
/* An APPEND or a DELETE got no answer the client can trust. */
void kvac_append_unknown(struct kvac *t);
void kvac_delete_unknown(struct kvac *t);
/* A DELETE was acknowledged: the key is absent; the next content starts after this one's. */
void kvac_deleted(struct kvac *t);
/* A GET answered: found (KV_OK) with value[0, len), or not found (KV_ERR_NOT_FOUND).
 * Returns 0 if that is a state the outcomes allow (the doubt is then resolved), else 1
 * (counted in lost; the state becomes KVAC_DAMAGED: delete the key). */
int kvac_read(struct kvac *t, bool found, const uint8_t *value, uint32_t len);
