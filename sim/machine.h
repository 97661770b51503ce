/*
 * The machine side of sel4-sim: emulated x86_64 user-mode CPUs (libunicorn), one
 * per address space, and simulated physical memory.  The kernel model (kernel.h)
 * decides *what* runs; this decides nothing and only executes user code until it
 * traps.  Nothing here knows about capabilities or kernel objects.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- physical memory ---- */
/* Simulated RAM is one host allocation; a physical address is an offset into it
 * (plus the base of the RAM region).  Frames handed to user code are host memory
 * shared between every address space that maps them.  RAM is a shared file
 * mapping: MADV_REMOVE (not MADV_DONTNEED) gives pages back as zeros. */
typedef struct sim_ram {
    uint8_t *host;      /* host address of physical address `base` */
    uint64_t base;      /* first physical address of RAM */
    uint64_t size;      /* bytes */
    int fd;             /* the file behind it (-1 if none) */
} sim_ram;

int   ram_init(sim_ram *ram, uint64_t base, uint64_t size); /* 0 or -1 (host out of memory) */
void  ram_fini(sim_ram *ram);
void *ram_ptr(const sim_ram *ram, uint64_t paddr, uint64_t len); /* NULL if out of range */

/* Host memory for frames that are not RAM (device frames, tests): zeroed, 4 KiB
 * aligned, `size` a multiple of 4 KiB; NULL when exhausted.  frame_free gives the
 * memory back (the range is not handed out again). */
void *frame_alloc(uint64_t size);
void  frame_free(void *p, uint64_t size);

/* ---- address spaces ---- */
typedef struct sim_space sim_space;

enum { SIM_PROT_READ = 1, SIM_PROT_WRITE = 2, SIM_PROT_EXEC = 4 };

sim_space *space_create(void);                    /* NULL on host OOM */
void space_destroy(sim_space *s);
/* Maps `size` bytes (multiple of 4 KiB, vaddr and host 4 KiB aligned) of host memory
 * at `vaddr` with `prot`.  The host memory must lie in the last RAM created or in
 * memory from frame_alloc.  Replaces nothing: the range must be unmapped.  0 or -1.
 * Costs no emulator resources per page (see machine/space.h). */
int  space_map(sim_space *s, uint64_t vaddr, void *host, uint64_t size, unsigned prot);
/* Removes whatever is mapped in [vaddr, vaddr+size); unmapped holes are fine. */
void space_unmap(sim_space *s, uint64_t vaddr, uint64_t size);
/* Host address of [vaddr, vaddr+len) if every page of that range is mapped with the
 * same rights to consecutive host memory, else NULL.  *prot (if not NULL) receives
 * those SIM_PROT_* bits. */
void *space_host_ptr(const sim_space *s, uint64_t vaddr, uint64_t len, unsigned *prot);

/* ---- thread state ---- */
/* Register file in seL4_UserContext order, then the FPU/SSE state (FXSAVE image). */
typedef struct sim_regs {
    uint64_t rip, rsp, rflags, rax, rbx, rcx, rdx, rsi, rdi, rbp,
             r8, r9, r10, r11, r12, r13, r14, r15, fs_base, gs_base;
    uint8_t  fpu[512] __attribute__((aligned(16)));
    bool     fpu_valid;   /* false: FPU in reset state (first run) */
} sim_regs;

/* Why cpu_run returned. */
typedef enum {
    SIM_EXIT_BUDGET,     /* ran `budget` instructions without trapping */
    SIM_EXIT_SYSCALL,    /* executed `syscall`; rip already points after it, rcx/r11 as the
                            instruction leaves them (rcx = next rip, r11 = rflags) */
    SIM_EXIT_PAGE_FAULT, /* rip at the faulting instruction */
    SIM_EXIT_EXCEPTION,  /* other CPU exception; rip at the faulting instruction */
    SIM_EXIT_STOPPED,    /* cpu_request_stop() was called (host side, e.g. a signal) */
} sim_exit_kind;

typedef struct sim_exit {
    sim_exit_kind kind;
    uint64_t insns;       /* user instructions executed in this run, exact */
    uint64_t fault_addr;  /* PAGE_FAULT: the address accessed */
    uint32_t fsr;         /* PAGE_FAULT: x86 error code: bit0 present, bit1 write,
                             bit2 user (always set), bit4 instruction fetch */
    uint32_t vector;      /* EXCEPTION: 0 #DE, 1 #DB, 3 #BP, 4 #OF, 5 #BR, 6 #UD, 7 #NM,
                             13 #GP, 16 #MF, 17 #AC, 19 #XM */
    uint32_t error_code;  /* EXCEPTION: error code pushed by the CPU (0 if none) */
} sim_exit;

/* Runs the thread with register file `regs` in space `s` for at most `budget`
 * instructions.  Updates `regs` in place.  Deterministic: the same inputs give the
 * same outputs.
 *
 * What counts as one instruction: every instruction the CPU completes, where each
 * iteration of a REP-prefixed string instruction counts as one (that is how the
 * emulator steps them).  A faulting instruction is not counted; `syscall` and the
 * traps int3 / int 3 are (rip is after them).
 * The CPU runs at CPL 3: privileged instructions (hlt, cli, sti, in, out, rdmsr,
 * wrmsr, mov to CR, lgdt, ...) raise #GP(0); `int N` other than int3 raises
 * #GP(N*8+2) as with seL4's IDT; a non-canonical address raises #GP(0).
 * rdtsc is emulated deterministically: TSC = virtual time in instructions
 * (see cpu_set_time_source).  The CPU is the reference machine's (QEMU's Nehalem
 * model): cpuid answers as there; rdtscp, VEX/EVEX, AES-NI, ADX and 3DNow! raise #UD;
 * popcnt works and the lzcnt/tzcnt encodings run as bsr/bsf.  The FPU/SSE state is the FXSAVE image in regs->fpu.
 * rflags is sanitised on entry: IOPL=0, IF=1, TF/RF/VM=0 (NT, AC, ID are kept). */
sim_exit cpu_run(sim_space *s, sim_regs *regs, uint64_t budget);

/* Makes the current (or next) cpu_run return SIM_EXIT_STOPPED as soon as possible.
 * Async-signal-safe; the flag stays set until cpu_clear_stop(). */
void cpu_request_stop(void);
void cpu_clear_stop(void);

/* Where rdtsc gets the virtual time (in instructions) at the start of a cpu_run;
 * the instructions run so far in that cpu_run are added.  Without a source, the
 * total number of instructions run by all cpu_run calls is used. */
void cpu_set_time_source(uint64_t (*now)(void *ctx), void *ctx);

/* Totals over every cpu_run of this process, e.g. for --stats-json:
 * instructions per host second = insns / host_seconds. */
typedef struct sim_cpu_stats {
    uint64_t runs;          /* cpu_run calls */
    uint64_t insns;         /* instructions executed */
    double   host_seconds;  /* host wall-clock time spent inside cpu_run */
} sim_cpu_stats;
void cpu_get_stats(sim_cpu_stats *out);
