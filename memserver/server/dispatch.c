/*
 * One client request: decode the label (protocol/codec.c), check the badge (and the
 * administrator bit for the ops that need it) before the arguments, decode them, run
 * the op's handler from the table, encode the reply.  A cap the client sent has been
 * moved into a slot of the core's (`cap_in`) by main.c before anything else; the
 * handler that takes it keeps it (sets *cap_used), otherwise it is deleted here.
 */
#include "memserver/server/glue.h"
#include "memserver/core/core.h"
#include "svcclient/core/released.h"

#define DEPTH seL4_WordBits

struct req {
    struct ms_server *s;
    struct ms_client *c;
    const struct ms_request *r;
    uint64_t badge;
    ms_slot_t cap_in, out;
    int cap_used;
    uint64_t *res;
    unsigned nres, caps_out;
};

static int op_hello(struct req *q)
{
    q->res[0] = MS_PROTOCOL_VERSION;
    q->res[1] = 0;
    q->nres = 2;
    return MS_OK;
}

static int op_handle_out(struct req *q, int err, const uint32_t *h)
{
    q->res[0] = *h;
    q->nres = 1;
    return err;
}

static int op_as_create(struct req *q)
{
    uint32_t h = 0;
    int err = ms_as_create(q->s, q->c, 0, &h);
    return op_handle_out(q, err, &h);
}

static int op_as_destroy(struct req *q) { return ms_as_destroy(q->s, q->c, q->r->handle); }

static int op_as_fork(struct req *q)
{
    uint32_t h = 0;
    int err = ms_as_fork(q->s, q->c, q->r->handle, 0, &h);
    return op_handle_out(q, err, &h);
}

static int cap_out(struct req *q, int err)
{
    q->caps_out = err == MS_OK;
    if (!err) seL4_SetCap(0, q->out);
    return err;
}

static int op_as_fault_ep(struct req *q) { return cap_out(q, ms_as_fault_ep(q->s, q->c, q->r->handle, q->out)); }
static int op_as_vspace(struct req *q) { return cap_out(q, ms_as_vspace(q->s, q->c, q->r->handle, q->out)); }
static int op_page_cap(struct req *q) { return cap_out(q, ms_page_cap(q->s, q->c, q->r->handle, q->r->va, q->out)); }

/* With a debug kernel, the cap's type is checked as well (seL4_DebugCapIdentify; only
 * where the kernel has it: CONFIG_DEBUG_BUILD). */
#define CAPTYPE_NOTIFICATION 6u
#define CAPTYPE_PML4 9u
static int cap_is(ms_slot_t slot, seL4_Uint32 type)
{
#if MS_KERNEL_DEBUG_CALLS && defined(CONFIG_DEBUG_BUILD)
    return seL4_DebugCapIdentify(slot) == type;
#else
    (void)slot, (void)type;
    return 1;
#endif
}

/* The PML4 check that works on any kernel is in the core: mapping the marking PDPT
 * into it is refused unless it is a PML4 with an ASID (ms_tables_mark). */
static int op_as_adopt(struct req *q)
{
    uint32_t h = 0;
    if (!q->cap_in || !cap_is(q->cap_in, CAPTYPE_PML4)) return MS_ERR_BAD_CAP;
    int err = ms_as_adopt(q->s, q->c, q->cap_in, &h);
    q->cap_used = !err;
    return op_handle_out(q, err, &h);
}

/* seL4 has no notification invocation to test a cap with; the core only ever signals
 * it with a non-blocking send, harmless for any other cap (kernel_glue.c g_signal). */
static int op_as_set_notify(struct req *q)
{
    if (!q->cap_in || !cap_is(q->cap_in, CAPTYPE_NOTIFICATION)) return MS_ERR_BAD_CAP;
    int err = ms_as_set_notify(q->s, q->c, q->r->handle, q->cap_in);
    q->cap_used = !err;
    return err;
}

static int op_obj_create(struct req *q)
{
    uint32_t h = 0;
    int err = ms_obj_create(q->s, q->c, &q->r->obj, &h);
    return op_handle_out(q, err, &h);
}

static int op_obj_close(struct req *q) { return ms_obj_close(q->s, q->c, q->r->handle); }
static int op_obj_write(struct req *q) { return ms_obj_write(q->s, q->c, &q->r->write); }

static int op_map(struct req *q)
{
    q->nres = 1;
    return ms_map(q->s, q->c, &q->r->map, &q->res[0]);
}

static int op_unmap(struct req *q) { return ms_unmap(q->s, q->c, q->r->handle, q->r->va, q->r->size); }

static int op_protect(struct req *q)
{
    return ms_protect(q->s, q->c, q->r->handle, q->r->va, q->r->size, (uint32_t)q->r->rights);
}

static int op_query(struct req *q)
{
    struct ms_query_result qr;
    int err = ms_query(q->s, q->c, q->r->handle, q->r->va, &qr);
    if (!err) q->nres = ms_encode_query(&qr, q->res);
    return err;
}

static int op_clone(struct req *q)
{
    q->nres = 1;
    return ms_clone(q->s, q->c, &q->r->clone, &q->res[0]);
}

static int op_fault_get(struct req *q)
{
    struct ms_fault_info f;
    int err = ms_fault_get(q->s, q->c, q->r->handle, &f);
    if (!err) q->nres = ms_encode_fault_info(&f, q->res);
    return err;
}

static int op_quota_get(struct req *q)
{
    struct ms_quota_info qi;
    int err = ms_quota_get(q->s, q->c, &qi);
    q->res[0] = qi.pages_used, q->res[1] = qi.pages_limit, q->res[2] = qi.slots_used, q->res[3] = qi.slots_limit;
    q->nres = 4;
    return err;
}

static int op_quota_set(struct req *q) { return ms_client_set_quota(q->s, q->r->badge, q->r->pages, q->r->slots); }

static int op_client_destroy(struct req *q)
{
    if (q->r->badge == (q->badge & ~MS_ADMIN_BADGE)) return MS_ERR_BAD_REQUEST; /* not oneself */
    ms_client_destroy(q->s, q->r->badge);
    return MS_OK;
}

static int op_verify_free(struct req *q)
{
    uint32_t checked = 0;
    q->res[1] = mss_verify_free(q->s, &checked);
    q->res[0] = checked;
    q->nres = 2;
    return MS_OK;
}

static int op_stats(struct req *q)
{
    const struct ms_server *s = q->s;
    uint64_t v[MS_STATS_WORDS] = { mss_glue.invocations, s->stats.faults_fixed, s->stats.faults_reported,
                                    s->stats.large_frames_mapped, ms_free_pages(s), ms_free_slots(s),
                                    ms_metadata_bytes(s), s->slots.free4k_count, mss_glue.last_tsc,
                                    s->stats.frames_reused };
    for (unsigned i = 0; i < MS_STATS_WORDS; i++) q->res[i] = v[i];
    q->nres = MS_STATS_WORDS;
    return MS_OK;
}

static int (*const handler[MS_OP_COUNT])(struct req *) = {
    [MS_OP_HELLO] = op_hello,           [MS_OP_AS_CREATE] = op_as_create,
    [MS_OP_AS_DESTROY] = op_as_destroy, [MS_OP_AS_FORK] = op_as_fork,
    [MS_OP_AS_FAULT_EP] = op_as_fault_ep, [MS_OP_AS_VSPACE] = op_as_vspace,
    [MS_OP_OBJ_CREATE] = op_obj_create, [MS_OP_OBJ_CLOSE] = op_obj_close,
    [MS_OP_MAP] = op_map,               [MS_OP_UNMAP] = op_unmap,
    [MS_OP_PROTECT] = op_protect,       [MS_OP_QUERY] = op_query,
    [MS_OP_CLONE] = op_clone,           [MS_OP_FAULT_GET] = op_fault_get,
    [MS_OP_QUOTA_GET] = op_quota_get,   [MS_OP_QUOTA_SET] = op_quota_set,
    [MS_OP_AS_ADOPT] = op_as_adopt,     [MS_OP_AS_SET_NOTIFY] = op_as_set_notify,
    [MS_OP_STATS] = op_stats,           [MS_OP_CLIENT_DESTROY] = op_client_destroy,
    [MS_OP_VERIFY_FREE] = op_verify_free, [MS_OP_OBJ_WRITE] = op_obj_write,
    [MS_OP_PAGE_CAP] = op_page_cap,
};

static int decode(struct ms_server *s, seL4_Word badge, seL4_MessageInfo_t info, const uint64_t *mr,
                  struct ms_request *r, struct ms_client **c)
{
    /* svc_call marks every request as restartable (svcclient/core/released.h); the
     * protocol's label is the rest. */
    int err = ms_decode_message(badge, svc_request_label(seL4_MessageInfo_get_label(info)), mr,
                                (unsigned)seL4_MessageInfo_get_length(info),
                                (unsigned)seL4_MessageInfo_get_extraCaps(info), r);
    if (err) return err;
    /* The administrator bit is a privilege, not part of the client's name. */
    if (!(*c = ms_client_get(s, badge & ~MS_ADMIN_BADGE, 1))) return MS_ERR_BUSY;
    return MS_OK;
}

seL4_MessageInfo_t mss_dispatch(struct ms_server *s, seL4_Word badge, seL4_MessageInfo_t info,
                                ms_slot_t cap_in, seL4_CPtr out)
{
    uint64_t mr[MS_MAX_MRS] = { 0 }, res[MS_MAX_MRS] = { 0 };
    unsigned n = (unsigned)seL4_MessageInfo_get_length(info);
    for (unsigned i = 0; i < n && i < MS_MAX_MRS; i++) mr[i] = seL4_GetMR((int)i);
    struct ms_request r;
    struct req q = { s, 0, &r, badge, cap_in, (ms_slot_t)out, 0, res, 0, 0 };
    int err = decode(s, badge, info, mr, &r, &q.c);
    if (!err) err = handler[r.op](&q);
    if (cap_in && !q.cap_used) {
        /* A cap nobody asked for, or a refused request: do not keep it. */
        mss_glue.invocations++;
        if (seL4_CNode_Delete(MSS_CNODE, cap_in, DEPTH)) ms_check_failed(__FILE__, __LINE__, "delete");
        ms_give_slot(s, cap_in);
    }
    if (err) q.nres = 0, q.caps_out = 0;
    for (unsigned i = 0; i < q.nres; i++) seL4_SetMR((int)i, res[i]);
    return seL4_MessageInfo_new((seL4_Word)err, 0, q.caps_out, q.nres);
}

ms_slot_t mss_take_received(struct ms_server *s, seL4_Word badge, seL4_MessageInfo_t info, seL4_CPtr recv)
{
    if (!seL4_MessageInfo_get_extraCaps(info)) return 0;
    /* A cap to our own endpoint is unwrapped (its badge in an MR): no slot was used. */
    if (seL4_MessageInfo_get_capsUnwrapped(info) & 1) return 0;
    ms_slot_t slot = (badge & MS_FAULT_BADGE) ? 0 : ms_take_slot(s);
    mss_glue.invocations++;
    if (slot && !seL4_CNode_Move(MSS_CNODE, slot, DEPTH, MSS_CNODE, recv, DEPTH)) return slot;
    /* No slot for it (or nothing there): the receive slot must be empty again. */
    if (slot) ms_give_slot(s, slot);
    mss_glue.invocations++;
    if (seL4_CNode_Delete(MSS_CNODE, recv, DEPTH)) ms_check_failed(__FILE__, __LINE__, "delete recv");
    return 0;
}
