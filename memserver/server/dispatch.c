/*
 * One client request: decode (protocol/codec.c), check caps the client sent, call the
 * core, encode the reply.  Caps the client sends arrive in `recv`; the server moves a
 * cap it keeps into a slot of the core's, and deletes any other.
 */
#include "memserver/server/glue.h"
#include "memserver/core/core.h"

#define DEPTH seL4_WordBits
/* Kernel cap type numbers (seL4_DebugCapIdentify). */
enum { CAPTYPE_NOTIFICATION = 6, CAPTYPE_PML4 = 9 };

/* Takes over the received cap if it has the expected type; 0 otherwise. */
static ms_slot_t take_cap(struct ms_server *s, seL4_CPtr recv, seL4_MessageInfo_t info, seL4_Uint32 type,
                          int *err)
{
    if (seL4_MessageInfo_get_extraCaps(info) != 1 || seL4_MessageInfo_get_capsUnwrapped(info) ||
        seL4_DebugCapIdentify(recv) != type) {
        *err = MS_ERR_BAD_CAP;
        return 0;
    }
    ms_slot_t slot = ms_take_slot(s);
    if (!slot) {
        *err = MS_ERR_NO_SLOTS;
        return 0;
    }
    mss_glue.invocations++;
    if (seL4_CNode_Move(MSS_CNODE, slot, DEPTH, MSS_CNODE, recv, DEPTH)) {
        ms_give_slot(s, slot);
        *err = MS_ERR_KERNEL;
        return 0;
    }
    return slot;
}

static void drop_cap(struct ms_server *s, ms_slot_t slot)
{
    mss_glue.invocations++;
    (void)seL4_CNode_Delete(MSS_CNODE, slot, DEPTH);
    ms_give_slot(s, slot);
}

seL4_MessageInfo_t mss_dispatch(struct ms_server *s, seL4_Word badge, seL4_MessageInfo_t info,
                                seL4_CPtr ep, seL4_CPtr recv, int *recv_used, seL4_CPtr out)
{
    uint64_t mr[MS_MAX_MRS] = { 0 }, res[MS_MAX_MRS] = { 0 };
    unsigned n = (unsigned)seL4_MessageInfo_get_length(info), nres = 0, caps_out = 0;
    for (unsigned i = 0; i < n && i < MS_MAX_MRS; i++) mr[i] = seL4_GetMR((int)i);
    struct ms_request r;
    int err = ms_decode_request(seL4_MessageInfo_get_label(info), mr, n,
                                (unsigned)seL4_MessageInfo_get_extraCaps(info), &r);
    struct ms_client *c = 0;
    if (!err && (badge == 0 || (badge & MS_FAULT_BADGE))) err = MS_ERR_DENIED;
    /* The administrator bit is a privilege, not part of the client's name. */
    if (!err && !(c = ms_client_get(s, badge & ~MS_ADMIN_BADGE, 1))) err = MS_ERR_BUSY;
    uint32_t h = 0;
    if (!err) {
        switch (r.op) {
        case MS_OP_HELLO:
            res[0] = MS_PROTOCOL_VERSION;
            res[1] = 0;
            nres = 2;
            break;
        case MS_OP_AS_CREATE:
            err = ms_as_create(s, c, 0, &h);
            res[0] = h, nres = 1;
            break;
        case MS_OP_AS_ADOPT: {
            ms_slot_t slot = take_cap(s, recv, info, CAPTYPE_PML4, &err);
            *recv_used = slot != 0;
            if (slot && (err = ms_as_adopt(s, c, slot, &h))) drop_cap(s, slot);
            res[0] = h, nres = 1;
            break;
        }
        case MS_OP_AS_SET_NOTIFY: {
            ms_slot_t slot = take_cap(s, recv, info, CAPTYPE_NOTIFICATION, &err);
            *recv_used = slot != 0;
            if (slot && (err = ms_as_set_notify(s, c, r.handle, slot))) drop_cap(s, slot);
            break;
        }
        case MS_OP_AS_DESTROY:
            err = ms_as_destroy(s, c, r.handle);
            break;
        case MS_OP_AS_FORK:
            err = ms_as_fork(s, c, r.handle, 0, &h);
            res[0] = h, nres = 1;
            break;
        case MS_OP_AS_FAULT_EP:
        case MS_OP_AS_VSPACE: {
            struct ms_as *as;
            if ((err = ms_as_lookup(s, c, r.handle, &as))) break;
            mss_glue.invocations += 2;
            (void)seL4_CNode_Delete(MSS_CNODE, out, DEPTH);
            if (r.op == MS_OP_AS_FAULT_EP)
                err = seL4_CNode_Mint(MSS_CNODE, out, DEPTH, MSS_CNODE, ep, DEPTH,
                                      seL4_CapRights_new(1, 1, 0, 1), MS_FAULT_BADGE | as->handle);
            else
                err = seL4_CNode_Copy(MSS_CNODE, out, DEPTH, MSS_CNODE, as->pml4, DEPTH, seL4_AllRights);
            if (err) err = MS_ERR_KERNEL;
            else {
                seL4_SetCap(0, out);
                caps_out = 1;
            }
            break;
        }
        case MS_OP_OBJ_CREATE:
            err = ms_obj_create(s, c, &r.obj, &h);
            res[0] = h, nres = 1;
            break;
        case MS_OP_OBJ_WRITE:
            err = ms_obj_write(s, c, &r.write);
            break;
        case MS_OP_PAGE_CAP:
            mss_glue.invocations++;
            (void)seL4_CNode_Delete(MSS_CNODE, out, DEPTH);
            if (!(err = ms_page_cap(s, c, r.handle, r.va, (ms_slot_t)out))) {
                seL4_SetCap(0, out);
                caps_out = 1;
            }
            break;
        case MS_OP_OBJ_CLOSE:
            err = ms_obj_close(s, c, r.handle);
            break;
        case MS_OP_MAP:
            err = ms_map(s, c, &r.map, &res[0]);
            nres = 1;
            break;
        case MS_OP_UNMAP:
            err = ms_unmap(s, c, r.handle, r.va, r.size);
            break;
        case MS_OP_PROTECT:
            err = ms_protect(s, c, r.handle, r.va, r.size, (uint32_t)r.rights);
            break;
        case MS_OP_QUERY: {
            struct ms_query_result q;
            if (!(err = ms_query(s, c, r.handle, r.va, &q))) nres = ms_encode_query(&q, res);
            break;
        }
        case MS_OP_CLONE:
            err = ms_clone(s, c, &r.clone, &res[0]);
            nres = 1;
            break;
        case MS_OP_FAULT_GET: {
            struct ms_fault_info f;
            if (!(err = ms_fault_get(s, c, r.handle, &f))) nres = ms_encode_fault_info(&f, res);
            break;
        }
        case MS_OP_QUOTA_GET: {
            struct ms_quota_info q;
            err = ms_quota_get(s, c, &q);
            res[0] = q.pages_used, res[1] = q.pages_limit, res[2] = q.slots_used, res[3] = q.slots_limit;
            nres = 4;
            break;
        }
        case MS_OP_QUOTA_SET:
            if (!(badge & MS_ADMIN_BADGE)) err = MS_ERR_DENIED;
            else err = ms_client_set_quota(s, r.badge, r.pages, r.slots);
            break;
        case MS_OP_CLIENT_DESTROY:
            if (!(badge & MS_ADMIN_BADGE)) err = MS_ERR_DENIED;
            else if (r.badge == (badge & ~MS_ADMIN_BADGE)) err = MS_ERR_BAD_REQUEST; /* not oneself */
            else ms_client_destroy(s, r.badge);
            break;
        case MS_OP_VERIFY_FREE: {
            if (!(badge & MS_ADMIN_BADGE)) {
                err = MS_ERR_DENIED;
                break;
            }
            uint32_t checked = 0;
            res[1] = mss_verify_free(s, &checked);
            res[0] = checked;
            nres = 2;
            break;
        }
        case MS_OP_STATS:
            if (!(badge & MS_ADMIN_BADGE)) {
                err = MS_ERR_DENIED;
                break;
            }
            res[0] = mss_glue.invocations;
            res[1] = s->stats.faults_fixed;
            res[2] = s->stats.faults_reported;
            res[3] = s->stats.large_frames_mapped;
            res[4] = ms_free_pages(s);
            res[5] = ms_free_slots(s);
            res[6] = s->heap_in_use;
            res[7] = mss_glue.fault_tsc;
            res[8] = mss_glue.last_tsc;
            nres = 9;
            break;
        default:
            err = MS_ERR_BAD_REQUEST;
            break;
        }
    }
    if (seL4_MessageInfo_get_extraCaps(info) && !*recv_used) {
        /* A cap nobody asked for (or a refused request): do not keep it. */
        mss_glue.invocations++;
        (void)seL4_CNode_Delete(MSS_CNODE, recv, DEPTH);
    }
    if (err) nres = 0, caps_out = 0;
    for (unsigned i = 0; i < nres; i++) seL4_SetMR((int)i, res[i]);
    return seL4_MessageInfo_new((seL4_Word)err, 0, caps_out, nres);
}
