/* The memory server's client library: encode, svc_call (svcclient/client/svc_call.h), decode. */
#include "memserver/client/memserver_client.h"

/* One request through svc_call with the kind ms_op_table declares for it: the reply's
 * label (an ms_err_t) or MSC_ERR(svc error) when no reply came. */
static int transact(seL4_CPtr ep, uint32_t op, const struct svc_msg *in, struct svc_msg *out)
{
    struct svc_conn c = { .cap = ep, .max_attempts = MSC_MAX_ATTEMPTS };
    int err = svc_call_op(&c, &ms_op_table, op, 0, in, out);
    return err != SVC_OK ? MSC_ERR(err) : (int)out->label;
}

/* Encodes r (and the cap to send, 0: none) into *in. */
static void encode(const struct ms_request *r, seL4_CPtr cap, struct svc_msg *in)
{
    in->n = ms_encode_request(r, &in->label, in->mr);
    in->ncaps = cap ? 1u : 0u;
    in->caps[0] = cap;
}

static int call(seL4_CPtr ep, const struct ms_request *r, seL4_CPtr cap, uint64_t *res, unsigned nres)
{
    struct svc_msg in, out;
    encode(r, cap, &in);
    int err = transact(ep, r->op, &in, &out);
    if (err) return err;
    if (out.n < nres) return MS_ERR_BAD_REQUEST;
    for (unsigned i = 0; i < nres; i++) res[i] = out.mr[i];
    return MS_OK;
}

static struct ms_request req(uint32_t op, uint32_t handle)
{
    struct ms_request r = { 0 };
    r.op = op;
    r.handle = handle;
    return r;
}

static int call_handle(seL4_CPtr ep, uint32_t op, uint32_t handle, seL4_CPtr cap, uint32_t *out)
{
    struct ms_request r = req(op, handle);
    uint64_t v = 0;
    int err = call(ep, &r, cap, &v, out ? 1 : 0);
    if (!err && out) *out = (uint32_t)v;
    return err;
}

int msc_hello(seL4_CPtr ep, uint64_t *version)
{
    struct ms_request r = req(MS_OP_HELLO, 0);
    return call(ep, &r, 0, version, 1);
}

int msc_as_create(seL4_CPtr ep, uint32_t *as) { return call_handle(ep, MS_OP_AS_CREATE, 0, 0, as); }
int msc_as_adopt(seL4_CPtr ep, seL4_CPtr pml4, uint32_t *as) { return call_handle(ep, MS_OP_AS_ADOPT, 0, pml4, as); }
int msc_as_set_notify(seL4_CPtr ep, uint32_t as, seL4_CPtr ntfn) { return call_handle(ep, MS_OP_AS_SET_NOTIFY, as, ntfn, 0); }
int msc_as_destroy(seL4_CPtr ep, uint32_t as) { return call_handle(ep, MS_OP_AS_DESTROY, as, 0, 0); }
int msc_as_fork(seL4_CPtr ep, uint32_t as, uint32_t *child) { return call_handle(ep, MS_OP_AS_FORK, as, 0, child); }
int msc_obj_close(seL4_CPtr ep, uint32_t obj) { return call_handle(ep, MS_OP_OBJ_CLOSE, obj, 0, 0); }

static int call_receive_cap(seL4_CPtr ep, uint32_t op, uint32_t as, uint64_t va, seL4_CPtr cnode, seL4_CPtr slot)
{
    seL4_SetCapReceivePath(cnode, slot, seL4_WordBits);
    struct ms_request r = req(op, as);
    r.va = va;
    struct svc_msg in, out;
    encode(&r, 0, &in);
    int err = transact(ep, op, &in, &out);
    /* Closed again: a receive path left open would let whoever calls this program next
     * (a server using this library, e.g. the RS) put a cap into `slot`, which then takes
     * no cap the next time (found by the campaign's hostile client). */
    seL4_SetCapReceivePath(seL4_CapNull, 0, 0);
    if (!err && out.ncaps != 1) err = MS_ERR_BAD_CAP;
    return err;
}

int msc_as_fault_ep(seL4_CPtr ep, uint32_t as, seL4_CPtr cnode, seL4_CPtr slot)
{
    return call_receive_cap(ep, MS_OP_AS_FAULT_EP, as, 0, cnode, slot);
}

int msc_as_vspace(seL4_CPtr ep, uint32_t as, seL4_CPtr cnode, seL4_CPtr slot)
{
    return call_receive_cap(ep, MS_OP_AS_VSPACE, as, 0, cnode, slot);
}

int msc_page_cap(seL4_CPtr ep, uint32_t as, uint64_t va, seL4_CPtr cnode, seL4_CPtr slot)
{
    return call_receive_cap(ep, MS_OP_PAGE_CAP, as, va, cnode, slot);
}

int msc_obj_create(seL4_CPtr ep, uint32_t kind, uint64_t size, uint64_t paddr, uint32_t flags,
                   uint32_t *obj)
{
    struct ms_request r = req(MS_OP_OBJ_CREATE, 0);
    r.obj.kind = kind;
    r.obj.size = size;
    r.obj.paddr = paddr;
    r.obj.flags = flags;
    uint64_t v = 0;
    int err = call(ep, &r, 0, &v, 1);
    if (!err) *obj = (uint32_t)v;
    return err;
}

int msc_map(seL4_CPtr ep, uint32_t as, uint64_t va, uint64_t size, uint32_t obj, uint64_t off,
            uint32_t rights, uint32_t flags, uint64_t *out)
{
    struct ms_request r = req(MS_OP_MAP, 0);
    struct ms_req_map m = { as, obj, rights, flags, va, size, off };
    r.map = m;
    return call(ep, &r, 0, out, 1);
}

int msc_unmap(seL4_CPtr ep, uint32_t as, uint64_t va, uint64_t size)
{
    struct ms_request r = req(MS_OP_UNMAP, as);
    r.va = va;
    r.size = size;
    return call(ep, &r, 0, 0, 0);
}

int msc_protect(seL4_CPtr ep, uint32_t as, uint64_t va, uint64_t size, uint32_t rights)
{
    struct ms_request r = req(MS_OP_PROTECT, as);
    r.va = va;
    r.size = size;
    r.rights = rights;
    return call(ep, &r, 0, 0, 0);
}

int msc_query(seL4_CPtr ep, uint32_t as, uint64_t va, struct ms_query_result *q)
{
    struct ms_request r = req(MS_OP_QUERY, as);
    r.va = va;
    uint64_t mr[5];
    int err = call(ep, &r, 0, mr, 5);
    return err ? err : ms_decode_query(mr, 5, q);
}

int msc_clone(seL4_CPtr ep, uint32_t src, uint64_t va, uint64_t size, uint32_t dst, uint64_t dst_va,
              uint32_t flags, uint64_t *out)
{
    struct ms_request r = req(MS_OP_CLONE, 0);
    struct ms_req_clone c = { src, dst, flags, va, size, dst_va };
    r.clone = c;
    return call(ep, &r, 0, out, 1);
}

int msc_fault_get(seL4_CPtr ep, uint32_t as, struct ms_fault_info *f)
{
    struct ms_request r = req(MS_OP_FAULT_GET, as);
    uint64_t mr[6];
    int err = call(ep, &r, 0, mr, 6);
    return err ? err : ms_decode_fault_info(mr, 6, f);
}

int msc_quota_get(seL4_CPtr ep, struct ms_quota_info *q)
{
    struct ms_request r = req(MS_OP_QUOTA_GET, 0);
    uint64_t mr[4];
    int err = call(ep, &r, 0, mr, 4);
    if (!err) {
        q->pages_used = mr[0];
        q->pages_limit = mr[1];
        q->slots_used = mr[2];
        q->slots_limit = mr[3];
    }
    return err;
}

int msc_quota_set(seL4_CPtr ep, uint64_t badge, uint64_t pages, uint64_t slots)
{
    struct ms_request r = req(MS_OP_QUOTA_SET, 0);
    r.badge = badge;
    r.pages = pages;
    r.slots = slots;
    return call(ep, &r, 0, 0, 0);
}

int msc_stats(seL4_CPtr ep, uint64_t out[9])
{
    struct ms_request r = req(MS_OP_STATS, 0);
    return call(ep, &r, 0, out, 9);
}

int msc_stats_all(seL4_CPtr ep, uint64_t out[MS_STATS_WORDS])
{
    struct ms_request r = req(MS_OP_STATS, 0);
    return call(ep, &r, 0, out, MS_STATS_WORDS);
}

int msc_client_destroy(seL4_CPtr ep, uint64_t badge)
{
    struct ms_request r = req(MS_OP_CLIENT_DESTROY, 0);
    r.badge = badge;
    return call(ep, &r, 0, 0, 0);
}

int msc_verify_free(seL4_CPtr ep, uint64_t *checked, uint64_t *not_empty)
{
    struct ms_request r = req(MS_OP_VERIFY_FREE, 0);
    uint64_t mr[2];
    int err = call(ep, &r, 0, mr, 2);
    if (!err) {
        *checked = mr[0];
        *not_empty = mr[1];
    }
    return err;
}

int msc_obj_write(seL4_CPtr ep, uint32_t obj, uint64_t off, const void *data, uint64_t nbytes)
{
    const uint8_t *bytes = data;
    if (nbytes == 0) return MS_ERR_ZERO_LENGTH;
    for (uint64_t done = 0; done < nbytes;) {
        uint64_t words[MS_MAX_MRS - MS_WRITE_HEADER] = { 0 };
        uint32_t n = nbytes - done < MS_WRITE_MAX ? (uint32_t)(nbytes - done) : MS_WRITE_MAX;
        for (uint32_t i = 0; i < n; i++) words[i / 8] |= (uint64_t)bytes[done + i] << (8 * (i % 8));
        struct ms_request r = req(MS_OP_OBJ_WRITE, 0);
        r.write.obj = obj;
        r.write.off = off + done;
        r.write.nbytes = n;
        r.write.data = words;
        int err = call(ep, &r, 0, 0, 0);
        if (err) return err;
        done += n;
    }
    return MS_OK;
}
