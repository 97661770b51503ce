/*
 * A crash-safe arena: a caller-provided, fixed-size block of memory that outlives the
 * process using it (e.g. a frame the supervisor keeps and maps into the next incarnation)
 * and that is updated only by atomic transactions.  Plain C, no syscalls.
 *
 * Layout (byte offsets from the arena's start; nothing in it is a pointer):
 *   [0, 64)                 header: magic, version, geometry, header checksum,
 *                           log_used and the commit word
 *   [64, 64 + log_cap)      redo log of the transaction being committed
 *   [data_off, size)        data: what the arena's users (store, dedup, kv) lay out
 *
 * Transactions (write-ahead redo log, one commit word):
 *   begin;  write(off, bytes)...  (appended to the log; the data is not touched)
 *   commit: 1. log_used := length of the log
 *           2. commit   := checksum(log_used, log) | 1      <- the transaction happens here
 *           3. replay the log into the data
 *           4. commit   := 0
 * A crash before 2 completes leaves commit 0 or a value that does not match the log: the
 * log is discarded on attach and the data is as before the transaction.  A crash after 2
 * leaves a matching commit word: attach replays the log (replaying twice is harmless), so
 * the data is as after the transaction.  A torn commit word (a crash inside the 8-byte
 * store) matches the log only if it holds the complete value.  Writes of one transaction
 * become visible at commit; reads during a transaction see the committed data.
 *
 * Every write to the arena goes through `store` (memcpy when 0): tests pass a function that
 * stops writing after N bytes to "crash" at every byte position.
 */
#pragma once
#include <stdint.h>

#define ARENA_MAGIC 0x314152454e455241ull /* "ARENERA1" */
#define ARENA_VERSION 1u
#define ARENA_HEADER_SIZE 64u
#define ARENA_RECORD_HEADER 8u /* per logged write: u32 offset, u32 length */
#define ARENA_MAX_SIZE (1ull << 31)

typedef enum arena_err {
    ARENA_OK = 0,
    ARENA_ERR_BAD_SIZE = 1,      /* arena too small/large, unaligned, log/data geometry wrong */
    ARENA_ERR_NOT_FORMATTED = 2, /* no magic: never formatted, or formatting was interrupted */
    ARENA_ERR_VERSION = 3,       /* formatted by another version of this code */
    ARENA_ERR_CORRUPT = 4,       /* header checksum wrong, or a committed log is malformed */
    ARENA_ERR_RANGE = 5,         /* write outside the data region */
    ARENA_ERR_LOG_FULL = 6,      /* the transaction does not fit in the log (tx broken) */
    ARENA_ERR_NO_TX = 7,         /* write/commit without begin */
    ARENA_ERR_TX_OPEN = 8,       /* begin inside a transaction */
    ARENA_ERR_BROKEN_TX = 9,     /* commit of a transaction that had a failed write */
    ARENA_ERR_COUNT
} arena_err_t;

typedef void (*arena_store_fn)(void *ctx, void *dst, const void *src, uint32_t n);

struct arena {
    uint8_t *base;
    uint64_t size;
    uint32_t log_off, log_cap, data_off, data_size; /* validated copies of the header's */
    uint32_t tx_used;                               /* log bytes of the open transaction */
    uint32_t tx_open, tx_broken;
    uint32_t replayed; /* attach found a committed transaction and replayed it */
    uint32_t discarded; /* attach found an uncommitted or torn log and dropped it */
    arena_store_fn store;
    void *store_ctx;
};

/* Formats base[0, size) with a log of log_cap bytes (multiple of 8); the data region is
 * zeroed.  size: multiple of 8, at most ARENA_MAX_SIZE.  base: 8-byte aligned. */
int arena_format(struct arena *a, void *base, uint64_t size, uint32_t log_cap,
                 arena_store_fn store, void *store_ctx);
/* Re-attaches to a formatted arena after a (possible) crash: validates the header, replays
 * a committed log, discards an uncommitted one.  The data region is then as after the last
 * committed transaction.  Never reads or writes outside base[0, size). */
int arena_attach(struct arena *a, void *base, uint64_t size, arena_store_fn store, void *store_ctx);

/* The data region (read-only: change it through transactions). */
static inline const uint8_t *arena_data(const struct arena *a) { return a->base + a->data_off; }
static inline uint32_t arena_data_size(const struct arena *a) { return a->data_size; }
/* Bytes of log a write of n bytes takes. */
static inline uint32_t arena_log_cost(uint32_t n) { return ARENA_RECORD_HEADER + ((n + 7u) & ~7u); }

int arena_tx_begin(struct arena *a);
/* Logs a write of src[0, n) to data offset off.  On error the transaction is broken
 * (commit refuses it; abort it). */
int arena_tx_write(struct arena *a, uint32_t off, const void *src, uint32_t n);
int arena_tx_commit(struct arena *a);
void arena_tx_abort(struct arena *a);
/* Log bytes left in the open transaction. */
uint32_t arena_tx_room(const struct arena *a);

/* FNV-1a over bytes, continuing from h (start with ARENA_FNV_START). */
#define ARENA_FNV_START 0xcbf29ce484222325ull
uint64_t arena_fnv(uint64_t h, const void *p, uint64_t n);
const char *arena_err_name(int err);
