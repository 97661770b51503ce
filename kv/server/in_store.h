/* kv's table in the state store server (core/kv_blobs.h): the store calls of kv/server. */
#pragma once
#include <sel4/sel4.h>
#include "kv/core/kv_blobs.h"

/* cap: kv's channel to the store.  Rebuilds *t from the store's blobs (missing blobs are
 * empty slots).  KV_OK or KV_ERR_CORRUPT (the loaded blobs disagree: kvb_check); a blob
 * that is not valid is left out and counted in *refused, an unreachable store in
 * *store_errors. */
int kv_store_load(seL4_CPtr cap, struct kvb *t, unsigned *refused, unsigned *store_errors);
/* No answer from the store (svc_call gave up: it kept dying): whether it took the blobs
 * is unknown. */
#define KV_STORE_NO_ANSWER (-1)

/* Writes w's blobs (PUT, or PUT2 for two): STORE_OK, the store's error (nothing written),
 * or KV_STORE_NO_ANSWER.  *confirmed: the store answered STORE_OK with the digests of
 * exactly w's blobs (kvb_confirmed); otherwise read them back (kv_store_held). */
int kv_store_write(const struct kvb_write *w, int *confirmed);

/* After the store answered w's write (either way): reads each blob back.  KV_OK (the
 * store holds w's blobs: committed), KV_ERR_INTERNAL (it holds t's: nothing changed) or
 * KV_ERR_CORRUPT (neither, or a read failed: t cannot be trusted). */
int kv_store_held(const struct kvb *t, const struct kvb_write *w);
