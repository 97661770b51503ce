/*
 * PAGE_CAP: a copy of the frame cap of one 4 KiB page of an address space, for a
 * thread's IPC buffer (seL4_TCB_SetIPCBuffer / TCB_Configure need a frame cap).
 *
 * The page must be in a private or shared anonymous region mapped RW.  It is made
 * present first as a write fault would (zero-fill, or its own copy if it is
 * copy-on-write); a page inside a 2 MiB frame is demoted to 4 KiB frames first.  The
 * copy handed out derives from the frame's original cap, and the frame is marked
 * exported: whenever the server deletes that frame (unmap, destroy, object freed) or
 * lends it to a copy-on-write clone, it revokes the original first, so no copy outlives
 * the frame's place in the address space nor keeps its untyped memory busy.
 */
#include "memserver/core/memserver.h"
#include "memserver/core/core.h"

struct page_cap_plan {
    struct ms_as *as;
    struct ms_region *r;
    uint64_t i; /* page index in r */
};

static int decode_page_cap(struct ms_server *s, struct ms_client *c, uint32_t handle, uint64_t va,
                           struct page_cap_plan *p)
{
    int err = ms_as_lookup_live(s, c, handle, &p->as);
    if (err) return err;
    if ((err = ms_as_range(p->as, va, MS_PAGE_SIZE))) return err;
    p->r = ms_regions_at(p->as, va);
    if (!p->r || p->r->kind != MS_REG_MAP) return MS_ERR_NOT_MAPPED;
    if (p->r->obj->kind != MS_OBJK_ANON) return MS_ERR_BAD_FLAGS; /* device memory */
    if (p->r->rights != MS_RW) return MS_ERR_BAD_RIGHTS;
    p->i = (va - p->r->start) >> MS_PAGE_BITS;
    return MS_OK;
}

static int fill_error(int kind)
{
    return kind == MS_FAULT_QUOTA ? MS_ERR_QUOTA : MS_ERR_NO_MEMORY;
}

/* Makes the page present as the region's own 4 KiB frame; returns that frame's slot. */
static int make_own(struct ms_server *s, struct ms_client *c, struct page_cap_plan *p, ms_slot_t *frame)
{
    struct ms_region *r = p->r;
    uint64_t va = r->start + (p->i << MS_PAGE_BITS);
    if (!ms_region_direct(r)) {
        int kind = r->caps[p->i] ? 0 : ms_fill_page(s, p->as, r, va, 1);
        if (kind) return fill_error(kind);
        *frame = MS_E_SLOT(r->obj->page[r->off + p->i]);
        return MS_OK;
    }
    uint32_t k = MS_E_KIND(ms_obj_entry(r->obj, r->off + (uint32_t)p->i));
    if (k == MS_E_LARGE || k == MS_E_LTAIL) {
        uint64_t bva = va & ~(MS_LARGE_SIZE - 1);
        struct ms_prep prep;
        ms_prep_init(&prep);
        ms_prep_demote(p->as, bva, &prep);
        int err = ms_prep_commit(s, c, &prep);
        if (!err) ms_demote(s, p->as, r, bva, &prep);
        ms_prep_release(s, &prep);
        if (err) return err;
    } else if (k != MS_E_OWN) {
        int kind = ms_fill_page(s, p->as, r, va, 1);
        if (kind) return fill_error(kind);
    }
    uint32_t e = *ms_region_entry(r, p->i);
    MS_CHECK(MS_E_KIND(e) == MS_E_OWN);
    *frame = MS_E_SLOT(e);
    return MS_OK;
}

int ms_page_cap(struct ms_server *s, struct ms_client *c, uint32_t handle, uint64_t va, ms_slot_t out)
{
    struct page_cap_plan p;
    int err = decode_page_cap(s, c, handle, va, &p);
    if (err) return err;
    ms_slot_t frame = 0;
    if ((err = make_own(s, c, &p, &frame))) return err;
    /* `out` (the server's own reply slot) emptied, `frame` a live frame cap: the kernel
     * cannot refuse. */
    MS_CHECK(ms_k_delete(s, out) == 0);
    MS_CHECK(ms_k_copy_cap(s, out, frame) == 0);
    ms_slot_set_exported(s, frame, 1);
    return MS_OK;
}
