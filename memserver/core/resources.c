/*
 * Kernel objects made for clients: the check that a request's needs fit both the
 * client's quota and the server's free memory and slots, charging, and creating and
 * deleting objects (slot + untyped chunk + retype).
 */
#include "memserver/core/core.h"


int ms_need_check(const struct ms_server *s, const struct ms_client *c, const struct ms_need *n)
{
    uint64_t large_pages, pages;
    /* Frames from the free list need neither fresh memory nor a new slot. */
    uint64_t reuse = n->frames < s->slots.free4k_count ? n->frames : s->slots.free4k_count;
    if (reuse > n->pages) reuse = n->pages;
    if (reuse > n->slots) reuse = n->slots;
    if (__builtin_mul_overflow(n->large, (uint64_t)MS_PAGES_PER_LARGE, &large_pages) ||
        __builtin_add_overflow(n->pages, large_pages, &pages))
        return c ? MS_ERR_QUOTA : MS_ERR_NO_MEMORY;
    if (c) {
        const struct ms_quota *q = &c->quota;
        if (!ms_quota_fits(q->pages_used, pages, q->pages_limit) ||
            !ms_quota_fits(q->slots_used, n->slots, q->slots_limit))
            return MS_ERR_QUOTA;
    }
    if (n->slots - reuse > s->slots.count) return MS_ERR_NO_SLOTS;
    if (!ms_pool_can_take(&s->pool, n->pages - reuse, n->large)) return MS_ERR_NO_MEMORY;
    return MS_OK;
}

void ms_charge(struct ms_client *c, uint64_t pages, uint64_t slots)
{
    /* Every charge was checked by ms_need_check first. */
    MS_CHECK(ms_quota_fits(c->quota.pages_used, pages, c->quota.pages_limit) &&
             ms_quota_fits(c->quota.slots_used, slots, c->quota.slots_limit));
    c->quota.pages_used += pages;
    c->quota.slots_used += slots;
}

void ms_uncharge(struct ms_client *c, uint64_t pages, uint64_t slots)
{
    MS_CHECK(c->quota.pages_used >= pages && c->quota.slots_used >= slots);
    c->quota.pages_used -= pages;
    c->quota.slots_used -= slots;
}

/* A frame from the free list, zeroed through the server's copy window; 0 if none. */
static ms_slot_t frame_reuse(struct ms_server *s)
{
    ms_slot_t f = ms_free4k_pop(s);
    if (!f) return 0;
    struct ms_chunk *c = &s->pool.chunk[s->slots.chunk_of[f - s->slots.first] - 1];
    MS_CHECK(c->idle > 0);
    c->idle--;
    /* The server's own frame, mapped nowhere (unmapped when freed): never refused. */
    MS_CHECK(ms_k_zero_page(s, f) == 0);
    s->stats.frames_reused++;
    return f;
}

void ms_frame_free(struct ms_server *s, ms_slot_t slot)
{
    MS_CHECK(slot >= s->slots.first && slot - s->slots.first < s->slots.total);
    uint16_t chunk = s->slots.chunk_of[slot - s->slots.first];
    MS_CHECK(chunk != 0);
    const struct ms_chunk *c = &s->pool.chunk[chunk - 1];
    if (s->frames_dying || c->live - c->idle == 1) {
        /* The chunk's last object in use: deleting it (and the chunk's free frames)
         * makes the chunk empty; free frames never hold memory that could come back. */
        ms_kobj_free(s, slot);
        return;
    }
    MS_CHECK(ms_unexport(s, slot) == MS_OK);
    MS_CHECK(ms_k_unmap_frame(s, slot) == 0); /* the server's own frame cap */
    ms_free4k_push(s, slot);
    s->pool.chunk[chunk - 1].idle++;
}

ms_slot_t ms_kobj_new(struct ms_server *s, enum ms_kobj type)
{
    ms_slot_t slot = 0;
    if (type == MS_KOBJ_FRAME_2M) return ms_large_new(s, 1, &slot) ? slot : 0;
    if (type == MS_KOBJ_FRAME_4K && (slot = frame_reuse(s))) return slot;
    int32_t chunk = ms_pool_take_4k(s);
    if (chunk < 0) return 0;
    if (!(slot = ms_slot_alloc(s))) {
        ms_pool_untake(s, chunk, 1);
        return 0;
    }
    if (ms_k_retype(s, s->pool.chunk[chunk].slot, type, 0, slot)) {
        ms_slot_free(s, slot);
        ms_pool_untake(s, chunk, 1);
        return 0;
    }
    s->slots.chunk_of[slot - s->slots.first] = (uint16_t)(chunk + 1);
    return slot;
}

void ms_kobj_free(struct ms_server *s, ms_slot_t slot)
{
    MS_CHECK(slot >= s->slots.first && slot - s->slots.first < s->slots.total);
    uint16_t chunk = s->slots.chunk_of[slot - s->slots.first];
    MS_CHECK(chunk != 0);
    MS_CHECK(ms_unexport(s, slot) == MS_OK);
    MS_CHECK(ms_k_delete(s, slot) == 0); /* the server's own slot: never refused */
    ms_pool_release(s, (int32_t)chunk - 1);
    ms_slot_free(s, slot);
}

ms_slot_t ms_cap_copy(struct ms_server *s, ms_slot_t src)
{
    ms_slot_t slot = ms_slot_alloc(s);
    if (!slot) return 0;
    if (ms_k_copy_cap(s, slot, src)) {
        ms_slot_free(s, slot);
        return 0;
    }
    return slot;
}

void ms_cap_free(struct ms_server *s, ms_slot_t slot)
{
    MS_CHECK(ms_k_delete(s, slot) == 0);
    ms_slot_free(s, slot);
}

/* Gives back `n` frames taken from `chunk` (nothing was made of them). */
static void frames_untake(struct ms_server *s, int32_t chunk, uint32_t n, int large)
{
    if (large && s->pool.chunk[chunk].size_bits == MS_LARGE_BITS) ms_pool_release(s, chunk); /* (n == 1) */
    else ms_pool_untake(s, chunk, n);
}

/* Up to `want` frames (2 MiB if large) from one chunk or area, one invocation. */
static uint32_t frames_new(struct ms_server *s, uint32_t want, int large, ms_slot_t *first)
{
    uint32_t got = 0;
    int32_t chunk = large ? ms_pool_take_2m_run(s, want, &got) : ms_pool_take_4k_run(s, want, &got);
    if (chunk < 0) return 0;
    ms_slot_t slot;
    uint32_t n = ms_slot_alloc_run(s, got, &slot);
    if (!n) {
        /* No run of slots that long: one frame. */
        frames_untake(s, chunk, got - 1, large);
        got = 1;
        if (!(slot = ms_slot_alloc(s))) {
            frames_untake(s, chunk, 1, large);
            return 0;
        }
    }
    if (ms_k_retype_many(s, s->pool.chunk[chunk].slot, large ? MS_KOBJ_FRAME_2M : MS_KOBJ_FRAME_4K, 0, slot, got)) {
        for (uint32_t i = 0; i < got; i++) ms_slot_free(s, slot + i);
        frames_untake(s, chunk, got, large);
        return 0;
    }
    for (uint32_t i = 0; i < got; i++) s->slots.chunk_of[slot + i - s->slots.first] = (uint16_t)(chunk + 1);
    *first = slot;
    return got;
}

uint32_t ms_frames_new(struct ms_server *s, uint32_t want, ms_slot_t *first)
{
    if (want && (*first = frame_reuse(s))) return 1; /* freed frames before fresh memory */
    return frames_new(s, want, 0, first);
}

uint32_t ms_large_new(struct ms_server *s, uint32_t want, ms_slot_t *first)
{
    return frames_new(s, want, 1, first);
}

ms_slot_t ms_frame_take(struct ms_server *s, uint64_t keep_pages, uint64_t keep_slots)
{
    if (!s->spare_count) {
        ms_slot_t f = frame_reuse(s);
        if (f) return f;
        uint64_t want = s->pool.free_pages >= 32u * MS_SPARE_RUN ? MS_SPARE_RUN : MS_SPARE_RUN_SMALL;
        /* Never the pages and slots the caller's check promised to the rest of its request. */
        uint64_t pages = s->pool.free_pages > keep_pages ? s->pool.free_pages - keep_pages : 0;
        uint64_t slots = s->slots.count > keep_slots ? s->slots.count - keep_slots : 0;
        if (want > pages) want = pages;
        if (want > slots) want = slots;
        if (!want) return 0;
        s->spare_count = ms_frames_new(s, (uint32_t)want, &s->spare_first);
        if (!s->spare_count) return 0;
    }
    s->spare_count--;
    return s->spare_first++;
}

void ms_spare_drain(struct ms_server *s)
{
    while (s->spare_count) {
        s->spare_count--;
        ms_kobj_free(s, s->spare_first++);
    }
}

int ms_unexport(struct ms_server *s, ms_slot_t slot)
{
    if (!ms_slot_exported(s, slot)) return MS_OK;
    /* The frame cap in `slot` is the original (from the retype): revoking it deletes
     * every copy, the client's, a TCB's IPC-buffer cap, the server's reply slot. */
    if (ms_k_revoke(s, slot)) return MS_ERR_KERNEL;
    ms_slot_set_exported(s, slot, 0);
    return MS_OK;
}
