/*
 * Properties of capabilities that the derivation tree and the invocations rely on:
 * which caps name the same object or region, which are revocable, how rights masks,
 * badges and guards change a cap, and what deriving a cap (copying it to a new slot)
 * produces (manual 3.1).
 */
#include "kstate.h"

cap cap_null(void)
{
    cap c = { 0 };
    c.type = CAP_NULL;
    return c;
}

unsigned cap_size_bits(const cap *c)
{
    switch (c->type) {
    case CAP_UNTYPED: return c->size_bits;
    case CAP_ENDPOINT: return seL4_EndpointBits;
    case CAP_NOTIFICATION: return seL4_NotificationBits;
    case CAP_CNODE: return c->size_bits + seL4_SlotBits;
    case CAP_THREAD: return seL4_TCBBits;
    case CAP_ZOMBIE:
        return c->zombie_type == ZOMBIE_TCB ? seL4_TCBBits : c->zombie_type + seL4_SlotBits;
    case CAP_FRAME: return c->size_bits;
    case CAP_PAGE_TABLE: case CAP_PAGE_DIRECTORY: case CAP_PDPT: case CAP_PML4:
    case CAP_ASID_POOL:
        return seL4_PageBits;   /* every paging structure and an ASID pool fill a page */
    default: return 0;
    }
}

bool cap_is_physical(const cap *c)
{
    switch (c->type) {
    case CAP_UNTYPED: case CAP_ENDPOINT: case CAP_NOTIFICATION: case CAP_CNODE:
    case CAP_THREAD: case CAP_ZOMBIE: case CAP_FRAME: case CAP_PAGE_TABLE:
    case CAP_PAGE_DIRECTORY: case CAP_PDPT: case CAP_PML4: case CAP_ASID_POOL:
        return true;
    default:
        return false;
    }
}

static bool arch_same_region_as(const cap *a, const cap *b)
{
    switch (a->type) {
    case CAP_FRAME:
        if (b->type == CAP_FRAME) {
            uint64_t bot_a = a->paddr, bot_b = b->paddr;
            uint64_t top_a = bot_a + MASK(a->size_bits), top_b = bot_b + MASK(b->size_bits);
            return bot_a <= bot_b && top_a >= top_b && bot_b <= top_b;
        }
        return false;
    case CAP_PAGE_TABLE: case CAP_PAGE_DIRECTORY: case CAP_PDPT: case CAP_PML4:
        return b->type == a->type && a->paddr == b->paddr;
    case CAP_ASID_CONTROL:
        return b->type == CAP_ASID_CONTROL;
    case CAP_ASID_POOL:
        return b->type == CAP_ASID_POOL && a->paddr == b->paddr;
    case CAP_IO_PORT_CONTROL:
        return b->type == CAP_IO_PORT_CONTROL || b->type == CAP_IO_PORT;
    case CAP_IO_PORT:
        return b->type == CAP_IO_PORT && a->port_first == b->port_first &&
               a->port_last == b->port_last;
    default:
        return false;
    }
}

bool same_region_as(const cap *a, const cap *b)
{
    switch (a->type) {
    case CAP_UNTYPED:
        if (cap_is_physical(b)) {
            uint64_t a_base = a->paddr, b_base = b->paddr;
            uint64_t a_top = a_base + MASK(a->size_bits);
            uint64_t b_top = b_base + MASK(cap_size_bits(b));
            return a_base <= b_base && b_top <= a_top && b_base <= b_top;
        }
        return false;
    case CAP_ENDPOINT: case CAP_NOTIFICATION: case CAP_THREAD:
        return b->type == a->type && a->obj == b->obj;
    case CAP_CNODE:
        return b->type == CAP_CNODE && a->paddr == b->paddr && a->size_bits == b->size_bits;
    case CAP_REPLY:
        return b->type == CAP_REPLY && a->obj == b->obj;
    case CAP_DOMAIN:
        return b->type == CAP_DOMAIN;
    case CAP_IRQ_CONTROL:
        return b->type == CAP_IRQ_CONTROL || b->type == CAP_IRQ_HANDLER;
    case CAP_IRQ_HANDLER:
        return b->type == CAP_IRQ_HANDLER && a->irq == b->irq;
    default:
        if (cap_is_arch(a->type) && cap_is_arch(b->type))
            return arch_same_region_as(a, b);
        return false;
    }
}

bool same_object_as(const cap *a, const cap *b)
{
    if (a->type == CAP_UNTYPED || a->type == CAP_IRQ_CONTROL)
        return false;
    if (cap_is_arch(a->type) && cap_is_arch(b->type)) {
        if (a->type == CAP_IO_PORT_CONTROL && b->type == CAP_IO_PORT)
            return false;
        if (a->type == CAP_FRAME && b->type == CAP_FRAME)
            return a->paddr == b->paddr && a->size_bits == b->size_bits &&
                   a->is_device == b->is_device;
        return arch_same_region_as(a, b);
    }
    return same_region_as(a, b);
}

bool is_cap_revocable(const cap *derived, const cap *src)
{
    switch (derived->type) {
    case CAP_IO_PORT: return src->type == CAP_IO_PORT_CONTROL;
    case CAP_ENDPOINT: case CAP_NOTIFICATION: return derived->badge != src->badge;
    case CAP_IRQ_HANDLER: return src->type == CAP_IRQ_CONTROL;
    case CAP_UNTYPED: return true;
    default: return false;
    }
}

static uint8_t mask_vm_rights(uint8_t vm, unsigned mask)
{
    if (vm == VM_READ_ONLY && (mask & RIGHT_READ))
        return VM_READ_ONLY;
    if (vm == VM_READ_WRITE && (mask & RIGHT_READ))
        return (mask & RIGHT_WRITE) ? VM_READ_WRITE : VM_READ_ONLY;
    return VM_KERNEL_ONLY;
}

cap mask_cap_rights(unsigned rights, cap c)
{
    switch (c.type) {
    case CAP_FRAME:
        c.vm_rights = mask_vm_rights(c.vm_rights, rights);
        break;
    case CAP_ENDPOINT:
        c.rights &= (uint8_t)(rights & RIGHTS_ALL);
        break;
    case CAP_NOTIFICATION:
        c.rights &= (uint8_t)(rights & (RIGHT_READ | RIGHT_WRITE));
        break;
    case CAP_REPLY:
        c.rights &= (uint8_t)(rights & RIGHT_GRANT);
        break;
    default:
        break;
    }
    return c;
}

cap update_cap_data(bool preserve, uint64_t data, cap c)
{
    switch (c.type) {
    case CAP_ENDPOINT:
    case CAP_NOTIFICATION:
        if (!preserve && c.badge == 0) {
            c.badge = data;
            return c;
        }
        return cap_null();
    case CAP_CNODE: {
        unsigned guard_size = (unsigned)(data & 0x3f);
        if (guard_size + c.size_bits > 64)
            return cap_null();
        c.guard = (data >> 6) & MASK(guard_size);
        c.guard_bits = (uint8_t)guard_size;
        return c;
    }
    default:
        return c;
    }
}

exc derive_cap(kernel *k, cte *slot, cap c, cap *out)
{
    *out = cap_null();
    switch (c.type) {
    case CAP_PAGE_TABLE: case CAP_PAGE_DIRECTORY: case CAP_PDPT: case CAP_PML4:
        if (c.is_mapped) {
            *out = c;
            return EXC_NONE;
        }
        user_error(k, "Deriving an unmapped paging structure cap");
        return syserr(k, seL4_IllegalOperation);
    case CAP_FRAME:
        c.asid = 0;     /* the copy is not mapped (its address field is kept) */
        *out = c;
        return EXC_NONE;
    case CAP_IO_PORT_CONTROL: case CAP_ZOMBIE: case CAP_IRQ_CONTROL: case CAP_REPLY:
        return EXC_NONE;
    case CAP_UNTYPED: {
        exc e = ensure_no_children(k, slot);
        if (e == EXC_NONE)
            *out = c;
        return e;
    }
    default:
        *out = c;
        return EXC_NONE;
    }
}

bool has_cancel_send_rights(const cap *c)
{
    return c->type == CAP_ENDPOINT && (c->rights & RIGHTS_ALL) == RIGHTS_ALL;
}

const char *cap_type_name(unsigned type)
{
    switch (type) {
    case CAP_NULL: return "null";
    case CAP_UNTYPED: return "untyped";
    case CAP_ENDPOINT: return "endpoint";
    case CAP_NOTIFICATION: return "notification";
    case CAP_REPLY: return "reply";
    case CAP_CNODE: return "cnode";
    case CAP_THREAD: return "thread";
    case CAP_IRQ_CONTROL: return "irq_control";
    case CAP_IRQ_HANDLER: return "irq_handler";
    case CAP_ZOMBIE: return "zombie";
    case CAP_DOMAIN: return "domain";
    case CAP_FRAME: return "frame";
    case CAP_PAGE_TABLE: return "page_table";
    case CAP_PAGE_DIRECTORY: return "page_directory";
    case CAP_PDPT: return "pdpt";
    case CAP_PML4: return "pml4";
    case CAP_ASID_CONTROL: return "asid_control";
    case CAP_ASID_POOL: return "asid_pool";
    case CAP_IO_SPACE: return "io_space";
    case CAP_IO_PORT: return "io_port";
    case CAP_IO_PORT_CONTROL: return "io_port_control";
    default: return "?";
    }
}
