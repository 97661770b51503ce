/*
 * The key-value service's core: bounded keys and values in a crash-safe arena
 * (store/core/arena.h), with an exactly-once table (store/core/dedup.h) in the same arena.
 * Plain C, no syscalls.
 *
 * Arena data layout: [0, n_entries * KV_ENTRY_SIZE) entries, then the exactly-once table.
 * Entry (304 bytes): klen (0 = free), vlen, key[32], value[256], checksum; bytes after
 * the key and the value are zero.  A changing request with seq != 0 is one transaction:
 * the entry write (if the request succeeds) and the exactly-once record of its reply
 * (whether it succeeds or fails) commit together.
 */
#pragma once
#include <stdint.h>
#include "kv/protocol/messages.h"
#include "store/core/arena.h"
#include "store/core/dedup.h"

#define KV_ENTRY_SIZE 304u

struct kv {
    struct arena *a;
    uint32_t n;       /* entries */
    struct dedup d;
};

/* Arena data bytes for n entries and `clients` exactly-once records; the log it needs. */
uint32_t kv_region_size(uint32_t n, uint32_t clients);
uint32_t kv_log_need(void);
/* Attaches to an attached arena (a freshly formatted one is an empty table) and validates
 * everything: KV_OK, KV_ERR_CORRUPT, or KV_ERR_BAD_REQUEST (geometry, log too small). */
int kv_attach(struct kv *k, struct arena *a, uint32_t n, uint32_t clients);
/* One decoded request from a client with `badge`: checked against the state (nothing
 * changes on error), then applied in one transaction.  Fills *rep. */
void kv_handle(struct kv *k, uint64_t badge, const struct kv_request *q, struct kv_reply *rep);
