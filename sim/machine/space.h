/*
 * Internals shared by space.c (address spaces: page tables on one unicorn engine)
 * and cpu.c (running code in them).  Not part of the machine.h interface.
 *
 * Why paging: libunicorn 2.0.1 stops on an access to memory it has no region for
 * without restoring the guest state (rip is the start of the translation block,
 * lazily computed flags are stale).  With x86 paging on, QEMU raises a real #PF
 * with the precise state.  But unicorn 2.0.1 checks the *virtual* address of each
 * access against its regions before translating it, and reads code to translate
 * from the region at the virtual address.  So each mapping is two unicorn regions
 * of the same host memory: one at the virtual address (identity: for those checks
 * and for code), and the page tables' target in a "window" in a reserved physical
 * range (40-bit physical addresses).  An access to an unmapped virtual page finds
 * no region: the hook maps a "filler" page there and lets the access go on, and the
 * page-table walk then raises the precise #PF.  Fillers are removed after each run.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <unicorn/unicorn.h>

#include "../machine.h"

/* Physical addresses of windows; virtual addresses here cannot be mapped. */
#define SPACE_RESERVED_BASE 0x000000FC00000000ull
#define SPACE_RESERVED_END  0x0000010000000000ull

typedef struct space_region {
    uint64_t vaddr;
    uint64_t size;
    uint8_t *host;
    unsigned prot;       /* SIM_PROT_* */
} space_region;

typedef struct phys_window {
    uint8_t *host;
    uint64_t size;
    uint64_t phys;
} phys_window;

/* What a translation block needs besides its instruction count. */
enum { STOP_NONE, STOP_IO, STOP_RDTSC, STOP_RDTSCP, STOP_NX };

/* Facts about one translation block, cached by start address. */
typedef struct block_entry {
    uint64_t pc;
    uint32_t gen;        /* space generation when computed (0 = empty) */
    uint16_t size;       /* bytes */
    uint16_t count;      /* instructions */
    uint16_t stop_idx;   /* index of the first instruction needing cpu.c (or count) */
    uint8_t  stop_kind;  /* STOP_* */
    uint64_t stop_addr;  /* STOP_NX: first byte that is not executable */
} block_entry;

#define BLOCK_CACHE_BITS 14
#define BLOCK_CACHE_SIZE (1u << BLOCK_CACHE_BITS)

typedef enum { EV_NONE, EV_SYSCALL, EV_PAGE_FAULT, EV_EXCEPTION, EV_EMULATE } space_event;

struct sim_space {
    uc_engine *uc;
    space_region *regions;   /* sorted by vaddr, non-overlapping */
    size_t nregions, cap;
    phys_window *windows;
    size_t nwindows, wcap;
    uint64_t *fillers;       /* filler pages mapped during the current run */
    size_t nfillers, fcap;
    uint64_t next_phys;      /* next free physical address for a window */
    uint8_t *flush_page;     /* mapped/unmapped to flush the emulator's TLB */
    /* Page-table pages: chunks of host memory, each one window. */
    struct pt_chunk { uint8_t *host; uint64_t phys; uint32_t used; } *chunks;
    size_t nchunks;
    uint64_t *pml4;
    uint64_t pml4_phys;
    block_entry *blocks;
    uint32_t gen;            /* bumped whenever mappings change */
    uc_context *ctx;         /* scratch for exception fix-ups (cpu.c) */
    /* The FPU image last written to / read from the engine, to skip reloading it. */
    uint8_t fpu_cache[512] __attribute__((aligned(16)));
    bool fpu_cache_valid;

    /* State of the current uc_emu_start (set by cpu.c, updated by hooks). */
    uint64_t budget;         /* instructions this segment may run */
    uint64_t base;           /* instructions of blocks completed in this segment */
    uint64_t cur_pc;         /* the block being executed */
    uint64_t cur_n;          /* its instructions (0 if stopped before it ran) */
    uint32_t cur_size;
    bool stopped_before;     /* the block hook stopped before cur_pc ran */
    uint64_t stop_after;     /* ... and this many of its instructions may still run */
    space_event event;
    uint8_t emulate_kind;    /* EV_EMULATE: STOP_RDTSC / STOP_RDTSCP */
    uint64_t fault_addr;
    uint32_t fsr, vector, error_code;
};

/* Instructions in [start, end) / address after `n` instructions from `start`;
 * decode the bytes of the space (see x86_length.h). */
uint64_t space_count_insns(sim_space *s, uint64_t start, uint64_t end);
uint64_t space_skip_insns(sim_space *s, uint64_t start, uint64_t n);
/* Facts about the translation block [pc, pc+size), cached. */
const block_entry *space_block(sim_space *s, uint64_t pc, uint32_t size);
/* Copies up to `len` bytes at vaddr; returns how many were mapped. */
size_t space_read(const sim_space *s, uint64_t vaddr, uint8_t *buf, size_t len);
/* Whether vaddr is mapped, and its SIM_PROT_* bits. */
bool space_prot(const sim_space *s, uint64_t vaddr, unsigned *prot);
/* Makes the emulator forget cached translations of virtual addresses. */
void space_flush_tlb(sim_space *s);
/* Maps a filler page at the page of vaddr (see above); 0 or -1. */
int space_add_filler(sim_space *s, uint64_t vaddr);
void space_drop_fillers(sim_space *s);
/* Throws away translated code of the executable pages touching [start, end). */
void space_invalidate_code(sim_space *s, uint64_t start, uint64_t end);

/* cpu.c: puts a new engine into 64-bit user mode (CPL 3) and installs the hooks. */
int cpu_engine_init(sim_space *s);

/* Test support: compares each cached block count with the emulator's own count for
 * a block of the same address and size.  Returns the number of mismatches; *checked
 * receives how many blocks were compared. */
int space_check_block_counts(sim_space *s, int *checked);

/* ram.c: the RAM most frames come from, mapped whole into each engine. */
void ram_registered(uint8_t **host, uint64_t *size);
