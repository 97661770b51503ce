/*
 * Changing the regions of an address space: reservations for an operation, splitting a
 * region in two, turning a 2 MiB frame into 4 KiB frames when a split cuts through it,
 * releasing the pages of a region, remapping with new rights, merging neighbours.
 */
#include "memserver/core/core.h"

void ms_prep_init(struct ms_prep *p)
{
    struct ms_prep z = { 0 };
    *p = z;
    ms_tcount_init(&p->tc);
}

int ms_prep_region(struct ms_server *s, struct ms_prep *p, uint32_t caps_len)
{
    MS_CHECK(p->nspare < MS_PREP_SPARE);
    struct ms_region *r = ms_region_new(s);
    if (!r) return MS_ERR_NO_MEMORY;
    uint32_t *caps = 0;
    if (caps_len) {
        caps = ms_heap_alloc(s, (uint64_t)caps_len * sizeof(uint32_t));
        if (!caps) {
            ms_region_free(s, r);
            return MS_ERR_NO_MEMORY;
        }
    }
    p->spare[p->nspare] = r;
    p->spare_caps[p->nspare] = caps;
    p->spare_caps_len[p->nspare] = caps_len;
    p->nspare++;
    return MS_OK;
}

struct ms_region *ms_prep_take(struct ms_prep *p, uint32_t **caps, uint32_t *caps_len)
{
    MS_CHECK(p->used < p->nspare);
    uint32_t i = p->used++;
    struct ms_region *r = p->spare[i];
    *caps = p->spare_caps[i];
    *caps_len = p->spare_caps_len[i];
    p->spare[i] = 0;
    p->spare_caps[i] = 0;
    return r;
}

void ms_prep_demote(struct ms_as *as, uint64_t bva, struct ms_prep *p)
{
    for (uint32_t i = 0; i < p->ndemoted; i++)
        if (p->demoted[i] == bva) return;
    if (p->ndemoted < 2) p->demoted[p->ndemoted++] = bva;
    p->need.pages += MS_PAGES_PER_LARGE;
    p->need.slots += MS_PAGES_PER_LARGE;
    ms_tables_count(as, bva, 0, &p->tc);
}

/* The 2 MiB block of direct region r holding addr, if that block is a 2 MiB frame. */
static int large_at(struct ms_region *r, uint64_t addr, uint64_t *bva)
{
    if (!ms_region_direct(r)) return 0;
    uint64_t b = addr & ~(MS_LARGE_SIZE - 1);
    if (b < r->start || b + MS_LARGE_SIZE > r->end) return 0;
    if (MS_E_KIND(*ms_region_entry(r, (b - r->start) >> MS_PAGE_BITS)) != MS_E_LARGE) return 0;
    *bva = b;
    return 1;
}

int ms_prep_split(struct ms_server *s, struct ms_as *as, uint64_t addr, struct ms_prep *p)
{
    struct ms_region *r = ms_regions_at(as, addr);
    if (!r || r->start == addr) return MS_OK;
    uint64_t bva;
    if ((addr & (MS_LARGE_SIZE - 1)) && large_at(r, addr, &bva)) ms_prep_demote(as, bva, p);
    uint32_t len = ms_region_direct(r) || !r->obj ? 0 : (uint32_t)((r->end - addr) >> MS_PAGE_BITS);
    return ms_prep_region(s, p, len);
}

int ms_prep_commit(struct ms_server *s, struct ms_client *c, struct ms_prep *p)
{
    p->need.pages += p->tc.tables;
    p->need.slots += p->tc.tables;
    p->need.nodes += p->tc.nodes;
    int err = ms_need_check(s, c, &p->need);
    if (err) return err;
    return ms_stash_fill(s, &p->stash, (uint32_t)p->need.nodes);
}

void ms_prep_release(struct ms_server *s, struct ms_prep *p)
{
    for (uint32_t i = 0; i < p->nspare; i++) {
        if (p->spare[i]) ms_region_free(s, p->spare[i]);
        if (p->spare_caps[i])
            ms_heap_free(s, p->spare_caps[i], (uint64_t)p->spare_caps_len[i] * sizeof(uint32_t));
    }
    p->nspare = p->used = 0;
    ms_stash_drain(s, &p->stash);
}

void ms_demote(struct ms_server *s, struct ms_as *as, struct ms_region *r, uint64_t bva,
               struct ms_prep *p)
{
    struct ms_object *o = r->obj;
    uint32_t *e = ms_region_entry(r, (bva - r->start) >> MS_PAGE_BITS);
    ms_slot_t big = MS_E_SLOT(e[0]);
    MS_CHECK(MS_E_KIND(e[0]) == MS_E_LARGE);
    MS_CHECK(ms_k_unmap_frame(s, big) == 0); /* the server's own, mapped frame cap */
    int refused = 0;
    for (uint32_t i = 0; i < MS_PAGES_PER_LARGE; i++) {
        /* Memory and slots reserved, the copy goes through the server's own window:
         * the kernel cannot refuse. */
        ms_slot_t f = ms_kobj_new(s, MS_KOBJ_FRAME_4K);
        MS_CHECK(f != 0);
        MS_CHECK(ms_k_copy_page(s, f, big, i << MS_PAGE_BITS) == 0);
        e[i] = MS_E_MAKE(MS_E_OWN, f);
        ms_charge(o->owner, 1, 1);
        /* Mapping in the client's space can be refused only if the client changed it
         * behind our back; this act cannot be undone, so the space is marked broken. */
        refused |= ms_map_frame(s, as, f, bva + ((uint64_t)i << MS_PAGE_BITS), r->rights, 0, o->cached,
                                &p->stash, 1) != MS_OK;
    }
    if (refused) ms_as_broken(s, as);
    ms_kobj_free(s, big);
    ms_uncharge(o->owner, MS_PAGES_PER_LARGE, 1);
    ms_unmapped(s, as, bva, 1);
}

void ms_do_split(struct ms_server *s, struct ms_as *as, uint64_t addr, struct ms_prep *p)
{
    uint32_t idx = ms_regions_lower(&as->regions, addr);
    if (idx >= as->regions.n) return;
    struct ms_region *r = as->regions.r[idx];
    if (r->start >= addr) return;
    uint64_t bva;
    if ((addr & (MS_LARGE_SIZE - 1)) && large_at(r, addr, &bva)) ms_demote(s, as, r, bva, p);
    uint32_t *caps, caps_len;
    struct ms_region *t = ms_prep_take(p, &caps, &caps_len);
    uint64_t head = (addr - r->start) >> MS_PAGE_BITS;
    *t = *r;
    t->start = addr;
    t->off = r->off + (uint32_t)head;
    t->caps = 0;
    t->caps_len = 0;
    if (r->obj && !ms_region_direct(r)) {
        MS_CHECK(caps && caps_len == ms_region_pages(t));
        for (uint32_t i = 0; i < caps_len; i++) caps[i] = r->caps[head + i];
        t->caps = caps;
        t->caps_len = caps_len;
    } else if (caps) {
        ms_heap_free(s, caps, (uint64_t)caps_len * sizeof(uint32_t));
    }
    r->end = addr;
    if (t->obj) ms_obj_ref(t->obj);
    ms_regions_insert(&as->regions, t);
}

void ms_release_region_pages(struct ms_server *s, struct ms_as *as, struct ms_region *r)
{
    if (!r->obj) return;
    uint64_t n = ms_region_pages(r);
    if (!ms_region_direct(r)) {
        for (uint64_t i = 0; i < n; i++) {
            if (!r->caps[i]) continue;
            ms_cap_free(s, r->caps[i]);
            ms_uncharge(as->owner, 0, 1);
            r->caps[i] = 0;
            ms_unmapped(s, as, r->start + (i << MS_PAGE_BITS), 0);
        }
        return;
    }
    struct ms_object *o = r->obj;
    for (uint64_t i = 0; i < n; i++) {
        uint32_t *e = ms_region_entry(r, i);
        uint64_t va = r->start + (i << MS_PAGE_BITS);
        switch (MS_E_KIND(*e)) {
        case MS_E_OWN:
        case MS_E_COPY:
            ms_obj_drop_page(s, o, r->off + (uint32_t)i);
            ms_unmapped(s, as, va, 0);
            break;
        case MS_E_BORROW:
            MS_CHECK(ms_k_unmap_frame(s, MS_E_SLOT(*e)) == 0); /* the server's own frame cap */
            *e = 0;
            ms_unmapped(s, as, va, 0);
            break;
        case MS_E_LARGE:
            ms_obj_drop_page(s, o, r->off + (uint32_t)i);
            ms_unmapped(s, as, va, 1);
            i += MS_PAGES_PER_LARGE - 1;
            break;
        default:
            break;
        }
    }
}

void ms_region_destroy(struct ms_server *s, struct ms_as *as, uint32_t i)
{
    struct ms_region *r = as->regions.r[i];
    ms_release_region_pages(s, as, r);
    ms_regions_remove(&as->regions, i);
    if (r->obj) ms_obj_unref(s, r->obj);
    ms_region_free(s, r);
}

void ms_region_remap(struct ms_server *s, struct ms_as *as, struct ms_region *r)
{
    if (!r->obj) return;
    uint64_t n = ms_region_pages(r);
    for (uint64_t i = 0; i < n; i++) {
        int large;
        ms_slot_t f = ms_region_mapped(r, i, &large);
        if (!f) continue;
        unsigned rights = r->rights;
        if (ms_region_direct(r)) {
            uint32_t k = MS_E_KIND(*ms_region_entry(r, i));
            if (k == MS_E_BORROW || k == MS_E_COPY) rights &= ~(unsigned)MS_RIGHT_W;
        }
        /* A remap of a page the server mapped: refused only if the client changed the
         * space behind our back (e.g. revoked an adopted PML4). */
        if (ms_k_map_frame(s, f, as->pml4, r->start + (i << MS_PAGE_BITS), rights, r->obj->cached))
            ms_as_broken(s, as);
        if (large) i += MS_PAGES_PER_LARGE - 1;
    }
}

int ms_covered(const struct ms_as *as, uint64_t start, uint64_t end, int allow_guard)
{
    const struct ms_regions *rs = &as->regions;
    uint64_t at = start;
    for (uint32_t i = ms_regions_lower(rs, start); i < rs->n && at < end; i++) {
        const struct ms_region *r = rs->r[i];
        if (r->start > at) return 0;
        if (r->kind == MS_REG_GUARD && !allow_guard) return 0;
        at = r->end;
    }
    return at >= end;
}

static int mergeable(const struct ms_region *a, const struct ms_region *b)
{
    return a->end == b->start && a->kind == MS_REG_MAP && b->kind == MS_REG_MAP && a->obj == b->obj &&
           ms_region_direct(a) && a->rights == b->rights &&
           (uint64_t)a->off + ms_region_pages(a) == b->off;
}

void ms_merge_around(struct ms_server *s, struct ms_as *as, uint64_t start, uint64_t end)
{
    struct ms_regions *rs = &as->regions;
    uint32_t i = ms_regions_lower(rs, start);
    if (i > 0) i--;
    while (i + 1 < rs->n && rs->r[i]->start <= end) {
        struct ms_region *a = rs->r[i], *b = rs->r[i + 1];
        if (!mergeable(a, b)) {
            i++;
            continue;
        }
        a->end = b->end;
        ms_regions_remove(rs, i + 1);
        ms_obj_unref(s, b->obj);
        ms_region_free(s, b);
    }
    as->last = 0;
}
