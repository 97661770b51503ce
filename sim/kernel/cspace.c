/*
 * Capability addressing (manual 3.1.2-3.1.3): a capability pointer is resolved
 * through CNodes, each consuming its guard and radix bits, until the requested depth
 * is used up or a non-CNode capability is reached.  Failures are recorded as lookup
 * faults with the kernel's exact fields.
 */
#include "kstate.h"

resolve_ret resolve_address_bits(kernel *k, const cap *node, uint64_t cptr, unsigned n_bits)
{
    resolve_ret r = { EXC_NONE, NULL, n_bits };
    cap nc = *node;

    if (nc.type != CAP_CNODE) {
        k->lf = (lookup_fault){ LF_INVALID_ROOT, 0, 0, 0 };
        r.status = EXC_LOOKUP_FAULT;
        return r;
    }
    for (unsigned round = 0; round <= 64; round++) {
        unsigned radix = nc.size_bits, guard_bits = nc.guard_bits;
        unsigned level = radix + guard_bits;
        uint64_t guard = (cptr >> ((n_bits - guard_bits) & 63u)) & MASK(guard_bits);

        if (guard_bits > n_bits || guard != nc.guard) {
            k->lf = (lookup_fault){ LF_GUARD_MISMATCH, (uint8_t)n_bits, (uint8_t)guard_bits, nc.guard };
            r.status = EXC_LOOKUP_FAULT;
            return r;
        }
        if (level > n_bits || level == 0) {
            k->lf = (lookup_fault){ LF_DEPTH_MISMATCH, (uint8_t)n_bits, (uint8_t)level, 0 };
            r.status = EXC_LOOKUP_FAULT;
            return r;
        }
        uint64_t offset = (cptr >> (n_bits - level)) & MASK(radix);
        cte *slot = &cap_cnode(&nc)->slot[offset];
        if (n_bits == level) {
            r.slot = slot;
            r.bits_remaining = 0;
            return r;
        }
        n_bits -= level;
        nc = slot->cap;
        if (nc.type != CAP_CNODE) {
            r.slot = slot;
            r.bits_remaining = n_bits;
            return r;
        }
    }
    k->lf = (lookup_fault){ LF_DEPTH_MISMATCH, (uint8_t)n_bits, 0, 0 };
    r.status = EXC_LOOKUP_FAULT;
    return r;
}

exc lookup_slot(kernel *k, tcb *t, uint64_t cptr, cte **slot)
{
    resolve_ret r = resolve_address_bits(k, &t->slot[TCB_CTABLE].cap, cptr, 64);
    *slot = r.slot;
    return r.status;
}

exc lookup_slot_for_cnode_op(kernel *k, bool is_source, const cap *root, uint64_t cptr,
                             uint64_t depth, cte **slot)
{
    *slot = NULL;
    if (root->type != CAP_CNODE) {
        k->lf = (lookup_fault){ LF_INVALID_ROOT, 0, 0, 0 };
        return syserr_lookup(k, is_source);
    }
    if (depth < 1 || depth > 64)
        return syserr_range(k, 1, 64);
    resolve_ret r = resolve_address_bits(k, root, cptr, (unsigned)depth);
    if (r.status != EXC_NONE)
        return syserr_lookup(k, is_source);
    if (r.bits_remaining != 0) {
        k->lf = (lookup_fault){ LF_DEPTH_MISMATCH, (uint8_t)r.bits_remaining, 0, 0 };
        return syserr_lookup(k, is_source);
    }
    *slot = r.slot;
    return EXC_NONE;
}

/* The slot a received capability goes to (receiveCNode/Index/Depth in the receiver's
 * IPC buffer), or NULL if there is none usable. */
cte *get_receive_slot(kernel *k, tcb *t, const uint64_t *buf)
{
    if (!buf)
        return NULL;
    uint64_t root = buf[125], index = buf[126], depth = buf[127];
    cte *rs;
    if (lookup_slot(k, t, root, &rs) != EXC_NONE)
        return NULL;
    cap cnode_cap = rs->cap;
    cte *slot;
    syscall_error saved = k->err;
    exc e = lookup_slot_for_cnode_op(k, false, &cnode_cap, index, depth, &slot);
    k->err = saved;
    if (e != EXC_NONE || slot->cap.type != CAP_NULL)
        return NULL;
    return slot;
}
