/*
 * MAP: decode_map checks the request against the address space and reserves all it
 * needs (regions, the private object, frames, slots, paging structures, metadata);
 * invoke_map enters the regions and, with POPULATE, makes and maps the frames.  The
 * kernel can refuse a mapping only if the client changed the space behind the
 * server's back (its own structures through an AS_VSPACE copy, a revoked adopted
 * PML4); then invoke_map undoes everything it did and the request answers
 * MS_ERR_KERNEL.
 */
#include "memserver/core/memserver.h"
#include "memserver/core/core.h"

/* Shared-object pages this request populated: marked in the region's caps array until
 * the request is done, so that a rollback can give them back. */
#define CAPS_FRESH 0x80000000u

/* Frames for POPULATE come in runs made by one retype each. */
struct frame_run { ms_slot_t next; uint32_t left; };

struct map_plan {
    struct ms_as *as;
    struct ms_object *obj;  /* NULL: private anonymous memory (priv) */
    struct ms_object *priv;
    uint64_t va, size, guard, frames4k, frames2m;
    struct frame_run large; /* 2 MiB frames retyped, not mapped yet */
    uint32_t phase, pages;
    int large_ok;
    struct ms_prep p;
};

/* Private anonymous memory uses a 2 MiB frame for block bva when it lies wholly inside
 * [start, end), the object page index is 512-aligned there, and no page table of
 * another mapping covers it. */
static int use_large(const struct ms_as *as, uint64_t bva, uint64_t start, uint64_t end)
{
    return (bva & (MS_LARGE_SIZE - 1)) == 0 && bva >= start && bva + MS_LARGE_SIZE <= end &&
           !ms_pt_present(as, bva);
}

static int map_find_va(struct ms_as *as, const struct ms_req_map *a, uint64_t guard, uint64_t *va)
{
    if (a->flags & MS_MAP_FIXED) {
        int err = ms_as_range(as, a->va, a->size);
        if (err) return err;
        if (a->va < guard) return MS_ERR_NO_SPACE;
        if (a->va - guard < as->floor) return MS_ERR_RANGE; /* the guard page too */
        if (a->va + a->size + guard > MS_USER_TOP) return MS_ERR_KERNEL_HALF;
        if (ms_regions_overlap(&as->regions, a->va - guard, a->va + a->size + guard))
            return MS_ERR_OVERLAP;
        *va = a->va;
        return MS_OK;
    }
    uint64_t align = (!a->obj && a->size >= MS_LARGE_SIZE) ? MS_LARGE_SIZE : MS_PAGE_SIZE;
    uint64_t extra = 2 * guard + (align > MS_PAGE_SIZE ? align : 0);
    if (a->size > MS_USER_TOP - extra) return MS_ERR_NO_SPACE;
    uint64_t hole;
    int err = ms_regions_hole(&as->regions, a->size + extra, MS_PAGE_SIZE, &hole);
    if (err) return err;
    *va = (hole + guard + align - 1) & ~(align - 1);
    return MS_OK;
}

/* Arguments and handles (nothing reserved yet). */
static int decode_map_args(struct ms_server *s, struct ms_client *c, const struct ms_req_map *a,
                           struct map_plan *mp)
{
    int err = ms_as_lookup_live(s, c, a->as, &mp->as);
    if (err) return err;
    if (!a->size) return MS_ERR_ZERO_LENGTH;
    if ((a->size | a->off) & (MS_PAGE_SIZE - 1)) return MS_ERR_UNALIGNED;
    if ((err = ms_check_rights(a->rights))) return err;
    if (a->flags & ~(uint32_t)MS_MAP_FLAGS) return MS_ERR_BAD_FLAGS;
    /* A size beyond the whole user half; smaller ones that no hole can hold get
     * MS_ERR_NO_SPACE from the hole search (FIXED ranges: ms_as_range). */
    if (a->size >= MS_CANONICAL_LOW_END) return MS_ERR_KERNEL_HALF;
    uint64_t pages = a->size >> MS_PAGE_BITS;
    if (a->obj) {
        if ((err = ms_obj_lookup(s, c, a->obj, &mp->obj))) return err;
        if ((a->off >> MS_PAGE_BITS) > mp->obj->npages || pages > mp->obj->npages - (a->off >> MS_PAGE_BITS))
            return MS_ERR_RANGE;
    } else if (a->off) {
        return MS_ERR_RANGE;
    }
    mp->guard = (a->flags & MS_MAP_GUARD) ? MS_PAGE_SIZE : 0;
    if ((err = map_find_va(mp->as, a, mp->guard, &mp->va))) return err;
    /* (After the hole search: a size no address space can hold is MS_ERR_NO_SPACE.) */
    if (pages > MS_MAX_PAGES) return MS_ERR_NO_MEMORY;
    mp->size = a->size;
    mp->pages = (uint32_t)pages;
    return MS_OK;
}

/* Counts the frames, slots and paging structures POPULATE will make. */
static void count_populate(const struct ms_req_map *a, struct map_plan *mp)
{
    const struct ms_object *obj = mp->obj;
    for (uint64_t v = mp->va; v < mp->va + mp->size;) {
        if (mp->large_ok && use_large(mp->as, v, mp->va, mp->va + mp->size)) {
            mp->p.need.large++;
            mp->p.need.slots++;
            mp->frames2m++;
            ms_tables_count(mp->as, v, 1, &mp->p.tc);
            v += MS_LARGE_SIZE;
            continue;
        }
        if (!obj) {
            /* Private memory: the rest of this 2 MiB block is 4 KiB pages under one
             * page table. */
            uint64_t end = (v | (MS_LARGE_SIZE - 1)) + 1;
            uint64_t n = ((end < mp->va + mp->size ? end : mp->va + mp->size) - v) >> MS_PAGE_BITS;
            mp->p.need.pages += n;
            mp->p.need.slots += n;
            mp->frames4k += n;
            ms_tables_count(mp->as, v, 0, &mp->p.tc);
            v += n << MS_PAGE_BITS;
            continue;
        }
        if (obj->kind == MS_OBJK_ANON && !obj->page[(a->off >> MS_PAGE_BITS) + ((v - mp->va) >> MS_PAGE_BITS)])
            mp->p.need.pages++, mp->p.need.slots++, mp->frames4k++;
        mp->p.need.slots++;
        ms_tables_count(mp->as, v, 0, &mp->p.tc);
        v += MS_PAGE_SIZE;
    }
    mp->p.need.frames = mp->frames4k; /* (next_frame: from the free list first) */
}

static void map_plan_free(struct ms_server *s, struct map_plan *mp)
{
    if (mp->priv) {
        ms_heap_free(s, mp->priv->page, (uint64_t)mp->priv->npages * 4);
        ms_heap_free(s, mp->priv, sizeof(*mp->priv));
        mp->priv = 0;
    }
    ms_prep_release(s, &mp->p);
}

static int decode_map(struct ms_server *s, struct ms_client *c, const struct ms_req_map *a, struct map_plan *mp)
{
    struct map_plan z = { 0 };
    *mp = z;
    ms_prep_init(&mp->p);
    int err = decode_map_args(s, c, a, mp);
    if (err) return err;
    /* A private object starts at the 2 MiB boundary below va, so that its page indices
     * and virtual addresses agree modulo 2 MiB (2 MiB frames need both aligned). */
    mp->phase = mp->obj ? 0 : (uint32_t)((mp->va & (MS_LARGE_SIZE - 1)) >> MS_PAGE_BITS);
    mp->large_ok = !mp->obj && !(a->flags & MS_MAP_4K);
    err = ms_prep_region(s, &mp->p, mp->obj ? mp->pages : 0);
    for (int g = 0; !err && mp->guard && g < 2; g++) err = ms_prep_region(s, &mp->p, 0);
    if (!err && !mp->obj && !(mp->priv = ms_obj_new(s, c, MS_OBJK_ANON, mp->pages + mp->phase)))
        err = MS_ERR_NO_MEMORY;
    if (!err && (a->flags & MS_MAP_POPULATE)) count_populate(a, mp);
    if (!err) err = ms_prep_commit(s, c, &mp->p);
    if (!err) err = ms_regions_reserve(s, &mp->as->regions, 3);
    if (err) map_plan_free(s, mp);
    return err;
}

static struct ms_region *guard_region(struct ms_region *g, uint64_t start)
{
    g->start = start;
    g->end = start + MS_PAGE_SIZE;
    g->kind = MS_REG_GUARD;
    return g;
}

/* Enters the new region (and guards); returns it. */
static struct ms_region *enter_regions(const struct ms_req_map *a, struct map_plan *mp)
{
    uint32_t *caps, caps_len;
    struct ms_region *r = ms_prep_take(&mp->p, &caps, &caps_len);
    r->start = mp->va;
    r->end = mp->va + mp->size;
    r->rights = (uint8_t)a->rights;
    r->kind = MS_REG_MAP;
    r->small = (a->flags & MS_MAP_4K) != 0;
    r->caps = caps;
    r->caps_len = caps_len;
    if (mp->obj) {
        r->obj = mp->obj;
        r->off = (uint32_t)(a->off >> MS_PAGE_BITS);
    } else {
        mp->priv->private_ = 1;
        r->obj = mp->priv;
        r->off = mp->phase;
        mp->priv = 0; /* the region owns it now */
    }
    ms_obj_ref(r->obj);
    ms_regions_insert(&mp->as->regions, r);
    if (mp->guard) {
        ms_regions_insert(&mp->as->regions, guard_region(ms_prep_take(&mp->p, &caps, &caps_len), mp->va - mp->guard));
        ms_regions_insert(&mp->as->regions, guard_region(ms_prep_take(&mp->p, &caps, &caps_len), mp->va + mp->size));
    }
    return r;
}

static ms_slot_t next_frame(struct ms_server *s, struct map_plan *mp, struct frame_run *run)
{
    if (!run->left) {
        uint32_t want = mp->frames4k < MS_RETYPE_MAX ? (uint32_t)mp->frames4k : MS_RETYPE_MAX;
        run->left = ms_frames_new(s, want, &run->next);
        if (!run->left) return 0;
        mp->frames4k -= run->left;
    }
    run->left--;
    return run->next++;
}

/* The next 2 MiB frame: all the request needs retyped at once (one invocation per area
 * and per MS_RETYPE_MAX). */
static ms_slot_t next_large(struct ms_server *s, struct map_plan *mp)
{
    struct frame_run *run = &mp->large;
    if (!run->left) {
        uint32_t want = mp->frames2m < MS_RETYPE_MAX ? (uint32_t)mp->frames2m : MS_RETYPE_MAX;
        run->left = ms_large_new(s, want, &run->next);
        if (!run->left) return 0;
        mp->frames2m -= run->left;
    }
    run->left--;
    return run->next++;
}

/* One 2 MiB frame of private memory at v (object page i). */
static int populate_large(struct ms_server *s, struct map_plan *mp, struct ms_region *r, uint64_t v, uint64_t i)
{
    ms_slot_t f = next_large(s, mp);
    if (!f) return MS_ERR_KERNEL;
    if (ms_map_frame(s, mp->as, f, v, r->rights, 1, 1, &mp->p.stash, 0)) {
        ms_kobj_free(s, f);
        return MS_ERR_KERNEL;
    }
    struct ms_object *o = r->obj;
    MS_CHECK(!(i & (MS_PAGES_PER_LARGE - 1))); /* where ms_obj_entry looks for heads */
    o->page[i] = MS_E_MAKE(MS_E_LARGE, f); /* the other 511 entries stay 0 (MS_E_LTAIL) */
    ms_charge(o->owner, MS_PAGES_PER_LARGE, 1);
    s->stats.large_frames_mapped++;
    return MS_OK;
}

/* One 4 KiB page at v (object page i). */
static int populate_page(struct ms_server *s, struct map_plan *mp, struct ms_region *r, uint64_t v, uint64_t i,
                         struct frame_run *run)
{
    struct ms_object *o = r->obj;
    uint32_t *e = &o->page[i], fresh = 0;
    if (!*e) {
        ms_slot_t f = next_frame(s, mp, run);
        if (!f) return MS_ERR_KERNEL;
        *e = MS_E_MAKE(MS_E_OWN, f);
        ms_charge(o->owner, 1, 1);
        fresh = 1;
    }
    ms_slot_t m = MS_E_SLOT(*e);
    if (mp->obj && !(m = ms_cap_copy(s, m))) {
        if (fresh) ms_obj_drop_page(s, o, (uint32_t)i);
        return MS_ERR_KERNEL;
    }
    if (ms_map_frame(s, mp->as, m, v, r->rights, 0, o->cached, &mp->p.stash, 0)) {
        if (mp->obj) ms_cap_free(s, m);
        if (fresh) ms_obj_drop_page(s, o, (uint32_t)i);
        return MS_ERR_KERNEL;
    }
    if (mp->obj) {
        r->caps[i - r->off] = m | (fresh ? CAPS_FRESH : 0);
        ms_charge(mp->as->owner, 0, 1);
    }
    return MS_OK;
}

/* Private pages [v, end) under a page table that exists (the block's first page is
 * mapped): per page a frame, one map invocation, its entry; charged together. */
static int populate_rest(struct ms_server *s, struct map_plan *mp, struct ms_region *r, uint64_t v, uint64_t end,
                         struct frame_run *run)
{
    if (v >= end) return MS_OK;
    struct ms_object *o = r->obj;
    struct ms_pt_ref *pt = ms_pt_find(mp->as, v);
    MS_CHECK(pt != 0);
    uint32_t *e = &o->page[r->off + ((v - r->start) >> MS_PAGE_BITS)];
    uint64_t done = 0;
    int err = MS_OK;
    for (; v < end; v += MS_PAGE_SIZE) {
        ms_slot_t f = next_frame(s, mp, run);
        if (!f) {
            err = MS_ERR_KERNEL;
            break;
        }
        if (ms_k_map_frame(s, f, mp->as->pml4, v, r->rights, o->cached)) {
            ms_kobj_free(s, f); /* recorded nowhere yet */
            err = MS_ERR_KERNEL;
            break;
        }
        e[done++] = MS_E_MAKE(MS_E_OWN, f);
        pt->count++;
    }
    ms_charge(o->owner, done, done); /* (counted by count_populate) */
    return err;
}

static int populate(struct ms_server *s, struct map_plan *mp, struct ms_region *r, struct frame_run *run)
{
    for (uint64_t v = r->start; v < r->end;) {
        uint64_t i = r->off + ((v - r->start) >> MS_PAGE_BITS);
        int large = mp->large_ok && use_large(mp->as, v, r->start, r->end);
        int err = large ? populate_large(s, mp, r, v, i) : populate_page(s, mp, r, v, i, run);
        if (err) return err;
        if (large) {
            v += MS_LARGE_SIZE;
            continue;
        }
        uint64_t end = (v | (MS_LARGE_SIZE - 1)) + 1;
        v += MS_PAGE_SIZE;
        if (mp->obj) continue;
        if (end > r->end) end = r->end;
        if ((err = populate_rest(s, mp, r, v, end, run))) return err;
        v = end;
    }
    return MS_OK;
}

/* Undoes invoke_map after a kernel refusal: unmaps what it mapped, gives back the
 * shared-object pages it populated, removes the regions. */
static void map_rollback(struct ms_server *s, struct map_plan *mp, struct ms_region *r, struct frame_run *run)
{
    while (run->left) { /* frames retyped for pages not reached */
        run->left--;
        ms_kobj_free(s, run->next++);
    }
    while (mp->large.left) {
        mp->large.left--;
        ms_kobj_free(s, mp->large.next++);
    }
    for (uint64_t i = 0; mp->obj && i < ms_region_pages(r); i++) {
        uint32_t c = r->caps[i];
        if (!c) continue;
        ms_cap_free(s, c & ~CAPS_FRESH);
        ms_uncharge(mp->as->owner, 0, 1);
        ms_unmapped(s, mp->as, r->start + (i << MS_PAGE_BITS), 0);
        r->caps[i] = 0;
        if (c & CAPS_FRESH) ms_obj_drop_page(s, r->obj, r->off + (uint32_t)i);
    }
    uint32_t idx = ms_regions_lower(&mp->as->regions, r->start - mp->guard);
    uint32_t n = mp->guard ? 3 : 1;
    for (uint32_t k = 0; k < n; k++) ms_region_destroy(s, mp->as, idx);
}

static int invoke_map(struct ms_server *s, const struct ms_req_map *a, struct map_plan *mp)
{
    struct ms_region *r = enter_regions(a, mp);
    struct frame_run run = { 0, 0 };
    int err = (a->flags & MS_MAP_POPULATE) ? populate(s, mp, r, &run) : MS_OK;
    if (err) {
        map_rollback(s, mp, r, &run);
        return err;
    }
    for (uint64_t i = 0; mp->obj && i < ms_region_pages(r); i++) r->caps[i] &= ~CAPS_FRESH;
    MS_CHECK(run.left == 0 && mp->large.left == 0);
    return MS_OK;
}

int ms_map(struct ms_server *s, struct ms_client *c, const struct ms_req_map *a, uint64_t *out)
{
    struct map_plan mp;
    int err = decode_map(s, c, a, &mp);
    if (err) return err;
    err = invoke_map(s, a, &mp);
    map_plan_free(s, &mp);
    if (!err) *out = mp.va;
    return err;
}
