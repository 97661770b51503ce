/*
 * ASIDs (manual 7.1.2): ASID control turns a 4 KiB untyped into one of the 8 ASID
 * pools; a pool hands out ASIDs to PML4s.  A VSpace is usable only through a PML4
 * whose ASID still maps to it.
 */
#include "kstate.h"

exc decode_asid_control(kernel *k, uint64_t label, unsigned length, const uint64_t *buf)
{
    if (label != X86ASIDControlMakePool)
        return syserr(k, seL4_IllegalOperation);
    if (length < 2 || !k->extra_caps[0] || !k->extra_caps[1])
        return syserr(k, seL4_TruncatedMessage);
    uint64_t index = get_syscall_arg(k, 0, buf);
    uint64_t depth = get_syscall_arg(k, 1, buf);
    cte *parent = k->extra_caps[0];
    cap untyped = parent->cap;
    cap root = k->extra_caps[1]->cap;

    unsigned i;
    for (i = 0; i < NUM_ASID_POOLS && k->asid_table[i]; i++)
        ;
    if (i == NUM_ASID_POOLS) {
        user_error(k, "ASIDControlMakePool: No unallocated pools found.");
        return syserr(k, seL4_DeleteFirst);
    }
    if (untyped.type != CAP_UNTYPED || untyped.size_bits != seL4_ASIDPoolBits || untyped.is_device)
        return syserr_cap(k, 1);
    if (ensure_no_children(k, parent) != EXC_NONE)
        return EXC_SYSCALL_ERROR;
    cte *dest;
    if (lookup_slot_for_cnode_op(k, false, &root, index, depth, &dest) != EXC_NONE)
        return EXC_SYSCALL_ERROR;
    if (ensure_empty_slot(k, dest) != EXC_NONE)
        return EXC_SYSCALL_ERROR;

    set_thread_state(k, k->cur, TS_RESTART);
    parent->cap.free_bytes = BIT(parent->cap.size_bits);
    phys_zero(k, untyped.paddr, BIT(seL4_ASIDPoolBits));
    asid_pool *pool = (asid_pool *)obj_new(k, OBJ_ASID_POOL, untyped.paddr, sizeof(asid_pool));
    k->bytes_in_objects += BIT(seL4_ASIDPoolBits);
    cap pc = cap_null();
    pc.type = CAP_ASID_POOL;
    pc.paddr = untyped.paddr;
    pc.obj = &pool->hdr;
    pc.asid = (uint16_t)(i << ASID_LOW_BITS);
    cte_insert(k, pc, parent, dest);
    k->asid_table[i] = pool;
    return EXC_NONE;
}

exc decode_asid_pool(kernel *k, uint64_t label, const cap *c)
{
    if (label != X86ASIDPoolAssign)
        return syserr(k, seL4_IllegalOperation);
    if (!k->extra_caps[0])
        return syserr(k, seL4_TruncatedMessage);
    cte *vslot = k->extra_caps[0];
    cap vc = vslot->cap;
    if (vc.type != CAP_PML4 || vc.asid != 0) {
        user_error(k, "X86ASIDPool: Invalid vspace root.");
        return syserr_cap(k, 1);
    }
    asid_pool *pool = k->asid_table[c->asid >> ASID_LOW_BITS];
    if (!pool) {
        k->lf = (lookup_fault){ LF_INVALID_ROOT, 0, 0, 0 };
        return syserr_lookup(k, false);
    }
    if (&pool->hdr != c->obj)
        return syserr_cap(k, 0);
    unsigned i;
    for (i = 0; i < BIT(ASID_LOW_BITS) && (c->asid + i == 0 || pool->vspace[i]); i++)
        ;
    if (i == BIT(ASID_LOW_BITS))
        return syserr(k, seL4_DeleteFirst);

    set_thread_state(k, k->cur, TS_RESTART);
    vslot->cap.asid = (uint16_t)(c->asid + i);
    vslot->cap.is_mapped = true;
    pool->vspace[i] = cap_ptable(&vc);
    return EXC_NONE;
}

void delete_asid_pool(kernel *k, uint64_t base, asid_pool *pool)
{
    unsigned hi = (unsigned)(base >> ASID_LOW_BITS);
    if (hi < NUM_ASID_POOLS && k->asid_table[hi] == pool)
        k->asid_table[hi] = NULL;
}

void delete_asid(kernel *k, uint64_t asid, ptable *pml4)
{
    unsigned hi = (unsigned)(asid >> ASID_LOW_BITS);
    asid_pool *pool = hi < NUM_ASID_POOLS ? k->asid_table[hi] : NULL;
    if (pool && pool->vspace[asid & MASK(ASID_LOW_BITS)] == pml4)
        pool->vspace[asid & MASK(ASID_LOW_BITS)] = NULL;
}
