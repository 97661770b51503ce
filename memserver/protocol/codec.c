/*
 * Encoding and decoding of request and reply messages (pure functions; fuzzed).
 * The decoder checks everything that needs no server state; the core checks the rest.
 */
#include "memserver/protocol/errors.h"
#include "memserver/protocol/messages.h"

/* Message registers and extra caps each op takes (caps: max allowed). */
static const struct { uint8_t mrs, caps; } shape[MS_OP_COUNT] = {
    [MS_OP_HELLO] = { 0, 0 },      [MS_OP_AS_CREATE] = { 0, 0 }, [MS_OP_AS_DESTROY] = { 1, 0 },
    [MS_OP_AS_FORK] = { 1, 0 },    [MS_OP_AS_FAULT_EP] = { 1, 0 }, [MS_OP_AS_VSPACE] = { 1, 0 },
    [MS_OP_OBJ_CREATE] = { 4, 0 }, [MS_OP_OBJ_CLOSE] = { 1, 0 }, [MS_OP_MAP] = { 7, 0 },
    [MS_OP_UNMAP] = { 3, 0 },      [MS_OP_PROTECT] = { 4, 0 },   [MS_OP_QUERY] = { 2, 0 },
    [MS_OP_CLONE] = { 6, 0 },      [MS_OP_FAULT_GET] = { 1, 0 }, [MS_OP_QUOTA_GET] = { 0, 0 },
    [MS_OP_QUOTA_SET] = { 3, 0 },  [MS_OP_AS_ADOPT] = { 0, 1 },  [MS_OP_AS_SET_NOTIFY] = { 1, 1 },
    [MS_OP_STATS] = { 0, 0 },      [MS_OP_CLIENT_DESTROY] = { 1, 0 }, [MS_OP_VERIFY_FREE] = { 0, 0 },
    [MS_OP_OBJ_WRITE] = { MS_WRITE_HEADER, 0 }, /* + the data registers, see decode_obj_write */
    [MS_OP_PAGE_CAP] = { 2, 0 },
};

static int handle_ok(uint64_t h)
{
    return h != 0 && h <= 0xFFFFFFFFu && (h & 0xFFFFu) != 0;
}

int ms_decode_request(uint64_t label, const uint64_t *mr, unsigned n, unsigned ncaps,
                      struct ms_request *out)
{
    struct ms_request z = { 0 };
    *out = z;
    if (label >> 20) return MS_ERR_BAD_REQUEST;
    if (MS_LABEL_VERSION(label) != MS_PROTOCOL_VERSION) return MS_ERR_VERSION;
    uint32_t op = (uint32_t)MS_LABEL_OP(label);
    if (op == 0 || op >= MS_OP_COUNT) return MS_ERR_BAD_REQUEST;
    if (op == MS_OP_OBJ_WRITE ? n < MS_WRITE_HEADER : n != shape[op].mrs) return MS_ERR_BAD_REQUEST;
    if (ncaps > shape[op].caps) return MS_ERR_BAD_CAP;
    if ((op == MS_OP_AS_ADOPT || op == MS_OP_AS_SET_NOTIFY) && ncaps != 1) return MS_ERR_BAD_CAP;
    out->op = op;
    int err;
    switch (op) {
    case MS_OP_AS_DESTROY:
    case MS_OP_AS_FORK:
    case MS_OP_AS_FAULT_EP:
    case MS_OP_AS_VSPACE:
    case MS_OP_OBJ_CLOSE:
    case MS_OP_FAULT_GET:
    case MS_OP_AS_SET_NOTIFY:
        if (!handle_ok(mr[0])) return MS_ERR_BAD_HANDLE;
        out->handle = (uint32_t)mr[0];
        return MS_OK;
    case MS_OP_OBJ_CREATE:
        if (mr[0] > MS_OBJ_PHYS || mr[3] & ~(uint64_t)MS_OBJ_FLAGS) return MS_ERR_BAD_FLAGS;
        if (mr[0] == MS_OBJ_ANON && (mr[2] || mr[3])) return MS_ERR_BAD_FLAGS;
        if (!mr[1]) return MS_ERR_ZERO_LENGTH;
        if ((mr[1] | mr[2]) & 0xFFFu) return MS_ERR_UNALIGNED;
        if (mr[1] >= 0x0000800000000000ull) return MS_ERR_KERNEL_HALF;
        out->obj.kind = (uint32_t)mr[0];
        out->obj.size = mr[1];
        out->obj.paddr = mr[2];
        out->obj.flags = (uint32_t)mr[3];
        return MS_OK;
    case MS_OP_MAP: {
        struct ms_req_map *m = &out->map;
        if (!handle_ok(mr[0])) return MS_ERR_BAD_HANDLE;
        if (mr[3] && !handle_ok(mr[3])) return MS_ERR_BAD_HANDLE;
        if (mr[6] & ~(uint64_t)MS_MAP_FLAGS) return MS_ERR_BAD_FLAGS;
        if ((err = ms_check_rights(mr[5]))) return err;
        if (mr[6] & MS_MAP_FIXED) {
            if ((err = ms_check_range(mr[1], mr[2]))) return err;
        } else {
            if (!mr[2]) return MS_ERR_ZERO_LENGTH;
            if (mr[2] & 0xFFFu) return MS_ERR_UNALIGNED;
            if (mr[2] >= 0x0000800000000000ull) return MS_ERR_KERNEL_HALF;
        }
        if (mr[4] & 0xFFFu) return MS_ERR_UNALIGNED;
        if (!mr[3] && mr[4]) return MS_ERR_RANGE;
        m->as = (uint32_t)mr[0];
        m->va = mr[1];
        m->size = mr[2];
        m->obj = (uint32_t)mr[3];
        m->off = mr[4];
        m->rights = (uint32_t)mr[5];
        m->flags = (uint32_t)mr[6];
        return MS_OK;
    }
    case MS_OP_UNMAP:
    case MS_OP_PROTECT:
    case MS_OP_QUERY:
        if (!handle_ok(mr[0])) return MS_ERR_BAD_HANDLE;
        if (op == MS_OP_QUERY) {
            if ((err = ms_check_range(mr[1] & ~0xFFFull, 0x1000))) return err;
        } else if ((err = ms_check_range(mr[1], mr[2]))) {
            return err;
        }
        if (op == MS_OP_PROTECT && (err = ms_check_rights(mr[3]))) return err;
        out->handle = (uint32_t)mr[0];
        out->va = mr[1];
        out->size = op == MS_OP_QUERY ? 0 : mr[2];
        out->rights = op == MS_OP_PROTECT ? mr[3] : 0;
        return MS_OK;
    case MS_OP_CLONE: {
        struct ms_req_clone *c = &out->clone;
        if (!handle_ok(mr[0]) || !handle_ok(mr[3])) return MS_ERR_BAD_HANDLE;
        if (mr[5] & ~(uint64_t)MS_CLONE_FLAGS) return MS_ERR_BAD_FLAGS;
        if ((err = ms_check_range(mr[1], mr[2]))) return err;
        if ((mr[5] & MS_CLONE_FIXED) && (err = ms_check_range(mr[4], mr[2]))) return err;
        c->src = (uint32_t)mr[0];
        c->va = mr[1];
        c->size = mr[2];
        c->dst = (uint32_t)mr[3];
        c->dst_va = mr[4];
        c->flags = (uint32_t)mr[5];
        return MS_OK;
    }
    case MS_OP_OBJ_WRITE:
        if (!handle_ok(mr[0])) return MS_ERR_BAD_HANDLE;
        if (mr[2] > MS_WRITE_MAX || n != MS_WRITE_HEADER + (mr[2] + 7) / 8) return MS_ERR_BAD_REQUEST;
        if (!mr[2]) return MS_ERR_ZERO_LENGTH;
        out->write.obj = (uint32_t)mr[0];
        out->write.off = mr[1];
        out->write.nbytes = (uint32_t)mr[2];
        out->write.data = mr + MS_WRITE_HEADER;
        return MS_OK;
    case MS_OP_PAGE_CAP:
        if (!handle_ok(mr[0])) return MS_ERR_BAD_HANDLE;
        if ((err = ms_check_range(mr[1], 0x1000))) return err;
        out->handle = (uint32_t)mr[0];
        out->va = mr[1];
        return MS_OK;
    case MS_OP_CLIENT_DESTROY:
        if (!mr[0] || (mr[0] & (MS_FAULT_BADGE | MS_ADMIN_BADGE))) return MS_ERR_BAD_REQUEST;
        out->badge = mr[0];
        return MS_OK;
    case MS_OP_QUOTA_SET:
        if (!mr[0] || (mr[0] & (MS_FAULT_BADGE | MS_ADMIN_BADGE))) return MS_ERR_BAD_REQUEST;
        out->badge = mr[0];
        out->pages = mr[1];
        out->slots = mr[2];
        return MS_OK;
    default: /* HELLO, AS_CREATE, QUOTA_GET: no arguments */
        return MS_OK;
    }
}

unsigned ms_encode_request(const struct ms_request *r, uint64_t *label, uint64_t *mr)
{
    *label = MS_LABEL(r->op);
    switch (r->op) {
    case MS_OP_AS_DESTROY:
    case MS_OP_AS_FORK:
    case MS_OP_AS_FAULT_EP:
    case MS_OP_AS_VSPACE:
    case MS_OP_OBJ_CLOSE:
    case MS_OP_FAULT_GET:
    case MS_OP_AS_SET_NOTIFY:
        mr[0] = r->handle;
        return 1;
    case MS_OP_OBJ_CREATE:
        mr[0] = r->obj.kind;
        mr[1] = r->obj.size;
        mr[2] = r->obj.paddr;
        mr[3] = r->obj.flags;
        return 4;
    case MS_OP_MAP:
        mr[0] = r->map.as;
        mr[1] = r->map.va;
        mr[2] = r->map.size;
        mr[3] = r->map.obj;
        mr[4] = r->map.off;
        mr[5] = r->map.rights;
        mr[6] = r->map.flags;
        return 7;
    case MS_OP_UNMAP:
    case MS_OP_PROTECT:
        mr[0] = r->handle;
        mr[1] = r->va;
        mr[2] = r->size;
        if (r->op == MS_OP_UNMAP) return 3;
        mr[3] = r->rights;
        return 4;
    case MS_OP_QUERY:
    case MS_OP_PAGE_CAP:
        mr[0] = r->handle;
        mr[1] = r->va;
        return 2;
    case MS_OP_OBJ_WRITE: {
        unsigned words = (r->write.nbytes + 7u) / 8u;
        if (r->write.nbytes > MS_WRITE_MAX) words = 0; /* not encodable: the server refuses it */
        mr[0] = r->write.obj;
        mr[1] = r->write.off;
        mr[2] = r->write.nbytes;
        for (unsigned i = 0; i < words; i++) mr[MS_WRITE_HEADER + i] = r->write.data[i];
        return MS_WRITE_HEADER + words;
    }
    case MS_OP_CLONE:
        mr[0] = r->clone.src;
        mr[1] = r->clone.va;
        mr[2] = r->clone.size;
        mr[3] = r->clone.dst;
        mr[4] = r->clone.dst_va;
        mr[5] = r->clone.flags;
        return 6;
    case MS_OP_CLIENT_DESTROY:
        mr[0] = r->badge;
        return 1;
    case MS_OP_QUOTA_SET:
        mr[0] = r->badge;
        mr[1] = r->pages;
        mr[2] = r->slots;
        return 3;
    default:
        return 0;
    }
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
