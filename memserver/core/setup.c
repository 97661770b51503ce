/* Start-up of the core: slots, the untyped pool and device frames. */
#include "memserver/core/memserver.h"
#include "memserver/core/core.h"

int ms_init(struct ms_server *s, const struct ms_kernel_ops *k, const struct ms_heap *h,
            ms_slot_t first_slot, uint32_t nslots, uint32_t asids)
{
    struct ms_server z = { 0 };
    *s = z;
    s->k = *k;
    s->heap = *h;
    s->asids_free = asids;
    s->default_pages = 1u << 14; /* 64 MiB */
    s->default_slots = 1u << 15;
    ms_pool_init(&s->pool);
    return ms_slots_init(s, first_slot, nslots);
}

void ms_set_default_quota(struct ms_server *s, uint64_t pages, uint64_t slots)
{
    s->default_pages = pages;
    s->default_slots = slots;
}

int ms_add_untyped(struct ms_server *s, ms_slot_t ut, unsigned size_bits)
{
    if (size_bits < MS_PAGE_BITS || size_bits > 40) return MS_ERR_BAD_REQUEST;
    if (size_bits <= MS_AREA_BITS) return ms_pool_add(s, ut, size_bits);
    /* Larger: areas of 2^MS_AREA_BITS. */
    uint64_t n = 1ull << (size_bits - MS_AREA_BITS);
    if (n > s->slots.count) return MS_ERR_NO_SLOTS;
    for (uint64_t i = 0; i < n; i++) {
        ms_slot_t slot = ms_slot_alloc(s);
        if (ms_k_retype(s, ut, MS_KOBJ_UNTYPED, MS_AREA_BITS, slot)) {
            ms_slot_free(s, slot);
            return MS_ERR_KERNEL;
        }
        int err = ms_pool_add(s, slot, MS_AREA_BITS);
        if (err) return err;
    }
    return MS_OK;
}

int ms_add_device_untyped(struct ms_server *s, ms_slot_t ut, unsigned size_bits, uint64_t paddr)
{
    if (s->ndev == MS_MAX_DEVICE) return MS_ERR_BUSY;
    if (size_bits < MS_PAGE_BITS || size_bits > 24 || (paddr & ((1ull << size_bits) - 1)))
        return MS_ERR_BAD_REQUEST;
    uint32_t n = 1u << (size_bits - MS_PAGE_BITS);
    if (n > s->slots.count) return MS_ERR_NO_SLOTS;
    struct ms_device_ut *d = &s->dev[s->ndev];
    d->users = ms_heap_alloc(s, (uint64_t)n * sizeof(uint32_t));
    d->owner = ms_heap_alloc(s, n);
    if (!d->users || !d->owner) return MS_ERR_NO_MEMORY;
    for (uint32_t i = 0; i < n; i++) {
        ms_slot_t slot = ms_slot_alloc(s);
        if (i == 0) d->slot = slot;
        else if (slot != d->slot + i) return MS_ERR_NO_SLOTS; /* needs consecutive slots */
        if (ms_k_retype(s, ut, MS_KOBJ_FRAME_4K, 0, slot))
            return MS_ERR_KERNEL;
    }
    d->size_bits = (uint8_t)size_bits;
    d->paddr = paddr;
    s->ndev++;
    return MS_OK;
}

uint64_t ms_free_pages(const struct ms_server *s)
{
    return s->pool.free_pages + s->spare_count + s->slots.free4k_count;
}

uint32_t ms_free_slots(const struct ms_server *s)
{
    /* spare and freed frames are free for any request */
    return s->slots.count + s->spare_count + s->slots.free4k_count;
}

uint64_t ms_metadata_bytes(const struct ms_server *s)
{
    const struct ms_slots *sl = &s->slots;
    uint64_t in_use = sl->total - ms_free_slots(s);
    return s->heap_in_use - sl->table_bytes + sl->table_bytes * in_use / sl->total;
}

void ms_fini(struct ms_server *s)
{
    for (uint32_t i = 0; i < MS_MAX_CLIENTS; i++)
        if (s->clients[i].used) ms_client_destroy(s, s->clients[i].badge);
    ms_spare_drain(s);
    ms_heap_free(s, s->slots.used, (uint64_t)s->slots.words * sizeof(uint64_t));
    ms_heap_free(s, s->slots.chunk_of, (uint64_t)s->slots.total * sizeof(uint16_t));
    ms_heap_free(s, s->slots.exported, (uint64_t)s->slots.words * sizeof(uint64_t));
    ms_heap_free(s, s->slots.free4k, (uint64_t)s->slots.words * sizeof(uint64_t));
    s->slots.exported = 0;
    s->slots.free4k = 0;
    ms_heap_free(s, s->pool.chunk, (uint64_t)s->pool.cap * sizeof(struct ms_chunk));
    for (uint32_t i = 0; i < s->ndev; i++) {
        uint64_t n = 1ull << (s->dev[i].size_bits - MS_PAGE_BITS);
        ms_heap_free(s, s->dev[i].users, n * sizeof(uint32_t));
        ms_heap_free(s, s->dev[i].owner, n);
        s->dev[i].users = 0;
        s->dev[i].owner = 0;
    }
    s->slots.used = 0;
    s->slots.chunk_of = 0;
    s->pool.chunk = 0;
}

ms_slot_t ms_take_slot(struct ms_server *s)
{
    return ms_slot_alloc(s);
}

void ms_give_slot(struct ms_server *s, ms_slot_t slot)
{
    ms_slot_free(s, slot);
}

int ms_reserve_untyped(struct ms_server *s, unsigned size_bits, ms_slot_t *out)
{
    if (size_bits < MS_PAGE_BITS || size_bits >= MS_LARGE_BITS) return MS_ERR_BAD_REQUEST;
    if (!s->pool.n_empty_large) return MS_ERR_NO_MEMORY;
    if (s->slots.count < MS_LARGE_BITS - size_bits + 1) return MS_ERR_NO_SLOTS;
    ms_slot_t parent;
    int err = ms_pool_take_untyped_2m(s, &parent);
    if (err) return err;
    /* 2 MiB = 2^b (reserved) + 2^b + 2^(b+1) + ... + 2^20, each naturally aligned. */
    ms_slot_t slot = ms_slot_alloc(s);
    if (ms_k_retype(s, parent, MS_KOBJ_UNTYPED, size_bits, slot)) return MS_ERR_KERNEL;
    *out = slot;
    for (unsigned bits = size_bits; bits < MS_LARGE_BITS; bits++) {
        slot = ms_slot_alloc(s);
        if (ms_k_retype(s, parent, MS_KOBJ_UNTYPED, bits, slot)) return MS_ERR_KERNEL;
        err = ms_pool_add(s, slot, bits);
        if (err) return err;
    }
    return MS_OK;
}
