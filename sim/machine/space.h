/*
 * Internals shared by space.c (address spaces: page tables on one unicorn engine)
 * and cpu.c (running code in them).  Not part of the machine.h interface.
 *
 * Why paging: libunicorn 2.0.1 stops on an access to memory it has no region for
 * without restoring the guest state (rip is the start of the translation block,
 * lazily computed flags are stale).  With x86 paging on, QEMU raises a real #PF
 * with the precise state.
 *
 * But unicorn 2.0.1's x86 page walk only *checks*: a walk that succeeds maps the
 * virtual page to the physical page of the same number (target/i386/excp_helper.c,
 * "indentity map guest virtual address"), and every access is first checked
 * against the region list by its virtual address.  So the bytes at virtual address
 * V are those of the unicorn region at V, whatever the page tables say.
 *
 * Slots.  The user half is divided into 1 GiB slots.  A slot that holds any mapping
 * is one unicorn region at its own virtual address over a 1 GiB host reservation,
 * and mapping a frame there aliases the frame's host memory into the reservation
 * with mmap(MAP_FIXED | MAP_SHARED) of the file that backs it (RAM and frame memory
 * are memfd files, ram.c).  The host MMU does the per-page translation; the number
 * of unicorn regions only grows with the number of distinct slots used.  The page
 * tables (in their own region, at a reserved physical range) decide what is mapped
 * and writable; their entries hold the frame's "frame id" (ram.c), not a physical
 * address unicorn would use.
 *
 * An access to a virtual page outside every slot finds no region: the hook maps a
 * "filler" page there for the rest of the run so that the page-table walk raises
 * the #PF.  Virtual addresses in the reserved range cannot be mapped.
 *
 * Consequences.  space_unmap clears entries and marks the emulator's TLB stale (it
 * is flushed before the next use); the host alias stays (unreachable) until the
 * page is mapped again.  Each space_map is one mmap: frames that are adjacent in
 * their file and mapped at adjacent addresses share one host mapping, scattered
 * ones take one each (Linux allows 65530 per process, vm.max_map_count).
 * Translated code is found by the slot page, so a new frame at an executable
 * address has its old translations thrown away (space_map), and blocks on frames
 * mapped more than once in the space are checked against their bytes (frames).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <unicorn/unicorn.h>

#include "../machine.h"

/* Physical layout of the engine; virtual addresses here cannot be mapped. */
#define SPACE_RESERVED_BASE 0x000000FC00000000ull   /* TLB-flush page */
#define SPACE_RESERVED_END  0x0000010000000000ull
#define SPACE_PT_PHYS       (SPACE_RESERVED_BASE + 0x200000ull)
#define SPACE_PT_PAGES      65536u   /* 256 MiB of host address space, used lazily */
#define SPACE_PT_BYTES      ((uint64_t)SPACE_PT_PAGES * 4096u)
#define SPACE_SCRATCH_ID    (SPACE_RESERVED_BASE + 0x1000ull) /* frame id, cpu.c set-up */
/* cpu.c's GDT: in the kernel half, out of reach of space_unmap and of user code. */
#define SPACE_GDT_VADDR     0xFFFFFFFFFFFFE000ull
/* Frame id in the GDT's page-table entry: inside the CPU's 40 physical address bits
 * (a larger one is a reserved-bit page fault when the CPU reads a descriptor). */
#define SPACE_GDT_ID        (SPACE_RESERVED_BASE + 0x2000ull)
#define SPACE_SLOT_BITS     30

typedef struct space_slot {
    uint64_t vbase;      /* multiple of 1 << SPACE_SLOT_BITS */
    uint8_t *host;       /* host reservation of the slot */
} space_slot;

/* What a translation block needs besides its instruction count. */
enum { STOP_NONE, STOP_IO, STOP_RDTSC, STOP_NX, STOP_FPU, STOP_UD, STOP_BITS };

/* Facts about one translation block, cached by start address. */
typedef struct block_entry {
    uint64_t pc;
    uint32_t gen;        /* space generation when computed (0 = empty) */
    uint16_t size;       /* bytes */
    uint16_t count;      /* instructions */
    uint16_t stop_idx;   /* index of the first instruction needing cpu.c (or count) */
    uint8_t  stop_kind;  /* STOP_* */
    uint64_t stop_addr;  /* STOP_NX: first byte that is not executable */
    uint64_t code_hash;  /* check: hash of the block's bytes when translated */
    bool check;          /* on a frame mapped more than once in this space */
    bool plain;          /* no stop instruction and no check: the block hook's fast path */
} block_entry;

/* How often each frame id is mapped in a space (open addressing, key id + 1). */
typedef struct frame_count {
    uint64_t key;
    uint32_t count;
} frame_count;

#define BLOCK_CACHE_BITS 14
#define BLOCK_CACHE_SIZE (1u << BLOCK_CACHE_BITS)

typedef enum { EV_NONE, EV_SYSCALL, EV_PAGE_FAULT, EV_EXCEPTION, EV_EMULATE } space_event;

struct sim_space {
    /* The FPU image last written to / read from the engine, to skip reloading it. */
    uint8_t fpu_cache[512] __attribute__((aligned(16)));
    uc_engine *uc;
    space_slot *slots;       /* sorted by vbase */
    size_t nslots, scap;
    uint8_t *scratch_host;   /* frame SPACE_SCRATCH_ID (cpu.c set-up), or NULL */
    uint64_t *fillers;       /* filler pages mapped during the current run */
    size_t nfillers, fcap;
    uint8_t *flush_page;     /* mapped/unmapped to flush the emulator's TLB */
    uint8_t *gdt_host;       /* the GDT page at SPACE_GDT_VADDR (cpu.c), or NULL */
    /* Page-table pages: one host area of SPACE_PT_PAGES pages at SPACE_PT_PHYS. */
    uint8_t *pt;
    uint16_t *pt_count;      /* present entries in each table page */
    uint32_t *pt_free;       /* freed table pages (zeroed), a stack */
    uint64_t *pml4;
    uint64_t pml4_phys;
    block_entry *blocks;
    uc_context *ctx;         /* scratch for exception fix-ups (cpu.c) */
    /* Frames mapped in this space, with how often: a write through one mapping of a
     * frame must reach code translated through another (the emulator only notices
     * writes through the same virtual page), so blocks on frames mapped twice are
     * checked against their bytes each time they run. */
    frame_count *frames;
    uint32_t frames_cap, frames_n; /* capacity a power of two (or 0) */
    uint64_t stale_pc;       /* the block hook found [stale_pc, +stale_size) changed */
    uint32_t stale_size;
    /* Aligned-SSE checks (sse_align.c): addresses with their hook (open addressing,
     * key address + 1), and the ones space_block found that still need one. */
    struct align_slot *align_hooked;
    uint32_t align_cap, align_n;
    uint64_t *align_pending;
    uint32_t align_npending, align_pcap;
    struct align_site **align_sites; /* one per hook (its user data), to free */
    uint32_t align_nsites, align_scap;

    /* State of the current uc_emu_start (set by cpu.c, updated by hooks). */
    uint64_t budget;         /* instructions this segment may run */
    uint64_t base;           /* instructions of blocks completed in this segment */
    uint64_t cur_pc;         /* the block being executed */
    uint64_t cur_n;          /* its instructions (0 if stopped before it ran) */
    uint64_t stop_after;     /* stopped_before: this many of its instructions may run */
    uint64_t fault_addr;

    uint32_t pt_used;        /* table pages handed out so far (high-water mark) */
    uint32_t npt_free, pt_free_cap;
    uint32_t gen;            /* bumped whenever mappings change */
    uint32_t cur_size;
    space_event event;
    uint32_t fsr, vector, error_code;
    uint8_t emulate_kind;    /* EV_EMULATE: STOP_RDTSC / STOP_BITS */
    bool stopped_before;     /* the block hook stopped before cur_pc ran */
    bool tlb_stale;          /* an entry was cleared since the last TLB flush */
    bool fpu_cache_valid;
    bool fpu_disabled;       /* this run: FPU instructions raise #NM (CR0.TS) */
    bool hook_raised;        /* EV_EXCEPTION raised by the alignment hook, not the CPU */
    uint16_t cs;             /* the CS selector loaded in the engine */
};

/* Instructions in [start, end) / address after `n` instructions from `start`;
 * decode the bytes of the space (see x86_length.h). */
uint64_t space_count_insns(sim_space *s, uint64_t start, uint64_t end);
uint64_t space_skip_insns(sim_space *s, uint64_t start, uint64_t n);
/* Index of the first instruction in [start, end) that raises #NM when CR0.TS is
 * set (x86_insn_uses_fpu), or the number of instructions there. */
uint64_t space_first_fpu_insn(const sim_space *s, uint64_t start, uint64_t end);
/* Facts about the translation block [pc, pc+size), cached. */
const block_entry *space_block(sim_space *s, uint64_t pc, uint32_t size);
/* The cached facts if they are current, else NULL (space_block computes them). */
static inline const block_entry *space_block_cached(const sim_space *s, uint64_t pc,
                                                    uint32_t size)
{
    const block_entry *e = &s->blocks[(pc * 0x9E3779B97F4A7C15ull) >> (64 - BLOCK_CACHE_BITS)];
    return e->gen == s->gen && e->pc == pc && e->size == size ? e : NULL;
}
/* For a block with `check`: whether its bytes still hash to code_hash.  If not,
 * the cached facts are dropped. */
bool space_block_current(sim_space *s, const block_entry *e);
/* Where the emulator itself reads [vaddr, vaddr+len): the slot's host reservation
 * (space.h, "Slots").  Valid until space_destroy; it shows whatever is mapped there
 * now (unmapped pages keep their last contents).  NULL if that is not one slot. */
const uint8_t *space_slot_alias(const sim_space *s, uint64_t vaddr, uint64_t len);
/* Copies up to `len` bytes at vaddr; returns how many were mapped. */
size_t space_read(const sim_space *s, uint64_t vaddr, uint8_t *buf, size_t len);
/* Whether vaddr is mapped, and its SIM_PROT_* bits. */
bool space_prot(const sim_space *s, uint64_t vaddr, unsigned *prot);
/* Makes the emulator forget cached translations of virtual addresses. */
void space_flush_tlb(sim_space *s);
/* Flushes them if a page-table entry was cleared since the last flush. */
void space_sync_tlb(sim_space *s);
/* cpu.c set-up: maps host page `page` at `vaddr` as a region of its own (outside
 * any slot) / removes it again. */
int space_map_scratch(sim_space *s, uint64_t vaddr, uint8_t *page);
void space_unmap_scratch(sim_space *s, uint64_t vaddr);
/* cpu.c set-up: maps `page` (aligned_alloc'd; freed with the space) at SPACE_GDT_VADDR,
 * readable by the CPU only (supervisor).  0 or -1. */
int space_map_gdt(sim_space *s, uint8_t *page);
/* Maps a filler page at the page of vaddr (see above); 0 or -1. */
int space_add_filler(sim_space *s, uint64_t vaddr);
void space_drop_fillers(sim_space *s);
/* Throws away translated code of the executable pages touching [start, end). */
void space_invalidate_code(sim_space *s, uint64_t start, uint64_t end);

/* (A machine.h interface, declared here because the kernel model declares it weak
 * itself, sim/kernel/regs.c, and a second declaration its files see is redundant.) */
/* How the following cpu_run calls (any space) enter user mode, until called again:
 * `cs`/`ss` are the selectors the thread returns with (0x3b/0x33 after a system call,
 * sysretq; 0x2b/0x33 otherwise, iretq); `fpu_disabled` runs it as with CR0.TS set:
 * the first x87/MMX/SSE/AVX instruction (fxsave, ldmxcsr, emms, ... included) ends
 * the run with SIM_EXIT_EXCEPTION vector 7 (#NM), error code 0, rip at it, not
 * counted.  Default (never called): 0x2b/0x33, FPU enabled. */
void cpu_set_user_mode(uint16_t cs, uint16_t ss, bool fpu_disabled);

/* sse_align.c: #GP(0) for a misaligned 16-byte SSE operand (see there).
 * align_note: space_block found the `len`-byte instruction `code` at pc; queues it
 * if it needs an alignment hook it does not have yet (the block hook then stops
 * before the block).  align_install: between runs, hooks the queued instructions and
 * drops translated code containing them.  align_fini: frees the bookkeeping. */
void align_note(sim_space *s, uint64_t pc, const uint8_t *code, unsigned len);
void align_install(sim_space *s);
void align_fini(sim_space *s);

/* uc_smc_fast.c: whether the libunicorn in use is the one whose internals the
 * interpositions here were checked against (2.0.1). */
bool uc_internals_known(void);

/* cpu.c: puts a new engine into 64-bit user mode (CPL 3) and installs the hooks. */
int cpu_engine_init(sim_space *s);

/* Test support: compares each cached block count with the emulator's own count for
 * a block of the same address and size.  Returns the number of mismatches; *checked
 * receives how many blocks were compared. */
int space_check_block_counts(sim_space *s, int *checked);

/* ram.c: where frames live.  A frame id is below 2^40 (it goes into page-table
 * entries): the offset in the last RAM created, or a tagged offset in the frame
 * memory of frame_alloc.  ram_frame_of: file, file offset and id of host memory
 * [host, host+size) if it lies in one of them (0), else -1.  ram_frame_host: host
 * address of a frame id, NULL if none. */
int ram_frame_of(const void *host, uint64_t size, int *fd, uint64_t *off, uint64_t *id);
uint8_t *ram_frame_host(uint64_t id);
