/*
 * Untyped memory (manual 2.4, 10.3.14): Retype carves objects out of an untyped
 * region at its watermark, aligned to the object size, and places their caps in
 * consecutive empty slots as children of the untyped cap.  An untyped without
 * children is reset first: its watermark returns to zero and (for RAM) its used
 * bytes are cleared, as the kernel clears memory on reset rather than on retype.
 */
#include <string.h>
#include "kstate.h"

unsigned object_size_bits(uint64_t type, uint64_t user_bits)
{
    switch (type) {
    case seL4_TCBObject: return seL4_TCBBits;
    case seL4_EndpointObject: return seL4_EndpointBits;
    case seL4_NotificationObject: return seL4_NotificationBits;
    case seL4_CapTableObject: return (unsigned)(seL4_SlotBits + user_bits);
    case seL4_UntypedObject: return (unsigned)user_bits;
    case seL4_X86_LargePageObject: return seL4_LargePageBits;
    case seL4_X64_HugePageObject: return seL4_HugePageBits;
    case seL4_X86_4K: case seL4_X86_PageTableObject: case seL4_X86_PageDirectoryObject:
    case seL4_X86_PDPTObject: case seL4_X64_PML4Object:
        return seL4_PageBits;   /* a frame and every paging structure are one page */
    default: return 64;
    }
}

static bool is_frame_type(uint64_t type)
{
    return type == seL4_X86_4K || type == seL4_X86_LargePageObject || type == seL4_X64_HugePageObject;
}

cap create_object(kernel *k, uint64_t type, uint64_t paddr, uint64_t user_bits, bool device)
{
    cap c = cap_null();
    c.paddr = paddr;
    if (type != seL4_UntypedObject)
        k->bytes_in_objects += BIT(object_size_bits(type, user_bits));
    switch (type) {
    case seL4_TCBObject: {
        tcb *t = tcb_new(k, paddr);
        c.type = CAP_THREAD;
        c.obj = &t->hdr;
        break;
    }
    case seL4_EndpointObject:
        c.type = CAP_ENDPOINT;
        c.obj = obj_new(k, OBJ_ENDPOINT, paddr, sizeof(endpoint));
        c.rights = RIGHTS_ALL;
        break;
    case seL4_NotificationObject:
        c.type = CAP_NOTIFICATION;
        c.obj = obj_new(k, OBJ_NOTIFICATION, paddr, sizeof(notification));
        c.rights = RIGHT_READ | RIGHT_WRITE;
        break;
    case seL4_CapTableObject: {
        cnode *cn = (cnode *)obj_new(k, OBJ_CNODE, paddr,
                                     sizeof(cnode) + sizeof(cte) * (size_t)BIT(user_bits));
        cn->radix = (uint8_t)user_bits;
        c.type = CAP_CNODE;
        c.obj = &cn->hdr;
        c.size_bits = (uint8_t)user_bits;
        break;
    }
    case seL4_UntypedObject:
        c.type = CAP_UNTYPED;
        c.size_bits = (uint8_t)user_bits;
        c.is_device = device;
        c.free_bytes = 0;
        break;
    case seL4_X86_4K:
    case seL4_X86_LargePageObject:
    case seL4_X64_HugePageObject:
        c.type = CAP_FRAME;
        c.size_bits = (uint8_t)object_size_bits(type, 0);
        c.vm_rights = VM_READ_WRITE;
        c.is_device = device;
        k->frame_count[type == seL4_X86_4K ? 0 : type == seL4_X86_LargePageObject ? 1 : 2]++;
        break;
    case seL4_X86_PageTableObject:
        c.type = CAP_PAGE_TABLE;
        c.obj = &ptable_new(k, 1, paddr)->hdr;
        break;
    case seL4_X86_PageDirectoryObject:
        c.type = CAP_PAGE_DIRECTORY;
        c.obj = &ptable_new(k, 2, paddr)->hdr;
        break;
    case seL4_X86_PDPTObject:
        c.type = CAP_PDPT;
        c.obj = &ptable_new(k, 3, paddr)->hdr;
        break;
    case seL4_X64_PML4Object:
        c.type = CAP_PML4;
        c.obj = &ptable_new(k, 4, paddr)->hdr;
        break;
    default:
        break;
    }
    return c;
}

static void reset_untyped(kernel *k, cte *slot)
{
    cap *c = &slot->cap;
    if (c->free_bytes == 0)
        return;
    if (!c->is_device)
        phys_zero(k, c->paddr, c->free_bytes);
    c->free_bytes = 0;
}

exc decode_untyped(kernel *k, uint64_t label, unsigned length, cte *slot, const cap *c,
                   const uint64_t *buf)
{
    if (label != UntypedRetype) {
        user_error(k, "Untyped cap: Illegal operation attempted.");
        return syserr(k, seL4_IllegalOperation);
    }
    if (length < 6 || !k->extra_caps[0]) {
        user_error(k, "Untyped invocation: Truncated message.");
        return syserr(k, seL4_TruncatedMessage);
    }
    uint64_t type = get_syscall_arg(k, 0, buf);
    uint64_t user_bits = get_syscall_arg(k, 1, buf);
    uint64_t node_index = get_syscall_arg(k, 2, buf);
    uint64_t node_depth = get_syscall_arg(k, 3, buf);
    uint64_t node_offset = get_syscall_arg(k, 4, buf);
    uint64_t node_window = get_syscall_arg(k, 5, buf);
    cte *root_slot = k->extra_caps[0];

    if (type >= seL4_ObjectTypeCount) {
        user_error(k, "Untyped Retype: Invalid object type.");
        return syserr_arg(k, 0);
    }
    uint64_t obj_bits = user_bits >= 64 ? 64 : object_size_bits(type, user_bits);
    if (user_bits >= 64 || obj_bits > seL4_MaxUntypedBits) {
        user_error(k, "Untyped Retype: Invalid object size.");
        return syserr_range(k, 0, seL4_MaxUntypedBits);
    }
    if (type == seL4_CapTableObject && user_bits == 0) {
        user_error(k, "Untyped Retype: Requested CapTable size too small.");
        return syserr_arg(k, 1);
    }
    if (type == seL4_UntypedObject && user_bits < seL4_MinUntypedBits) {
        user_error(k, "Untyped Retype: Requested UntypedItem size too small.");
        return syserr_arg(k, 1);
    }

    cap node_cap;
    if (node_depth == 0) {
        node_cap = root_slot->cap;
    } else {
        cap root = root_slot->cap;
        cte *s;
        if (lookup_slot_for_cnode_op(k, false, &root, node_index, node_depth, &s) != EXC_NONE) {
            user_error(k, "Untyped Retype: Invalid destination address.");
            return EXC_SYSCALL_ERROR;
        }
        node_cap = s->cap;
    }
    if (node_cap.type != CAP_CNODE) {
        user_error(k, "Untyped Retype: Destination cap invalid or read-only.");
        k->lf = lf_missing((unsigned)node_depth);
        return syserr_lookup(k, false);
    }

    uint64_t node_size = BIT(node_cap.size_bits);
    if (node_offset > node_size - 1) {
        user_error(k, "Untyped Retype: Destination node offset #%d too large.", (int)node_offset);
        return syserr_range(k, 0, node_size - 1);
    }
    if (node_window < 1 || node_window > 256) {
        user_error(k, "Untyped Retype: Number of requested objects (%d) too small or large.",
                   (int)node_window);
        return syserr_range(k, 1, 256);
    }
    if (node_window > node_size - node_offset) {
        user_error(k, "Untyped Retype: Requested destination window overruns size of node.");
        return syserr_range(k, 1, node_size - node_offset);
    }
    cnode *dest = cap_cnode(&node_cap);
    for (uint64_t i = node_offset; i < node_offset + node_window; i++) {
        if (ensure_empty_slot(k, &dest->slot[i]) != EXC_NONE) {
            user_error(k, "Untyped Retype: Slot #%d in destination window non-empty.", (int)i);
            return EXC_SYSCALL_ERROR;
        }
    }

    bool reset;
    uint64_t free_bytes;
    syscall_error saved = k->err;
    if (ensure_no_children(k, slot) != EXC_NONE) {
        free_bytes = c->free_bytes;
        reset = false;
    } else {
        free_bytes = 0;
        reset = true;
    }
    k->err = saved;

    uint64_t untyped_free = BIT(c->size_bits) - free_bytes;
    if ((untyped_free >> obj_bits) < node_window) {
        user_error(k, "Untyped Retype: Insufficient memory (%lu * %lu bytes needed, %lu bytes available).",
                   (unsigned long)node_window, (unsigned long)BIT(obj_bits), (unsigned long)untyped_free);
        k->err.type = seL4_NotEnoughMemory;
        k->err.memory_left = untyped_free;
        return EXC_SYSCALL_ERROR;
    }
    if (c->is_device && !is_frame_type(type) && type != seL4_UntypedObject) {
        user_error(k, "Untyped Retype: Creating kernel objects with device untyped");
        return syserr_arg(k, 1);
    }
    uint64_t free_ref = c->paddr + free_bytes;
    uint64_t aligned = (free_ref + MASK(obj_bits)) & ~MASK(obj_bits);

    /* invoke */
    set_thread_state(k, k->cur, TS_RESTART);
    if (reset)
        reset_untyped(k, slot);
    slot->cap.free_bytes = aligned + (node_window << obj_bits) - c->paddr;
    bool device = slot->cap.is_device;
    for (uint64_t i = 0; i < node_window; i++) {
        cap nc = create_object(k, type, aligned + (i << obj_bits), user_bits, device);
        insert_new_cap(slot, &dest->slot[node_offset + i], nc);
    }
    return EXC_NONE;
}
