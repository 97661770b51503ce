/*
 * A thread's register context in the kernel's layout, and how it meets the machine's
 * register file.  seL4 x86_64 enters the kernel by `syscall` saving only part of the
 * registers (RSP, RCX and R11 keep older values) and leaves by `sysretq` with
 * RCX = NextIP, R11 = FLAGS and RSP cleared; any other entry saves everything and
 * leaves by `iretq` (manual 7.1; kernel traps and c_traps).  The model keeps exactly
 * those rules so ReadRegisters and restarts see what the real kernel shows.
 */
#include <string.h>
#include "kstate.h"

const uint8_t msg_registers[4] = { R_R10, R_R8, R_R9, R_R15 };
const uint8_t frame_registers[18] = {
    R_FAULTIP, R_RSP, R_FLAGS, R_RAX, R_RBX, R_RCX, R_RDX, R_RSI, R_RDI, R_RBP,
    R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15,
};
const uint8_t gp_registers[2] = { R_FS_BASE, R_GS_BASE };

enum {
    FLAGS_TF = 1u << 8,
    FLAGS_IF = 1u << 9,
    FLAGS_HIGH = 1u << 1,
    FLAGS_LOW = (1u << 3) | (1u << 5),
    FLAGS_MASK = 0xfffu,
    FLAGS_USER_DEFAULT = FLAGS_IF | FLAGS_HIGH,
    SEL_CS_3 = 0x2b,   /* user code selector: GDT entry 5, RPL 3 */
    SEL_DS_3 = 0x33,   /* user data selector: GDT entry 6, RPL 3 */
    SYSRET_CS = SEL_CS_3 + 16,   /* sysretq: STAR[63:48] = SEL_CS_3, CS = that + 16 */
    SYSRET_SS = SEL_CS_3 + 8,
};

uint64_t sanitise_register(unsigned reg, uint64_t v)
{
    if (reg == R_FAULTIP || reg == R_NEXTIP || reg == R_FS_BASE || reg == R_GS_BASE) {
        /* non-canonical addresses (bits 63..47 not all equal) become 0 */
        uint64_t top = v >> 47;
        if (top != 0 && top != 0x1ffffu)
            v = 0;
    }
    if (reg == R_FLAGS) {
        v |= FLAGS_HIGH;
        v &= ~(uint64_t)FLAGS_LOW;
        v |= FLAGS_IF;
        v &= ~(uint64_t)FLAGS_TF;
        v &= FLAGS_MASK;
    }
    return v;
}

void regs_init_context(tcb *t)
{
    memset(t->ctx, 0, sizeof t->ctx);
    t->ctx[R_CS] = SEL_CS_3;
    t->ctx[R_SS] = SEL_DS_3;
    t->ctx[R_FLAGS] = FLAGS_USER_DEFAULT;
    t->fpu_valid = false;
}

/* Optional machine hook (machine.h): the selectors and FPU state of the next cpu_run. */
void cpu_set_user_mode(uint16_t cs, uint16_t ss, bool fpu_disabled) __attribute__((weak));

/* The selectors and FPU state the thread returns to user mode with: sysretq after a
 * system call gives CS 0x3b / SS 0x33, iretq the saved ones (0x2b / 0x33); a thread
 * with seL4_TCBFlag_fpuDisabled runs with CR0.TS set, so FPU/SSE instructions raise #NM. */
void regs_user_mode(const tcb *t)
{
    if (!cpu_set_user_mode)
        return;
    bool sysret = t->ctx[R_ERROR] == ~0ull;
    cpu_set_user_mode((uint16_t)(sysret ? SYSRET_CS : t->ctx[R_CS]),
                      (uint16_t)(sysret ? SYSRET_SS : t->ctx[R_SS]),
                      (t->flags & seL4_TCBFlag_fpuDisabled) != 0);
}

void regs_load(const tcb *t, sim_regs *r)
{
    const uint64_t *c = t->ctx;
    r->rdi = c[R_RDI];
    r->rsi = c[R_RSI];
    r->rax = c[R_RAX];
    r->rbx = c[R_RBX];
    r->rbp = c[R_RBP];
    r->r12 = c[R_R12];
    r->r13 = c[R_R13];
    r->r14 = c[R_R14];
    r->rdx = c[R_RDX];
    r->r10 = c[R_R10];
    r->r8 = c[R_R8];
    r->r9 = c[R_R9];
    r->r15 = c[R_R15];
    r->rip = c[R_NEXTIP];
    r->fs_base = c[R_FS_BASE];
    r->gs_base = c[R_GS_BASE];
    if (c[R_ERROR] == ~0ull) {
        /* sysretq: RCX <- NextIP, R11 <- FLAGS, RFLAGS <- (R11 & 0x3C7FD7) | 2, RSP cleared */
        r->rcx = c[R_NEXTIP];
        r->r11 = c[R_FLAGS];
        r->rsp = 0;
        r->rflags = (c[R_FLAGS] & 0x3C7FD7ull) | 2u;
    } else {
        r->rcx = c[R_RCX];
        r->r11 = c[R_R11];
        r->rsp = c[R_RSP];
        r->rflags = c[R_FLAGS];
    }
    memcpy(r->fpu, t->fpu, sizeof r->fpu);
    r->fpu_valid = t->fpu_valid;
}

static void save_common(tcb *t, const sim_regs *r)
{
    uint64_t *c = t->ctx;
    c[R_RDI] = r->rdi;
    c[R_RSI] = r->rsi;
    c[R_RAX] = r->rax;
    c[R_RBX] = r->rbx;
    c[R_RBP] = r->rbp;
    c[R_R12] = r->r12;
    c[R_R13] = r->r13;
    c[R_R14] = r->r14;
    c[R_RDX] = r->rdx;
    c[R_R10] = r->r10;
    c[R_R8] = r->r8;
    c[R_R9] = r->r9;
    c[R_R15] = r->r15;
    c[R_FS_BASE] = r->fs_base;
    c[R_GS_BASE] = r->gs_base;
    memcpy(t->fpu, r->fpu, sizeof t->fpu);
    t->fpu_valid = r->fpu_valid;
}

void regs_save_syscall(tcb *t, const sim_regs *r)
{
    save_common(t, r);
    t->ctx[R_FLAGS] = r->r11;
    t->ctx[R_NEXTIP] = r->rcx;
    t->ctx[R_ERROR] = ~0ull;
    /* FaultIP points at the 2-byte syscall instruction */
    t->ctx[R_FAULTIP] = r->rcx - 2;
}

void regs_save_full(tcb *t, const sim_regs *r, uint64_t error)
{
    save_common(t, r);
    t->ctx[R_RSP] = r->rsp;
    t->ctx[R_R11] = r->r11;
    t->ctx[R_RCX] = r->rcx;
    t->ctx[R_FLAGS] = r->rflags;
    t->ctx[R_NEXTIP] = r->rip;
    t->ctx[R_FAULTIP] = r->rip;
    t->ctx[R_ERROR] = error;
}

/* After another thread's registers were changed, return to it through the full
 * restore path (the current thread keeps the syscall path). */
void post_modify_registers(kernel *k, tcb *t)
{
    if (t != k->cur)
        t->ctx[R_ERROR] = 0;
}
