/*
 * The state store's core (MINIX data-store model): named blobs per owner, kept in a
 * crash-safe arena (store/core/arena.h) so they survive a crash of the store itself.
 * Plain C, no syscalls.
 *
 * Region layout (at `off` in the arena's data region):
 *   owners:  STORE_MAX_OWNERS records of 32 bytes: owner id, generation, max entries,
 *            max bytes, restarts, checksum (all zero = free)
 *   entries: n records of STORE_ENTRY_SIZE bytes: owner id (0 = free), name[16], len,
 *            checksum of (owner, name, len, value), value[STORE_VALUE_MAX]
 * Usage (entries, bytes) is counted from the table, never stored, so it cannot disagree.
 * Every change is one arena transaction: a crash leaves the store as before or after it.
 */
#pragma once
#include <stdint.h>
#include "store/core/arena.h"
#include "store/protocol/messages.h"

#define STORE_MAX_OWNERS 32u
#define STORE_OWNER_REC 32u
#define STORE_ENTRY_HEADER 32u
#define STORE_ENTRY_SIZE (STORE_ENTRY_HEADER + STORE_VALUE_MAX)

struct store {
    struct arena *a;
    uint32_t off;       /* region offset in the arena's data */
    uint32_t n_entries;
};

/* Data bytes a store with n entries takes; n entries that fit in `size` bytes. */
uint32_t store_region_size(uint32_t n_entries);
uint32_t store_entries_for(uint32_t size);
/* Log bytes the store's largest transaction (OWNER_FORGET) needs. */
uint32_t store_log_need(uint32_t n_entries);

/* Attaches to the region [off, off + size) of an attached arena and validates every
 * record (a freshly formatted, zeroed region is an empty store).  STORE_ERR_CORRUPT if a
 * record fails validation, STORE_ERR_BAD_REQUEST if the geometry or log is too small. */
int store_attach(struct store *s, struct arena *a, uint32_t off, uint32_t size);
/* What store_repair dropped. */
struct store_damage {
    uint32_t owners, entries;
};
/* After store_attach said STORE_ERR_CORRUPT: drops every owner record and entry that fails
 * validation (an entry of an owner that is gone, or whose checksum, name or length is
 * wrong, or a second entry of the same name) in arena transactions, so that damage one
 * corrupted incarnation committed costs those records only, never the whole store; what
 * was dropped is counted in *d for the caller to report (a dropped blob is missing, never
 * served).  The RS gives a dropped owner record back at the owner's next request.  Then
 * store_attach succeeds.  STORE_OK or STORE_ERR_INTERNAL (an arena transaction refused). */
int store_repair(struct store *s, struct store_damage *d);
/* After a PUT or PUT2 by `badge` succeeded: the digest of each entry it wrote, looked up
 * afresh by (badge, name) in the committed data (store_value_digest; 0 if not found),
 * into rep->mr[0..] -- what the caller compares with what it sent: a commit of other bytes
 * or under another owner (a corrupted register between the check and the commit) shows. */
void store_digests(const struct store *s, uint64_t badge, const struct store_request *req, struct store_reply *rep);
/* One decoded request from a caller with `badge`: validates against the store's state
 * (changing nothing), then applies it in one transaction.  Fills *rep. */
void store_handle(struct store *s, uint64_t badge, const struct store_request *req,
                  struct store_reply *rep);
