/*
 * Address spaces: one unicorn engine each, with x86 4-level page tables (see
 * space.h for why).  Frames are host memory; the physical side of each engine
 * maps that host memory in "windows" (uc_mem_map_ptr), so every space mapping a
 * frame shares it.  Page tables live in host memory of their own (also windows).
 */
#include "space.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x86_length.h"

#define PAGE 4096u
#define PT_CHUNK_PAGES 128u
#define PTE_P 0x1ull
#define PTE_RW 0x2ull
#define PTE_US 0x4ull
#define PTE_A 0x20ull
#define PTE_D 0x40ull
#define PTE_ADDR 0x000FFFFFFFFFF000ull
#define USER_TOP 0x0000800000000000ull

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
    /* Mapping a region flushes the whole TLB (and the jump cache) in unicorn. */
    uc_mem_unmap(s->uc, SPACE_RESERVED_BASE, PAGE);
    uc_mem_map_ptr(s->uc, SPACE_RESERVED_BASE, PAGE, UC_PROT_ALL, s->flush_page);
}

static int add_window(sim_space *s, uint8_t *host, uint64_t size, uint64_t *phys)
{
    if (size > SPACE_RESERVED_END - s->next_phys) {
        return -1;
    }
    if (s->nwindows == s->wcap) {
        size_t ncap = s->wcap ? s->wcap * 2 : 16;
        phys_window *n = realloc(s->windows, ncap * sizeof *n);
        if (n == NULL) {
            return -1;
        }
        s->windows = n;
        s->wcap = ncap;
    }
    if (uc_mem_map_ptr(s->uc, s->next_phys, (size_t)size, UC_PROT_ALL, host) != UC_ERR_OK) {
        return -1;
    }
    phys_window w = { host, size, s->next_phys };
    s->windows[s->nwindows++] = w;
    *phys = s->next_phys;
    s->next_phys += size;
    return 0;
}

/* Physical address of host memory [host, host+size), adding a window if needed. */
static int host_to_phys(sim_space *s, uint8_t *host, uint64_t size, uint64_t *phys)
{
    for (size_t i = 0; i < s->nwindows; i++) {
        const phys_window *w = &s->windows[i];
        if (host >= w->host && (uint64_t)(host - w->host) <= w->size &&
            size <= w->size - (uint64_t)(host - w->host)) {
            *phys = w->phys + (uint64_t)(host - w->host);
            return 0;
        }
    }
    uint8_t *ram;
    uint64_t ram_size;
    ram_registered(&ram, &ram_size);
    if (ram != NULL && host >= ram && (uint64_t)(host - ram) <= ram_size &&
        size <= ram_size - (uint64_t)(host - ram)) {
        uint64_t base;
        if (add_window(s, ram, ram_size, &base) != 0) {
            return -1;
        }
        *phys = base + (uint64_t)(host - ram);
        return 0;
    }
    return add_window(s, host, size, phys);
}

/* A zeroed page-table page: host pointer, physical address in *phys. */
static uint64_t *pt_alloc(sim_space *s, uint64_t *phys)
{
    struct pt_chunk *c = s->nchunks ? &s->chunks[s->nchunks - 1] : NULL;
    if (c == NULL || c->used == PT_CHUNK_PAGES) {
        struct pt_chunk *n = realloc(s->chunks, (s->nchunks + 1) * sizeof *n);
        if (n == NULL) {
            return NULL;
        }
        s->chunks = n;
        c = &s->chunks[s->nchunks];
        c->host = aligned_alloc(PAGE, (size_t)PT_CHUNK_PAGES * PAGE);
        c->used = 0;
        if (c->host == NULL) {
            return NULL;
        }
        memset(c->host, 0, (size_t)PT_CHUNK_PAGES * PAGE);
        if (add_window(s, c->host, (uint64_t)PT_CHUNK_PAGES * PAGE, &c->phys) != 0) {
            free(c->host);
            return NULL;
        }
        s->nchunks++;
    }
    uint64_t off = (uint64_t)c->used * PAGE;
    c->used++;
    *phys = c->phys + off;
    return (uint64_t *)(void *)(c->host + off);
}

static uint64_t *pt_host(const sim_space *s, uint64_t phys)
{
    for (size_t i = 0; i < s->nchunks; i++) {
        const struct pt_chunk *c = &s->chunks[i];
        if (phys >= c->phys && phys - c->phys < (uint64_t)PT_CHUNK_PAGES * PAGE) {
            return (uint64_t *)(void *)(c->host + (phys - c->phys));
        }
    }
    return NULL;
}

/* The page-table entry for vaddr, creating the tables on the way if `create`. */
static uint64_t *pte_of(sim_space *s, uint64_t vaddr, bool create)
{
    uint64_t *table = s->pml4;
    for (int level = 3; level >= 1; level--) {
        uint64_t *e = &table[(vaddr >> (12 + 9 * level)) & 511];
        if (!(*e & PTE_P)) {
            if (!create) {
                return NULL;
            }
            uint64_t phys;
            if (pt_alloc(s, &phys) == NULL) {
                return NULL;
            }
            *e = phys | PTE_P | PTE_RW | PTE_US;
        }
        table = pt_host(s, *e & PTE_ADDR);
        if (table == NULL) {
            return NULL;
        }
    }
    return &table[(vaddr >> 12) & 511];
}

sim_space *space_create(void)
{
    sim_space *s = calloc(1, sizeof *s);
    if (s == NULL) {
        return NULL;
    }
    s->blocks = calloc(BLOCK_CACHE_SIZE, sizeof *s->blocks);
    s->flush_page = aligned_alloc(PAGE, PAGE);
    s->gen = 1;
    s->next_phys = SPACE_RESERVED_BASE + PAGE;
    if (s->blocks == NULL || s->flush_page == NULL ||
        uc_open(UC_ARCH_X86, UC_MODE_64, &s->uc) != UC_ERR_OK) {
        free(s->blocks);
        free(s->flush_page);
        free(s);
        return NULL;
    }
    memset(s->flush_page, 0, PAGE);
    if (uc_mem_map_ptr(s->uc, SPACE_RESERVED_BASE, PAGE, UC_PROT_ALL, s->flush_page) !=
            UC_ERR_OK ||
        (s->pml4 = pt_alloc(s, &s->pml4_phys)) == NULL ||
        uc_context_alloc(s->uc, &s->ctx) != UC_ERR_OK || cpu_engine_init(s) != 0) {
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
    uc_close(s->uc);
    for (size_t i = 0; i < s->nchunks; i++) {
        free(s->chunks[i].host);
    }
    free(s->chunks);
    free(s->windows);
    free(s->fillers);
    free(s->regions);
    free(s->blocks);
    free(s->flush_page);
    free(s);
}

/* Index of the first region whose end is above vaddr (nregions if none). */
static size_t first_region_after(const sim_space *s, uint64_t vaddr)
{
    size_t lo = 0, hi = s->nregions;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const space_region *r = &s->regions[mid];
        if (r->vaddr + r->size <= vaddr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static int insert_region(sim_space *s, size_t at, space_region r)
{
    if (s->nregions == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        space_region *n = realloc(s->regions, ncap * sizeof *n);
        if (n == NULL) {
            return -1;
        }
        s->regions = n;
        s->cap = ncap;
    }
    memmove(&s->regions[at + 1], &s->regions[at], (s->nregions - at) * sizeof r);
    s->regions[at] = r;
    s->nregions++;
    return 0;
}

static void remove_region(sim_space *s, size_t at)
{
    memmove(&s->regions[at], &s->regions[at + 1],
            (s->nregions - at - 1) * sizeof s->regions[0]);
    s->nregions--;
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

int space_map(sim_space *s, uint64_t vaddr, void *host, uint64_t size, unsigned prot)
{
    if (size == 0 || (vaddr & (PAGE - 1)) != 0 || (size & (PAGE - 1)) != 0 ||
        ((uintptr_t)host & (PAGE - 1)) != 0 || !mappable(vaddr, size)) {
        return -1;
    }
    size_t at = first_region_after(s, vaddr);
    if (at < s->nregions && s->regions[at].vaddr < vaddr + size) {
        return -1; /* overlaps */
    }
    uint64_t phys;
    if (host_to_phys(s, host, size, &phys) != 0) {
        return -1;
    }
    /* Create every table first so that a failure leaves nothing half mapped. */
    for (uint64_t off = 0; off < size; off += PAGE) {
        if (pte_of(s, vaddr + off, true) == NULL) {
            return -1;
        }
    }
    space_region r = { vaddr, size, host, prot & 7u };
    if (insert_region(s, at, r) != 0) {
        return -1;
    }
    if (uc_mem_map_ptr(s->uc, vaddr, (size_t)size, UC_PROT_ALL, host) != UC_ERR_OK) {
        remove_region(s, at);
        return -1;
    }
    uint64_t flags = PTE_P | PTE_US | PTE_A | PTE_D | ((prot & SIM_PROT_WRITE) ? PTE_RW : 0);
    for (uint64_t off = 0; off < size; off += PAGE) {
        *pte_of(s, vaddr + off, false) = (phys + off) | flags;
    }
    /* The frame may hold other code than when the engine last saw it. */
    if (prot & SIM_PROT_EXEC) {
        space_invalidate_code(s, vaddr, vaddr + size);
    }
    bump_gen(s);
    return 0;
}

void space_unmap(sim_space *s, uint64_t vaddr, uint64_t size)
{
    if (size == 0) {
        return;
    }
    uint64_t end = vaddr + size < vaddr ? UINT64_MAX : vaddr + size;
    vaddr &= ~(uint64_t)(PAGE - 1);
    bool changed = false;
    size_t i = first_region_after(s, vaddr);
    while (i < s->nregions && s->regions[i].vaddr < end) {
        space_region r = s->regions[i];
        uint64_t rend = r.vaddr + r.size;
        uint64_t cut_lo = vaddr > r.vaddr ? vaddr : r.vaddr;
        uint64_t cut_hi = end < rend ? end : rend;
        cut_hi = (cut_hi + PAGE - 1) & ~(uint64_t)(PAGE - 1);
        if (cut_hi > rend) {
            cut_hi = rend;
        }
        /* Translated code goes first, while the pages still translate (a walk
         * that faults here would leave the emulator's exception state dirty). */
        if (r.prot & SIM_PROT_EXEC) {
            space_invalidate_code(s, r.vaddr, rend);
        }
        for (uint64_t a = cut_lo; a < cut_hi; a += PAGE) {
            uint64_t *pte = pte_of(s, a, false);
            if (pte != NULL) {
                *pte = 0;
            }
        }
        changed = true;
        uc_mem_unmap(s->uc, r.vaddr, (size_t)r.size);
        remove_region(s, i);
        /* The pieces that stay: [r.vaddr, cut_lo) and [cut_hi, rend).  Inserting
         * them cannot fail for lack of room: one region was just removed... but
         * two may come back, so check. */
        if (cut_lo > r.vaddr) {
            space_region left = { r.vaddr, cut_lo - r.vaddr, r.host, r.prot };
            if (uc_mem_map_ptr(s->uc, left.vaddr, (size_t)left.size, UC_PROT_ALL,
                               left.host) == UC_ERR_OK &&
                insert_region(s, i, left) == 0) {
                i++;
            }
        }
        if (cut_hi < rend) {
            space_region right = { cut_hi, rend - cut_hi, r.host + (cut_hi - r.vaddr),
                                   r.prot };
            if (uc_mem_map_ptr(s->uc, right.vaddr, (size_t)right.size, UC_PROT_ALL,
                               right.host) == UC_ERR_OK &&
                insert_region(s, i, right) == 0) {
                i++;
            }
        }
    }
    if (changed) {
        space_flush_tlb(s);
        bump_gen(s);
    }
}

void *space_host_ptr(const sim_space *s, uint64_t vaddr, uint64_t len, unsigned *prot)
{
    size_t i = first_region_after(s, vaddr);
    if (i >= s->nregions) {
        return NULL;
    }
    const space_region *r = &s->regions[i];
    if (vaddr < r->vaddr || len > r->vaddr + r->size - vaddr) {
        return NULL;
    }
    if (prot != NULL) {
        *prot = r->prot;
    }
    return r->host + (vaddr - r->vaddr);
}

bool space_prot(const sim_space *s, uint64_t vaddr, unsigned *prot)
{
    return space_host_ptr(s, vaddr, 1, prot) != NULL;
}

void space_invalidate_code(sim_space *s, uint64_t start, uint64_t end)
{
    for (uint64_t p = start & ~(uint64_t)(PAGE - 1); p < end; p += PAGE) {
        unsigned prot = 0;
        if (space_prot(s, p, &prot) && (prot & SIM_PROT_EXEC)) {
            uint64_t a = p > start ? p : start;
            uint64_t b = p + PAGE < end ? p + PAGE : end;
            uc_ctl_remove_cache(s->uc, a, b);
        }
    }
}

size_t space_read(const sim_space *s, uint64_t vaddr, uint8_t *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        size_t i = first_region_after(s, vaddr + done);
        if (i >= s->nregions || s->regions[i].vaddr > vaddr + done) {
            break;
        }
        const space_region *r = &s->regions[i];
        uint64_t off = vaddr + done - r->vaddr;
        uint64_t n = r->size - off;
        if (n > len - done) {
            n = len - done;
        }
        memcpy(buf + done, r->host + off, (size_t)n);
        done += (size_t)n;
    }
    return done;
}

/* Walks instructions from `start`: stops after `max_n` instructions or at/after
 * `end`, whichever comes first.  *pos receives the address reached.  If `e` is
 * given, also records the first instruction cpu.c must handle itself. */
static uint64_t walk(const sim_space *s, uint64_t start, uint64_t end, uint64_t max_n,
                     uint64_t *pos, block_entry *e)
{
    uint8_t buf[512];
    uint64_t n = 0, pc = start;
    size_t have = 0;
    uint64_t buf_at = start;
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
            unsigned p1 = 0, p2 = 0;
            bool x1 = space_prot(s, pc, &p1) && (p1 & SIM_PROT_EXEC);
            bool x2 = space_prot(s, last, &p2) && (p2 & SIM_PROT_EXEC);
            if (!x1 || !x2) {
                e->stop_kind = STOP_NX;
                e->stop_idx = (uint16_t)n;
                e->stop_addr = x1 ? (last & ~(uint64_t)(PAGE - 1)) : pc;
            } else if (len != 0) {
                unsigned cls = x86_insn_class(code, len);
                if (cls != X86_CLASS_OTHER) {
                    e->stop_kind = cls == X86_CLASS_IO      ? STOP_IO
                                   : cls == X86_CLASS_RDTSC ? STOP_RDTSC
                                                            : STOP_RDTSCP;
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
    if (fresh.stop_kind == STOP_NONE) {
        fresh.stop_idx = (uint16_t)n;
    }
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
