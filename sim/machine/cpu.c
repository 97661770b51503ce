/*
 * Running user code: cpu_run on a space's unicorn engine.
 *
 * CPL 3.  Unicorn starts the CPU in ring 0; cpu_engine_init turns paging on (see
 * space.h) and executes one `iretq` from a scratch page (then unmapped) so that
 * CS/SS have DPL 3.  The GDT stays mapped (supervisor only) and is seL4's (g_gdt);
 * cpu_run loads CS with the selector cpu_set_user_mode asks for: 0x2b (entry 5) or
 * 0x3b, which sysretq gives a code segment although entry 7 is seL4's FS data
 * descriptor -- for that load entry 7 briefly holds the code descriptor; only
 * `mov %cs` tells the two apart.  cpuid answers as the reference machine (cpuid.c);
 * opcodes the reference CPU lacks are #UD from the block hook, and popcnt and the
 * lzcnt/tzcnt encodings are run here as the reference runs them (x86_bits.c).
 * From then on the emulator itself enforces ring 3: hlt, cli,
 * rdmsr, mov to CR, ... raise #GP; user pages are checked as on hardware.  Unicorn
 * lets in/out through in ring 3 and has no NX (EFER.NXE cannot be set), so the
 * block hook stops before such instructions and cpu_run raises the fault itself.
 *
 * Exceptions.  Unicorn never delivers an exception, so QEMU's "exception in
 * flight" (used to detect double faults) would stay set and the next #GP/#PF would
 * turn into #DF.  After each exception cpu_run resets it, and reads the error code,
 * through the CPU context at offsets found once by calibration (calibrate()).
 *
 * Exact instruction counts.  A UC_HOOK_BLOCK hook sees each translation block before
 * it runs (address, byte size); x86_length.c counts its instructions (cached per
 * block).  If the block would exceed the budget (or reaches an instruction cpu_run
 * handles), the hook stops the CPU before the block runs; cpu_run then runs exactly
 * the first k instructions by setting a unicorn "exit" at the address of the
 * (k+1)-th instruction.  When the CPU stops inside a block (fault, trap), the
 * instructions from the block's start to the stopping rip are counted.
 */
#include "space.h"

#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cpuid.h"
#include "x86_bits.h"
#include "x86_length.h"

#define CR0_PG (1ull << 31)
#define CR0_WP (1ull << 16)
#define CR0_NE (1ull << 5)
#define CR0_MP (1ull << 1)
#define CR4_TSD (1ull << 2)
#define CR4_PAE (1ull << 5)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define SCRATCH_PAGE 0x1000u
/* seL4's user selectors (GDT_CS_3 = 5, GDT_DS_3 = 6, RPL 3). */
#define USER_CS 0x2Bu
#define USER_SS 0x33u
#define SYSRET_CS 0x3Bu /* what sysretq loads (STAR[63:48] + 16); GDT entry 7 is data */
#define TSS_SEL 0x18u   /* seL4's task register (GDT entries 3-4) */

/* seL4's GDT (x86_64): kernel code and data, the TSS (busy, DPL 0; its base and limit
 * are the kernel's business), user code, user data, and the FS and GS data descriptors
 * (7 and 8).  User code can see it through lar/lsl/verr/verw, segment loads, iretq and
 * sgdt (limit 9 * 8 - 1).  The data descriptors have type 7, as seL4 writes them. */
#define GDT_ENTRIES 9
#define GDT_USER_CODE 0x00AFFB000000FFFFull
static const uint64_t g_gdt[GDT_ENTRIES] = {
    0,
    0x00AF9B000000FFFFull,  /* 1: kernel code */
    0x00CF97000000FFFFull,  /* 2: kernel data */
    0x00008B0000000067ull,  /* 3-4: TSS */
    0,
    GDT_USER_CODE,          /* 5: user code (0x2b) */
    0x00CFF7000000FFFFull,  /* 6: user data (0x33) */
    0x00CFF7000000FFFFull,  /* 7: FS */
    0x00CFF7000000FFFFull,  /* 8: GS */
};
#define IDT_LIMIT 0xFFFu /* seL4's 256 16-byte gates (never read: unicorn delivers nothing) */

/* rflags bits user code keeps across kernel entries (CF PF AF ZF SF DF OF NT AC ID);
 * IF and bit 1 are 1.  (The kernel model cuts written registers to the low 12 bits.) */
#define RFLAGS_USER_MASK 0x00244CD5ull
#define RFLAGS_FIXED 0x202ull

static volatile sig_atomic_t g_stop;
static uint64_t (*g_now)(void *ctx);
static void *g_now_ctx;
static sim_cpu_stats g_stats;
/* cpu_set_user_mode: how the next cpu_run enters user mode. */
static bool g_fpu_disabled;
static uint16_t g_cs = USER_CS;

/* Offsets in the unicorn CPU context (calibrate()); -1 = unknown. */
static long g_off_error_code = -1, g_off_old_exception = -1;

/* ---- hooks ---- */

static void set_event(sim_space *s, space_event ev)
{
    if (s->event == EV_NONE) {
        s->event = ev;
    }
}

/* Ends the run before the current block: none of its instructions count. */
static void stop_before_block(uc_engine *uc, sim_space *s)
{
    s->cur_n = 0;
    s->stopped_before = true;
    s->stop_after = 0;
    uc_emu_stop(uc);
}

/* on_block for a block that is not known yet, needs a check, has an instruction
 * cpu_run handles, or does not fit in the budget (or the run must stop). */
static void __attribute__((noinline)) block_slow(uc_engine *uc, sim_space *s,
                                                 uint64_t address, uint32_t size)
{
    if (g_stop) {
        /* cpu_request_stop: end the run before this block. */
        stop_before_block(uc, s);
        return;
    }
    const block_entry *e = space_block(s, address, size);
    if (e->check && !space_block_current(s, e)) {
        /* Written through another mapping of its frame since it was translated:
         * stop before it; run_segment throws the translation away. */
        s->stale_pc = address;
        s->stale_size = size;
        stop_before_block(uc, s);
        return;
    }
    if (s->align_npending != 0) {
        /* New aligned-SSE instructions: run_segment hooks them (align_install) and
         * drops this translation; the block then runs with the hooks. */
        stop_before_block(uc, s);
        return;
    }
    uint64_t avail = s->budget - s->base;
    uint64_t stop_idx = e->stop_idx;
    uint8_t stop_kind = e->stop_kind;
    if (s->fpu_disabled) {
        /* Only threads run with CR0.TS pay for this (not cached: rare). */
        uint64_t f = space_first_fpu_insn(s, address, address + size);
        if (f < stop_idx) {
            stop_idx = f;
            stop_kind = STOP_FPU;
        }
    }
    if (stop_idx >= e->count && e->count <= avail) {
        s->cur_n = e->count;
        return;
    }
    /* Stop before the block; cpu_run runs its first `stop_after` instructions. */
    s->cur_n = 0;
    s->stopped_before = true;
    if (avail <= stop_idx) {
        s->stop_after = avail;              /* the budget ends first */
    } else {
        s->stop_after = stop_idx;
        if (stop_idx == 0) {                /* the first instruction needs cpu_run */
            if (stop_kind == STOP_FPU) {
                s->vector = 7;              /* #NM: CR0.TS */
                s->error_code = 0;
                set_event(s, EV_EXCEPTION);
            } else if (stop_kind == STOP_NX) {
                s->fault_addr = e->stop_addr;
                s->fsr = 0x15;              /* present | user | instruction fetch */
                set_event(s, EV_PAGE_FAULT);
            } else if (stop_kind == STOP_IO) {
                s->vector = 13;
                s->error_code = 0;
                set_event(s, EV_EXCEPTION);
            } else if (stop_kind == STOP_UD) {
                s->vector = 6;              /* not on the reference CPU */
                s->error_code = 0;
                set_event(s, EV_EXCEPTION);
            } else {
                s->emulate_kind = stop_kind;
                set_event(s, EV_EMULATE);
            }
        }
    }
    uc_emu_stop(uc);
}

/* The block hook: runs before every translation block (chained or not). */
static void on_block(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    sim_space *s = user;
    s->base += s->cur_n;
    s->cur_pc = address;
    s->cur_size = size;
    const block_entry *e = space_block_cached(s, address, size);
    if (e != NULL && e->plain && e->count <= s->budget - s->base && !s->fpu_disabled &&
        !g_stop) {
        s->cur_n = e->count;
        return;
    }
    block_slow(uc, s, address, size);
}

static void on_syscall(uc_engine *uc, void *user)
{
    sim_space *s = user;
    set_event(s, EV_SYSCALL);
    uc_emu_stop(uc);
}

static void on_intr(uc_engine *uc, uint32_t intno, void *user)
{
    sim_space *s = user;
    if (s->event == EV_NONE) {
        s->vector = intno;
        s->error_code = 0;
        s->event = EV_EXCEPTION;
    }
    uc_emu_stop(uc);
}

static bool on_invalid(uc_engine *uc, void *user)
{
    sim_space *s = user;
    if (s->event == EV_NONE) {
        s->vector = 6;
        s->error_code = 0;
        s->event = EV_EXCEPTION;
    }
    uc_emu_stop(uc);
    return true;
}

/* cpuid answers as on the reference machine (cpuid.h). */
static int on_cpuid(uc_engine *uc, void *user)
{
    (void)user;
    uint64_t rax = 0, rcx = 0;
    uc_reg_read(uc, UC_X86_REG_RAX, &rax);
    uc_reg_read(uc, UC_X86_REG_RCX, &rcx);
    uint32_t r[4];
    cpuid_reference((uint32_t)rax, (uint32_t)rcx, r);
    uint64_t v[4] = { r[0], r[1], r[2], r[3] };
    uc_reg_write(uc, UC_X86_REG_RAX, &v[0]);
    uc_reg_write(uc, UC_X86_REG_RBX, &v[1]);
    uc_reg_write(uc, UC_X86_REG_RCX, &v[2]);
    uc_reg_write(uc, UC_X86_REG_RDX, &v[3]);
    return 1; /* the emulator's own cpuid is skipped */
}

/* A data access to a virtual page with no unicorn region (see space.h): put a
 * filler page there and let the access go on; the page-table walk raises the #PF
 * with the precise state. */
static bool on_mem_fault(uc_engine *uc, uc_mem_type type, uint64_t address, int size,
                         int64_t value, void *user)
{
    (void)size;
    (void)value;
    sim_space *s = user;
    /* (Not for instruction fetches: those happen while a block is translated, and
     * mapping memory then breaks the translator.  The state is right anyway: no
     * instruction of that block has run.) */
    if ((type == UC_MEM_READ_UNMAPPED || type == UC_MEM_WRITE_UNMAPPED) &&
        space_add_filler(s, address) == 0) {
        return true;
    }
    if (s->event == EV_NONE) {
        uint32_t fsr = 4;
        if (type == UC_MEM_WRITE_UNMAPPED || type == UC_MEM_WRITE_PROT) {
            fsr |= 2;
        }
        if (type == UC_MEM_FETCH_UNMAPPED || type == UC_MEM_FETCH_PROT) {
            fsr |= 16;
        }
        s->fault_addr = address;
        s->fsr = fsr;
        s->event = EV_PAGE_FAULT;
    }
    uc_emu_stop(uc);
    return false;
}

/* ---- engine set-up ---- */

static int32_t ctx_int(const sim_space *s, long off)
{
    int32_t v;
    memcpy(&v, (const uint8_t *)s->ctx + sizeof(size_t) * 2 + off, 4);
    return v;
}

static size_t ctx_data_size(const sim_space *s)
{
    return uc_context_size(s->uc) - sizeof(size_t) * 2;
}

/* Runs `code` (placed in the scratch page) from the state in `base` and returns
 * the context afterwards in s->ctx.  Used only by calibrate(). */
static void calib_run(sim_space *s, uint8_t *page, const uc_context *base, uint16_t sel)
{
    /* mov ss, word [rip + 0xF2]  (the selector at SCRATCH_PAGE + 0x200) */
    static const uint8_t code[] = { 0x8E, 0x15, 0xFA, 0x00, 0x00, 0x00 };
    memcpy(page + 0x100, code, sizeof code);
    memcpy(page + 0x200, &sel, 2);
    memcpy(s->ctx, base, uc_context_size(s->uc));
    uc_context_restore(s->uc, s->ctx);
    uc_emu_start(s->uc, SCRATCH_PAGE + 0x100, SCRATCH_PAGE + 0x180, 0, 0);
    uc_context_save(s->uc, s->ctx);
}

/* Finds where the CPU context keeps the pending error code and the "exception in
 * flight": three #GP(selector) runs from the same state; the error code field is
 * the only int holding 0x10/0x18/0x20, the other goes from -1 to 13. */
static int calibrate(sim_space *s, uint8_t *page)
{
    size_t size = ctx_data_size(s);
    size_t total = uc_context_size(s->uc);
    uc_context *base = NULL, *r[3] = { NULL, NULL, NULL };
    int ok = -1;
    if (uc_context_alloc(s->uc, &base) != UC_ERR_OK) {
        return -1;
    }
    uc_context_save(s->uc, base);
    static const uint16_t sels[3] = { 0x10, 0x18, 0x20 };
    for (int i = 0; i < 3; i++) {
        if (uc_context_alloc(s->uc, &r[i]) != UC_ERR_OK) {
            goto out;
        }
        calib_run(s, page, base, sels[i]);
        memcpy(r[i], s->ctx, total);
    }
    long ec = -1, oe = -1;
    int nec = 0, noe = 0;
    const uint8_t *b0 = (const uint8_t *)base + sizeof(size_t) * 2;
    for (size_t off = 0; off + 4 <= size; off += 4) {
        int32_t v0, v[3];
        memcpy(&v0, b0 + off, 4);
        for (int i = 0; i < 3; i++) {
            memcpy(&v[i], (const uint8_t *)r[i] + sizeof(size_t) * 2 + off, 4);
        }
        if (v[0] == 0x10 && v[1] == 0x18 && v[2] == 0x20) {
            ec = (long)off;
            nec++;
        }
        if (v0 == -1 && v[0] == 13 && v[1] == 13 && v[2] == 13) {
            oe = (long)off;
            noe++;
        }
    }
    if (nec == 1 && noe == 1) {
        g_off_error_code = ec;
        g_off_old_exception = oe;
        ok = 0;
    }
out:
    memcpy(s->ctx, base, total);
    uc_context_restore(s->uc, s->ctx);
    uc_context_free(base);
    for (int i = 0; i < 3; i++) {
        if (r[i] != NULL) {
            uc_context_free(r[i]);
        }
    }
    return ok;
}

/* After an exception: error code, and forget it was "in flight". */
static uint32_t exception_fixup(sim_space *s)
{
    if (g_off_old_exception < 0) {
        return 0;
    }
    uc_context_save(s->uc, s->ctx);
    uint32_t ec = (uint32_t)ctx_int(s, g_off_error_code);
    int32_t none = -1;
    memcpy((uint8_t *)s->ctx + sizeof(size_t) * 2 + g_off_old_exception, &none, 4);
    uc_context_restore(s->uc, s->ctx);
    return ec;
}

int cpu_engine_init(sim_space *s)
{
    uc_engine *uc = s->uc;
    uint64_t cr0 = 0, cr4 = 0;
    if (uc_reg_read(uc, UC_X86_REG_CR0, &cr0) != UC_ERR_OK ||
        uc_reg_read(uc, UC_X86_REG_CR4, &cr4) != UC_ERR_OK) {
        return -1;
    }
    cr4 |= CR4_PAE | CR4_TSD | CR4_OSFXSR | CR4_OSXMMEXCPT;
    cr0 |= CR0_PG | CR0_WP | CR0_NE | CR0_MP;
    if (uc_reg_write(uc, UC_X86_REG_CR4, &cr4) != UC_ERR_OK ||
        uc_reg_write(uc, UC_X86_REG_CR3, &s->pml4_phys) != UC_ERR_OK ||
        uc_reg_write(uc, UC_X86_REG_CR0, &cr0) != UC_ERR_OK) {
        return -1;
    }
    space_flush_tlb(s);

    /* Drop to ring 3: iretq from a scratch page holding a GDT with seL4's user code
     * and data descriptors and the iret frame; emulation stops at the target
     * SCRATCH_PAGE + 16.  The page is unmapped after; the GDT then moves to its
     * own supervisor-only page (SPACE_GDT_VADDR). */
    static const uint8_t iretq[] = { 0x48, 0xCF };
    const uint64_t *gdt = g_gdt;
    const size_t gdt_bytes = sizeof g_gdt;
    const uint64_t target = SCRATCH_PAGE + 16;
    const uint64_t frame[5] = { target, USER_CS, RFLAGS_FIXED, SCRATCH_PAGE + 0xF00, USER_SS };
    uint64_t rsp = SCRATCH_PAGE + 0xE00;
    uc_x86_mmr gdtr = { .selector = 0, .base = SCRATCH_PAGE + 0x800,
                        .limit = gdt_bytes - 1, .flags = 0 };
    uint8_t *page = aligned_alloc(4096, 4096);
    if (page == NULL) {
        return -1;
    }
    memset(page, 0, 4096);
    memcpy(page, iretq, sizeof iretq);
    memcpy(page + 0x800, gdt, gdt_bytes);
    memcpy(page + 0xE00, frame, sizeof frame);
    int ok = space_map_scratch(s, SCRATCH_PAGE, page) == 0 &&
             uc_reg_write(uc, UC_X86_REG_GDTR, &gdtr) == UC_ERR_OK &&
             uc_reg_write(uc, UC_X86_REG_RSP, &rsp) == UC_ERR_OK;
    if (ok) {
        uc_err e = uc_emu_start(uc, SCRATCH_PAGE, target, 0, 0);
        ok = e == UC_ERR_OK;
    }
    uint64_t cs = 0, ss = 0, rip = 0;
    uc_reg_read(uc, UC_X86_REG_CS, &cs);
    uc_reg_read(uc, UC_X86_REG_SS, &ss);
    uc_reg_read(uc, UC_X86_REG_RIP, &rip);
    ok = ok && cs == USER_CS && ss == USER_SS && rip == target;
    if (ok && g_off_old_exception < 0 && calibrate(s, page) != 0) {
        fprintf(stderr, "sel4-sim: could not locate the exception state in the "
                        "emulator's CPU context (libunicorn version?)\n");
        ok = 0;
    }
    space_unmap_scratch(s, SCRATCH_PAGE);
    /* From now on the GDT lives at SPACE_GDT_VADDR (supervisor-only), where cpu_run
     * loads CS with 0x2b or 0x3b (see there) and user code sees seL4's descriptors. */
    memset(page, 0, 4096);
    memcpy(page, gdt, gdt_bytes);
    if (space_map_gdt(s, page) != 0) {
        if (s->gdt_host != page) {
            free(page);
        }
        ok = 0;
    }
    gdtr.base = SPACE_GDT_VADDR;
    gdtr.limit = gdt_bytes - 1;
    uc_reg_write(uc, UC_X86_REG_GDTR, &gdtr);
    s->cs = USER_CS;
    if (!ok) {
        fprintf(stderr, "sel4-sim: could not put the CPU into user mode\n");
        return -1;
    }
    /* The task register shows seL4's selector (str), but the cached descriptor is not
     * present, so anything consulting an I/O permission bitmap fails.  The IDT limit is
     * seL4's (sidt); unicorn reads no gate. */
    uc_x86_mmr tr = { .selector = TSS_SEL, .base = 0, .limit = 0, .flags = 0 };
    uc_x86_mmr idtr = { .selector = 0, .base = 0, .limit = IDT_LIMIT, .flags = 0 };
    if (uc_reg_write(uc, UC_X86_REG_TR, &tr) != UC_ERR_OK ||
        uc_reg_write(uc, UC_X86_REG_IDTR, &idtr) != UC_ERR_OK) {
        return -1;
    }

    /* Stop addresses are set per run (uc_ctl exits), `until` is not used. */
    if (uc_ctl_exits_enable(uc) != UC_ERR_OK) {
        return -1;
    }
    uc_hook h;
    if (uc_hook_add(uc, &h, UC_HOOK_BLOCK, (void *)on_block, s, 1, 0) != UC_ERR_OK ||
        uc_hook_add(uc, &h, UC_HOOK_INSN, (void *)on_syscall, s, 1, 0,
                    UC_X86_INS_SYSCALL) != UC_ERR_OK ||
        uc_hook_add(uc, &h, UC_HOOK_INSN, (void *)on_cpuid, s, 1, 0, UC_X86_INS_CPUID) !=
            UC_ERR_OK ||
        uc_hook_add(uc, &h, UC_HOOK_INTR, (void *)on_intr, s, 1, 0) != UC_ERR_OK ||
        uc_hook_add(uc, &h, UC_HOOK_INSN_INVALID, (void *)on_invalid, s, 1, 0) !=
            UC_ERR_OK ||
        uc_hook_add(uc, &h, UC_HOOK_MEM_UNMAPPED | UC_HOOK_MEM_PROT, (void *)on_mem_fault,
                    s, 1, 0) != UC_ERR_OK) {
        return -1;
    }
    return 0;
}

/* ---- registers ---- */

static const int gpr_ids[] = {
    UC_X86_REG_RSP, UC_X86_REG_RAX, UC_X86_REG_RBX, UC_X86_REG_RCX, UC_X86_REG_RDX,
    UC_X86_REG_RSI, UC_X86_REG_RDI, UC_X86_REG_RBP, UC_X86_REG_R8,  UC_X86_REG_R9,
    UC_X86_REG_R10, UC_X86_REG_R11, UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14,
    UC_X86_REG_R15, UC_X86_REG_FS_BASE, UC_X86_REG_GS_BASE,
};
#define NGPR (sizeof gpr_ids / sizeof gpr_ids[0])

static void gpr_ptrs(sim_regs *r, void **p)
{
    uint64_t *v[NGPR] = { &r->rsp, &r->rax, &r->rbx, &r->rcx, &r->rdx, &r->rsi,
                          &r->rdi, &r->rbp, &r->r8,  &r->r9,  &r->r10, &r->r11,
                          &r->r12, &r->r13, &r->r14, &r->r15, &r->fs_base, &r->gs_base };
    for (size_t i = 0; i < NGPR; i++) {
        p[i] = v[i];
    }
}

/* FXSAVE image offsets. */
enum { FX_FCW = 0, FX_FSW = 2, FX_FTW = 4, FX_MXCSR = 24, FX_MXCSR_MASK = 28,
       FX_ST = 32, FX_XMM = 160 };

static void fpu_reset_image(uint8_t *img)
{
    memset(img, 0, 512);
    uint16_t fcw = 0x037F;
    uint32_t mxcsr = 0x1F80, mask = 0xFFFF;
    memcpy(img + FX_FCW, &fcw, 2);
    memcpy(img + FX_MXCSR, &mxcsr, 4);
    memcpy(img + FX_MXCSR_MASK, &mask, 4);
}

/* The FPU/SSE registers in one batch each way (the order matters on load: FPSW
 * sets TOP before ST(i) are written): FPCW FPSW ST0-7 FPTAG MXCSR XMM0-15. */
#define NFPU 28
static void fpu_ids(int *ids)
{
    ids[0] = UC_X86_REG_FPCW;
    ids[1] = UC_X86_REG_FPSW;
    for (int i = 0; i < 8; i++) {
        ids[2 + i] = UC_X86_REG_ST0 + i;
    }
    ids[10] = UC_X86_REG_FPTAG;
    ids[11] = UC_X86_REG_MXCSR;
    for (int i = 0; i < 16; i++) {
        ids[12 + i] = i < 8 ? UC_X86_REG_XMM0 + i : UC_X86_REG_XMM8 + (i - 8);
    }
}

static void fpu_load(uc_engine *uc, const uint8_t *img)
{
    uint16_t fcw, fsw, tag = 0;
    uint32_t mxcsr;
    memcpy(&fcw, img + FX_FCW, 2);
    memcpy(&fsw, img + FX_FSW, 2);
    memcpy(&mxcsr, img + FX_MXCSR, 4);
    mxcsr &= 0xFFFF;
    for (int i = 0; i < 8; i++) {
        if (!((img[FX_FTW] >> i) & 1)) {
            tag |= (uint16_t)(3u << (2 * i)); /* empty */
        }
    }
    int ids[NFPU];
    void *vals[NFPU];
    uint8_t copy[512] __attribute__((aligned(16)));
    memcpy(copy, img, sizeof copy); /* the batch call takes non-const pointers */
    fpu_ids(ids);
    vals[0] = &fcw;
    vals[1] = &fsw;
    for (int i = 0; i < 8; i++) {
        vals[2 + i] = copy + FX_ST + 16 * i;
    }
    vals[10] = &tag;
    vals[11] = &mxcsr;
    for (int i = 0; i < 16; i++) {
        vals[12 + i] = copy + FX_XMM + 16 * i;
    }
    uc_reg_write_batch(uc, ids, vals, NFPU);
}

static void fpu_save(uc_engine *uc, uint8_t *img)
{
    uint16_t fcw = 0, fsw = 0, tag = 0;
    uint32_t mxcsr = 0, mask = 0xFFFF;
    memset(img, 0, 512);
    int ids[NFPU];
    void *vals[NFPU];
    fpu_ids(ids);
    vals[0] = &fcw;
    vals[1] = &fsw;
    for (int i = 0; i < 8; i++) {
        vals[2 + i] = img + FX_ST + 16 * i; /* 10 bytes each */
    }
    vals[10] = &tag;
    vals[11] = &mxcsr;
    for (int i = 0; i < 16; i++) {
        vals[12 + i] = img + FX_XMM + 16 * i;
    }
    uc_reg_read_batch(uc, ids, vals, NFPU);
    memcpy(img + FX_FCW, &fcw, 2);
    memcpy(img + FX_FSW, &fsw, 2);
    uint8_t ftw = 0;
    for (int i = 0; i < 8; i++) {
        if (((tag >> (2 * i)) & 3) != 3) {
            ftw |= (uint8_t)(1u << i);
        }
    }
    img[FX_FTW] = ftw;
    memcpy(img + FX_MXCSR, &mxcsr, 4);
    memcpy(img + FX_MXCSR_MASK, &mask, 4);
}

static void load_regs(sim_space *s, sim_regs *r)
{
    void *p[NGPR];
    gpr_ptrs(r, p);
    uc_reg_write_batch(s->uc, (int *)gpr_ids, p, (int)NGPR);
    uc_reg_write(s->uc, UC_X86_REG_RIP, &r->rip);
    uint64_t fl = (r->rflags & RFLAGS_USER_MASK) | RFLAGS_FIXED;
    uc_reg_write(s->uc, UC_X86_REG_RFLAGS, &fl);
    uint8_t reset[512] __attribute__((aligned(16)));
    const uint8_t *img = r->fpu;
    if (!r->fpu_valid) {
        fpu_reset_image(reset);
        img = reset;
    }
    if (!s->fpu_cache_valid || memcmp(img, s->fpu_cache, 512) != 0) {
        fpu_load(s->uc, img);
        memcpy(s->fpu_cache, img, 512);
        s->fpu_cache_valid = true;
    }
}

static void save_regs(sim_space *s, sim_regs *r)
{
    void *p[NGPR];
    gpr_ptrs(r, p);
    uc_reg_read_batch(s->uc, (int *)gpr_ids, p, (int)NGPR);
    uc_reg_read(s->uc, UC_X86_REG_RIP, &r->rip);
    uc_reg_read(s->uc, UC_X86_REG_RFLAGS, &r->rflags);
    fpu_save(s->uc, r->fpu);
    r->fpu_valid = true;
    memcpy(s->fpu_cache, r->fpu, 512);
    s->fpu_cache_valid = true;
}

/* ---- running ---- */

/* One uc_emu_start from rip, at most `budget` instructions, optionally stopping at
 * `exit_at` (0 = none).  Returns the instructions executed; *rip_out = where it
 * stopped. */
static uint64_t run_segment(sim_space *s, uint64_t rip, uint64_t budget, uint64_t exit_at,
                            uint64_t *rip_out, uc_err *err)
{
    s->budget = budget;
    s->base = 0;
    s->cur_pc = rip;
    s->cur_n = 0;
    s->cur_size = 0;
    s->stopped_before = false;
    s->hook_raised = false;
    s->stop_after = 0;
    s->event = EV_NONE;
    if (exit_at != 0) {
        uc_ctl_set_exits(s->uc, &exit_at, 1);
        space_invalidate_code(s, rip, exit_at + 1);
    }
    if (g_stop) {
        *err = UC_ERR_OK;
    } else {
        *err = uc_emu_start(s->uc, rip, 0, 0, 0);
    }
    space_drop_fillers(s);
    if (s->stale_size != 0) {
        space_invalidate_code(s, s->stale_pc, s->stale_pc + s->stale_size);
        s->stale_size = 0;
    }
    if (s->align_npending != 0) {
        align_install(s);
    }
    if (exit_at != 0) {
        uc_ctl_set_exits(s->uc, NULL, 0);
        space_invalidate_code(s, rip, exit_at + 1);
    }
    uint64_t r = 0;
    uc_reg_read(s->uc, UC_X86_REG_RIP, &r);
    if (s->stopped_before && r != s->cur_pc) {
        /* With code hooks in the engine, unicorn does not put rip back to the start
         * of a block left before it ran (cpu_tb_exec): it is where the block hook was. */
        r = s->cur_pc;
        uc_reg_write(s->uc, UC_X86_REG_RIP, &r);
    }
    *rip_out = r;
    if (r >= s->cur_pc && r - s->cur_pc <= s->cur_size) {
        return s->base + space_count_insns(s, s->cur_pc, r);
    }
    return s->base + s->cur_n;
}

/* Start of the instruction that ends exactly at `end`, searching from the start of
 * the current block; 0 if there is none. */
static uint64_t insn_ending_at(sim_space *s, uint64_t end)
{
    if (end <= s->cur_pc || end - s->cur_pc > s->cur_size) {
        return 0;
    }
    uint64_t n = space_count_insns(s, s->cur_pc, end);
    if (n == 0) {
        return 0;
    }
    uint64_t start = space_skip_insns(s, s->cur_pc, n - 1);
    return space_skip_insns(s, start, 1) == end ? start : 0;
}

/* Opcode bytes of the instruction at `pc` after its prefixes; its length in *len. */
static size_t opcode_at(sim_space *s, uint64_t pc, uint8_t *op, size_t max, unsigned *len)
{
    uint8_t buf[X86_MAX_INSN_LEN];
    size_t have = space_read(s, pc, buf, sizeof buf);
    *len = x86_insn_length(buf, have);
    size_t i = 0;
    while (i < have && (buf[i] == 0x66 || buf[i] == 0x67 || buf[i] == 0xF2 ||
                        buf[i] == 0xF3 || buf[i] == 0xF0 || (buf[i] & 0xF0) == 0x40 ||
                        buf[i] == 0x2E || buf[i] == 0x36 || buf[i] == 0x3E ||
                        buf[i] == 0x26 || buf[i] == 0x64 || buf[i] == 0x65)) {
        i++;
    }
    size_t n = 0;
    while (i < have && n < max) {
        op[n++] = buf[i++];
    }
    return n;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

typedef struct run_state {
    sim_space *s;
    uint64_t budget, total, rip, exit_at, tsc_base;
    sim_exit ex;
    bool done;
} run_state;

static void finish(run_state *st, sim_exit_kind kind)
{
    st->ex.kind = kind;
    st->done = true;
}

/* Instruction fetch from `addr` failed while translating the block at `stop_rip`:
 * before any of the block ran.  If the block crossed into the faulting page, run
 * the instructions wholly before that page first, then fetch again; else report. */
static void fetch_fault(run_state *st, uint64_t stop_rip, uint64_t addr)
{
    sim_space *s = st->s;
    uint64_t page = addr & ~0xFFFull;
    st->rip = stop_rip;
    if (stop_rip < page) {
        uint64_t k = 0, pc = stop_rip;
        while (pc < page && k < 4096) {
            uint64_t next = space_skip_insns(s, pc, 1);
            if (next > page || next == pc) {
                break;
            }
            pc = next;
            k++;
        }
        if (k > 0) {
            if (st->total >= st->budget) {
                return; /* the loop head reports BUDGET */
            }
            if (k > st->budget - st->total) {
                pc = space_skip_insns(s, stop_rip, st->budget - st->total);
            }
            st->exit_at = pc;
            return; /* not done: run those instructions */
        }
    }
    st->ex.fault_addr = addr;
    st->ex.fsr = 0x14; /* not present | user | instruction fetch */
    finish(st, SIM_EXIT_PAGE_FAULT);
}

/* A CPU exception reported by the emulator (hooks) after `n` instructions. */
static void handle_exception(run_state *st, uint64_t n, uint64_t stop_rip)
{
    sim_space *s = st->s;
    uint8_t op[3] = { 0 };
    unsigned len = 0;
    if (s->hook_raised) {
        /* #GP(0) for a misaligned SSE operand (sse_align.c): rip at it, not run. */
        st->total += n;
        st->ex.vector = s->vector;
        st->ex.error_code = s->error_code;
        finish(st, SIM_EXIT_EXCEPTION);
        return;
    }
    if (s->vector != 6 && !s->stopped_before) {
        /* (Not for the ones the block hook raises: the CPU raised nothing.) */
        s->error_code = exception_fixup(s);
    }
    uint64_t int_at = insn_ending_at(s, stop_rip);
    size_t nop = int_at != 0 ? opcode_at(s, int_at, op, sizeof op, &len) : 0;
    if (nop >= 2 && op[0] == 0xCD && op[1] != 3 && s->vector == op[1]) {
        /* int N: seL4's IDT gates are ring 0 except int3: #GP(N*8+2). */
        st->total += n - 1;
        uc_reg_write(s->uc, UC_X86_REG_RIP, &int_at);
        st->ex.vector = 13;
        st->ex.error_code = (uint32_t)op[1] * 8 + 2;
        finish(st, SIM_EXIT_EXCEPTION);
        return;
    }
    st->total += n;
    if (s->vector == 14) {
        uint64_t cr2 = 0;
        uc_reg_read(s->uc, UC_X86_REG_CR2, &cr2);
        uint32_t fsr = s->error_code & 0x7;
        /* The emulator has no NX, so it never sets the fetch bit.  A fetch fault is
         * one at rip itself, or one raised while translating the block at rip (its
         * block hook never ran) on a later page. */
        bool translated = s->cur_pc == stop_rip && s->cur_size > 0;
        if (cr2 == stop_rip || (!translated && cr2 > stop_rip && cr2 - stop_rip < 4096)) {
            fetch_fault(st, stop_rip, cr2);
            return;
        }
        st->ex.fault_addr = cr2;
        st->ex.fsr = fsr | 4;
        finish(st, SIM_EXIT_PAGE_FAULT);
        return;
    }
    if (s->vector == 6) {
        /* sysret/sysexit in ring 3 are #GP on hardware (the emulator says #UD
         * because EFER.SCE is off), so are sysenter with no SYSENTER_CS set up and
         * rdpmc with CR4.PCE clear (the emulator says #UD for both). */
        nop = opcode_at(s, stop_rip, op, sizeof op, &len);
        if (nop >= 2 && op[0] == 0x0F &&
            (op[1] == 0x07 || op[1] == 0x35 || op[1] == 0x34 || op[1] == 0x33)) {
            s->vector = 13;
        }
    }
    if (s->vector == 13) {
        nop = opcode_at(s, stop_rip, op, sizeof op, &len);
        bool rdtsc = nop >= 2 && op[0] == 0x0F && op[1] == 0x31;
        if (rdtsc && len != 0) {
            s->emulate_kind = STOP_RDTSC;
            st->rip = stop_rip;
            s->event = EV_EMULATE;
            return; /* emulated by the caller */
        }
    }
    st->ex.vector = s->vector;
    st->ex.error_code = s->error_code;
    finish(st, SIM_EXIT_EXCEPTION);
}

/* Emulator registers in the instruction encoding's order (0 rax .. 15 r15). */
static const int enc_gpr_ids[16] = {
    UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX,
    UC_X86_REG_RSP, UC_X86_REG_RBP, UC_X86_REG_RSI, UC_X86_REG_RDI,
    UC_X86_REG_R8,  UC_X86_REG_R9,  UC_X86_REG_R10, UC_X86_REG_R11,
    UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15,
};

static bool canonical(uint64_t a)
{
    uint64_t top = a >> 47; /* bits 63..47 all equal */
    return top == 0 || top == 0x1FFFFu;
}

/* popcnt or the lzcnt/tzcnt encoding at st->rip, run as the reference CPU runs it
 * (x86_bits.h).  A memory operand is read byte by byte in address order: the first
 * non-canonical byte is #GP(0), the first unmapped one a page fault there. */
static void emulate_bits(run_state *st)
{
    sim_space *s = st->s;
    uint8_t code[X86_MAX_INSN_LEN];
    size_t have = space_read(s, st->rip, code, sizeof code);
    unsigned len = x86_insn_length(code, have);
    x86_bits_insn in;
    if (len == 0 || !x86_bits_decode(code, len, &in)) {
        st->ex.vector = 6; /* (the block decoder said it was one) */
        finish(st, SIM_EXIT_EXCEPTION);
        return;
    }
    uint64_t gpr[16];
    for (int i = 0; i < 16; i++) {
        uc_reg_read(s->uc, enc_gpr_ids[i], &gpr[i]);
    }
    uint64_t src = 0;
    if (in.src_reg >= 0) {
        src = gpr[in.src_reg];
    } else {
        uint64_t seg = 0;
        if (in.mem.seg == X86_SEG_FS || in.mem.seg == X86_SEG_GS) {
            uc_reg_read(s->uc, in.mem.seg == X86_SEG_FS ? UC_X86_REG_FS_BASE : UC_X86_REG_GS_BASE,
                        &seg);
        }
        uint64_t a = x86_mem_address(&in.mem, gpr, st->rip + len, seg);
        for (unsigned k = 0; k < in.size; k++) {
            unsigned prot = 0;
            const uint8_t *h = canonical(a + k) ? space_host_ptr(s, a + k, 1, &prot) : NULL;
            if (!canonical(a + k)) {
                st->ex.vector = 13;
                st->ex.error_code = 0;
                finish(st, SIM_EXIT_EXCEPTION);
                return;
            }
            if (h == NULL || !(prot & SIM_PROT_READ)) {
                st->ex.fault_addr = a + k;
                st->ex.fsr = 4; /* user read, not present */
                finish(st, SIM_EXIT_PAGE_FAULT);
                return;
            }
            src |= (uint64_t)*h << (8 * k);
        }
    }
    uint64_t fl = 0;
    uc_reg_read(s->uc, UC_X86_REG_RFLAGS, &fl);
    uint64_t v = x86_bits_exec(&in, src, gpr[in.dest], &fl);
    uc_reg_write(s->uc, enc_gpr_ids[in.dest], &v);
    uc_reg_write(s->uc, UC_X86_REG_RFLAGS, &fl);
    st->rip += len;
    uc_reg_write(s->uc, UC_X86_REG_RIP, &st->rip);
    st->total += 1;
}

/* rdtsc at st->rip: TSC = virtual time in instructions (rdtscp is #UD: not on the
 * reference CPU); popcnt, bsf, bsr. */
static void emulate(run_state *st)
{
    sim_space *s = st->s;
    if (st->total >= st->budget) {
        return; /* not run yet: the loop head reports BUDGET */
    }
    if (s->emulate_kind == STOP_BITS) {
        emulate_bits(st);
        return;
    }
    uint8_t op[3];
    unsigned len = 0;
    opcode_at(s, st->rip, op, sizeof op, &len);
    uint64_t tsc = st->tsc_base + st->total;
    uint64_t lo = (uint32_t)tsc, hi = tsc >> 32;
    uc_reg_write(s->uc, UC_X86_REG_RAX, &lo);
    uc_reg_write(s->uc, UC_X86_REG_RDX, &hi);
    st->rip += len;
    uc_reg_write(s->uc, UC_X86_REG_RIP, &st->rip);
    st->total += 1;
}

sim_exit cpu_run(sim_space *s, sim_regs *regs, uint64_t budget)
{
    uint64_t t0 = now_ns();
    run_state st;
    memset(&st, 0, sizeof st);
    st.s = s;
    st.budget = budget;
    st.rip = regs->rip;
    st.tsc_base = g_now != NULL ? g_now(g_now_ctx) : g_stats.insns;
    space_sync_tlb(s); /* after space_unmap */
    load_regs(s, regs);
    s->fpu_disabled = g_fpu_disabled;
    if (s->cs != g_cs) {
        /* A descriptor load from the GDT.  sysretq gives CS 0x3b a 64-bit code segment
         * without reading entry 7 (seL4's FS data descriptor), so for the load entry 7
         * holds the user code descriptor, then its own again. */
        uint64_t cs = g_cs, own;
        memcpy(&own, s->gdt_host + 8 * (SYSRET_CS >> 3), 8);
        const uint64_t code = GDT_USER_CODE;
        memcpy(s->gdt_host + 8 * (SYSRET_CS >> 3), &code, 8);
        if (uc_reg_write(s->uc, UC_X86_REG_CS, &cs) == UC_ERR_OK) {
            s->cs = g_cs;
        }
        memcpy(s->gdt_host + 8 * (SYSRET_CS >> 3), &own, 8);
    }
    unsigned idle = 0;

    /* Each pass either ends the run or makes progress (instructions, or a partial
     * block set up); `idle` guards against an emulator that stops for no reason. */
    while (!st.done) {
        if (g_stop) {
            finish(&st, SIM_EXIT_STOPPED);
            break;
        }
        if (st.total >= budget) {
            finish(&st, SIM_EXIT_BUDGET);
            break;
        }
        if (idle > 4) {
            fprintf(stderr, "sel4-sim: emulator makes no progress at %#llx\n",
                    (unsigned long long)st.rip);
            st.ex.vector = 13;
            finish(&st, SIM_EXIT_EXCEPTION);
            break;
        }
        uc_err err;
        uint64_t stop_rip;
        uint64_t exit_at = st.exit_at;
        st.exit_at = 0;
        uint64_t n = run_segment(s, st.rip, budget - st.total, exit_at, &stop_rip, &err);
        idle = n == 0 && s->event == EV_NONE ? idle + 1 : 0;

        switch (s->event) {
        case EV_SYSCALL: {
            st.total += n;
            uint64_t fl = 0;
            uc_reg_read(s->uc, UC_X86_REG_RFLAGS, &fl);
            uc_reg_write(s->uc, UC_X86_REG_RCX, &stop_rip);
            uc_reg_write(s->uc, UC_X86_REG_R11, &fl);
            finish(&st, SIM_EXIT_SYSCALL);
            break;
        }
        case EV_PAGE_FAULT:
            st.total += n;
            if ((s->fsr & 0x11) == 0x10) { /* fetch from an unmapped page */
                fetch_fault(&st, stop_rip, s->fault_addr);
                break;
            }
            st.ex.fault_addr = s->fault_addr;
            st.ex.fsr = s->fsr;
            finish(&st, SIM_EXIT_PAGE_FAULT);
            break;
        case EV_EXCEPTION:
            handle_exception(&st, n, stop_rip);
            if (s->event == EV_EMULATE) {
                emulate(&st);
            }
            break;
        case EV_EMULATE:
            st.total += n;
            st.rip = stop_rip;
            emulate(&st);
            break;
        case EV_NONE:
            st.total += n;
            st.rip = stop_rip;
            if (exit_at != 0 || g_stop) {
                break; /* the loop head reports BUDGET or STOPPED, or goes on */
            }
            if (s->stopped_before) {
                if (s->stop_after > 0) {
                    st.exit_at = space_skip_insns(s, st.rip, s->stop_after);
                }
                break;
            }
            if (err != UC_ERR_OK) {
                fprintf(stderr, "sel4-sim: emulator stopped at %#llx: %s\n",
                        (unsigned long long)stop_rip, uc_strerror(err));
                st.ex.vector = 13;
                finish(&st, SIM_EXIT_EXCEPTION);
            }
            break;
        }
    }
    st.ex.insns = st.total;
    save_regs(s, regs);
    g_stats.runs++;
    g_stats.insns += st.total;
    g_stats.host_seconds += (double)(now_ns() - t0) * 1e-9;
    return st.ex;
}

void cpu_request_stop(void)
{
    /* The block hook sees it before the next block runs (every block calls it, chained
     * or not), so the run ends between blocks with a precise state.  (uc_emu_stop from
     * here could end it at a block whose hook already ran, where unicorn leaves rip
     * stale once code hooks exist.) */
    g_stop = 1;
}

void cpu_clear_stop(void)
{
    g_stop = 0;
}

void cpu_set_user_mode(uint16_t cs, uint16_t ss, bool fpu_disabled)
{
    (void)ss; /* 0x33 either way */
    if (cs == USER_CS || cs == SYSRET_CS) {
        g_cs = cs;
    }
    g_fpu_disabled = fpu_disabled;
}

void cpu_set_time_source(uint64_t (*now)(void *ctx), void *ctx)
{
    g_now = now;
    g_now_ctx = ctx;
}

void cpu_get_stats(sim_cpu_stats *out)
{
    *out = g_stats;
}
