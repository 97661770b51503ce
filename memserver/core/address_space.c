/*
 * Address-space requests: create, destroy, map, unmap, protect, query.
 * Each one checks and reserves first (no state change on error), then acts.
 */
#include "memserver/core/memserver.h"
#include "memserver/core/core.h"

int ms_as_lookup(struct ms_server *s, const struct ms_client *c, uint32_t handle, struct ms_as **out)
{
    uint32_t idx = (handle & 0xFFFFu) - 1u;
    if ((handle & 0xFFFFu) == 0 || idx >= MS_MAX_AS || !s->as[idx] || s->as_gen[idx] != (handle >> 16))
        return MS_ERR_BAD_HANDLE;
    if (c && s->as[idx]->owner != c) return MS_ERR_NOT_OWNER;
    *out = s->as[idx];
    return MS_OK;
}

/* Installs address space `as` (heap memory, zeroed apart from what the caller set):
 * a PML4 with an ASID, a handle.  The caller has checked the resources (1 page and
 * 1 slot, +1 slot for a notification, a free ASID and handle). */
int ms_as_install(struct ms_server *s, struct ms_client *c, struct ms_as *as, ms_slot_t notify,
                  uint32_t *handle)
{
    uint32_t idx = 0;
    while (idx < MS_MAX_AS && s->as[idx]) idx++;
    if (idx == MS_MAX_AS) return MS_ERR_BUSY;
    if (!s->asids_free) return MS_ERR_NO_ASID;
    as->owner = c;
    as->pml4 = ms_kobj_new(s, MS_KOBJ_PML4);
    if (!as->pml4) return MS_ERR_KERNEL;
    if (ms_kcall_failed(s, s->k.assign_asid(s->k.ctx, as->pml4))) {
        ms_kobj_free(s, as->pml4);
        return MS_ERR_KERNEL;
    }
    ms_charge(c, 1, notify ? 2 : 1);
    as->notify = notify;
    s->asids_free--;
    uint16_t gen = (uint16_t)((s->as_gen[idx] + 1u) & 0x7FFFu);
    s->as_gen[idx] = gen ? gen : 1;
    s->as[idx] = as;
    as->handle = ((uint32_t)s->as_gen[idx] << 16) | (idx + 1u);
    c->live++;
    *handle = as->handle;
    return MS_OK;
}

int ms_as_create(struct ms_server *s, struct ms_client *c, ms_slot_t notify, uint32_t *handle)
{
    uint32_t idx = 0;
    while (idx < MS_MAX_AS && s->as[idx]) idx++;
    if (idx == MS_MAX_AS) return MS_ERR_BUSY;
    if (!s->asids_free) return MS_ERR_NO_ASID;
    struct ms_need n = { 1, 0, notify ? 2u : 1u, 0 };
    int err = ms_need_check(s, c, &n);
    if (err) return err;
    struct ms_as *as = ms_heap_alloc(s, sizeof(*as));
    if (!as) return MS_ERR_NO_MEMORY;
    if ((err = ms_as_install(s, c, as, notify, handle))) {
        ms_heap_free(s, as, sizeof(*as));
        return err;
    }
    return MS_OK;
}

static uint32_t as_register(struct ms_server *s, struct ms_client *c, struct ms_as *as, uint32_t idx)
{
    uint16_t gen = (uint16_t)((s->as_gen[idx] + 1u) & 0x7FFFu);
    s->as_gen[idx] = gen ? gen : 1;
    s->as[idx] = as;
    as->handle = ((uint32_t)s->as_gen[idx] << 16) | (idx + 1u);
    c->live++;
    return as->handle;
}

int ms_as_adopt(struct ms_server *s, struct ms_client *c, ms_slot_t pml4, uint32_t *handle)
{
    uint32_t idx = 0;
    while (idx < MS_MAX_AS && s->as[idx]) idx++;
    if (idx == MS_MAX_AS) return MS_ERR_BUSY;
    struct ms_need n = { 0, 0, 1, 0 };
    int err = ms_need_check(s, c, &n);
    if (err) return err;
    struct ms_as *as = ms_heap_alloc(s, sizeof(*as));
    if (!as) return MS_ERR_NO_MEMORY;
    as->owner = c;
    as->pml4 = pml4;
    as->adopted = 1;
    as->floor = MS_ADOPT_FLOOR;
    ms_charge(c, 0, 1);
    *handle = as_register(s, c, as, idx);
    return MS_OK;
}

int ms_as_set_notify(struct ms_server *s, struct ms_client *c, uint32_t handle, ms_slot_t ntfn)
{
    struct ms_as *as;
    int err = ms_as_lookup(s, c, handle, &as);
    if (err) return err;
    if (!as->notify) {
        struct ms_need n = { 0, 0, 1, 0 };
        if ((err = ms_need_check(s, c, &n))) return err;
        ms_charge(c, 0, 1);
    } else {
        ms_cap_free(s, as->notify);
    }
    as->notify = ntfn;
    return MS_OK;
}

static void as_free(struct ms_server *s, struct ms_as *as)
{
    while (as->regions.n) ms_region_destroy(s, as, as->regions.n - 1);
    ms_regions_free(s, &as->regions);
    ms_tables_destroy(s, as);
    /* Copies handed out (VSpace caps in TCBs, AS_VSPACE) die with it. */
    if (as->adopted) {
        ms_cap_free(s, as->pml4); /* only the server's copy; the creator keeps the PML4 */
        ms_uncharge(as->owner, 0, 1);
    } else {
        (void)ms_kcall_failed(s, s->k.revoke_cap(s->k.ctx, as->pml4));
        ms_kobj_free(s, as->pml4);
        ms_uncharge(as->owner, 1, 1);
        s->asids_free++;
    }
    if (as->notify) {
        ms_cap_free(s, as->notify);
        ms_uncharge(as->owner, 0, 1);
    }
    uint32_t idx = (as->handle & 0xFFFFu) - 1u;
    s->as[idx] = 0;
    as->owner->live--;
    ms_heap_free(s, as, sizeof(*as));
}

int ms_as_destroy(struct ms_server *s, struct ms_client *c, uint32_t handle)
{
    struct ms_as *as;
    int err = ms_as_lookup(s, c, handle, &as);
    if (err) return err;
    as_free(s, as);
    return MS_OK;
}

void ms_as_free_all(struct ms_server *s, struct ms_client *c)
{
    for (uint32_t i = 0; i < MS_MAX_AS; i++)
        if (s->as[i] && s->as[i]->owner == c) as_free(s, s->as[i]);
}

/* ---- map ---- */

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

static struct ms_region *guard_region(struct ms_region *g, uint64_t start)
{
    g->start = start;
    g->end = start + MS_PAGE_SIZE;
    g->kind = MS_REG_GUARD;
    return g;
}

int ms_map(struct ms_server *s, struct ms_client *c, const struct ms_req_map *a, uint64_t *out)
{
    struct ms_as *as;
    struct ms_object *obj = 0;
    int err = ms_as_lookup(s, c, a->as, &as);
    if (err) return err;
    if (!a->size) return MS_ERR_ZERO_LENGTH;
    if ((a->size | a->off) & (MS_PAGE_SIZE - 1)) return MS_ERR_UNALIGNED;
    if ((err = ms_check_rights(a->rights))) return err;
    if (a->flags & ~(uint32_t)MS_MAP_FLAGS) return MS_ERR_BAD_FLAGS;
    if (a->size >= MS_USER_TOP) return MS_ERR_KERNEL_HALF;
    uint64_t pages = a->size >> MS_PAGE_BITS;
    if (pages > MS_MAX_PAGES) return MS_ERR_NO_MEMORY;
    if (a->obj) {
        if ((err = ms_obj_lookup(s, c, a->obj, &obj))) return err;
        if ((a->off >> MS_PAGE_BITS) > obj->npages || pages > obj->npages - (a->off >> MS_PAGE_BITS))
            return MS_ERR_RANGE;
    } else if (a->off) {
        return MS_ERR_RANGE;
    }
    uint64_t guard = (a->flags & MS_MAP_GUARD) ? MS_PAGE_SIZE : 0, va;
    if ((err = map_find_va(as, a, guard, &va))) return err;

    /* Reserve. */
    struct ms_prep p;
    ms_prep_init(&p);
    struct ms_object *priv = 0;
    /* A private object starts at the 2 MiB boundary below va, so that its page indices
     * and virtual addresses agree modulo 2 MiB (2 MiB frames need both aligned). */
    uint32_t phase = obj ? 0 : (uint32_t)((va & (MS_LARGE_SIZE - 1)) >> MS_PAGE_BITS);
    if ((err = ms_prep_region(s, &p, obj ? (uint32_t)pages : 0))) goto fail;
    for (int g = 0; guard && g < 2; g++) /* the two guard regions */
        if ((err = ms_prep_region(s, &p, 0))) goto fail;
    if (!obj && !(priv = ms_obj_new(s, c, MS_OBJK_ANON, (uint32_t)pages + phase))) {
        err = MS_ERR_NO_MEMORY;
        goto fail;
    }
    uint64_t frames4k = 0;
    int large_ok = !obj && !(a->flags & MS_MAP_4K);
    if (a->flags & MS_MAP_POPULATE) {
        for (uint64_t v = va; v < va + a->size;) {
            if (large_ok && use_large(as, v, va, va + a->size)) {
                p.need.large++;
                p.need.slots++;
                ms_tables_count(as, v, 1, &p.tc);
                v += MS_LARGE_SIZE;
                continue;
            }
            if (!obj || (obj->kind == MS_OBJK_ANON &&
                         !obj->page[(a->off >> MS_PAGE_BITS) + ((v - va) >> MS_PAGE_BITS)]))
                p.need.pages++, p.need.slots++, frames4k++;
            if (obj) p.need.slots++;
            ms_tables_count(as, v, 0, &p.tc);
            v += MS_PAGE_SIZE;
        }
    }
    if ((err = ms_prep_commit(s, c, &p)) || (err = ms_regions_reserve(s, &as->regions, 3))) goto fail;

    /* Act. */
    uint32_t *caps, caps_len;
    struct ms_region *r = ms_prep_take(&p, &caps, &caps_len);
    r->start = va;
    r->end = va + a->size;
    r->rights = (uint8_t)a->rights;
    r->kind = MS_REG_MAP;
    r->caps = caps;
    r->caps_len = caps_len;
    if (obj) {
        r->obj = obj;
        r->off = (uint32_t)(a->off >> MS_PAGE_BITS);
    } else {
        priv->private_ = 1;
        r->obj = priv;
        r->off = phase;
    }
    ms_obj_ref(r->obj);
    ms_regions_insert(&as->regions, r);
    if (guard) {
        ms_regions_insert(&as->regions, guard_region(ms_prep_take(&p, &caps, &caps_len), va - guard));
        ms_regions_insert(&as->regions, guard_region(ms_prep_take(&p, &caps, &caps_len), va + a->size));
    }
    if (a->flags & MS_MAP_POPULATE) {
        struct ms_object *o = r->obj;
        ms_slot_t run = 0;
        uint32_t run_left = 0;
        for (uint64_t v = va; v < r->end;) {
            uint64_t i = r->off + ((v - va) >> MS_PAGE_BITS);
            if (large_ok && use_large(as, v, va, r->end)) {
                ms_slot_t f = ms_kobj_new(s, MS_KOBJ_FRAME_2M);
                MS_CHECK(f != 0);
                o->page[i] = MS_E_MAKE(MS_E_LARGE, f);
                for (uint32_t t = 1; t < MS_PAGES_PER_LARGE; t++) o->page[i + t] = MS_E_MAKE(MS_E_LTAIL, 0);
                ms_charge(c, MS_PAGES_PER_LARGE, 1);
                (void)ms_map_frame(s, as, f, v, r->rights, 1, 1, &p.stash);
                s->stats.large_frames_mapped++;
                v += MS_LARGE_SIZE;
                continue;
            }
            uint32_t *e = &o->page[i];
            if (!*e) {
                /* Frames come in runs made by one retype each. */
                if (!run_left) {
                    run_left = ms_frames_new(s, frames4k < MS_RETYPE_MAX ? (uint32_t)frames4k : MS_RETYPE_MAX, &run);
                    MS_CHECK(run_left != 0);
                    frames4k -= run_left;
                }
                ms_slot_t f = run++;
                run_left--;
                *e = MS_E_MAKE(MS_E_OWN, f);
                ms_charge(o->owner, 1, 1);
            }
            ms_slot_t m = MS_E_SLOT(*e);
            if (obj) {
                m = ms_cap_copy(s, m);
                MS_CHECK(m != 0);
                r->caps[i - r->off] = m;
                ms_charge(c, 0, 1);
            }
            (void)ms_map_frame(s, as, m, v, r->rights, 0, o->cached, &p.stash);
            v += MS_PAGE_SIZE;
        }
    }
    ms_prep_release(s, &p);
    *out = va;
    return MS_OK;
fail:
    if (priv) ms_heap_free(s, priv->page, (uint64_t)priv->npages * 4), ms_heap_free(s, priv, sizeof(*priv));
    ms_prep_release(s, &p);
    return err;
}

/* ---- unmap / protect ---- */

/* Reserves everything needed, then splits the regions at va and va + size so that
 * [va, va + size) is made of whole regions.  On error nothing has changed; on success the
 * caller releases *p when done. */
static int split_at_range_ends(struct ms_server *s, struct ms_client *c, struct ms_as *as,
                               uint64_t va, uint64_t size, struct ms_prep *p)
{
    ms_prep_init(p);
    int err = ms_prep_split(s, as, va, p);
    if (!err) err = ms_prep_split(s, as, va + size, p);
    if (!err) err = ms_prep_commit(s, c, p);
    if (!err) err = ms_regions_reserve(s, &as->regions, 2);
    if (err) {
        ms_prep_release(s, p);
        return err;
    }
    ms_do_split(s, as, va, p);
    ms_do_split(s, as, va + size, p);
    return MS_OK;
}

int ms_unmap(struct ms_server *s, struct ms_client *c, uint32_t handle, uint64_t va, uint64_t size)
{
    struct ms_as *as;
    int err = ms_as_lookup(s, c, handle, &as);
    if (err) return err;
    if ((err = ms_as_range(as, va, size))) return err;
    struct ms_prep p;
    if ((err = split_at_range_ends(s, c, as, va, size, &p))) return err;
    uint32_t i = ms_regions_lower(&as->regions, va);
    while (i < as->regions.n && as->regions.r[i]->start < va + size) ms_region_destroy(s, as, i);
    ms_prep_release(s, &p);
    return MS_OK;
}

int ms_protect(struct ms_server *s, struct ms_client *c, uint32_t handle, uint64_t va, uint64_t size,
               uint32_t rights)
{
    struct ms_as *as;
    int err = ms_as_lookup(s, c, handle, &as);
    if (err) return err;
    if ((err = ms_as_range(as, va, size)) || (err = ms_check_rights(rights))) return err;
    if (!ms_covered(as, va, va + size, 0)) return MS_ERR_NOT_MAPPED;
    struct ms_prep p;
    if ((err = split_at_range_ends(s, c, as, va, size, &p))) return err;
    for (uint32_t i = ms_regions_lower(&as->regions, va);
         i < as->regions.n && as->regions.r[i]->start < va + size; i++) {
        struct ms_region *r = as->regions.r[i];
        if (r->rights == rights) continue;
        r->rights = (uint8_t)rights;
        ms_region_remap(s, as, r);
    }
    ms_merge_around(s, as, va, va + size);
    ms_prep_release(s, &p);
    return MS_OK;
}

int ms_query(struct ms_server *s, struct ms_client *c, uint32_t handle, uint64_t va,
             struct ms_query_result *q)
{
    struct ms_as *as;
    int err = ms_as_lookup(s, c, handle, &as);
    if (err) return err;
    if ((err = ms_check_range(va & ~(MS_PAGE_SIZE - 1), MS_PAGE_SIZE))) return err;
    struct ms_region *r = ms_regions_at(as, va);
    if (!r) return MS_ERR_NOT_MAPPED;
    struct ms_query_result z = { 0 };
    *q = z;
    q->start = r->start;
    q->size = r->end - r->start;
    q->rights = r->rights;
    if (r->kind == MS_REG_GUARD) {
        q->kind = MS_KIND_GUARD;
        return MS_OK;
    }
    q->kind = ms_region_direct(r) ? MS_KIND_PRIVATE : r->obj->kind == MS_OBJK_PHYS ? MS_KIND_PHYS
                                                                                  : MS_KIND_SHARED;
    q->obj = r->obj->handle;
    q->off = (uint64_t)r->off << MS_PAGE_BITS;
    uint64_t i = (va - r->start) >> MS_PAGE_BITS;
    int large;
    if (ms_region_direct(r) && MS_E_KIND(*ms_region_entry(r, i)) == MS_E_LTAIL) q->present = 1;
    else q->present = ms_region_mapped(r, i, &large) != 0;
    return MS_OK;
}
