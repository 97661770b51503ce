/*
 * Encoding and decoding of request and reply messages (pure functions; fuzzed).
 * The decoder checks everything that needs no server state; the core checks the rest.
 */
#include "memserver/protocol/errors.h"
#include "memserver/protocol/messages.h"

static int handle_ok(uint64_t h)
{
    return h != 0 && h <= 0xFFFFFFFFu && (h & 0xFFFFu) != 0;
}

/* ---- one decoder per request layout (MR0.. as in messages.h) ---- */

static int dec_none(const uint64_t *mr, unsigned n, struct ms_request *out)
{
    (void)mr, (void)n, (void)out;
    return MS_OK;
}

static int dec_handle(const uint64_t *mr, unsigned n, struct ms_request *out)
{
    (void)n;
    if (!handle_ok(mr[0])) return MS_ERR_BAD_HANDLE;
    out->handle = (uint32_t)mr[0];
    return MS_OK;
}

static int dec_obj_create(const uint64_t *mr, unsigned n, struct ms_request *out)
{
    (void)n;
    if (mr[0] > MS_OBJ_PHYS || mr[3] & ~(uint64_t)MS_OBJ_FLAGS) return MS_ERR_BAD_FLAGS;
    if (mr[0] == MS_OBJ_ANON && (mr[2] || mr[3])) return MS_ERR_BAD_FLAGS;
    if (!mr[1]) return MS_ERR_ZERO_LENGTH;
    if ((mr[1] | mr[2]) & 0xFFFu) return MS_ERR_UNALIGNED;
    if (mr[1] >= MS_USER_TOP) return MS_ERR_KERNEL_HALF;
    out->obj.kind = (uint32_t)mr[0];
    out->obj.size = mr[1];
    out->obj.paddr = mr[2];
    out->obj.flags = (uint32_t)mr[3];
    return MS_OK;
}

static int dec_map(const uint64_t *mr, unsigned n, struct ms_request *out)
{
    (void)n;
    int err;
    if (!handle_ok(mr[0])) return MS_ERR_BAD_HANDLE;
    if (mr[3] && !handle_ok(mr[3])) return MS_ERR_BAD_HANDLE;
    if (mr[6] & ~(uint64_t)MS_MAP_FLAGS) return MS_ERR_BAD_FLAGS;
    if ((err = ms_check_rights(mr[5]))) return err;
    if (mr[6] & MS_MAP_FIXED) {
        if ((err = ms_check_range(mr[1], mr[2]))) return err;
    } else {
        if (!mr[2]) return MS_ERR_ZERO_LENGTH;
        if (mr[2] & 0xFFFu) return MS_ERR_UNALIGNED;
        /* Larger than the whole user half; just below that, no hole can hold it (the
         * server's NO_SPACE). */
        if (mr[2] >= MS_CANONICAL_LOW_END) return MS_ERR_KERNEL_HALF;
    }
    if (mr[4] & 0xFFFu) return MS_ERR_UNALIGNED;
    if (!mr[3] && mr[4]) return MS_ERR_RANGE;
    struct ms_req_map m = { (uint32_t)mr[0], (uint32_t)mr[3], (uint32_t)mr[5], (uint32_t)mr[6], mr[1], mr[2], mr[4] };
    out->map = m;
    return MS_OK;
}

/* UNMAP (as, va, size), PROTECT (+ rights), QUERY (as, va: any byte of a page). */
static int dec_range(const uint64_t *mr, unsigned n, struct ms_request *out)
{
    int err;
    if (!handle_ok(mr[0])) return MS_ERR_BAD_HANDLE;
    if (n == 2) {
        if ((err = ms_check_range(mr[1] & ~0xFFFull, 0x1000))) return err;
    } else if ((err = ms_check_range(mr[1], mr[2]))) {
        return err;
    }
    if (n == 4 && (err = ms_check_rights(mr[3]))) return err;
    out->handle = (uint32_t)mr[0];
    out->va = mr[1];
    out->size = n >= 3 ? mr[2] : 0;
    out->rights = n == 4 ? mr[3] : 0;
    return MS_OK;
}

static int dec_clone(const uint64_t *mr, unsigned n, struct ms_request *out)
{
    (void)n;
    int err;
    if (!handle_ok(mr[0]) || !handle_ok(mr[3])) return MS_ERR_BAD_HANDLE;
    if (mr[5] & ~(uint64_t)MS_CLONE_FLAGS) return MS_ERR_BAD_FLAGS;
    if ((err = ms_check_range(mr[1], mr[2]))) return err;
    if ((mr[5] & MS_CLONE_FIXED) && (err = ms_check_range(mr[4], mr[2]))) return err;
    struct ms_req_clone c = { (uint32_t)mr[0], (uint32_t)mr[3], (uint32_t)mr[5], mr[1], mr[2], mr[4] };
    out->clone = c;
    return MS_OK;
}

/* CLIENT_DESTROY (badge), QUOTA_SET (badge, pages, slots): a client's badge. */
static int dec_badge(const uint64_t *mr, unsigned n, struct ms_request *out)
{
    if (!mr[0] || (mr[0] & (MS_FAULT_BADGE | MS_ADMIN_BADGE))) return MS_ERR_BAD_REQUEST;
    out->badge = mr[0];
    out->pages = n == 3 ? mr[1] : 0;
    out->slots = n == 3 ? mr[2] : 0;
    return MS_OK;
}

static int dec_obj_write(const uint64_t *mr, unsigned n, struct ms_request *out)
{
    if (!handle_ok(mr[0])) return MS_ERR_BAD_HANDLE;
    if (mr[2] > MS_WRITE_MAX || n != MS_WRITE_HEADER + (mr[2] + 7) / 8) return MS_ERR_BAD_REQUEST;
    if (!mr[2]) return MS_ERR_ZERO_LENGTH;
    out->write.obj = (uint32_t)mr[0];
    out->write.off = mr[1];
    out->write.nbytes = (uint32_t)mr[2];
    out->write.data = mr + MS_WRITE_HEADER;
    return MS_OK;
}

static int dec_page_cap(const uint64_t *mr, unsigned n, struct ms_request *out)
{
    (void)n;
    int err;
    if (!handle_ok(mr[0])) return MS_ERR_BAD_HANDLE;
    if ((err = ms_check_range(mr[1], 0x1000))) return err;
    out->handle = (uint32_t)mr[0];
    out->va = mr[1];
    return MS_OK;
}

/* Message registers (OBJ_WRITE: at least), extra caps (exactly), who may ask, decoder. */
static const struct ms_op_shape shape[MS_OP_COUNT] = {
    [MS_OP_HELLO] = { 0, 0, 0, dec_none },
    [MS_OP_AS_CREATE] = { 0, 0, 0, dec_none },
    [MS_OP_AS_DESTROY] = { 1, 0, 0, dec_handle },
    [MS_OP_AS_FORK] = { 1, 0, 0, dec_handle },
    [MS_OP_AS_FAULT_EP] = { 1, 0, 0, dec_handle },
    [MS_OP_AS_VSPACE] = { 1, 0, 0, dec_handle },
    [MS_OP_OBJ_CREATE] = { 4, 0, 0, dec_obj_create },
    [MS_OP_OBJ_CLOSE] = { 1, 0, 0, dec_handle },
    [MS_OP_MAP] = { 7, 0, 0, dec_map },
    [MS_OP_UNMAP] = { 3, 0, 0, dec_range },
    [MS_OP_PROTECT] = { 4, 0, 0, dec_range },
    [MS_OP_QUERY] = { 2, 0, 0, dec_range },
    [MS_OP_CLONE] = { 6, 0, 0, dec_clone },
    [MS_OP_FAULT_GET] = { 1, 0, 0, dec_handle },
    [MS_OP_QUOTA_GET] = { 0, 0, 0, dec_none },
    [MS_OP_QUOTA_SET] = { 3, 0, 1, dec_badge },
    [MS_OP_AS_ADOPT] = { 0, 1, 0, dec_none },
    [MS_OP_AS_SET_NOTIFY] = { 1, 1, 0, dec_handle },
    [MS_OP_STATS] = { 0, 0, 1, dec_none },
    [MS_OP_CLIENT_DESTROY] = { 1, 0, 1, dec_badge },
    [MS_OP_VERIFY_FREE] = { 0, 0, 1, dec_none },
    [MS_OP_OBJ_WRITE] = { MS_WRITE_HEADER, 0, 0, dec_obj_write },
    [MS_OP_PAGE_CAP] = { 2, 0, 0, dec_page_cap },
};

const struct ms_op_shape *ms_decode_label(uint64_t label, unsigned n, unsigned ncaps, uint32_t *op, int *err)
{
    *err = MS_ERR_BAD_REQUEST;
    if (label >> 20) return 0;
    if (MS_LABEL_VERSION(label) != MS_PROTOCOL_VERSION) {
        *err = MS_ERR_VERSION;
        return 0;
    }
    *op = (uint32_t)MS_LABEL_OP(label);
    if (*op == 0 || *op >= MS_OP_COUNT) return 0;
    const struct ms_op_shape *sh = &shape[*op];
    if (*op == MS_OP_OBJ_WRITE ? n < sh->mrs : n != sh->mrs) return 0;
    if (ncaps != sh->caps) {
        *err = MS_ERR_BAD_CAP;
        return 0;
    }
    *err = MS_OK;
    return sh;
}

int ms_decode_message(uint64_t badge, uint64_t label, const uint64_t *mr, unsigned n, unsigned ncaps,
                      struct ms_request *out)
{
    struct ms_request z = { 0 };
    *out = z;
    int err;
    uint32_t op = 0;
    const struct ms_op_shape *sh = ms_decode_label(label, n, ncaps, &op, &err);
    if (!sh) return err;
    /* Badge 0 and the administrator bit alone name no client; fault badges are not
     * requests.  Privilege before arguments: a non-administrator gets MS_ERR_DENIED
     * whatever the arguments are. */
    if ((badge & ~MS_ADMIN_BADGE) == 0 || (badge & MS_FAULT_BADGE)) return MS_ERR_DENIED;
    if (sh->admin && !(badge & MS_ADMIN_BADGE)) return MS_ERR_DENIED;
    out->op = op;
    return sh->decode(mr, n, out);
}

int ms_decode_request(uint64_t label, const uint64_t *mr, unsigned n, unsigned ncaps,
                      struct ms_request *out)
{
    struct ms_request z = { 0 };
    *out = z;
    int err;
    uint32_t op = 0;
    const struct ms_op_shape *sh = ms_decode_label(label, n, ncaps, &op, &err);
    if (!sh) return err;
    out->op = op;
    return sh->decode(mr, n, out);
}

/* Argument registers of each request (the fields its decoder fills, in MR order). */
static unsigned enc_args(const struct ms_request *r, uint64_t *mr)
{
    switch (r->op) {
    case MS_OP_OBJ_CREATE:
        mr[0] = r->obj.kind, mr[1] = r->obj.size, mr[2] = r->obj.paddr, mr[3] = r->obj.flags;
        return 4;
    case MS_OP_MAP:
        mr[0] = r->map.as, mr[1] = r->map.va, mr[2] = r->map.size, mr[3] = r->map.obj;
        mr[4] = r->map.off, mr[5] = r->map.rights, mr[6] = r->map.flags;
        return 7;
    case MS_OP_CLONE:
        mr[0] = r->clone.src, mr[1] = r->clone.va, mr[2] = r->clone.size;
        mr[3] = r->clone.dst, mr[4] = r->clone.dst_va, mr[5] = r->clone.flags;
        return 6;
    case MS_OP_CLIENT_DESTROY:
    case MS_OP_QUOTA_SET:
        mr[0] = r->badge, mr[1] = r->pages, mr[2] = r->slots;
        return r->op == MS_OP_QUOTA_SET ? 3 : 1;
    case MS_OP_OBJ_WRITE: {
        unsigned words = r->write.nbytes <= MS_WRITE_MAX ? (r->write.nbytes + 7u) / 8u : 0;
        mr[0] = r->write.obj, mr[1] = r->write.off, mr[2] = r->write.nbytes;
        for (unsigned i = 0; i < words; i++) mr[MS_WRITE_HEADER + i] = r->write.data[i];
        return MS_WRITE_HEADER + words;
    }
    default: /* a handle, an address, a size, rights: as many as the op takes */
        mr[0] = r->handle, mr[1] = r->va, mr[2] = r->size, mr[3] = r->rights;
        return r->op < MS_OP_COUNT ? shape[r->op].mrs : 0;
    }
}

unsigned ms_encode_request(const struct ms_request *r, uint64_t *label, uint64_t *mr)
{
    *label = MS_LABEL(r->op);
    return enc_args(r, mr);
}

unsigned ms_encode_query(const struct ms_query_result *q, uint64_t *mr)
{
    mr[0] = q->start;
    mr[1] = q->size;
    mr[2] = q->obj;
    mr[3] = q->off;
    mr[4] = (uint64_t)(q->rights & 0xFF) | (uint64_t)(q->kind & 0xFF) << 8 | (uint64_t)(q->present & 1) << 16;
    return 5;
}

int ms_decode_query(const uint64_t *mr, unsigned n, struct ms_query_result *q)
{
    if (n != 5) return MS_ERR_BAD_REQUEST;
    q->start = mr[0];
    q->size = mr[1];
    q->obj = (uint32_t)mr[2];
    q->off = mr[3];
    q->rights = (uint32_t)(mr[4] & 0xFF);
    q->kind = (uint32_t)((mr[4] >> 8) & 0xFF);
    q->present = (uint32_t)((mr[4] >> 16) & 1);
    return MS_OK;
}

unsigned ms_encode_fault_info(const struct ms_fault_info *f, uint64_t *mr)
{
    mr[0] = f->kind;
    mr[1] = f->addr;
    mr[2] = f->ip;
    mr[3] = f->code;
    mr[4] = f->rights;
    mr[5] = f->lost;
    return 6;
}

int ms_decode_fault_info(const uint64_t *mr, unsigned n, struct ms_fault_info *f)
{
    if (n != 6) return MS_ERR_BAD_REQUEST;
    f->kind = (uint32_t)mr[0];
    f->addr = mr[1];
    f->ip = mr[2];
    f->code = mr[3];
    f->rights = (uint32_t)mr[4];
    f->lost = (uint32_t)mr[5];
    return MS_OK;
}
