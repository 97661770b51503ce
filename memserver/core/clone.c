/*
 * Copy-on-write clones of a range of an address space (or all of it: fork).
 *
 * A private region R over object O becomes, on both sides, a new "shadow" object whose
 * backing is O: the source's pages that O owns stay where they are, remapped read-only
 * and marked BORROW in the source's shadow; the clone maps nothing until it faults
 * (read: a read-only copy of O's cap, write: a private copy of the data).  A write
 * fault on either side gives that side its own frame.  Shared and physical regions are
 * shared by the clone; guard regions are copied.
 */
#include "memserver/core/memserver.h"
#include "memserver/core/core.h"

struct clone_item {
    struct ms_region *src, *dst;
    struct ms_object *s1, *s2;
};

struct clone_plan {
    struct clone_item *item;
    uint32_t n;
    struct ms_prep p;
};

static void plan_free(struct ms_server *s, struct clone_plan *pl)
{
    for (uint32_t i = 0; i < pl->n; i++) {
        struct clone_item *it = &pl->item[i];
        if (it->dst) ms_region_free(s, it->dst);
        if (it->s1) ms_heap_free(s, it->s1->page, (uint64_t)it->s1->npages * 4), ms_heap_free(s, it->s1, sizeof(*it->s1));
        if (it->s2) ms_heap_free(s, it->s2->page, (uint64_t)it->s2->npages * 4), ms_heap_free(s, it->s2, sizeof(*it->s2));
    }
    ms_heap_free(s, pl->item, (uint64_t)pl->n * sizeof(*pl->item));
    pl->item = 0;
    pl->n = 0;
    ms_prep_release(s, &pl->p);
}

/* Checks and reserves a clone of [va, end) of src into dst at va + delta. */
static int decode_clone(struct ms_server *s, struct ms_client *c, struct ms_as *src, uint64_t va,
                     uint64_t end, struct ms_as *dst, struct clone_plan *pl, const struct ms_need *extra)
{
    ms_prep_init(&pl->p);
    pl->item = 0;
    pl->n = 0;
    struct ms_regions *rs = &src->regions;
    uint32_t first = ms_regions_lower(rs, va), n = 0;
    for (uint32_t i = first; i < rs->n && rs->r[i]->start < end; i++) {
        const struct ms_region *r = rs->r[i];
        if (ms_region_direct(r) && r->obj->depth + 1u > MS_MAX_DEPTH) return MS_ERR_TOO_DEEP;
        n++;
    }
    int err = ms_prep_split(s, src, va, &pl->p);
    if (!err) err = ms_prep_split(s, src, end, &pl->p);
    if (err) return err;
    if (n) {
        pl->item = ms_heap_alloc(s, (uint64_t)n * sizeof(*pl->item));
        if (!pl->item) return MS_ERR_NO_MEMORY;
        pl->n = n;
    }
    for (uint32_t k = 0; k < n; k++) {
        const struct ms_region *r = rs->r[first + k];
        uint64_t rs_ = r->start > va ? r->start : va, re = r->end < end ? r->end : end;
        uint32_t pages = (uint32_t)((re - rs_) >> MS_PAGE_BITS);
        struct clone_item *it = &pl->item[k];
        if (!(it->dst = ms_region_new(s))) return MS_ERR_NO_MEMORY;
        if (r->obj && !ms_region_direct(r)) {
            it->dst->caps = ms_heap_alloc(s, (uint64_t)pages * 4);
            if (!it->dst->caps) return MS_ERR_NO_MEMORY;
            it->dst->caps_len = pages;
        }
        if (!ms_region_direct(r)) continue;
        if (!(it->s1 = ms_obj_new(s, c, MS_OBJK_ANON, pages))) return MS_ERR_NO_MEMORY;
        if (!(it->s2 = ms_obj_new(s, c, MS_OBJK_ANON, pages))) return MS_ERR_NO_MEMORY;
        /* 2 MiB frames wholly inside the range are split into 4 KiB frames first. */
        for (uint64_t v = rs_; v < re; v += MS_PAGE_SIZE) {
            if (MS_E_KIND(r->obj->page[r->off + ((v - r->start) >> MS_PAGE_BITS)]) != MS_E_LARGE)
                continue;
            if (v >= va && v + MS_LARGE_SIZE <= end) {
                pl->p.need.pages += MS_PAGES_PER_LARGE;
                pl->p.need.slots += MS_PAGES_PER_LARGE;
                ms_tables_count(src, v, 0, &pl->p.tc);
            }
        }
    }
    if (extra) {
        pl->p.need.pages += extra->pages;
        pl->p.need.slots += extra->slots;
        pl->p.need.nodes += extra->nodes;
    }
    if ((err = ms_prep_commit(s, c, &pl->p))) return err;
    return ms_regions_reserve2(s, &src->regions, 2, &dst->regions, n);
}

/* Turns region r (wholly inside the range) of src into a COW pair; returns dst region. */
static void clone_direct(struct ms_server *s, struct ms_as *src, struct clone_item *it)
{
    struct ms_region *r = it->src;
    struct ms_object *o = r->obj, *s1 = it->s1, *s2 = it->s2;
    uint64_t n = ms_region_pages(r);
    s1->private_ = s2->private_ = 1;
    s1->backing = s2->backing = o;
    s1->backing_off = s2->backing_off = r->off;
    s1->depth = s2->depth = (uint8_t)(o->depth + 1);
    for (uint64_t i = 0; i < n; i++) {
        uint32_t *e = ms_region_entry(r, i);
        switch (MS_E_KIND(*e)) {
        case MS_E_OWN:
            /* From now on the frame is shared read-only: copies handed out by PAGE_CAP
             * (a thread's IPC buffer) would write through the copy-on-write. */
            MS_CHECK(ms_unexport(s, MS_E_SLOT(*e)) == MS_OK);
            s1->page[i] = MS_E_MAKE(MS_E_BORROW, MS_E_SLOT(*e));
            if ((r->rights & MS_RIGHT_W) && ms_k_map_frame(s, MS_E_SLOT(*e), src->pml4, r->start + (i << MS_PAGE_BITS),
                                                           r->rights & ~(unsigned)MS_RIGHT_W, o->cached))
                ms_as_broken(s, src); /* see ms_region_remap */
            break;
        case MS_E_BORROW:
        case MS_E_COPY:
            s1->page[i] = *e; /* already read-only; now s1 holds it */
            *e = 0;
            break;
        default:
            MS_CHECK(MS_E_KIND(*e) == MS_E_NONE);
            break;
        }
    }
    /* r's reference on o passes to s1; s2 takes a new one. */
    r->obj = s1;
    r->off = 0;
    s1->refs = 1;
    ms_obj_ref(o);
    s2->refs = 1;
    it->s1 = it->s2 = 0;
    it->dst->obj = s2;
    it->dst->off = 0;
}

static void invoke_clone(struct ms_server *s, struct ms_as *src, uint64_t va, uint64_t end,
                     struct ms_as *dst, int64_t delta, struct clone_plan *pl)
{
    ms_do_split(s, src, va, &pl->p);
    ms_do_split(s, src, end, &pl->p);
    uint32_t first = ms_regions_lower(&src->regions, va);
    for (uint32_t k = 0; k < pl->n; k++) {
        struct clone_item *it = &pl->item[k];
        struct ms_region *r = it->src = src->regions.r[first + k];
        MS_CHECK(r->start >= va && r->end <= end);
        if (ms_region_direct(r)) {
            for (uint64_t v = r->start; v < r->end; v += MS_PAGE_SIZE)
                if (MS_E_KIND(*ms_region_entry(r, (v - r->start) >> MS_PAGE_BITS)) == MS_E_LARGE)
                    ms_demote(s, src, r, v, &pl->p);
        }
    }
    for (uint32_t k = 0; k < pl->n; k++) {
        struct clone_item *it = &pl->item[k];
        struct ms_region *r = it->src, *d = it->dst;
        uint32_t *caps = d->caps, caps_len = d->caps_len;
        *d = *r;
        d->start = (uint64_t)((int64_t)r->start + delta);
        d->end = (uint64_t)((int64_t)r->end + delta);
        d->caps = caps;
        d->caps_len = caps_len;
        for (uint32_t i = 0; i < caps_len; i++) caps[i] = 0;
        if (ms_region_direct(r)) clone_direct(s, src, it);
        else if (r->obj) ms_obj_ref(r->obj);
    }
    for (uint32_t k = 0; k < pl->n; k++) {
        ms_regions_insert(&dst->regions, pl->item[k].dst);
        pl->item[k].dst = 0;
    }
}

int ms_clone(struct ms_server *s, struct ms_client *c, const struct ms_req_clone *a, uint64_t *out)
{
    struct ms_as *src, *dst;
    int err = ms_as_lookup_live(s, c, a->src, &src);
    if (!err) err = ms_as_lookup_live(s, c, a->dst, &dst);
    if (err) return err;
    if ((err = ms_as_range(src, a->va, a->size))) return err;
    if (a->flags & ~(uint32_t)MS_CLONE_FLAGS) return MS_ERR_BAD_FLAGS;
    if (!ms_covered(src, a->va, a->va + a->size, 1)) return MS_ERR_NOT_MAPPED;
    uint64_t dva;
    if (a->flags & MS_CLONE_FIXED) {
        if ((err = ms_as_range(dst, a->dst_va, a->size))) return err;
        if (ms_regions_overlap(&dst->regions, a->dst_va, a->dst_va + a->size)) return MS_ERR_OVERLAP;
        dva = a->dst_va;
    } else if ((err = ms_regions_hole(&dst->regions, a->size, MS_LARGE_SIZE, &dva))) {
        return err;
    }
    /* Keep the 2 MiB phase so large frames of the clone stay possible. */
    struct clone_plan pl;
    if ((err = decode_clone(s, c, src, a->va, a->va + a->size, dst, &pl, 0))) {
        plan_free(s, &pl);
        return err;
    }
    invoke_clone(s, src, a->va, a->va + a->size, dst, (int64_t)(dva - a->va), &pl);
    plan_free(s, &pl);
    *out = dva;
    return MS_OK;
}

int ms_as_fork(struct ms_server *s, struct ms_client *c, uint32_t handle, ms_slot_t notify,
               uint32_t *out)
{
    struct ms_as *src;
    int err = ms_as_lookup_live(s, c, handle, &src);
    if (err) return err;
    /* The new space: PML4 + marking PDPT (and its node), their slots, a notification. */
    struct ms_need extra = { 2, 0, 2 + (notify ? 1u : 0u), 1, 0 };
    if (ms_handle_free_index((void *const *)s->as, s->as_gen, MS_MAX_AS) < 0) return MS_ERR_BUSY;
    if (!s->asids_free) return MS_ERR_NO_ASID;
    struct ms_as *dst = ms_heap_alloc(s, sizeof(*dst));
    if (!dst) return MS_ERR_NO_MEMORY;
    dst->owner = c;
    struct clone_plan pl;
    if ((err = decode_clone(s, c, src, 0, MS_USER_TOP, dst, &pl, &extra))) {
        plan_free(s, &pl);
        ms_regions_free(s, &dst->regions);
        ms_heap_free(s, dst, sizeof(*dst));
        return err;
    }
    if ((err = ms_as_install(s, c, dst, notify, out, &pl.p.stash))) { /* only a kernel refusal */
        plan_free(s, &pl);
        ms_regions_free(s, &dst->regions);
        ms_heap_free(s, dst, sizeof(*dst));
        return err;
    }
    invoke_clone(s, src, 0, MS_USER_TOP, dst, 0, &pl);
    plan_free(s, &pl);
    return MS_OK;
}
