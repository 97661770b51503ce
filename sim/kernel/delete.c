/*
 * Deleting capabilities (manual 3.1.4-3.1.5).  Deleting the last capability to an
 * object finalises the object: queued threads are released, mappings removed,
 * bindings broken.  CNodes and TCBs contain slots of their own; their final cap
 * becomes a "zombie" that empties those slots one by one before the object is gone,
 * exactly as seL4 does it, so that the order of side effects matches.
 */
#include "kstate.h"

typedef struct finalise_ret { cap remainder; cap cleanup; kobj *dead; } finalise_ret;

static cte *zombie_slots(const cap *z)
{
    if (z->zombie_type == ZOMBIE_TCB)
        return ((tcb *)z->obj)->slot;
    return ((cnode *)z->obj)->slot;
}

static cap make_zombie(kobj *o, uint64_t paddr, uint64_t number, uint8_t ztype)
{
    cap z = cap_null();
    z.type = CAP_ZOMBIE;
    z.obj = o;
    z.paddr = paddr;
    z.zombie_number = number;
    z.zombie_type = ztype;
    return z;
}

static void count_frame_gone(kernel *k, const cap *c)
{
    unsigned idx = c->size_bits == seL4_PageBits ? 0 : c->size_bits == seL4_LargePageBits ? 1 : 2;
    if (k->frame_count[idx])
        k->frame_count[idx]--;
    k->bytes_in_objects -= BIT(c->size_bits);
}

static void object_gone(kernel *k, kobj *o, unsigned size_bits)
{
    k->bytes_in_objects -= BIT(size_bits);
    obj_free(k, o);
}

static finalise_ret finalise_arch_cap(kernel *k, const cap *c, bool final)
{
    finalise_ret r = { cap_null(), cap_null(), NULL };
    switch (c->type) {
    case CAP_PAGE_DIRECTORY:
    case CAP_PAGE_TABLE:
    case CAP_PDPT:
    case CAP_PML4:
        if (final && c->is_mapped) {
            if (c->type == CAP_PML4)
                delete_asid(k, c->asid, cap_ptable(c));
            else
                unmap_table(k, cap_ptable(c), c->asid, c->vaddr);
        }
        if (final) {
            ptable_free(k, cap_ptable(c));
            k->bytes_in_objects -= BIT(seL4_PageTableBits);
        }
        break;
    case CAP_ASID_POOL:
        if (final) {
            delete_asid_pool(k, c->asid, (asid_pool *)c->obj);
            object_gone(k, c->obj, seL4_ASIDPoolBits);
        }
        break;
    case CAP_IO_PORT:
        if (final)
            r.cleanup = *c;
        break;
    case CAP_FRAME:
        if (c->asid)
            unmap_page(k, c->size_bits, c->asid, c->vaddr, c->paddr);
        if (final)
            count_frame_gone(k, c);
        break;
    default:
        break;
    }
    return r;
}

static finalise_ret finalise_cap(kernel *k, const cap *c, bool final, bool exposed)
{
    finalise_ret r = { cap_null(), cap_null(), NULL };

    if (cap_is_arch(c->type))
        return finalise_arch_cap(k, c, final);

    switch (c->type) {
    case CAP_ENDPOINT:
        if (final) {
            cancel_all_ipc(k, cap_ep(c));
            object_gone(k, c->obj, seL4_EndpointBits);
        }
        return r;
    case CAP_NOTIFICATION:
        if (final) {
            notification *n = cap_ntfn(c);
            unbind_maybe_notification(n);
            cancel_all_signals(k, n);
            object_gone(k, c->obj, seL4_NotificationBits);
        }
        return r;
    case CAP_REPLY:
    case CAP_NULL:
    case CAP_DOMAIN:
        return r;
    default:
        break;
    }

    if (exposed) {
        kernel_message(k, "finalise: cap of type %s cannot be finalised immediately",
                       cap_type_name(c->type));
        return r;
    }

    switch (c->type) {
    case CAP_CNODE:
        if (final)
            r.remainder = make_zombie(c->obj, c->paddr, BIT(c->size_bits), c->size_bits);
        break;
    case CAP_THREAD:
        if (final) {
            tcb *t = cap_tcb(c);
            unbind_notification(t);
            suspend_thread(k, t);
            dbg_thread_remove(k, t);
            r.remainder = make_zombie(c->obj, c->paddr, TCB_NUM_SLOTS, ZOMBIE_TCB);
        }
        break;
    case CAP_ZOMBIE:
        r.remainder = *c;
        break;
    case CAP_IRQ_HANDLER:
        if (final) {
            deleting_irq_handler(k, c->irq);
            r.cleanup = *c;
        }
        break;
    default:
        break;
    }
    return r;
}

static bool cap_removable(const cap *c, const cte *slot)
{
    if (c->type == CAP_NULL)
        return true;
    /* a zombie */
    return c->zombie_number == 0 || (c->zombie_number == 1 && slot == zombie_slots(c));
}

static bool cap_cyclic_zombie(const cap *c, const cte *slot)
{
    return c->type == CAP_ZOMBIE && zombie_slots(c) == slot;
}

static void post_cap_deletion(kernel *k, const cap *cleanup)
{
    if (cleanup->type == CAP_IRQ_HANDLER)
        deleted_irq_handler(k, cleanup->irq);
    else if (cleanup->type == CAP_IO_PORT)
        free_ioport_range(k, cleanup->port_first, cleanup->port_last);
}

static void empty_slot(kernel *k, cte *slot, const cap *cleanup)
{
    if (slot->cap.type == CAP_NULL)
        return;
    cte *prev = slot->prev, *next = slot->next;
    bool fb = slot->first_badged;
    if (prev)
        prev->next = next;
    if (next) {
        next->prev = prev;
        next->first_badged = next->first_badged || fb;
    }
    slot->cap = cap_null();
    slot->prev = slot->next = NULL;
    slot->revocable = slot->first_badged = false;
    post_cap_deletion(k, cleanup);
}

/* A zombie that is removable means its object (CNode or TCB) is now empty: release it. */
static void release_zombie_object(kernel *k, const cap *z)
{
    if (z->type != CAP_ZOMBIE)
        return;
    if (z->zombie_type == ZOMBIE_TCB) {
        stats_thread_gone(k, (tcb *)z->obj);
        object_gone(k, z->obj, seL4_TCBBits);
    }
    else
        object_gone(k, z->obj, z->zombie_type + seL4_SlotBits);
}

static exc reduce_zombie(kernel *k, cte *slot, bool immediate);

typedef struct fslot_ret { exc status; bool success; cap cleanup; } fslot_ret;

static fslot_ret finalise_slot(kernel *k, cte *slot, bool immediate)
{
    fslot_ret ret = { EXC_NONE, true, cap_null() };
    /* each round either clears the slot or shrinks a zombie: bounded by the slot count */
    for (unsigned guard = 0; slot->cap.type != CAP_NULL; guard++) {
        if (guard > (1u << 26)) {
            kernel_message(k, "finalise: runaway deletion");
            break;
        }
        bool final = is_final_capability(slot);
        finalise_ret fc = finalise_cap(k, &slot->cap, final, false);
        if (cap_removable(&fc.remainder, slot)) {
            release_zombie_object(k, &fc.remainder);
            ret.cleanup = fc.cleanup;
            return ret;
        }
        slot->cap = fc.remainder;
        if (!immediate && cap_cyclic_zombie(&fc.remainder, slot)) {
            ret.success = false;
            ret.cleanup = fc.cleanup;
            return ret;
        }
        exc e = reduce_zombie(k, slot, immediate);
        if (e != EXC_NONE) {
            ret.status = e;
            ret.success = false;
            return ret;
        }
    }
    return ret;
}

exc cte_delete(kernel *k, cte *slot, bool exposed)
{
    fslot_ret r = finalise_slot(k, slot, exposed);
    if (r.status != EXC_NONE)
        return r.status;
    if (exposed || r.success)
        empty_slot(k, slot, &r.cleanup);
    return EXC_NONE;
}

static exc reduce_zombie(kernel *k, cte *slot, bool immediate)
{
    cap z = slot->cap;
    cte *ptr = zombie_slots(&z);
    uint64_t n = z.zombie_number;

    if (immediate) {
        cte *end = &ptr[n - 1];
        exc e = cte_delete(k, end, false);
        if (e != EXC_NONE)
            return e;
        if (slot->cap.type == CAP_ZOMBIE && slot->cap.obj == z.obj &&
            slot->cap.zombie_number == n && slot->cap.zombie_type == z.zombie_type)
            slot->cap.zombie_number = n - 1;
        /* otherwise the zombie moved into its own first slot and was replaced here */
    } else {
        /* move the zombie into the object's first slot so it deletes itself */
        if (ptr != slot)
            cte_swap(ptr->cap, ptr, slot->cap, slot);
    }
    return EXC_NONE;
}

void cte_delete_one(kernel *k, cte *slot)
{
    if (slot->cap.type == CAP_NULL)
        return;
    bool final = is_final_capability(slot);
    finalise_cap(k, &slot->cap, final, true);
    cap none = cap_null();
    empty_slot(k, slot, &none);
}

exc cte_revoke(kernel *k, cte *slot)
{
    while (slot->next && is_mdb_parent_of(slot, slot->next)) {
        exc e = cte_delete(k, slot->next, true);
        if (e != EXC_NONE)
            return e;
    }
    return EXC_NONE;
}
