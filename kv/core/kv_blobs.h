/*
 * kv over the state store (the default system): the table lives in the store server as
 * blobs, one per entry slot ("e00".."e31") and one per client's exactly-once record
 * ("c00".."c15"); kv keeps a copy in its own memory, rebuilt from the blobs at start.
 * A changing request with a sequence number writes the entry's blob and the client's
 * record blob with ONE store PUT2 (store/PROTOCOL.md): they commit together in the
 * store's transaction, so no crash of kv or of the store separates "applied" from
 * "recorded" (the guarantee of the arena version, kv.h).  Plain C, no syscalls: the
 * server (server/main.c) makes the store calls.
 *
 * Blobs (little-endian):
 *   entry  klen (u32), vlen (u32), key[32] (zero after klen), value[vlen]: 40 + vlen
 *          bytes; a free slot is klen = vlen = 0 with a zero key (40 bytes)
 *   record badge (u64, != 0), seq (u64, != 0), reply label (u32), reply registers (u32,
 *          0 or 1), MR0 (u64): 32 bytes
 *
 * The in-memory state is a function of the blobs: kvb_apply loads the blobs a request
 * wrote exactly as the start-up loads them (kvb_load), so one code path serves both.
 */
#pragma once
#include <stdint.h>
#include "kv/protocol/messages.h"
#include "store/protocol/messages.h"

#define KVB_ENTRIES_MAX 32u
#define KVB_CLIENTS_MAX 16u
#define KVB_ENTRY_HEADER 40u
#define KVB_RECORD_BYTES 32u
/* Store quota kv needs: one blob per slot and per client. */
#define KVB_QUOTA_ENTRIES (KVB_ENTRIES_MAX + KVB_CLIENTS_MAX)
#define KVB_QUOTA_BYTES (KVB_ENTRIES_MAX * (KVB_ENTRY_HEADER + KV_VALUE_MAX) + KVB_CLIENTS_MAX * KVB_RECORD_BYTES)

struct kvb_entry {
    uint32_t klen, vlen; /* klen 0: free */
    uint8_t key[KV_KEY_MAX + 1];
    uint8_t value[KV_VALUE_MAX];
};

struct kvb_client {
    uint64_t badge; /* 0: free */
    uint64_t seq;
    uint32_t label, mrs;
    uint64_t mr0;
};

struct kvb {
    uint32_t n, clients;
    struct kvb_entry e[KVB_ENTRIES_MAX];
    struct kvb_client c[KVB_CLIENTS_MAX];
};

struct kvb_blob {
    struct svc_name name;
    uint32_t len;
    uint8_t value[STORE_VALUE_MAX];
};

/* The blobs a request writes before its reply: 0, 1 (PUT) or 2 (PUT2, entry first). */
struct kvb_write {
    unsigned n;
    struct kvb_blob b[2];
};

/* An empty table of n slots and `clients` records (each at least 1, at most the max). */
int kvb_init(struct kvb *k, uint32_t n, uint32_t clients);
/* The name of blob i of a kind ('e' entry, 'c' record): "e00", "c07", ... */
void kvb_blob_name(char kind, uint32_t i, struct svc_name *out);
/* Start-up: one blob read back from the store.  KV_OK; KV_ERR_CORRUPT if its bytes are
 * not a valid blob of its kind (nothing taken); KV_ERR_BAD_REQUEST for a name that is not
 * one of this table's blobs. */
int kvb_load(struct kvb *k, const struct svc_name *name, const uint8_t *v, uint32_t len);
/* After loading every blob: KV_OK, or KV_ERR_CORRUPT if a key is in two slots or a
 * client has two records. */
int kvb_check(const struct kvb *k);
/* A decoded request from `badge`.  Changes nothing in k.  Fills *rep (the answer) and *w:
 * w->n == 0: answer now; else write w's blobs to the store first (PUT or PUT2), then
 * kvb_apply(k, w) and answer; if the store refuses them, the answer is KV_ERR_INTERNAL and
 * nothing changed. */
void kvb_handle(const struct kvb *k, uint64_t badge, const struct kv_request *q, struct kv_reply *rep,
                struct kvb_write *w);
/* The store took w's blobs: they become the state.  KV_OK (KV_ERR_CORRUPT: a bug). */
int kvb_apply(struct kvb *k, const struct kvb_write *w);

/* True if the digests a store PUT / PUT2 answered (one per blob, store_value_digest of
 * what it then holds) are those of w's blobs: the store committed exactly them.  Else the
 * blobs are read back (kvb_held). */
int kvb_confirmed(const struct kvb_write *w, const uint64_t *digests, unsigned n);
/* What the store holds for blob i of a write, read back when its answer did not confirm
 * the write (an error, or digests of other bytes: a store corrupted between its check of
 * the request and its answer may commit anyway, other bytes, or under another owner):
 * found with v[0, len), or not found. */
enum kvb_held {
    KVB_HELD_NEW = 0, /* the bytes the write sent */
    KVB_HELD_OLD,     /* the bytes k holds (not found: k's slot or record is empty) */
    KVB_HELD_OTHER,   /* neither: k no longer agrees with the store */
};
enum kvb_held kvb_held(const struct kvb *k, const struct kvb_write *w, unsigned i, int found, const uint8_t *v,
                       uint32_t len);
/* The verdict on a write the store answered with an error, from what each blob holds:
 * KV_OK (every blob NEW: it was committed; kvb_apply and answer the request's reply),
 * KV_ERR_INTERNAL (every blob OLD: nothing changed) or KV_ERR_CORRUPT (anything else: k
 * and the store disagree; rebuild k from the store before answering anyone). */
int kvb_verdict(const enum kvb_held *held, unsigned n);
