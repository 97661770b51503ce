/*
 * Address spaces: one unicorn engine each, with x86 4-level page tables (see
 * space.h for the physical layout and why).  space_map and space_unmap only edit
 * page-table entries: frames in RAM need no unicorn region of their own, so the
 * number of regions stays small however many pages are mapped.  Everything about
 * a mapping lives in its page-table entry: the frame's physical address, writable
 * (the hardware bit), and readable/executable in bits the CPU ignores.
 */
#include "space.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include "x86_bits.h"
#include "x86_length.h"

#define PAGE 4096u
#define PTE_P 0x1ull
#define PTE_RW 0x2ull
#define PTE_US 0x4ull
#define PTE_A 0x20ull
#define PTE_D 0x40ull
#define PTE_SIM_READ (1ull << 9)  /* available-to-software bits */
#define PTE_SIM_EXEC (1ull << 10)
#define PTE_ADDR 0x000FFFFFFFFFF000ull
#define USER_TOP 0x0000800000000000ull
#define PHYS_TOP 0x0000010000000000ull

static uint64_t filler_read(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
    (void)uc;
    (void)off;
    (void)size;
    (void)user;
    return 0;
}

static void filler_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t v, void *user)
{
    (void)uc;
    (void)off;
    (void)size;
    (void)v;
    (void)user;
}

int space_add_filler(sim_space *s, uint64_t vaddr)
{
    uint64_t page = vaddr & ~(uint64_t)(PAGE - 1);
    if (s->nfillers == s->fcap) {
        size_t ncap = s->fcap ? s->fcap * 2 : 8;
        uint64_t *n = realloc(s->fillers, ncap * sizeof *n);
        if (n == NULL) {
            return -1;
        }
        s->fillers = n;
        s->fcap = ncap;
    }
    if (uc_mmio_map(s->uc, page, PAGE, filler_read, NULL, filler_write, NULL) != UC_ERR_OK ||
        uc_mem_protect(s->uc, page, PAGE, UC_PROT_ALL) != UC_ERR_OK) {
        return -1;
    }
    s->fillers[s->nfillers++] = page;
    return 0;
}

void space_drop_fillers(sim_space *s)
{
    for (size_t i = 0; i < s->nfillers; i++) {
        uc_mem_unmap(s->uc, s->fillers[i], PAGE);
    }
    s->nfillers = 0;
}

void space_flush_tlb(sim_space *s)
{
    /* Mapping a region flushes the whole TLB (and the jump cache) in unicorn; with
     * few regions this is cheap.  (Writing CR3 through uc_reg_write does not.) */
    uc_mem_unmap(s->uc, SPACE_RESERVED_BASE, PAGE);
    uc_mem_map_ptr(s->uc, SPACE_RESERVED_BASE, PAGE, UC_PROT_ALL, s->flush_page);
    s->tlb_stale = false;
}

void space_sync_tlb(sim_space *s)
{
    if (s->tlb_stale) {
        space_flush_tlb(s);
    }
}

/* The slot holding vaddr: its index, or where it would go (*found false). */
static size_t slot_find(const sim_space *s, uint64_t vaddr, bool *found)
{
    uint64_t vbase = vaddr >> SPACE_SLOT_BITS << SPACE_SLOT_BITS;
    size_t lo = 0, hi = s->nslots;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->slots[mid].vbase < vbase) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *found = lo < s->nslots && s->slots[lo].vbase == vbase;
    return lo;
}

/* The host reservation of vaddr's slot, creating the slot if needed. */
static uint8_t *slot_host(sim_space *s, uint64_t vaddr)
{
    const uint64_t size = 1ull << SPACE_SLOT_BITS;
    bool found;
    size_t i = slot_find(s, vaddr, &found);
    if (found) {
        return s->slots[i].host;
    }
    if (s->nslots == s->scap) {
        size_t ncap = s->scap ? s->scap * 2 : 8;
        space_slot *n = realloc(s->slots, ncap * sizeof *n);
        if (n == NULL) {
            return NULL;
        }
        s->slots = n;
        s->scap = ncap;
    }
    void *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        return NULL;
    }
    space_slot slot = { vaddr >> SPACE_SLOT_BITS << SPACE_SLOT_BITS, p };
    if (uc_mem_map_ptr(s->uc, slot.vbase, (size_t)size, UC_PROT_ALL, p) != UC_ERR_OK) {
        munmap(p, (size_t)size);
        return NULL;
    }
    memmove(&s->slots[i + 1], &s->slots[i], (s->nslots - i) * sizeof slot);
    s->slots[i] = slot;
    s->nslots++;
    return p;
}

/* Host address of frame id `id` (see ram.c). */
static uint8_t *frame_host(const sim_space *s, uint64_t id)
{
    if (s->scratch_host != NULL && id == SPACE_SCRATCH_ID) {
        return s->scratch_host;
    }
    return ram_frame_host(id);
}

static uint64_t *pt_alloc(sim_space *s, uint64_t *phys)
{
    uint32_t idx;
    if (s->npt_free > 0) {
        idx = s->pt_free[--s->npt_free];
    } else if (s->pt_used < SPACE_PT_PAGES) {
        idx = s->pt_used++;
    } else {
        return NULL;
    }
    s->pt_count[idx] = 0;
    *phys = SPACE_PT_PHYS + (uint64_t)idx * PAGE;
    return (uint64_t *)(void *)(s->pt + (uint64_t)idx * PAGE);
}

static void pt_free(sim_space *s, uint64_t phys)
{
    uint32_t idx = (uint32_t)((phys - SPACE_PT_PHYS) / PAGE);
    if (s->npt_free == s->pt_free_cap) {
        uint32_t ncap = s->pt_free_cap ? s->pt_free_cap * 2 : 64;
        uint32_t *n = realloc(s->pt_free, ncap * sizeof *n);
        if (n == NULL) {
            return; /* the page is lost to this space, nothing else */
        }
        s->pt_free = n;
        s->pt_free_cap = ncap;
    }
    s->pt_free[s->npt_free++] = idx;
}

static uint64_t *pt_table(const sim_space *s, uint64_t entry)
{
    return (uint64_t *)(void *)(s->pt + ((entry & PTE_ADDR) - SPACE_PT_PHYS));
}

static uint16_t *pt_count_of(const sim_space *s, const uint64_t *table)
{
    return &s->pt_count[((const uint8_t *)table - s->pt) / PAGE];
}

static unsigned pt_index(uint64_t vaddr, int level)
{
    return (unsigned)((vaddr >> (12 + 9 * level)) & 511u);
}

/* The leaf entry for vaddr; NULL if a table on the way is missing (and not
 * `create`d, or the page-table area is full). */
static uint64_t *pte_of(sim_space *s, uint64_t vaddr, bool create)
{
    uint64_t *table = s->pml4;
    for (int level = 3; level >= 1; level--) {
        uint64_t *e = &table[pt_index(vaddr, level)];
        if (!(*e & PTE_P)) {
            if (!create) {
                return NULL;
            }
            uint64_t phys;
            if (pt_alloc(s, &phys) == NULL) {
                return NULL;
            }
            *e = phys | PTE_P | PTE_RW | PTE_US;
            (*pt_count_of(s, table))++;
        }
        table = pt_table(s, *e);
    }
    return &table[pt_index(vaddr, 0)];
}

/* The leaf entry of vaddr's page, 0 if not mapped. */
static uint64_t leaf_of(const sim_space *s, uint64_t vaddr)
{
    if (vaddr >= USER_TOP) {
        return 0;
    }
    const uint64_t *table = s->pml4;
    for (int level = 3; level >= 1; level--) {
        uint64_t e = table[pt_index(vaddr, level)];
        if (!(e & PTE_P)) {
            return 0;
        }
        table = pt_table(s, e);
    }
    return table[pt_index(vaddr, 0)];
}

static unsigned leaf_prot(uint64_t e)
{
    return ((e & PTE_SIM_READ) ? SIM_PROT_READ : 0u) | ((e & PTE_RW) ? SIM_PROT_WRITE : 0u) |
           ((e & PTE_SIM_EXEC) ? SIM_PROT_EXEC : 0u);
}

/* Host address of vaddr and its page's SIM_PROT_* bits; NULL if not mapped. */
static uint8_t *page_host(const sim_space *s, uint64_t vaddr, unsigned *prot)
{
    uint64_t e = leaf_of(s, vaddr);
    if (!(e & PTE_P)) {
        return NULL;
    }
    uint8_t *h = frame_host(s, e & PTE_ADDR);
    if (h == NULL) {
        return NULL;
    }
    if (prot != NULL) {
        *prot = leaf_prot(e);
    }
    return h + (vaddr & (PAGE - 1));
}

/* ---- frame counts (see space.h) ---- */

static uint32_t fc_slot(uint64_t key, uint32_t cap)
{
    return (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1);
}

static uint32_t frame_mapped(const sim_space *s, uint64_t id)
{
    if (s->frames_cap == 0) {
        return 0;
    }
    uint64_t key = id + 1;
    for (uint32_t i = fc_slot(key, s->frames_cap), n = 0; n < s->frames_cap;
         i = (i + 1) & (s->frames_cap - 1), n++) {
        if (s->frames[i].key == key) {
            return s->frames[i].count;
        }
        if (s->frames[i].key == 0) {
            return 0;
        }
    }
    return 0;
}

static void frame_insert(frame_count *t, uint32_t cap, uint64_t key, uint32_t count)
{
    uint32_t i = fc_slot(key, cap);
    while (t[i].key != 0 && t[i].key != key) {
        i = (i + 1) & (cap - 1);
    }
    t[i].key = key;
    t[i].count = count;
}

/* One more mapping of frame `id`; -1 on host OOM (the count is then unknown). */
static int frame_ref(sim_space *s, uint64_t id)
{
    uint64_t key = id + 1;
    if ((s->frames_n + 1) * 2 > s->frames_cap) {
        uint32_t ncap = s->frames_cap ? s->frames_cap * 2 : 1024;
        frame_count *n = calloc(ncap, sizeof *n);
        if (n == NULL) {
            return -1;
        }
        for (uint32_t i = 0; i < s->frames_cap; i++) {
            if (s->frames[i].key != 0) {
                frame_insert(n, ncap, s->frames[i].key, s->frames[i].count);
            }
        }
        free(s->frames);
        s->frames = n;
        s->frames_cap = ncap;
    }
    uint32_t c = frame_mapped(s, id);
    if (c == 0) {
        s->frames_n++;
    }
    frame_insert(s->frames, s->frames_cap, key, c + 1);
    return 0;
}

/* One mapping of frame `id` fewer (linear probing, backward-shift deletion). */
static void frame_unref(sim_space *s, uint64_t id)
{
    if (s->frames_cap == 0) {
        return;
    }
    uint64_t key = id + 1;
    uint32_t mask = s->frames_cap - 1, i = fc_slot(key, s->frames_cap);
    for (uint32_t n = 0; s->frames[i].key != key; n++) {
        if (s->frames[i].key == 0 || n >= s->frames_cap) {
            return;
        }
        i = (i + 1) & mask;
    }
    if (--s->frames[i].count > 0) {
        return;
    }
    s->frames_n--;
    /* Move later entries of the run back into the hole where they belong. */
    uint32_t hole = i;
    for (uint32_t j = (i + 1) & mask, n = 0; s->frames[j].key != 0 && n < s->frames_cap;
         j = (j + 1) & mask, n++) {
        uint32_t home = fc_slot(s->frames[j].key, s->frames_cap);
        /* j may move to the hole if its home is not in (hole, j] (cyclically). */
        bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            s->frames[hole] = s->frames[j];
            hole = j;
        }
    }
    s->frames[hole].key = 0;
    s->frames[hole].count = 0;
}

/* The engine of a new space: unicorn, the reserved regions, CPL 3 (cpu.c). */
static int engine_open(sim_space *s)
{
    if (uc_open(UC_ARCH_X86, UC_MODE_64, &s->uc) != UC_ERR_OK) {
        s->uc = NULL;
        return -1;
    }
    if (uc_mem_map_ptr(s->uc, SPACE_RESERVED_BASE, PAGE, UC_PROT_ALL, s->flush_page) !=
            UC_ERR_OK ||
        uc_mem_map_ptr(s->uc, SPACE_PT_PHYS, (size_t)SPACE_PT_BYTES, UC_PROT_ALL, s->pt) !=
            UC_ERR_OK ||
        (s->pml4 = pt_alloc(s, &s->pml4_phys)) == NULL ||
        uc_context_alloc(s->uc, &s->ctx) != UC_ERR_OK || cpu_engine_init(s) != 0) {
        return -1;
    }
    return 0;
}

sim_space *space_create(void)
{
    sim_space *s = calloc(1, sizeof *s);
    if (s == NULL) {
        return NULL;
    }
    s->blocks = calloc(BLOCK_CACHE_SIZE, sizeof *s->blocks);
    s->pt_count = calloc(SPACE_PT_PAGES, sizeof *s->pt_count);
    s->flush_page = aligned_alloc(PAGE, PAGE);
    void *pt = mmap(NULL, (size_t)SPACE_PT_BYTES, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    s->pt = pt == MAP_FAILED ? NULL : pt;
    s->gen = 1;
    if (s->blocks == NULL || s->pt_count == NULL || s->flush_page == NULL || s->pt == NULL) {
        space_destroy(s);
        return NULL;
    }
    memset(s->flush_page, 0, PAGE);
    /* Unicorn maps a 1 GiB translation buffer per engine and writes its start while
     * setting up; with transparent huge pages (THP "always") that first write costs a
     * 2 MiB page to find and clear: ~4 ms and 2 MiB of RSS per engine once several
     * engines live.  The engine is set up with THP off for this process; code
     * translated later, past that first 2 MiB, gets whatever the system gives. */
    int thp_off = prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0);
    if (thp_off == 0) {
        prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    int ok = engine_open(s);
    if (thp_off == 0) {
        prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);
    }
    if (ok != 0) {
        space_destroy(s);
        return NULL;
    }
    return s;
}

void space_destroy(sim_space *s)
{
    if (s == NULL) {
        return;
    }
    if (s->ctx != NULL) {
        uc_context_free(s->ctx);
    }
    if (s->uc != NULL) {
        uc_close(s->uc);
    }
    for (size_t i = 0; i < s->nslots; i++) {
        munmap(s->slots[i].host, (size_t)1 << SPACE_SLOT_BITS);
    }
    if (s->pt != NULL) {
        munmap(s->pt, (size_t)SPACE_PT_BYTES);
    }
    free(s->slots);
    free(s->pt_count);
    free(s->pt_free);
    free(s->frames);
    free(s->fillers);
    free(s->blocks);
    free(s->flush_page);
    free(s->gdt_host);
    align_fini(s);
    free(s);
}

/* Cached block facts computed before a mapping change may be wrong now. */
static void bump_gen(sim_space *s)
{
    if (++s->gen == 0) {
        memset(s->blocks, 0, BLOCK_CACHE_SIZE * sizeof *s->blocks);
        s->gen = 1;
    }
}

static bool mappable(uint64_t vaddr, uint64_t size)
{
    if (vaddr >= USER_TOP || size > USER_TOP - vaddr) {
        return false;
    }
    return vaddr + size <= SPACE_RESERVED_BASE || vaddr >= SPACE_RESERVED_END;
}

/* Writes the entries for [vaddr, vaddr+size) -> frame ids [id, id+size), creating
 * tables; the range must be unmapped (checked first: a failure changes nothing
 * but possibly leaves empty tables). */
static int set_entries(sim_space *s, uint64_t vaddr, uint64_t id, uint64_t size, unsigned prot)
{
    for (uint64_t off = 0; off < size; off += PAGE) {
        uint64_t *pte = pte_of(s, vaddr + off, true);
        if (pte == NULL || (*pte & PTE_P)) {
            return -1; /* out of table pages, or overlaps */
        }
    }
    uint64_t flags = PTE_P | PTE_US | PTE_A | PTE_D | ((prot & SIM_PROT_WRITE) ? PTE_RW : 0) |
                     ((prot & SIM_PROT_READ) ? PTE_SIM_READ : 0) |
                     ((prot & SIM_PROT_EXEC) ? PTE_SIM_EXEC : 0);
    uint64_t *pte = NULL;
    for (uint64_t off = 0; off < size; off += PAGE) {
        /* Consecutive entries of one table need no walk. */
        if (pte == NULL || ((vaddr + off) & (512ull * PAGE - 1)) == 0) {
            pte = pte_of(s, vaddr + off, false);
        } else {
            pte++;
        }
        *pte = (id + off) | flags;
        const uint64_t *table = (const uint64_t *)((uintptr_t)pte & ~(uintptr_t)(PAGE - 1));
        (*pt_count_of(s, table))++;
    }
    return 0;
}

int space_map(sim_space *s, uint64_t vaddr, void *host, uint64_t size, unsigned prot)
{
    int fd;
    uint64_t off, id;
    if (size == 0 || (vaddr & (PAGE - 1)) != 0 || (size & (PAGE - 1)) != 0 ||
        ((uintptr_t)host & (PAGE - 1)) != 0 || !mappable(vaddr, size) ||
        ram_frame_of(host, size, &fd, &off, &id) != 0) {
        return -1;
    }
    for (uint64_t a = 0; a < size; a += PAGE) {
        if (leaf_of(s, vaddr + a) & PTE_P) {
            return -1; /* overlaps */
        }
    }
    /* Alias the frames into the slots, one piece per slot. */
    for (uint64_t done = 0; done < size;) {
        uint64_t v = vaddr + done;
        uint64_t slot_end = (v >> SPACE_SLOT_BITS << SPACE_SLOT_BITS) + (1ull << SPACE_SLOT_BITS);
        uint64_t n = size - done < slot_end - v ? size - done : slot_end - v;
        uint8_t *base = slot_host(s, v);
        if (base == NULL) {
            return -1;
        }
        uint8_t *at = base + (v & ((1ull << SPACE_SLOT_BITS) - 1));
        if (mmap(at, (size_t)n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
                 (off_t)(off + done)) == MAP_FAILED) {
            return -1;
        }
        done += n;
    }
    if (set_entries(s, vaddr, id, size, prot) != 0) {
        return -1;
    }
    for (uint64_t a = 0; a < size; a += PAGE) {
        if (frame_ref(s, id + a) != 0) {
            break; /* counts unknown: aliases may go unchecked */
        }
    }
    /* The frame may hold other code than when the engine last translated there. */
    if (prot & SIM_PROT_EXEC) {
        space_invalidate_code(s, vaddr, vaddr + size);
    }
    bump_gen(s);
    return 0;
}

int space_map_scratch(sim_space *s, uint64_t vaddr, uint8_t *page)
{
    bool found;
    slot_find(s, vaddr, &found);
    if (found || s->scratch_host != NULL ||
        uc_mem_map_ptr(s->uc, vaddr, PAGE, UC_PROT_ALL, page) != UC_ERR_OK) {
        return -1;
    }
    s->scratch_host = page;
    if (set_entries(s, vaddr, SPACE_SCRATCH_ID, PAGE,
                    SIM_PROT_READ | SIM_PROT_WRITE | SIM_PROT_EXEC) != 0) {
        return -1;
    }
    bump_gen(s);
    return 0;
}

int space_map_gdt(sim_space *s, uint8_t *page)
{
    if (s->gdt_host != NULL ||
        uc_mem_map_ptr(s->uc, SPACE_GDT_VADDR, PAGE, UC_PROT_READ | UC_PROT_WRITE, page) !=
            UC_ERR_OK) {
        return -1;
    }
    s->gdt_host = page;
    uint64_t *pte = pte_of(s, SPACE_GDT_VADDR, true);
    if (pte == NULL) {
        return -1;
    }
    /* Supervisor only: the CPU reads descriptors, user code cannot. */
    *pte = SPACE_GDT_ID | PTE_P | PTE_RW | PTE_A | PTE_D;
    space_flush_tlb(s);
    return 0;
}

void space_unmap_scratch(sim_space *s, uint64_t vaddr)
{
    space_invalidate_code(s, vaddr, vaddr + PAGE);
    space_unmap(s, vaddr, PAGE);
    uc_mem_unmap(s->uc, vaddr, PAGE);
    s->scratch_host = NULL;
    space_flush_tlb(s);
}

void space_unmap(sim_space *s, uint64_t vaddr, uint64_t size)
{
    if (size == 0 || vaddr >= USER_TOP) {
        return;
    }
    uint64_t end = size > USER_TOP - vaddr ? USER_TOP : vaddr + size;
    uint64_t a = vaddr & ~(uint64_t)(PAGE - 1);
    bool changed = false;
    /* Each pass clears one page or skips what a missing table would map: bounded
     * by the number of pages and tables in the range. */
    while (a < end) {
        uint64_t *e4 = &s->pml4[pt_index(a, 3)];
        if (!(*e4 & PTE_P)) {
            a = (a | ((1ull << 39) - 1)) + 1;
            continue;
        }
        uint64_t *pdpt = pt_table(s, *e4);
        uint64_t *e3 = &pdpt[pt_index(a, 2)];
        if (!(*e3 & PTE_P)) {
            a = (a | ((1ull << 30) - 1)) + 1;
            continue;
        }
        uint64_t *pd = pt_table(s, *e3);
        uint64_t *e2 = &pd[pt_index(a, 1)];
        if (!(*e2 & PTE_P)) {
            a = (a | ((1ull << 21) - 1)) + 1;
            continue;
        }
        uint64_t *pt = pt_table(s, *e2);
        uint64_t *e1 = &pt[pt_index(a, 0)];
        a += PAGE;
        if (!(*e1 & PTE_P)) {
            continue;
        }
        if ((*e1 & PTE_ADDR) != SPACE_SCRATCH_ID) {
            frame_unref(s, *e1 & PTE_ADDR);
        }
        *e1 = 0;
        changed = true;
        /* Give back tables that became empty (not the PML4). */
        if (--*pt_count_of(s, pt) != 0) {
            continue;
        }
        pt_free(s, *e2 & PTE_ADDR);
        *e2 = 0;
        if (--*pt_count_of(s, pd) != 0) {
            continue;
        }
        pt_free(s, *e3 & PTE_ADDR);
        *e3 = 0;
        if (--*pt_count_of(s, pdpt) != 0) {
            continue;
        }
        pt_free(s, *e4 & PTE_ADDR);
        *e4 = 0;
        --*pt_count_of(s, s->pml4);
    }
    if (changed) {
        s->tlb_stale = true;
        bump_gen(s);
    }
}

const uint8_t *space_slot_alias(const sim_space *s, uint64_t vaddr, uint64_t len)
{
    bool found;
    size_t i = slot_find(s, vaddr, &found);
    uint64_t off = vaddr & ((1ull << SPACE_SLOT_BITS) - 1);
    if (!found || len > (1ull << SPACE_SLOT_BITS) - off) {
        return NULL;
    }
    return s->slots[i].host + off;
}

void *space_host_ptr(const sim_space *s, uint64_t vaddr, uint64_t len, unsigned *prot)
{
    unsigned p0 = 0;
    uint8_t *h = page_host(s, vaddr, &p0);
    if (h == NULL || (len > 0 && vaddr + (len - 1) < vaddr)) {
        return NULL;
    }
    uint64_t last = len > 0 ? vaddr + (len - 1) : vaddr;
    /* Every further page: mapped, same rights, host-contiguous. */
    for (uint64_t p = (vaddr & ~(uint64_t)(PAGE - 1)) + PAGE; p <= last && p != 0; p += PAGE) {
        unsigned pp = 0;
        uint8_t *q = page_host(s, p, &pp);
        if (q == NULL || pp != p0 || q != h + (p - vaddr)) {
            return NULL;
        }
    }
    if (prot != NULL) {
        *prot = p0;
    }
    return h;
}

bool space_prot(const sim_space *s, uint64_t vaddr, unsigned *prot)
{
    return page_host(s, vaddr, prot) != NULL;
}

void space_invalidate_code(sim_space *s, uint64_t start, uint64_t end)
{
    /* Unicorn finds the code through the emulator's TLB: it must be current. */
    space_sync_tlb(s);
    for (uint64_t p = start & ~(uint64_t)(PAGE - 1); p < end; p += PAGE) {
        unsigned prot = 0;
        if (space_prot(s, p, &prot) && (prot & SIM_PROT_EXEC)) {
            uint64_t a = p > start ? p : start;
            uint64_t b = p + PAGE < end ? p + PAGE : end;
            uc_ctl_remove_cache(s->uc, a, b);
        }
        if (p + PAGE < p) {
            break;
        }
    }
}

size_t space_read(const sim_space *s, uint64_t vaddr, uint8_t *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        const uint8_t *h = page_host(s, vaddr + done, NULL);
        if (h == NULL) {
            break;
        }
        uint64_t n = PAGE - ((vaddr + done) & (PAGE - 1));
        if (n > len - done) {
            n = len - done;
        }
        memcpy(buf + done, h, (size_t)n);
        done += (size_t)n;
    }
    return done;
}

/* Whether the page of addr is mapped executable; *known caches the last such page. */
static bool executable(const sim_space *s, uint64_t addr, uint64_t *known)
{
    uint64_t page = addr & ~(uint64_t)(PAGE - 1);
    unsigned prot = 0;
    if (page == *known) {
        return true;
    }
    if (space_prot(s, addr, &prot) && (prot & SIM_PROT_EXEC)) {
        *known = page;
        return true;
    }
    return false;
}

/* Walks instructions from `start`: stops after `max_n` instructions or at/after
 * `end`, whichever comes first.  *pos receives the address reached.  If `e` is
 * given, also records the first instruction cpu.c must handle itself. */
static uint64_t walk(sim_space *s, uint64_t start, uint64_t end, uint64_t max_n,
                     uint64_t *pos, block_entry *e)
{
    uint8_t buf[512];
    uint64_t n = 0, pc = start;
    size_t have = 0;
    uint64_t buf_at = start;
    uint64_t exec_page = 1; /* a page known to be executable (1: none yet) */
    /* Bounded: every step advances pc by at least one byte or stops. */
    while (pc < end && n < max_n) {
        if (pc + X86_MAX_INSN_LEN > buf_at + have) {
            buf_at = pc;
            have = space_read(s, pc, buf, sizeof buf);
        }
        const uint8_t *code = buf + (pc - buf_at);
        size_t avail = have - (size_t)(pc - buf_at);
        unsigned len = x86_insn_length(code, avail);
        if (e != NULL && e->stop_kind == STOP_NONE) {
            /* Executable?  Every byte of the instruction must be. */
            uint64_t last = pc + (len ? len : 1) - 1;
            bool x1 = executable(s, pc, &exec_page);
            bool x2 = executable(s, last, &exec_page);
            if (!x1 || !x2) {
                e->stop_kind = STOP_NX;
                e->stop_idx = (uint16_t)n;
                e->stop_addr = x1 ? (last & ~(uint64_t)(PAGE - 1)) : pc;
            } else if (len != 0) {
                align_note(s, pc, code, len);
                unsigned cls = x86_insn_class(code, len);
                x86_bits_insn bits;
                if (cls == X86_CLASS_OTHER && x86_bits_decode(code, len, &bits)) {
                    e->stop_kind = STOP_BITS; /* popcnt, bsf, bsr: cpu.c runs them */
                    e->stop_idx = (uint16_t)n;
                } else if (cls != X86_CLASS_OTHER) {
                    e->stop_kind = cls == X86_CLASS_IO      ? STOP_IO
                                   : cls == X86_CLASS_RDTSC ? STOP_RDTSC
                                                            : STOP_UD;
                    e->stop_idx = (uint16_t)n;
                }
            }
        }
        n++;
        if (len == 0) {
            pc = end; /* undecodable: it can only be the last instruction */
            break;
        }
        pc += len;
    }
    *pos = pc;
    return n;
}

uint64_t space_count_insns(sim_space *s, uint64_t start, uint64_t end)
{
    uint64_t pos;
    if (end <= start) {
        return 0;
    }
    return walk(s, start, end, UINT64_MAX, &pos, NULL);
}

uint64_t space_skip_insns(sim_space *s, uint64_t start, uint64_t n)
{
    uint64_t pos;
    walk(s, start, UINT64_MAX, n, &pos, NULL);
    return pos;
}

/* Index of the first instruction in [start, end) that needs the FPU (#NM with
 * CR0.TS), or the number of instructions there if none does. */
uint64_t space_first_fpu_insn(const sim_space *s, uint64_t start, uint64_t end)
{
    uint8_t buf[X86_MAX_INSN_LEN];
    uint64_t n = 0, pc = start;
    /* Bounded: every step advances pc by at least one byte or stops. */
    while (pc < end) {
        size_t have = space_read(s, pc, buf, sizeof buf);
        unsigned len = x86_insn_length(buf, have);
        if (len == 0) {
            return n + 1; /* undecodable: the last one, and it faults otherwise */
        }
        if (x86_insn_uses_fpu(buf, len)) {
            return n;
        }
        n++;
        pc += len;
    }
    return n;
}

static uint64_t code_hash(const sim_space *s, uint64_t pc, uint32_t size)
{
    uint8_t buf[256];
    uint64_t h = 0xCBF29CE484222325ull; /* FNV-1a */
    for (uint32_t done = 0; done < size;) {
        size_t want = size - done < sizeof buf ? size - done : sizeof buf;
        size_t got = space_read(s, pc + done, buf, want);
        for (size_t i = 0; i < got; i++) {
            h = (h ^ buf[i]) * 0x100000001B3ull;
        }
        if (got < want) {
            break;
        }
        done += (uint32_t)got;
    }
    return h;
}

bool space_block_current(sim_space *s, const block_entry *e)
{
    if (!e->check || code_hash(s, e->pc, e->size) == e->code_hash) {
        return true;
    }
    uint64_t h = (e->pc * 0x9E3779B97F4A7C15ull) >> (64 - BLOCK_CACHE_BITS);
    s->blocks[h].gen = 0;
    return false;
}

const block_entry *space_block(sim_space *s, uint64_t pc, uint32_t size)
{
    static block_entry scratch; /* for blocks too big to cache (never in practice) */
    uint64_t h = (pc * 0x9E3779B97F4A7C15ull) >> (64 - BLOCK_CACHE_BITS);
    block_entry *e = &s->blocks[h];
    if (e->gen == s->gen && e->pc == pc && e->size == size) {
        return e;
    }
    block_entry fresh = { .pc = pc, .gen = s->gen, .stop_kind = STOP_NONE };
    uint64_t pos;
    uint64_t n = walk(s, pc, pc + size, UINT64_MAX, &pos, &fresh);
    if (size > UINT16_MAX || n > UINT16_MAX) {
        e = &scratch;
        n = n > UINT16_MAX ? UINT16_MAX : n;
    }
    fresh.size = (uint16_t)size;
    fresh.count = (uint16_t)n;
    uint64_t last = pc + (size ? size - 1 : 0);
    if (frame_mapped(s, leaf_of(s, pc) & PTE_ADDR) > 1 ||
        frame_mapped(s, leaf_of(s, last) & PTE_ADDR) > 1) {
        fresh.check = true;
        fresh.code_hash = code_hash(s, pc, size);
    }
    if (fresh.stop_kind == STOP_NONE) {
        fresh.stop_idx = (uint16_t)n;
    }
    fresh.plain = fresh.stop_kind == STOP_NONE && !fresh.check;
    *e = fresh;
    return e;
}

int space_check_block_counts(sim_space *s, int *checked)
{
    int bad = 0, n = 0;
    for (uint32_t i = 0; i < BLOCK_CACHE_SIZE; i++) {
        const block_entry *e = &s->blocks[i];
        uc_tb tb;
        /* uc_ctl_request_cache, spelled without its signed shift (3 << 30). */
        uc_control_type req = (uc_control_type)((uint32_t)UC_CTL_TB_REQUEST_CACHE |
                                                (2u << 26) |
                                                ((uint32_t)UC_CTL_IO_READ_WRITE << 30));
        /* Translating here must not fault (nothing would catch it): only blocks
         * whose page and the next one are executable. */
        unsigned p1 = 0, p2 = 0;
        uint64_t page = e->pc & ~(uint64_t)(PAGE - 1);
        if (e->gen != s->gen || !space_prot(s, page, &p1) || !(p1 & SIM_PROT_EXEC) ||
            !space_prot(s, page + PAGE, &p2) || !(p2 & SIM_PROT_EXEC) ||
            uc_ctl(s->uc, req, e->pc, &tb) != UC_ERR_OK || tb.size != e->size) {
            continue;
        }
        n++;
        if (tb.icount != e->count) {
            fprintf(stderr, "block %#llx size %u: decoder %u, emulator %u\n",
                    (unsigned long long)e->pc, e->size, e->count, tb.icount);
            bad++;
        }
    }
    *checked = n;
    return bad;
}
