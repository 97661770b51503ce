/*
 * UNMAP, PROTECT and QUERY of a range of an address space.  UNMAP and PROTECT reserve
 * what splitting the regions at the range's ends needs (a 2 MiB frame cut by an end is
 * demoted to 4 KiB frames first) before they change anything.
 */
#include "memserver/core/memserver.h"
#include "memserver/core/core.h"

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
    int err = ms_as_lookup_live(s, c, handle, &as);
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
    int err = ms_as_lookup_live(s, c, handle, &as);
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
