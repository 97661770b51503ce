/*
 * x86_64 virtual memory (manual 7): PML4 -> PDPT -> PD -> PT, 4 KiB pages in page
 * tables, 2 MiB pages in page directories, 1 GiB pages in PDPTs.  The paging
 * structures are modelled entry by entry as the kernel keeps them, including x86's
 * quirks (a 4 KiB map silently replaces whatever page the slot held); every change
 * that is visible to user code is mirrored into the machine's sim_space of the PML4
 * at the root.  An address space is only usable through a PML4 that owns an ASID.
 */
#include <stdlib.h>
#include "kstate.h"

#define USER_TOP 0x00007fffffffffffull
/* Physical address width of the reference CPU (QEMU's Nehalem model, 40 bits).  The kernel
 * hands out device untypeds up to 2^47 and maps frames from them, but an entry whose
 * frame lies at or above 2^40 has reserved bits set: every access faults. */
#define CPU_PHYS_ADDR_BITS 40
static bool beyond_phys_width(uint64_t paddr) { return paddr >= (1ull << CPU_PHYS_ADDR_BITS); }

static unsigned entry_bits(unsigned level) { return 12u + 9u * (level - 1u); }
static unsigned table_index(uint64_t vaddr, unsigned level) { return (unsigned)((vaddr >> entry_bits(level)) & 511u); }
static bool is_table_entry(uint64_t e) { return (e & PTE_PRESENT) && !(e & PTE_PAGE); }
static bool is_page_entry(uint64_t e) { return (e & PTE_PRESENT) && (e & PTE_PAGE); }

ptable *ptable_new(kernel *k, unsigned level, uint64_t paddr)
{
    static const uint8_t kinds[5] = { 0, OBJ_PT, OBJ_PD, OBJ_PDPT, OBJ_PML4 };
    ptable *t = (ptable *)obj_new(k, (enum obj_kind)kinds[level], paddr, sizeof(ptable));
    t->level = (uint8_t)level;
    return t;
}

/* The PML4 a table hangs under, and the virtual address its entry 0 maps. */
static ptable *table_root(ptable *t, uint64_t *base)
{
    uint64_t b = 0;
    for (unsigned guard = 0; guard < 4; guard++) {
        if (t->level == 4) {
            *base = b;
            return t;
        }
        ptable *p = t->parent;
        if (!p)
            return NULL;
        b |= (uint64_t)t->parent_index << entry_bits(p->level);
        t = p;
    }
    return NULL;
}

static void space_map_page(kernel *k, sim_space *s, uint64_t vaddr, uint64_t e, unsigned bits)
{
    uint64_t paddr = e & PTE_ADDR_MASK;
    if (!(e & PTE_USER))
        return;                                   /* kernel-only mapping */
    if (beyond_phys_width(paddr))
        return;                                   /* reserved bits: faults on access */
    unsigned prot = SIM_PROT_READ | SIM_PROT_EXEC | ((e & PTE_WRITE) ? SIM_PROT_WRITE : 0u);
    void *host = phys_ram(k, paddr, BIT(bits));
    if (host) {
        if (space_map(s, vaddr, host, BIT(bits), prot) != 0)
            kernel_message(k, "machine refused mapping at 0x%llx", (unsigned long long)vaddr);
        return;
    }
    for (uint64_t off = 0; off < BIT(bits); off += 4096)
        if (space_map(s, vaddr + off, device_backing(k, paddr + off), 4096, prot) != 0)
            kernel_message(k, "machine refused mapping at 0x%llx", (unsigned long long)vaddr + off);
}

static void space_map_subtree(kernel *k, sim_space *s, ptable *t, uint64_t base)
{
    for (unsigned i = 0; i < 512; i++) {
        uint64_t v = base | ((uint64_t)i << entry_bits(t->level));
        if (is_page_entry(t->e[i]) || (t->level == 1 && (t->e[i] & PTE_PRESENT)))
            space_map_page(k, s, v, t->e[i], entry_bits(t->level));
        else if (is_table_entry(t->e[i]) && t->child[i])
            space_map_subtree(k, s, t->child[i], v);
    }
}

static sim_space *root_space(kernel *k, ptable *pml4)
{
    if (!pml4->space) {
        pml4->space = space_create();
        if (!pml4->space) {
            fprintf(stderr, "sel4-sim: host out of memory creating an address space\n");
            abort();
        }
        space_map_subtree(k, pml4->space, pml4, 0);
    }
    return pml4->space;
}

/* Removes what entry `i` of `t` maps from the machine's view. */
static void space_forget_entry(ptable *t, unsigned i)
{
    uint64_t base;
    ptable *root = table_root(t, &base);
    if (!root || !root->space)
        return;
    uint64_t v = base | ((uint64_t)i << entry_bits(t->level));
    space_unmap(root->space, v, BIT(entry_bits(t->level)));
}

static void set_page_entry(kernel *k, ptable *t, unsigned i, uint64_t e)
{
    uint64_t base;
    ptable *root = table_root(t, &base);
    sim_space *space = root ? root_space(k, root) : NULL;   /* created before the change */
    if (t->e[i] & PTE_PRESENT)
        space_forget_entry(t, i);
    t->e[i] = e;
    t->child[i] = NULL;
    if (space)
        space_map_page(k, space, base | ((uint64_t)i << entry_bits(t->level)), e, entry_bits(t->level));
}

static void clear_entry(ptable *t, unsigned i)
{
    if (t->e[i] & PTE_PRESENT)
        space_forget_entry(t, i);
    if (t->child[i] && t->child[i]->parent == t) {
        t->child[i]->parent = NULL;
    }
    t->e[i] = 0;
    t->child[i] = NULL;
}

static void link_table(kernel *k, ptable *parent, unsigned i, ptable *child)
{
    parent->e[i] = child->hdr.paddr | PTE_PRESENT | PTE_WRITE | PTE_USER;
    parent->child[i] = child;
    child->parent = parent;
    child->parent_index = i;
    uint64_t base;
    ptable *root = table_root(child, &base);
    if (root && root->space)
        space_map_subtree(k, root->space, child, base);
}

void table_detach_children(ptable *t)
{
    for (unsigned i = 0; i < 512; i++)
        if (t->child[i] && t->child[i]->parent == t)
            t->child[i]->parent = NULL;
}

void table_clear(kernel *k, ptable *t)
{
    (void)k;
    table_detach_children(t);
    for (unsigned i = 0; i < 512; i++) {
        t->e[i] = 0;
        t->child[i] = NULL;
    }
}

void ptable_free(kernel *k, ptable *t)
{
    if (t->parent && t->parent->child[t->parent_index] == t)
        clear_entry(t->parent, t->parent_index);
    t->parent = NULL;
    table_detach_children(t);
    if (t->space) {
        space_destroy(t->space);
        t->space = NULL;
    }
    obj_free(k, &t->hdr);
}

ptable *find_vspace_for_asid(kernel *k, uint64_t asid)
{
    asid_pool *pool = (asid >> ASID_LOW_BITS) < NUM_ASID_POOLS ? k->asid_table[asid >> ASID_LOW_BITS] : NULL;
    ptable *v = pool ? pool->vspace[asid & MASK(ASID_LOW_BITS)] : NULL;
    if (!v)
        k->lf = (lookup_fault){ LF_INVALID_ROOT, 0, 0, 0 };
    return v;
}

bool is_valid_vtable_root(const cap *c)
{
    return c->type == CAP_PML4 && c->is_mapped;
}

/* lookupPDPTSlot / lookupPDSlot / lookupPTSlot: the table holding the entry for `vaddr`
 * at `level`, or NULL with a missing-capability lookup fault. */
static ptable *lookup_table(kernel *k, ptable *pml4, uint64_t vaddr, unsigned level)
{
    ptable *t = pml4;
    for (unsigned l = 4; l > level; l--) {
        uint64_t e = t->e[table_index(vaddr, l)];
        if (!is_table_entry(e) || !t->child[table_index(vaddr, l)]) {
            k->lf = lf_missing(entry_bits(l));
            return NULL;
        }
        t = t->child[table_index(vaddr, l)];
    }
    return t;
}

sim_space *thread_space(kernel *k, tcb *t)
{
    const cap *c = &t->slot[TCB_VTABLE].cap;
    if (!is_valid_vtable_root(c))
        return NULL;
    lookup_fault saved = k->lf;
    ptable *v = find_vspace_for_asid(k, c->asid);
    k->lf = saved;
    if (v != cap_ptable(c))
        return NULL;
    return root_space(k, v);
}

/* The page-fault error code seL4 sees: the kernel enables neither NX nor SMEP (and the
 * Nehalem CPU has no SMEP), so an instruction fetch is not flagged (bit 4 clear);
 * "present" (bit 0) is decided by the paging structures, where a mapping without user
 * access (VMKernelOnly) is present although user code cannot touch it.  A page beyond
 * the physical address width reports the reserved-bit flag (bit 3) and, as QEMU reports
 * it, no present bit. */
uint32_t vspace_fault_fsr(kernel *k, tcb *t, uint64_t addr, uint32_t machine_fsr)
{
    uint32_t fsr = (machine_fsr & ~0x11u) | 4u;
    const cap *c = &t->slot[TCB_VTABLE].cap;
    if (!is_valid_vtable_root(c))
        return fsr;
    lookup_fault saved = k->lf;
    ptable *v = find_vspace_for_asid(k, c->asid);
    k->lf = saved;
    if (v != cap_ptable(c))
        return fsr;
    ptable *tb = v;
    for (unsigned l = 4; l >= 1 && tb; l--) {
        uint64_t e = tb->e[table_index(addr, l)];
        if (!(e & PTE_PRESENT))
            break;
        if (l == 1 || (e & PTE_PAGE))
            return beyond_phys_width(e & PTE_ADDR_MASK) ? fsr | 8u : fsr | 1u;
        tb = tb->child[table_index(addr, l)];
    }
    return fsr;
}

exc check_valid_ipc_buffer(kernel *k, uint64_t vaddr, const cap *c)
{
    if (c->type != CAP_FRAME) {
        user_error(k, "IPC Buffer is an invalid cap.");
        return syserr(k, seL4_IllegalOperation);
    }
    if (c->is_device) {
        user_error(k, "Specifying a device frame as an IPC buffer is not permitted.");
        return syserr(k, seL4_IllegalOperation);
    }
    if (vaddr & MASK(seL4_IPCBufferSizeBits)) {
        user_error(k, "IPC Buffer vaddr 0x%x is not aligned.", (int)vaddr);
        return syserr(k, seL4_AlignmentError);
    }
    return EXC_NONE;
}

static unsigned page_level(unsigned size_bits)
{
    return size_bits == seL4_PageBits ? 1 : size_bits == seL4_LargePageBits ? 2 : 3;
}

void unmap_page(kernel *k, unsigned size_bits, uint64_t asid, uint64_t vaddr, uint64_t paddr)
{
    lookup_fault saved = k->lf;
    ptable *v = find_vspace_for_asid(k, asid);
    unsigned level = page_level(size_bits);
    ptable *t = v ? lookup_table(k, v, vaddr, level) : NULL;
    k->lf = saved;
    if (!t)
        return;
    unsigned i = table_index(vaddr, level);
    uint64_t e = t->e[i];
    bool match = level == 1 ? (e & PTE_PRESENT) != 0 : is_page_entry(e);
    if (match && (e & PTE_ADDR_MASK) == paddr)
        clear_entry(t, i);
}

/* Unlinks table `pt` from the slot that should hold it (unmapPageTable and friends). */
void unmap_table(kernel *k, ptable *pt, uint64_t asid, uint64_t vaddr)
{
    lookup_fault saved = k->lf;
    ptable *v = find_vspace_for_asid(k, asid);
    unsigned parent_level = pt->level + 1u;
    ptable *parent = v ? lookup_table(k, v, vaddr, parent_level) : NULL;
    k->lf = saved;
    if (!parent)
        return;
    unsigned i = table_index(vaddr, parent_level);
    if (is_table_entry(parent->e[i]) && parent->child[i] == pt)
        clear_entry(parent, i);
}

static uint8_t mask_vm_rights_word(uint8_t vm, uint64_t mask)
{
    if (vm == VM_READ_ONLY && (mask & RIGHT_READ))
        return VM_READ_ONLY;
    if (vm == VM_READ_WRITE && (mask & RIGHT_READ))
        return (mask & RIGHT_WRITE) ? VM_READ_WRITE : VM_READ_ONLY;
    return VM_KERNEL_ONLY;
}

static uint64_t page_entry(uint64_t paddr, uint8_t vm, bool large)
{
    uint64_t e = paddr | PTE_PRESENT | (large ? PTE_PAGE : 0);
    if (vm != VM_READ_ONLY)
        e |= PTE_WRITE;
    if (vm != VM_KERNEL_ONLY)
        e |= PTE_USER;
    return e;
}

/* Common checks of Map invocations on a vspace cap in extra cap 0. */
static exc decode_vspace_arg(kernel *k, ptable **vspace, uint64_t *asid)
{
    cap vc = k->extra_caps[0]->cap;
    if (!is_valid_vtable_root(&vc))
        return syserr_cap(k, 1);
    *vspace = cap_ptable(&vc);
    *asid = vc.asid;
    return EXC_NONE;
}

static exc check_asid_vspace(kernel *k, ptable *vspace, uint64_t asid)
{
    ptable *found = find_vspace_for_asid(k, asid);
    if (!found)
        return syserr_lookup(k, false);
    if (found != vspace)
        return syserr_cap(k, 1);
    return EXC_NONE;
}

static exc decode_frame(kernel *k, uint64_t label, unsigned length, cte *slot, const cap *c,
                        bool call, const uint64_t *buf)
{
    switch (label) {
    case X86PageMap: {
        if (length < 3 || !k->extra_caps[0])
            return syserr(k, seL4_TruncatedMessage);
        uint64_t vaddr = get_syscall_arg(k, 0, buf);
        uint64_t rights = get_syscall_arg(k, 1, buf);
        ptable *vspace;
        uint64_t asid;
        if (decode_vspace_arg(k, &vspace, &asid) != EXC_NONE) {
            user_error(k, "X86FrameMap: Attempting to map frame into invalid page directory cap.");
            return EXC_SYSCALL_ERROR;
        }
        if (c->asid != 0) {
            if (c->asid != asid)
                return syserr_cap(k, 1);
            if (c->vaddr != vaddr) {
                user_error(k, "X86Frame: Attempting to map frame into multiple addresses");
                return syserr_arg(k, 0);
            }
        } else {
            uint64_t vtop = vaddr + BIT(c->size_bits);
            if (vaddr > USER_TOP || vtop > USER_TOP) {
                user_error(k, "X86Frame: Mapping address too high.");
                return syserr_arg(k, 0);
            }
        }
        if (check_asid_vspace(k, vspace, asid) != EXC_NONE)
            return EXC_SYSCALL_ERROR;
        uint8_t vm = mask_vm_rights_word(c->vm_rights, rights);
        if (vaddr & MASK(c->size_bits))
            return syserr(k, seL4_AlignmentError);
        unsigned level = page_level(c->size_bits);
        ptable *t = lookup_table(k, vspace, vaddr, level);
        if (!t)
            return syserr_lookup(k, false);
        unsigned i = table_index(vaddr, level);
        if (level > 1 && is_table_entry(t->e[i]))
            return syserr(k, seL4_DeleteFirst);
        set_thread_state(k, k->cur, TS_RESTART);
        cap nc = *c;
        nc.asid = (uint16_t)asid;
        nc.vaddr = vaddr;
        slot->cap = nc;
        set_page_entry(k, t, i, page_entry(c->paddr, vm, level > 1));
        return EXC_NONE;
    }
    case X86PageUnmap:
        set_thread_state(k, k->cur, TS_RESTART);
        if (c->asid != 0)
            unmap_page(k, c->size_bits, c->asid, c->vaddr, c->paddr);
        slot->cap.vaddr = 0;
        slot->cap.asid = 0;
        return EXC_NONE;
    case X86PageGetAddress: {
        tcb *cur = k->cur;
        set_thread_state(k, cur, TS_RESTART);
        if (call) {
            uint64_t *ibuf = lookup_ipc_buffer(k, cur, true);
            cur->ctx[R_BADGE] = 0;
            cur->ctx[R_MSGINFO] = set_mr(cur, ibuf, 0, c->paddr);
        }
        set_thread_state(k, cur, TS_RUNNING);
        return EXC_NONE;
    }
    default:
        return syserr(k, seL4_IllegalOperation);
    }
}

/* PageTable / PageDirectory / PDPT Map and Unmap. */
static exc decode_table(kernel *k, uint64_t label, unsigned length, cte *slot, const cap *c,
                        const uint64_t *buf)
{
    ptable *pt = cap_ptable(c);
    unsigned parent_level = pt->level + 1u;
    uint64_t map_label = c->type == CAP_PAGE_TABLE ? X86PageTableMap
                       : c->type == CAP_PAGE_DIRECTORY ? X86PageDirectoryMap : X86PDPTMap;
    uint64_t unmap_label = map_label + 1;

    if (label == unmap_label) {
        if (!is_final_capability(slot)) {
            user_error(k, "X86 paging structure: Cannot unmap if more than one cap exists.");
            return syserr(k, seL4_RevokeFirst);
        }
        set_thread_state(k, k->cur, TS_RESTART);
        if (c->is_mapped) {
            unmap_table(k, pt, c->asid, c->vaddr);
            table_clear(k, pt);
        }
        slot->cap.is_mapped = false;
        return EXC_NONE;
    }
    if (label != map_label) {
        user_error(k, "X86 paging structure: Illegal operation.");
        return syserr(k, seL4_IllegalOperation);
    }
    if (length < 2 || !k->extra_caps[0]) {
        user_error(k, "X86 paging structure: Truncated message.");
        return syserr(k, seL4_TruncatedMessage);
    }
    if (c->is_mapped) {
        user_error(k, "X86 paging structure: already mapped.");
        return syserr_cap(k, 0);
    }
    uint64_t vaddr = get_syscall_arg(k, 0, buf) & ~MASK(entry_bits(parent_level));
    ptable *vspace;
    uint64_t asid;
    if (decode_vspace_arg(k, &vspace, &asid) != EXC_NONE)
        return EXC_SYSCALL_ERROR;
    if (vaddr > USER_TOP) {
        user_error(k, "X86 paging structure: Mapping address too high.");
        return syserr_arg(k, 0);
    }
    if (check_asid_vspace(k, vspace, asid) != EXC_NONE)
        return EXC_SYSCALL_ERROR;
    ptable *parent = lookup_table(k, vspace, vaddr, parent_level);
    if (!parent)
        return syserr_lookup(k, false);
    unsigned i = table_index(vaddr, parent_level);
    if (parent->e[i] & PTE_PRESENT)
        return syserr(k, seL4_DeleteFirst);
    set_thread_state(k, k->cur, TS_RESTART);
    slot->cap.is_mapped = true;
    slot->cap.asid = (uint16_t)asid;
    slot->cap.vaddr = vaddr;
    link_table(k, parent, i, pt);
    return EXC_NONE;
}

exc decode_mmu(kernel *k, uint64_t label, unsigned length, cte *slot, const cap *c, bool call,
               const uint64_t *buf)
{
    switch (c->type) {
    case CAP_FRAME:
        return decode_frame(k, label, length, slot, c, call, buf);
    case CAP_PAGE_TABLE:
    case CAP_PAGE_DIRECTORY:
    case CAP_PDPT:
        return decode_table(k, label, length, slot, c, buf);
    default: /* PML4 */
        return syserr(k, seL4_IllegalOperation);
    }
}

/* Boot: map a frame or link a table directly (the root task's initial address space). */
void boot_map_table(kernel *k, ptable *pml4, ptable *t, uint64_t vaddr);
void boot_map_frame(kernel *k, ptable *pml4, uint64_t paddr, uint64_t vaddr);

void boot_map_table(kernel *k, ptable *pml4, ptable *t, uint64_t vaddr)
{
    unsigned parent_level = t->level + 1u;
    ptable *parent = lookup_table(k, pml4, vaddr, parent_level);
    if (parent)
        link_table(k, parent, table_index(vaddr, parent_level), t);
}

void boot_map_frame(kernel *k, ptable *pml4, uint64_t paddr, uint64_t vaddr)
{
    ptable *pt = lookup_table(k, pml4, vaddr, 1);
    if (pt)
        set_page_entry(k, pt, table_index(vaddr, 1), page_entry(paddr, VM_READ_WRITE, false));
}
