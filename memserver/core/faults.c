/*
 * VM faults of client threads: populate anonymous memory on first touch, break
 * copy-on-write sharing on a write, and record everything else for the supervisor.
 *
 * The common case, a first touch of private anonymous memory, costs one retype and one
 * map (plus the paging structures the first page of a 2 MiB / 1 GiB / 512 GiB area
 * needs); the kernel has already zeroed the new frame.  A kernel refusal (copy or map)
 * undoes what the fault made and reports MS_FAULT_KERNEL: the thread never sees a page
 * without its contents.
 */
#include "memserver/core/memserver.h"
#include "memserver/core/core.h"

/* x86 page-fault error code bits. */
#define PF_WRITE 2u
#define PF_FETCH 16u
/* Longest x86 instruction: a fault this close after the IP is its fetch. */
#define MAX_INSN 15u

static int report(struct ms_server *s, struct ms_as *as, uint32_t kind, const struct ms_region *r,
                  uint64_t addr, uint64_t ip, uint64_t code)
{
    s->stats.faults_reported++;
    if (as->fault_count == MS_FAULT_QUEUE) {
        as->faults_lost++;
    } else {
        struct ms_fault_report *f = &as->faults[(as->fault_head + as->fault_count) % MS_FAULT_QUEUE];
        f->kind = kind;
        f->rights = r ? r->rights : 0;
        f->addr = addr;
        f->ip = ip;
        f->code = code;
        as->fault_count++;
    }
    /* (The notification is the supervisor's cap: a refusal is its business, counted.) */
    if (as->notify && ms_k_signal(s, as->notify)) s->stats.signal_errors++;
    return 1;
}

/* Reserves `pages` new frames + `slots` slots and the paging structures for va; *tables
 * = how many paging structures (each a page and a slot) the fault will make. */
static int fault_need(struct ms_server *s, struct ms_as *as, uint64_t va, uint64_t pages,
                      uint64_t slots, struct ms_stash *st, uint64_t *tables)
{
    struct ms_tcount tc;
    ms_tcount_init(&tc);
    ms_tables_count(as, va, 0, &tc);
    struct ms_need n = { pages + tc.tables, 0, slots + tc.tables, tc.nodes, pages };
    int err = ms_need_check(s, as->owner, &n);
    if (!err && tc.nodes) err = ms_stash_fill(s, st, (uint32_t)tc.nodes);
    *tables = tc.tables;
    if (err == MS_ERR_QUOTA) return MS_FAULT_QUOTA;
    return err ? MS_FAULT_NO_MEMORY : 0;
}

/* A new 4 KiB frame holding a copy of page `off` of frame `src` (a zero page if src
 * is 0); 0 if the kernel refused (nothing left behind).  `tables`: the paging
 * structures the fault makes after it (reserved by fault_need, left free). */
static ms_slot_t frame_with(struct ms_server *s, ms_slot_t src, uint32_t off, uint64_t tables)
{
    ms_slot_t f = ms_frame_take(s, tables, tables);
    if (f && src && ms_k_copy_page(s, f, src, off)) {
        ms_kobj_free(s, f);
        return 0;
    }
    return f;
}

/* A write to a read-only copy-on-write page of a direct region: give it its own frame.
 * The old frame is unmapped only once the copy exists, and mapped again if the new one
 * cannot be. */
static int break_cow(struct ms_server *s, struct ms_as *as, struct ms_region *r, uint32_t *e,
                     uint64_t va, uint64_t tables)
{
    ms_slot_t old = MS_E_SLOT(*e);
    ms_slot_t f = frame_with(s, old, 0, tables);
    if (!f) return MS_FAULT_KERNEL;
    MS_CHECK(ms_k_unmap_frame(s, old) == 0); /* the server's own, mapped frame cap */
    if (ms_k_map_frame(s, f, as->pml4, va, r->rights, 1)) {
        if (ms_k_map_frame(s, old, as->pml4, va, r->rights & ~(unsigned)MS_RIGHT_W, 1))
            ms_as_broken(s, as); /* the page is gone from the kernel's view of the space */
        ms_kobj_free(s, f);
        return MS_FAULT_KERNEL;
    }
    if (MS_E_KIND(*e) == MS_E_COPY) {
        ms_cap_free(s, old);
        ms_uncharge(r->obj->owner, 0, 1);
    }
    *e = MS_E_MAKE(MS_E_OWN, f);
    ms_charge(r->obj->owner, 1, 1);
    return 0;
}

/* Maps a new entry `e` (frame `f`, charged `pages` + 1 slot) at va, or undoes it. */
static int map_new(struct ms_server *s, struct ms_as *as, struct ms_region *r, uint32_t *e, uint32_t entry,
                   uint64_t va, unsigned rights, uint64_t pages, struct ms_stash *st)
{
    *e = entry;
    ms_charge(r->obj->owner, pages, 1);
    if (!ms_map_frame(s, as, MS_E_SLOT(entry), va, rights, 0, r->obj->cached, st, 0)) return 0;
    ms_obj_drop_page(s, r->obj, (uint32_t)(e - r->obj->page));
    return MS_FAULT_KERNEL;
}

static int fault_direct(struct ms_server *s, struct ms_as *as, struct ms_region *r, uint64_t va,
                        int write, struct ms_stash *st)
{
    struct ms_object *o = r->obj;
    uint32_t idx = r->off + (uint32_t)((va - r->start) >> MS_PAGE_BITS);
    uint32_t *e = &o->page[idx];
    uint32_t kind = MS_E_KIND(ms_obj_entry(o, idx));
    if (kind == MS_E_BORROW || kind == MS_E_COPY) {
        if (!write) return MS_FAULT_ACCESS;
        uint64_t tables;
        int err = fault_need(s, as, va, 1, 1, st, &tables);
        return err ? err : break_cow(s, as, r, e, va, tables);
    }
    if (kind != MS_E_NONE) return MS_FAULT_ACCESS; /* mapped with the region's rights */
    const struct ms_object *where = 0;
    uint32_t off = 0;
    ms_slot_t src = o->backing ? ms_obj_find(o->backing, idx + o->backing_off, &where, &off) : 0;
    if (src && !write && off == 0) {
        /* Read of an inherited page: map a read-only copy of the lender's cap. */
        uint64_t tables;
        int err = fault_need(s, as, va, 0, 1, st, &tables);
        if (err) return err;
        ms_slot_t cp = ms_cap_copy(s, src);
        if (!cp) return MS_FAULT_KERNEL;
        return map_new(s, as, r, e, MS_E_MAKE(MS_E_COPY, cp), va, r->rights & ~(unsigned)MS_RIGHT_W, 0, st);
    }
    uint64_t tables;
    int err = fault_need(s, as, va, 1, 1, st, &tables);
    if (err) return err;
    ms_slot_t f = frame_with(s, src, off, tables);
    if (!f) return MS_FAULT_KERNEL; /* never a zero page in place of the contents */
    return map_new(s, as, r, e, MS_E_MAKE(MS_E_OWN, f), va, r->rights, 1, st);
}

static int fault_shared(struct ms_server *s, struct ms_as *as, struct ms_region *r, uint64_t va,
                        struct ms_stash *st)
{
    struct ms_object *o = r->obj;
    uint64_t i = (va - r->start) >> MS_PAGE_BITS;
    if (r->caps[i]) return MS_FAULT_ACCESS;
    uint32_t *e = &o->page[r->off + i];
    int populate = *e == 0;
    uint64_t tables;
    int err = fault_need(s, as, va, populate ? 1 : 0, populate ? 2 : 1, st, &tables);
    if (err) return err;
    if (populate) {
        ms_slot_t m = ms_frame_take(s, tables, tables + 1); /* + the mapped copy's slot */
        if (!m) return MS_FAULT_KERNEL;
        *e = MS_E_MAKE(MS_E_OWN, m);
        ms_charge(o->owner, 1, 1);
    }
    ms_slot_t cp = ms_cap_copy(s, MS_E_SLOT(*e));
    if (cp && !ms_map_frame(s, as, cp, va, r->rights, 0, o->cached, st, 0)) {
        r->caps[i] = cp;
        ms_charge(as->owner, 0, 1);
        return 0;
    }
    if (cp) ms_cap_free(s, cp);
    if (populate) ms_obj_drop_page(s, o, r->off + (uint32_t)i);
    return MS_FAULT_KERNEL;
}

/* The common case, a first touch of private memory with nothing behind it where the page
 * table exists and a frame is retyped already: one map invocation, nothing to reserve.
 * Returns -1 if it is not that case (nothing done). */
static int fault_fast(struct ms_server *s, struct ms_as *as, struct ms_region *r, uint64_t va)
{
    struct ms_object *o = r->obj;
    uint32_t idx = r->off + (uint32_t)((va - r->start) >> MS_PAGE_BITS);
    struct ms_client *c = o->owner;
    if (o->backing || ms_obj_entry(o, idx) || !s->spare_count ||
        !ms_quota_fits(c->quota.pages_used, 1, c->quota.pages_limit) ||
        !ms_quota_fits(c->quota.slots_used, 1, c->quota.slots_limit))
        return -1;
    struct ms_pt_ref *pt = ms_pt_find(as, va);
    if (!pt) return -1;
    /* The frame is taken from the spare run only once it is mapped. */
    ms_slot_t f = s->spare_first;
    if (ms_k_map_frame(s, f, as->pml4, va, r->rights, o->cached)) return MS_FAULT_KERNEL;
    s->spare_first++;
    s->spare_count--;
    pt->count++;
    o->page[idx] = MS_E_MAKE(MS_E_OWN, f);
    c->quota.pages_used++; /* (both fit, checked above) */
    c->quota.slots_used++;
    return 0;
}

/* Large pages on demand: the first touch of a 2 MiB-aligned block wholly inside a private
 * region of plain anonymous memory (no backing object, not MS_MAP_4K), with nothing
 * mapped in the block yet, maps a 2 MiB frame (charged 512 pages + 1 slot) if the quota
 * and an empty 2 MiB chunk allow; else -1 (nothing done: 4 KiB pages then). */
static int fault_large(struct ms_server *s, struct ms_as *as, struct ms_region *r, uint64_t va)
{
    struct ms_object *o = r->obj;
    uint64_t bva = va & ~(MS_LARGE_SIZE - 1);
    if (r->small || o->backing || o->kind != MS_OBJK_ANON || bva < r->start || bva + MS_LARGE_SIZE > r->end)
        return -1;
    uint32_t i = r->off + (uint32_t)((bva - r->start) >> MS_PAGE_BITS);
    if ((i & (MS_PAGES_PER_LARGE - 1)) || ms_pt_present(as, bva)) return -1;
    for (uint32_t k = 0; k < MS_PAGES_PER_LARGE; k++)
        if (o->page[i + k]) return -1;
    struct ms_tcount tc;
    ms_tcount_init(&tc);
    ms_tables_count(as, bva, 1, &tc);
    struct ms_need n = { tc.tables, 1, 1 + tc.tables, tc.nodes, 0 };
    struct ms_stash st = { 0, 0 };
    if (ms_need_check(s, o->owner, &n) || (tc.nodes && ms_stash_fill(s, &st, (uint32_t)tc.nodes))) return -1;
    ms_slot_t f = ms_kobj_new(s, MS_KOBJ_FRAME_2M);
    int err = f ? ms_map_frame(s, as, f, bva, r->rights, 1, o->cached, &st, 0) : MS_ERR_KERNEL;
    ms_stash_drain(s, &st);
    if (err) {
        if (f) ms_kobj_free(s, f);
        return MS_FAULT_KERNEL;
    }
    o->page[i] = MS_E_MAKE(MS_E_LARGE, f);
    ms_charge(o->owner, MS_PAGES_PER_LARGE, 1);
    s->stats.large_frames_mapped++;
    return 0;
}

static int fill_slow(struct ms_server *s, struct ms_as *as, struct ms_region *r, uint64_t va, int write)
{
    struct ms_stash st = { 0, 0 };
    int kind = ms_region_direct(r) ? fault_direct(s, as, r, va, write, &st)
                                   : fault_shared(s, as, r, va, &st);
    ms_stash_drain(s, &st);
    return kind;
}

int ms_fill_page(struct ms_server *s, struct ms_as *as, struct ms_region *r, uint64_t va, int write)
{
    int kind = ms_region_direct(r) ? fault_fast(s, as, r, va) : -1;
    return kind >= 0 ? kind : fill_slow(s, as, r, va, write);
}

/* seL4 on x86 reports every page fault as a data fault (no prefetch flag) and without
 * NX the error code has no fetch bit: a fault at most 15 bytes after the IP is taken
 * to be the instruction fetch. */
static int is_fetch(uint64_t addr, uint64_t ip, uint64_t code)
{
    return (code & PF_FETCH) || (addr >= ip && addr - ip < MAX_INSN);
}

int ms_vm_fault(struct ms_server *s, uint64_t badge, uint64_t addr, uint64_t ip, uint64_t code)
{
    struct ms_as *as;
    if (ms_as_from_fault_badge(s, badge, &as)) return 1; /* no such space: nobody to tell */
    struct ms_region *r = addr < MS_USER_TOP ? ms_regions_at(as, addr) : 0;
    if (!r) return report(s, as, MS_FAULT_UNMAPPED, 0, addr, ip, code);
    if (r->kind == MS_REG_GUARD) return report(s, as, MS_FAULT_GUARD, r, addr, ip, code);
    int write = (code & PF_WRITE) != 0;
    if (write && !(r->rights & MS_RIGHT_W)) return report(s, as, MS_FAULT_WRITE_RO, r, addr, ip, code);
    if (!write && is_fetch(addr, ip, code) && !(r->rights & MS_RIGHT_X))
        return report(s, as, MS_FAULT_EXEC_NX, r, addr, ip, code);
    if (as->broken) return report(s, as, MS_FAULT_KERNEL, r, addr, ip, code);
    /* ms_fill_page, and 2 MiB frames on demand (only here: PAGE_CAP wants a 4 KiB page).
     * The short path needs a page table, which rules a 2 MiB frame out anyway. */
    uint64_t va = addr & ~(MS_PAGE_SIZE - 1);
    int kind = -1;
    if (ms_region_direct(r) && (kind = fault_fast(s, as, r, va)) < 0) kind = fault_large(s, as, r, va);
    if (kind < 0) kind = fill_slow(s, as, r, va, write);
    if (kind) return report(s, as, (uint32_t)kind, r, addr, ip, code);
    s->stats.faults_fixed++;
    return 0;
}

int ms_other_fault(struct ms_server *s, uint64_t badge, uint64_t type, uint64_t ip)
{
    struct ms_as *as;
    if (ms_as_from_fault_badge(s, badge, &as)) return 1;
    return report(s, as, MS_FAULT_OTHER, 0, 0, ip, type);
}

/* FAULT_GET: decode is the owner's lookup and a recorded fault; the invoke hands out
 * the oldest one and cannot fail. */
static int decode_fault_get(struct ms_server *s, struct ms_client *c, uint32_t handle, struct ms_as **as)
{
    int err = ms_as_lookup(s, c, handle, as);
    if (!err && !(*as)->fault_count) err = MS_ERR_NO_FAULT;
    return err;
}

static void invoke_fault_get(struct ms_as *as, struct ms_fault_info *out)
{
    const struct ms_fault_report *f = &as->faults[as->fault_head];
    out->kind = f->kind;
    out->rights = f->rights;
    out->addr = f->addr;
    out->ip = f->ip;
    out->code = f->code;
    out->lost = as->faults_lost;
    as->fault_head = (as->fault_head + 1) % MS_FAULT_QUEUE;
    as->fault_count--;
    as->faults_lost = 0;
}

int ms_fault_get(struct ms_server *s, struct ms_client *c, uint32_t handle, struct ms_fault_info *out)
{
    struct ms_as *as;
    int err = decode_fault_get(s, c, handle, &as);
    if (!err) invoke_fault_get(as, out);
    return err;
}
