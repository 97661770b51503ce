/*
 * Probes the marshalling of every system call wrapper and invocation stub: each is called
 * with distinct argument values, its `syscall` instruction is trapped (seccomp
 * SECCOMP_RET_TRAP, only for code in the section "sel4stubs"), and the SIGSYS handler
 * records the registers (syscall number, cap, message info, MR0-3) and the IPC buffer,
 * then plays a kernel reply back.  The printed record must be the same with our ABI
 * headers and with the real libsel4.  Linux x86_64 only.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <ucontext.h>
#include <sys/prctl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sel4/sel4.h>

#define STUBS __attribute__((section("sel4stubs"), noinline, flatten))
extern char __start_sel4stubs[], __stop_sel4stubs[];

void __assert_fail(const char *str, const char *file, int line, const char *function);
void __assert_fail(const char *str, const char *file, int line, const char *function)
{
    fprintf(stderr, "libsel4 assertion failed: %s (%s:%d %s)\n", str, file, line, function);
    abort();
}

static seL4_IPCBuffer ipc;

/* ---- the fake kernel ---- */

typedef struct trap {
    uint64_t sys, cap, info, mr[4];
    uint64_t msg[seL4_MsgMaxLength];     /* the IPC buffer when the call was made */
    uint64_t caps[seL4_MsgMaxExtraCaps];
} trap_t;
#define MAX_TRAPS 4
static trap_t traps[MAX_TRAPS];
static volatile int ntraps;             /* written by the signal handler */
static volatile uint64_t reply_label;   /* label of the reply the fake kernel sends */

static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)si;
    greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
    if (ntraps < MAX_TRAPS) {
        trap_t *t = &traps[ntraps];
        t->sys = (uint64_t)g[REG_RDX];
        t->cap = (uint64_t)g[REG_RDI];
        t->info = (uint64_t)g[REG_RSI];
        t->mr[0] = (uint64_t)g[REG_R10];
        t->mr[1] = (uint64_t)g[REG_R8];
        t->mr[2] = (uint64_t)g[REG_R9];
        t->mr[3] = (uint64_t)g[REG_R15];
        memcpy(t->msg, ipc.msg, sizeof(t->msg));
        memcpy(t->caps, ipc.caps_or_badges, sizeof(t->caps));
    }
    ntraps++;
    int64_t sys = (int64_t)g[REG_RDX];
#ifdef CONFIG_DEBUG_BUILD
    if (sys == seL4_SysDebugCapIdentify) {
        g[REG_RDI] = 0x33; /* a cap type */
        return;
    }
#endif
    if (sys != seL4_SysCall && sys != seL4_SysReplyRecv && sys != seL4_SysRecv &&
        sys != seL4_SysNBRecv) {
        return; /* nothing comes back: the kernel leaves the registers alone */
    }
    /* Reply: label, 22 message words (enough for ReadRegisters), badge, MRs. */
    g[REG_RSI] = (greg_t)((reply_label << 12) | 22u);
    g[REG_RDI] = (greg_t)0xbad6e;
    g[REG_R10] = 0x1000;
    g[REG_R8] = 0x1001;
    g[REG_R9] = 0x1002;
    g[REG_R15] = 0x1003;
    for (unsigned i = 4; i < seL4_MsgMaxLength; i++) {
        ipc.msg[i] = 0x1000 + i;
    }
}

static int install_trap(void)
{
    uintptr_t lo = (uintptr_t)__start_sel4stubs;
    uintptr_t hi = (uintptr_t)__stop_sel4stubs;
    if ((lo >> 32) != ((hi - 1) >> 32)) {
        printf("stub probe: code section crosses a 4 GiB boundary, cannot filter\n");
        return -1;
    }
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer) + 4),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(lo >> 32), 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer)),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)lo, 0, 2),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)hi, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = { .len = (unsigned short)(sizeof(f) / sizeof(f[0])), .filter = f };
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_sigsys;
    sa.sa_flags = SA_SIGINFO;
    if (sigaction(SIGSYS, &sa, NULL) != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
        printf("stub probe: cannot install the seccomp filter\n");
        return -1;
    }
    return 0;
}

/* ---- recording ---- */

static __attribute__((noinline)) void begin(uint64_t label)
{
    memset(&ipc, 0, sizeof(ipc));
    for (unsigned i = 0; i < seL4_MsgMaxLength; i++) {
        ipc.msg[i] = 0xee00 + i; /* stale contents the stub may or may not overwrite */
    }
    ntraps = 0;
    reply_label = label;
}

/* Which registers the kernel reads for a syscall (the others are don't-cares that the
 * two libraries may fill differently). */
enum { USES_CAP = 1, USES_INFO = 2, USES_MRS = 4, USES_NAME = 8 };
static unsigned kernel_reads(int64_t sys)
{
    switch (sys) {
    case seL4_SysCall:
    case seL4_SysReplyRecv:
    case seL4_SysSend:
    case seL4_SysNBSend: return USES_CAP | USES_INFO | USES_MRS;
    case seL4_SysReply: return USES_INFO | USES_MRS;
    case seL4_SysRecv:
    case seL4_SysNBRecv:
#ifdef CONFIG_PRINTING
    case seL4_SysDebugPutChar:
#endif
#ifdef CONFIG_DEBUG_BUILD
    case seL4_SysDebugCapIdentify:
#endif
    case seL4_SysSetTLSBase: return USES_CAP;
#ifdef CONFIG_DEBUG_BUILD
    case seL4_SysDebugNameThread: return USES_CAP | USES_NAME;
#endif
    default: return 0;
    }
}

/* Prints what the stub sent (as far as the kernel reads it) and what it left in the IPC
 * buffer's first words. */
static __attribute__((noinline)) void report_only(const char *name, long long ret, unsigned mask)
{
    int n = ntraps;
    printf("%s [reply %llu]: returns %#llx, %d syscall(s)\n", name, (unsigned long long)reply_label,
           (unsigned long long)ret, n);
    for (int i = 0; i < n && i < MAX_TRAPS; i++) {
        const trap_t *t = &traps[i];
        unsigned reads = kernel_reads((int64_t)t->sys) & mask;
        unsigned len = (unsigned)(t->info & 0x7f);
        unsigned extra = (unsigned)((t->info >> 7) & 3);
        printf("  sys %lld", (long long)t->sys);
        if (reads & USES_CAP) printf(" cap %#llx", (unsigned long long)t->cap);
        if (reads & USES_INFO) printf(" info %#llx", (unsigned long long)t->info);
        if (reads & USES_MRS) {
            printf(" mr");
            for (unsigned k = 0; k < len && k < 4; k++) printf(" %#llx", (unsigned long long)t->mr[k]);
            for (unsigned k = 4; k < len && k < seL4_MsgMaxLength; k++) {
                printf(" %#llx", (unsigned long long)t->msg[k]);
            }
            for (unsigned k = 0; k < extra; k++) printf(" cap%u=%#llx", k, (unsigned long long)t->caps[k]);
        }
        if (reads & USES_NAME) printf(" name %.32s", (const char *)t->msg);
        printf("\n");
    }
    printf("  after: msg[0..4) %#llx %#llx %#llx %#llx\n", (unsigned long long)ipc.msg[0],
           (unsigned long long)ipc.msg[1], (unsigned long long)ipc.msg[2],
           (unsigned long long)ipc.msg[3]);
}

static __attribute__((noinline)) void report(const char *name, long long ret)
{
    report_only(name, ret, ~0u);
}

#define CALL(expr) report(#expr, (long long)(expr))

/* ---- the probes (every call here is trapped) ---- */

static STUBS void probe_syscalls(void)
{
    seL4_Word badge = 0, m0 = 0x21, m1 = 0x22, m2 = 0x23, m3 = 0x24;
    seL4_MessageInfo_t tag2 = seL4_MessageInfo_new(0x77, 0, 0, 2);
    seL4_MessageInfo_t tag6 = seL4_MessageInfo_new(0x78, 0, 1, 6);
    seL4_SetMR(0, 0x31); seL4_SetMR(1, 0x32); seL4_SetMR(2, 0x33); seL4_SetMR(3, 0x34);

    begin(0); ipc.msg[0] = 0x31; ipc.msg[1] = 0x32; seL4_Send(0x40, tag2); report("seL4_Send", 0);
    begin(0); ipc.msg[0] = 0x31; seL4_NBSend(0x41, tag6); report("seL4_NBSend", 0);
    begin(0); seL4_SendWithMRs(0x42, tag6, &m0, &m1, &m2, &m3); report("seL4_SendWithMRs", 0);
    begin(0); seL4_NBSendWithMRs(0x43, tag2, &m0, &m1, NULL, NULL); report("seL4_NBSendWithMRs", 0);
    begin(0); ipc.msg[0] = 0x35; seL4_Reply(tag2); report("seL4_Reply", 0);
    begin(0); seL4_ReplyWithMRs(tag6, &m0, &m1, &m2, &m3); report("seL4_ReplyWithMRs", 0);
    /* Signal's message word is a don't-care (libsel4 leaves it uninitialised). */
    begin(0); seL4_Signal(0x44); report_only("seL4_Signal", 0, USES_CAP | USES_INFO);
    begin(5); CALL(seL4_Recv(0x45, &badge).words[0]); printf("  badge %#llx\n", (unsigned long long)badge);
    begin(5); CALL(seL4_NBRecv(0x46, &badge).words[0]); printf("  badge %#llx\n", (unsigned long long)badge);
    begin(5); CALL(seL4_RecvWithMRs(0x47, &badge, &m0, &m1, &m2, &m3).words[0]);
    printf("  badge %#llx mrs %#llx %#llx %#llx %#llx\n", (unsigned long long)badge,
           (unsigned long long)m0, (unsigned long long)m1, (unsigned long long)m2, (unsigned long long)m3);
    begin(5); ipc.msg[0] = 0x36; CALL(seL4_Call(0x48, tag6).words[0]);
    begin(5); m0 = 0x21; m1 = 0x22; m2 = 0x23; m3 = 0x24;
    CALL(seL4_CallWithMRs(0x49, tag6, &m0, &m1, &m2, &m3).words[0]);
    printf("  mrs %#llx %#llx %#llx %#llx\n", (unsigned long long)m0, (unsigned long long)m1,
           (unsigned long long)m2, (unsigned long long)m3);
    begin(5); ipc.msg[0] = 0x37; CALL(seL4_ReplyRecv(0x4a, tag2, &badge).words[0]);
    printf("  badge %#llx\n", (unsigned long long)badge);
    begin(5); m0 = 0x21; m1 = 0x22; m2 = 0x23; m3 = 0x24;
    CALL(seL4_ReplyRecvWithMRs(0x4b, tag6, &badge, &m0, &m1, &m2, &m3).words[0]);
    printf("  badge %#llx mrs %#llx %#llx\n", (unsigned long long)badge, (unsigned long long)m0,
           (unsigned long long)m3);
    begin(0); seL4_Wait(0x4c, &badge); report("seL4_Wait", 0); printf("  badge %#llx\n", (unsigned long long)badge);
    begin(0); CALL(seL4_Poll(0x4d, &badge).words[0]); printf("  badge %#llx\n", (unsigned long long)badge);
    begin(0); seL4_Yield(); report("seL4_Yield", 0);
    begin(0); seL4_SetTLSBase(0x12345678); report("seL4_SetTLSBase", 0);
#ifdef CONFIG_PRINTING
    begin(0); seL4_DebugPutChar('A'); report("seL4_DebugPutChar", 0);
    begin(0); seL4_DebugDumpScheduler(); report("seL4_DebugDumpScheduler", 0);
#endif
#ifdef CONFIG_DEBUG_BUILD
    begin(0); seL4_DebugHalt(); report("seL4_DebugHalt", 0);
    begin(0); seL4_DebugSnapshot(); report("seL4_DebugSnapshot", 0);
    begin(0); CALL(seL4_DebugCapIdentify(0x4e));
    begin(0); seL4_DebugNameThread(0x4f, "probe-name"); report("seL4_DebugNameThread", 0);
#endif
}

static STUBS void probe_invocations(seL4_Word reply)
{
    seL4_UserContext regs;
    seL4_Word *w = (seL4_Word *)&regs;
    for (unsigned i = 0; i < sizeof(regs) / sizeof(seL4_Word); i++) w[i] = 0x500 + i;

    begin(reply); CALL(seL4_Untyped_Retype(0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17));
    begin(reply); CALL(seL4_CNode_Revoke(0x10, 0x11, 0x12));
    begin(reply); CALL(seL4_CNode_Delete(0x10, 0x11, 0x12));
    begin(reply); CALL(seL4_CNode_CancelBadgedSends(0x10, 0x11, 0x12));
    begin(reply); CALL(seL4_CNode_Copy(0x10, 0x11, 0x12, 0x13, 0x14, 0x15, seL4_CapRights_new(1, 0, 1, 0)));
    begin(reply); CALL(seL4_CNode_Mint(0x10, 0x11, 0x12, 0x13, 0x14, 0x15, seL4_CapRights_new(0, 1, 0, 1), 0x16));
    begin(reply); CALL(seL4_CNode_Move(0x10, 0x11, 0x12, 0x13, 0x14, 0x15));
    begin(reply); CALL(seL4_CNode_Mutate(0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16));
    begin(reply); CALL(seL4_CNode_Rotate(0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a));
    begin(reply); CALL(seL4_CNode_SaveCaller(0x10, 0x11, 0x12));
    begin(reply); CALL(seL4_TCB_Configure(0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17));
    begin(reply); CALL(seL4_TCB_SetSpace(0x10, 0x11, 0x12, 0x13, 0x14, 0x15));
    begin(reply); CALL(seL4_TCB_SetIPCBuffer(0x10, 0x11, 0x12));
    begin(reply); CALL(seL4_TCB_SetPriority(0x10, 0x11, 0x12));
    begin(reply); CALL(seL4_TCB_SetMCPriority(0x10, 0x11, 0x12));
    begin(reply); CALL(seL4_TCB_SetSchedParams(0x10, 0x11, 0x12, 0x13));
    begin(reply); CALL(seL4_TCB_Suspend(0x10));
    begin(reply); CALL(seL4_TCB_Resume(0x10));
    begin(reply); CALL(seL4_TCB_BindNotification(0x10, 0x11));
    begin(reply); CALL(seL4_TCB_UnbindNotification(0x10));
    begin(reply); CALL(seL4_TCB_SetTLSBase(0x10, 0x11));
    begin(reply);
    seL4_TCB_SetFlags_t fl = seL4_TCB_SetFlags(0x10, 0x11, 0x12);
    report("seL4_TCB_SetFlags", fl.error);
    printf("  flags %#llx\n", (unsigned long long)fl.flags);
    begin(reply); CALL(seL4_TCB_ReadRegisters(0x10, 1, 0x13, 20, &regs));
    printf("  regs rip %#llx rax %#llx rbx %#llx r15 %#llx gs_base %#llx\n",
           (unsigned long long)regs.rip, (unsigned long long)regs.rax, (unsigned long long)regs.rbx,
           (unsigned long long)regs.r15, (unsigned long long)regs.gs_base);
    for (unsigned i = 0; i < sizeof(regs) / sizeof(seL4_Word); i++) w[i] = 0x500 + i;
    begin(reply); CALL(seL4_TCB_WriteRegisters(0x10, 1, 0x13, 20, &regs));
    begin(reply); CALL(seL4_TCB_CopyRegisters(0x10, 0x11, 1, 0, 1, 1, 0x13));
    begin(reply); CALL(seL4_IRQControl_Get(0x10, 0x11, 0x12, 0x13, 0x14));
    begin(reply); CALL(seL4_IRQControl_GetIOAPIC(0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18));
    begin(reply); CALL(seL4_IRQControl_GetMSI(0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18));
    begin(reply); CALL(seL4_IRQHandler_Ack(0x10));
    begin(reply); CALL(seL4_IRQHandler_SetNotification(0x10, 0x11));
    begin(reply); CALL(seL4_IRQHandler_Clear(0x10));
    begin(reply); CALL(seL4_DomainSet_Set(0x10, 0x11, 0x12));
    begin(reply); CALL(seL4_DomainSet_ScheduleConfigure(0x10, 0x11, 0x12, 0x13));
    begin(reply); CALL(seL4_DomainSet_ScheduleSetStart(0x10, 0x11));
    begin(reply); CALL(seL4_X86_IOPortControl_Issue(0x10, 0x11, 0x12, 0x13, 0x14, 0x15));
    begin(reply);
    seL4_X86_IOPort_In8_t in8 = seL4_X86_IOPort_In8(0x10, 0x1234);
    report("seL4_X86_IOPort_In8", in8.error);
    printf("  result %#llx\n", (unsigned long long)in8.result);
    begin(reply);
    seL4_X86_IOPort_In16_t in16 = seL4_X86_IOPort_In16(0x10, 0x1234);
    report("seL4_X86_IOPort_In16", in16.error);
    printf("  result %#llx\n", (unsigned long long)in16.result);
    begin(reply);
    seL4_X86_IOPort_In32_t in32 = seL4_X86_IOPort_In32(0x10, 0x1234);
    report("seL4_X86_IOPort_In32", in32.error);
    printf("  result %#llx\n", (unsigned long long)in32.result);
    begin(reply); CALL(seL4_X86_IOPort_Out8(0x10, 0x11, 0x12));
    begin(reply); CALL(seL4_X86_IOPort_Out16(0x10, 0x11, 0x12));
    begin(reply); CALL(seL4_X86_IOPort_Out32(0x10, 0x11, 0x12));
    begin(reply); CALL(seL4_X86_ASIDControl_MakePool(0x10, 0x11, 0x12, 0x13, 0x14));
    begin(reply); CALL(seL4_X86_ASIDPool_Assign(0x10, 0x11));
    begin(reply); CALL(seL4_X86_PDPT_Map(0x10, 0x11, 0x12, seL4_X86_WriteThrough));
    begin(reply); CALL(seL4_X86_PDPT_Unmap(0x10));
    begin(reply); CALL(seL4_X86_PageDirectory_Map(0x10, 0x11, 0x12, seL4_X86_CacheDisabled));
    begin(reply); CALL(seL4_X86_PageDirectory_Unmap(0x10));
    begin(reply); CALL(seL4_X86_PageTable_Map(0x10, 0x11, 0x12, seL4_X86_Uncacheable));
    begin(reply); CALL(seL4_X86_PageTable_Unmap(0x10));
    begin(reply); CALL(seL4_X86_Page_Map(0x10, 0x11, 0x12, seL4_CapRights_new(0, 0, 1, 1), seL4_X86_WriteCombining));
    begin(reply); CALL(seL4_X86_Page_Unmap(0x10));
    begin(reply);
    seL4_X86_Page_GetAddress_t ga = seL4_X86_Page_GetAddress(0x10);
    report("seL4_X86_Page_GetAddress", ga.error);
    printf("  paddr %#llx\n", (unsigned long long)ga.paddr);
}

void probe_stubs(void);
void probe_stubs(void)
{
    __sel4_ipc_buffer = &ipc;
    fflush(stdout);
    if (install_trap() != 0) {
        return;
    }
    probe_syscalls();
    probe_invocations(seL4_NoError);
    probe_invocations(seL4_FailedLookup);
    fflush(stdout);
}
