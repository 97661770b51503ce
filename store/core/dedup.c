/* Exactly-once table (see dedup.h). */
#include <stddef.h>
#include <string.h>
#include "store/core/dedup.h"

struct dedup_rec {
    uint64_t client, seq;
    uint32_t label, mrs;
    uint64_t mr[DEDUP_REPLY_MRS];
    uint64_t sum;
};
_Static_assert(sizeof(struct dedup_rec) == DEDUP_REC_SIZE, "dedup record layout");

static struct dedup_rec get(const struct dedup *d, uint32_t i)
{
    struct dedup_rec r;
    memcpy(&r, arena_data(d->a) + d->off + i * DEDUP_REC_SIZE, sizeof(r));
    return r;
}

static uint64_t rec_sum(const struct dedup_rec *r)
{
    return arena_fnv(ARENA_FNV_START, r, offsetof(struct dedup_rec, sum));
}

static int find(const struct dedup *d, uint64_t client)
{
    for (uint32_t i = 0; i < d->n; i++) {
        if (get(d, i).client == client) return (int)i;
    }
    return -1;
}

int dedup_attach(struct dedup *d, struct arena *a, uint32_t off, uint32_t size)
{
    d->a = a;
    d->off = off;
    d->n = size / DEDUP_REC_SIZE;
    if (d->n == 0 || off > arena_data_size(a) || size > arena_data_size(a) - off) return -1;
    for (uint32_t i = 0; i < d->n; i++) {
        struct dedup_rec r = get(d, i);
        if (r.client == 0) continue;
        if (r.sum != rec_sum(&r) || r.seq == 0 || r.mrs > DEDUP_REPLY_MRS) return -1;
        if (find(d, r.client) != (int)i) return -1; /* duplicate client */
    }
    return 0;
}

uint64_t dedup_last(const struct dedup *d, uint64_t client)
{
    int i = client ? find(d, client) : -1;
    return i < 0 ? 0 : get(d, (uint32_t)i).seq;
}

enum dedup_verdict dedup_check(const struct dedup *d, uint64_t client, uint64_t seq,
                               struct dedup_reply *saved)
{
    if (client == 0 || seq == 0) return DEDUP_STALE; /* not a deduplicated request */
    int i = find(d, client);
    if (i < 0) return find(d, 0) < 0 ? DEDUP_FULL : DEDUP_NEW;
    struct dedup_rec r = get(d, (uint32_t)i);
    if (seq > r.seq) return DEDUP_NEW;
    if (seq < r.seq) return DEDUP_STALE;
    saved->label = r.label;
    saved->mrs = r.mrs;
    memcpy(saved->mr, r.mr, sizeof(saved->mr));
    return DEDUP_DUPLICATE;
}

int dedup_record(struct dedup *d, uint64_t client, uint64_t seq, const struct dedup_reply *reply)
{
    int i = find(d, client);
    if (i < 0) i = find(d, 0);
    if (i < 0 || client == 0 || seq == 0 || reply->mrs > DEDUP_REPLY_MRS) return ARENA_ERR_RANGE;
    struct dedup_rec r = { 0 };
    r.client = client;
    r.seq = seq;
    r.label = reply->label;
    r.mrs = reply->mrs;
    memcpy(r.mr, reply->mr, reply->mrs * sizeof(r.mr[0]));
    r.sum = rec_sum(&r);
    return arena_tx_write(d->a, d->off + (uint32_t)i * DEDUP_REC_SIZE, &r, sizeof(r));
}

int dedup_forget(struct dedup *d, uint64_t client)
{
    int i = client ? find(d, client) : -1;
    if (i < 0) return ARENA_OK;
    static const uint8_t zeros[DEDUP_REC_SIZE];
    return arena_tx_write(d->a, d->off + (uint32_t)i * DEDUP_REC_SIZE, zeros, sizeof(zeros));
}
