/*
 * OBJ_WRITE: copies bytes carried by a request into an anonymous memory object, the way
 * a loader puts an ELF segment into memory the server manages (like Zircon's
 * zx_vmo_write).  Pages of the object that are not populated yet get a fresh frame,
 * charged to the object's owner like a first touch.
 *
 * Decode checks the object, the range and the quota; invoke makes the new frames, writes
 * the bytes (new frames first: they are not visible until the end, so a refused write
 * can still be undone) and only then enters the new frames in the object.
 */
#include "memserver/core/memserver.h"
#include "memserver/core/core.h"

/* A request's bytes span at most two pages (MS_WRITE_MAX < 4 KiB). */
#define WRITE_PAGES 2u

struct write_plan {
    struct ms_object *obj;
    uint32_t first, count; /* object pages [first, first + count) */
    uint32_t fresh[WRITE_PAGES]; /* 1 = not populated yet: needs a new frame */
    ms_slot_t frame[WRITE_PAGES];
    uint8_t bytes[MS_WRITE_MAX];
};

static int decode_obj_write(struct ms_server *s, struct ms_client *c, const struct ms_req_obj_write *a,
                            struct write_plan *w)
{
    int err = ms_obj_lookup(s, c, a->obj, &w->obj);
    if (err) return err;
    /* Device memory is the driver's to write through its own mapping. */
    if (w->obj->kind != MS_OBJK_ANON) return MS_ERR_BAD_FLAGS;
    if (a->nbytes == 0) return MS_ERR_ZERO_LENGTH;
    if (a->nbytes > MS_WRITE_MAX) return MS_ERR_BAD_REQUEST;
    uint64_t size = (uint64_t)w->obj->npages << MS_PAGE_BITS;
    if (a->off > size || a->nbytes > size - a->off) return MS_ERR_RANGE;
    w->first = (uint32_t)(a->off >> MS_PAGE_BITS);
    w->count = (uint32_t)(((a->off + a->nbytes - 1) >> MS_PAGE_BITS) - w->first + 1);
    MS_CHECK(w->count <= WRITE_PAGES);
    struct ms_need n = { 0, 0, 0, 0, 0 };
    for (uint32_t i = 0; i < w->count; i++) {
        uint32_t e = w->obj->page[w->first + i];
        /* Objects with a handle are never copy-on-write shadows nor 2 MiB-populated. */
        MS_CHECK(MS_E_KIND(e) == MS_E_NONE || MS_E_KIND(e) == MS_E_OWN);
        w->fresh[i] = MS_E_KIND(e) == MS_E_NONE;
        w->frame[i] = w->fresh[i] ? 0 : MS_E_SLOT(e);
        n.pages += w->fresh[i];
        n.slots += w->fresh[i];
    }
    if ((err = ms_need_check(s, w->obj->owner, &n))) return err;
    for (uint32_t i = 0; i < a->nbytes; i++)
        w->bytes[i] = (uint8_t)(a->data[i / 8] >> (8 * (i % 8)));
    return MS_OK;
}

static void drop_fresh(struct ms_server *s, struct write_plan *w)
{
    for (uint32_t i = 0; i < w->count; i++)
        if (w->fresh[i] && w->frame[i]) ms_kobj_free(s, w->frame[i]);
}

/* Writes the part of the bytes that falls in plan page i. */
static int write_piece(struct ms_server *s, const struct ms_req_obj_write *a, const struct write_plan *w,
                       uint32_t i)
{
    uint64_t page_start = (uint64_t)(w->first + i) << MS_PAGE_BITS;
    uint64_t from = a->off > page_start ? a->off : page_start;
    uint64_t to = a->off + a->nbytes < page_start + MS_PAGE_SIZE ? a->off + a->nbytes : page_start + MS_PAGE_SIZE;
    return ms_k_write_page(s, w->frame[i], (uint32_t)(from - page_start), w->bytes + (from - a->off),
                           (uint32_t)(to - from));
}

static int invoke_obj_write(struct ms_server *s, const struct ms_req_obj_write *a, struct write_plan *w)
{
    for (uint32_t i = 0; i < w->count; i++) {
        if (!w->fresh[i]) continue;
        w->frame[i] = ms_kobj_new(s, MS_KOBJ_FRAME_4K);
        if (!w->frame[i]) { /* the kernel refused a retype decode said would work */
            drop_fresh(s, w);
            return MS_ERR_KERNEL;
        }
    }
    /* New frames first: until they are entered below nobody sees them. */
    uint32_t visible_written = 0;
    for (int pass = 1; pass >= 0; pass--) {
        for (uint32_t i = 0; i < w->count; i++) {
            if ((int)w->fresh[i] != pass) continue;
            if (write_piece(s, a, w, i)) {
                /* Nothing visible has changed unless an existing page was written. */
                MS_CHECK(visible_written == 0);
                drop_fresh(s, w);
                return MS_ERR_KERNEL;
            }
            visible_written += !pass;
        }
    }
    for (uint32_t i = 0; i < w->count; i++) {
        if (!w->fresh[i]) continue;
        w->obj->page[w->first + i] = MS_E_MAKE(MS_E_OWN, w->frame[i]);
        ms_charge(w->obj->owner, 1, 1);
    }
    return MS_OK;
}

int ms_obj_write(struct ms_server *s, struct ms_client *c, const struct ms_req_obj_write *a)
{
    struct write_plan w;
    int err = decode_obj_write(s, c, a, &w);
    return err ? err : invoke_obj_write(s, a, &w);
}
