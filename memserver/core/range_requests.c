/*
 * UNMAP, PROTECT and QUERY of a range of an address space.  decode_range (and
 * decode_protect) reserve what splitting the regions at the range's ends needs (a 2 MiB
 * frame cut by an end is demoted to 4 KiB frames first); invoke_unmap / invoke_protect
 * then change the space and cannot fail.
 */
#include "memserver/core/memserver.h"
#include "memserver/core/core.h"

/* What UNMAP and PROTECT decoded: the space, the range, the reservations. */
struct range_plan {
    struct ms_as *as;
    uint64_t va, end;
    struct ms_prep p;
};

/* Checks the range and reserves what splitting the regions at its two ends needs. */
static int decode_range(struct ms_server *s, struct ms_client *c, uint32_t handle, uint64_t va, uint64_t size,
                        struct range_plan *rp)
{
    int err = ms_as_lookup_live(s, c, handle, &rp->as);
    if (!err) err = ms_as_range(rp->as, va, size);
    if (err) return err;
    rp->va = va;
    rp->end = va + size;
    ms_prep_init(&rp->p);
    err = ms_prep_split(s, rp->as, va, &rp->p);
    if (!err) err = ms_prep_split(s, rp->as, rp->end, &rp->p);
    if (!err) err = ms_prep_commit(s, c, &rp->p);
    if (!err) err = ms_regions_reserve(s, &rp->as->regions, 2);
    if (err) ms_prep_release(s, &rp->p);
    return err;
}

/* Splits the regions at the range's ends: [va, end) is then made of whole regions. */
static void invoke_split(struct ms_server *s, struct range_plan *rp)
{
    ms_do_split(s, rp->as, rp->va, &rp->p);
    ms_do_split(s, rp->as, rp->end, &rp->p);
}

static void invoke_unmap(struct ms_server *s, struct range_plan *rp)
{
    invoke_split(s, rp);
    uint32_t i = ms_regions_lower(&rp->as->regions, rp->va);
    while (i < rp->as->regions.n && rp->as->regions.r[i]->start < rp->end) ms_region_destroy(s, rp->as, i);
    ms_prep_release(s, &rp->p);
}

int ms_unmap(struct ms_server *s, struct ms_client *c, uint32_t handle, uint64_t va, uint64_t size)
{
    struct range_plan rp;
    int err = decode_range(s, c, handle, va, size, &rp);
    if (!err) invoke_unmap(s, &rp);
    return err;
}

static int decode_protect(struct ms_server *s, struct ms_client *c, uint32_t handle, uint64_t va, uint64_t size,
                          uint32_t rights, struct range_plan *rp)
{
    struct ms_as *as;
    int err = ms_as_lookup_live(s, c, handle, &as);
    if (!err) err = ms_as_range(as, va, size);
    if (!err) err = ms_check_rights(rights);
    if (err) return err;
    if (!ms_covered(as, va, va + size, 0)) return MS_ERR_NOT_MAPPED;
    return decode_range(s, c, handle, va, size, rp);
}

static void invoke_protect(struct ms_server *s, struct range_plan *rp, uint32_t rights)
{
    invoke_split(s, rp);
    for (uint32_t i = ms_regions_lower(&rp->as->regions, rp->va);
         i < rp->as->regions.n && rp->as->regions.r[i]->start < rp->end; i++) {
        struct ms_region *r = rp->as->regions.r[i];
        if (r->rights == rights) continue;
        r->rights = (uint8_t)rights;
        ms_region_remap(s, rp->as, r);
    }
    ms_merge_around(s, rp->as, rp->va, rp->end);
    ms_prep_release(s, &rp->p);
}

int ms_protect(struct ms_server *s, struct ms_client *c, uint32_t handle, uint64_t va, uint64_t size,
               uint32_t rights)
{
    struct range_plan rp;
    int err = decode_protect(s, c, handle, va, size, rights, &rp);
    if (!err) invoke_protect(s, &rp, rights);
    return err;
}

/* QUERY: decode finds the region; the invoke only describes it (changes nothing). */
static int decode_query(struct ms_server *s, struct ms_client *c, uint32_t handle, uint64_t va,
                        struct ms_region **r)
{
    struct ms_as *as;
    int err = ms_as_lookup(s, c, handle, &as);
    if (err) return err;
    if ((err = ms_check_range(va & ~(MS_PAGE_SIZE - 1), MS_PAGE_SIZE))) return err;
    *r = ms_regions_at(as, va);
    return *r ? MS_OK : MS_ERR_NOT_MAPPED;
}

static void invoke_query(const struct ms_region *r, uint64_t va, struct ms_query_result *q)
{
    struct ms_query_result z = { 0 };
    *q = z;
    q->start = r->start;
    q->size = r->end - r->start;
    q->rights = r->rights;
    if (r->kind == MS_REG_GUARD) {
        q->kind = MS_KIND_GUARD;
        return;
    }
    q->kind = ms_region_direct(r) ? MS_KIND_PRIVATE : r->obj->kind == MS_OBJK_PHYS ? MS_KIND_PHYS
                                                                                  : MS_KIND_SHARED;
    q->obj = r->obj->handle;
    q->off = (uint64_t)r->off << MS_PAGE_BITS;
    uint64_t i = (va - r->start) >> MS_PAGE_BITS;
    int large;
    if (ms_region_direct(r) && MS_E_KIND(ms_obj_entry(r->obj, r->off + (uint32_t)i)) == MS_E_LTAIL) q->present = 1;
    else q->present = ms_region_mapped(r, i, &large) != 0;
}

int ms_query(struct ms_server *s, struct ms_client *c, uint32_t handle, uint64_t va,
             struct ms_query_result *q)
{
    struct ms_region *r;
    int err = decode_query(s, c, handle, va, &r);
    if (!err) invoke_query(r, va, q);
    return err;
}
