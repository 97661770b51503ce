/*
 * Memory objects: a page array of u32 entries (see MS_E_* in types.h), a reference
 * count, and for copy-on-write clones a backing object that supplies every page the
 * object has not written itself.
 *
 * Anonymous objects are zero-filled on first touch; their frames are charged to the
 * owner.  Physical objects refer to device frames the server made at start-up and
 * keeps for ever; those entries are never deleted here.
 */
#include "memserver/core/core.h"

struct ms_object *ms_obj_new(struct ms_server *s, struct ms_client *owner, uint8_t kind,
                             uint32_t npages)
{
    struct ms_object *o = ms_heap_alloc(s, sizeof(*o));
    if (!o) return 0;
    o->page = ms_heap_alloc(s, (uint64_t)npages * sizeof(uint32_t));
    if (!o->page) {
        ms_heap_free(s, o, sizeof(*o));
        return 0;
    }
    o->kind = kind;
    o->cached = 1;
    o->npages = npages;
    o->owner = owner;
    return o;
}

void ms_obj_ref(struct ms_object *o)
{
    MS_CHECK(o->refs < 0xFFFFFFFFu);
    o->refs++;
}

void ms_obj_drop_page(struct ms_server *s, struct ms_object *o, uint32_t idx)
{
    uint32_t e = o->page[idx];
    ms_slot_t slot = MS_E_SLOT(e);
    switch (MS_E_KIND(e)) {
    case MS_E_OWN:
        if (o->kind == MS_OBJK_PHYS) return; /* device frames belong to the server */
        ms_frame_free(s, slot); /* kept for reuse */
        ms_uncharge(o->owner, 1, 1);
        break;
    case MS_E_COPY:
        ms_cap_free(s, slot);
        ms_uncharge(o->owner, 0, 1);
        break;
    case MS_E_LARGE:
        ms_kobj_free(s, slot);
        ms_uncharge(o->owner, MS_PAGES_PER_LARGE, 1);
        break; /* (its other 511 entries are 0 already) */
    default:
        break; /* NONE, BORROW (the lender owns it), LTAIL (dropped with its head) */
    }
    o->page[idx] = 0;
}

static void obj_free(struct ms_server *s, struct ms_object *o)
{
    for (uint32_t i = 0; i < o->npages; i++) {
        uint32_t k = MS_E_KIND(o->page[i]);
        MS_CHECK(k != MS_E_BORROW && k != MS_E_COPY); /* only mapped objects hold those */
        if (k == MS_E_OWN || k == MS_E_LARGE) ms_obj_drop_page(s, o, i);
    }
    if (o->kind == MS_OBJK_PHYS) ms_dev_release(s, o->paddr, (uint64_t)o->npages << MS_PAGE_BITS);
    ms_heap_free(s, o->page, (uint64_t)o->npages * sizeof(uint32_t));
    ms_heap_free(s, o, sizeof(*o));
}

void ms_obj_unref(struct ms_server *s, struct ms_object *o)
{
    /* Iterative, so that freeing a long backing chain needs no deep recursion. */
    for (unsigned n = 0; o && n <= MS_MAX_DEPTH + 1; n++) {
        MS_CHECK(o->refs > 0);
        if (--o->refs) return;
        struct ms_object *b = o->backing;
        obj_free(s, o);
        o = b;
    }
    MS_CHECK(o == 0);
}

ms_slot_t ms_obj_find(const struct ms_object *o, uint32_t idx, const struct ms_object **where,
                      uint32_t *off)
{
    for (unsigned n = 0; o && n <= MS_MAX_DEPTH + 1; n++) {
        MS_CHECK(idx < o->npages);
        uint32_t e = ms_obj_entry(o, idx);
        switch (MS_E_KIND(e)) {
        case MS_E_OWN:
        case MS_E_LARGE:
            *where = o;
            *off = 0;
            return MS_E_SLOT(e);
        case MS_E_LTAIL: {
            uint32_t head = idx & ~(MS_PAGES_PER_LARGE - 1);
            *where = o;
            *off = (idx - head) << MS_PAGE_BITS;
            return MS_E_SLOT(o->page[head]);
        }
        default:
            idx += o->backing_off;
            o = o->backing;
        }
    }
    return 0;
}
