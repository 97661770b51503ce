/* Conformance: TCB invocations (manual 6 and 10.3.13). */
#include "harness.h"
#include <runtime/string.h>

#define ROOT seL4_CapInitThreadCNode
#define D 64
#define NREGS (sizeof(seL4_UserContext) / sizeof(seL4_Word))

/* A configured TCB that has never run (inactive). */
static seL4_CPtr fresh_tcb(void)
{
    seL4_CPtr t = conf_object(seL4_TCBObject, 0);
    seL4_Error e = seL4_TCB_Configure(t, seL4_CapNull, ROOT, 0, seL4_CapInitThreadVSpace, 0, 0,
                                      seL4_CapNull);
    if (e != seL4_NoError) conf_bail("Configure failed: %s", conf_error_name(e));
    return t;
}

static void test_configure(void)
{
    seL4_CPtr frame;
    seL4_Word buf = (seL4_Word)conf_page(&frame);
    seL4_CPtr t = conf_object(seL4_TCBObject, 0);
    seL4_CPtr ntfn = conf_object(seL4_NotificationObject, 0);
    check_err(seL4_TCB_Configure(t, seL4_CapNull, ROOT, 0, seL4_CapInitThreadVSpace, 0, buf, frame),
              seL4_NoError, "Configure a new TCB");
    check_err(seL4_TCB_Configure(t, seL4_CapNull, ntfn, 0, seL4_CapInitThreadVSpace, 0, buf, frame),
              seL4_IllegalOperation, "Configure with a notification as CSpace root -> IllegalOperation");
    check_err(seL4_TCB_Configure(t, seL4_CapNull, ROOT, 0, ntfn, 0, buf, frame),
              seL4_IllegalOperation, "Configure with a notification as VSpace root -> IllegalOperation");
    seL4_CPtr pml4 = conf_object(seL4_X64_PML4Object, 0);
    check_err(seL4_TCB_Configure(t, seL4_CapNull, ROOT, 0, pml4, 0, buf, frame),
              seL4_IllegalOperation, "Configure with a PML4 without an ASID -> IllegalOperation");
    check_err(seL4_TCB_Configure(t, seL4_CapNull, ROOT, seL4_CNode_CapData_new(0, 52).words[0],
                                 seL4_CapInitThreadVSpace, 0, buf, frame),
              seL4_NoError, "Configure with CSpace root data (guard 52 bits)");
    check_err(seL4_TCB_Configure(t, seL4_CapNull, ROOT, seL4_CNode_CapData_new(0, 60).words[0],
                                 seL4_CapInitThreadVSpace, 0, buf, frame),
              seL4_IllegalOperation, "CSpace root data with guard + radix > 64 -> IllegalOperation");
    check_err(seL4_TCB_SetIPCBuffer(t, buf + 8, frame), seL4_AlignmentError,
              "SetIPCBuffer at a non-1KiB-aligned address -> AlignmentError");
    check_err(seL4_TCB_SetIPCBuffer(t, buf + 1024, frame), seL4_NoError,
              "SetIPCBuffer at a 1 KiB-aligned address inside the page");
    check_err(seL4_TCB_SetIPCBuffer(t, buf, ntfn), seL4_IllegalOperation,
              "SetIPCBuffer with a notification cap -> IllegalOperation");
    seL4_BootInfo *bi = runtime_bootinfo();
    seL4_CPtr dev_frame = conf_slot();
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        if (bi->untypedList[i].isDevice && bi->untypedList[i].sizeBits >= 12) {
            seL4_Untyped_Retype(bi->untyped.start + i, seL4_X86_4K, 0, ROOT, 0, 0, dev_frame, 1);
            break;
        }
    }
    check_err(seL4_TCB_SetIPCBuffer(t, buf, dev_frame), seL4_IllegalOperation,
              "SetIPCBuffer with a device frame -> IllegalOperation");
    check_err(seL4_TCB_SetIPCBuffer(t, 0, seL4_CapNull), seL4_NoError,
              "SetIPCBuffer address 0 (no buffer) with a null cap");
    check_err(seL4_TCB_SetSpace(t, seL4_CapNull, ROOT, 0, seL4_CapInitThreadVSpace, 0), seL4_NoError,
              "SetSpace");
    check_err(seL4_TCB_SetSpace(t, (seL4_CPtr)1 << 40, ROOT, 0, seL4_CapInitThreadVSpace, 0), seL4_NoError,
              "the fault endpoint is only a cptr: an unresolvable one is accepted");
    check_err(seL4_TCB_SetSpace(t, seL4_CapNull, seL4_CapInitThreadVSpace, 0, seL4_CapInitThreadVSpace, 0),
              seL4_IllegalOperation, "SetSpace with a VSpace cap as CSpace root -> IllegalOperation");
    seL4_MessageInfo_t r = seL4_Call(t, seL4_MessageInfo_new(CNodeCopy, 0, 0, 0));
    check_eq(seL4_MessageInfo_get_label(r), seL4_IllegalOperation,
             "a CNode label on a TCB -> IllegalOperation");
    r = seL4_Call(t, seL4_MessageInfo_new(TCBSetPriority, 0, 0, 0));
    check_eq(seL4_MessageInfo_get_label(r), seL4_TruncatedMessage,
             "SetPriority without arguments -> TruncatedMessage");
}

static void test_priorities(void)
{
    seL4_CPtr t = fresh_tcb(), u = fresh_tcb();
    seL4_CPtr ntfn = conf_object(seL4_NotificationObject, 0);
    check_err(seL4_TCB_SetPriority(t, seL4_CapInitThreadTCB, 100), seL4_NoError,
              "SetPriority 100 with the root task as authority (MCP 255)");
    check_range(seL4_TCB_SetPriority(t, seL4_CapInitThreadTCB, 256), 0, 255,
                "SetPriority 256 -> RangeError [0, 255]");
    check_range(seL4_TCB_SetPriority(u, t, 1), 0, 0,
                "a new TCB has MCP 0: SetPriority 1 with it as authority -> RangeError [0, 0]");
    check_err(seL4_TCB_SetPriority(u, t, 0), seL4_NoError, "...priority 0 is allowed");
    check_err(seL4_TCB_SetMCPriority(t, seL4_CapInitThreadTCB, 50), seL4_NoError,
              "SetMCPriority 50");
    check_range(seL4_TCB_SetPriority(u, t, 51), 0, 50,
                "SetPriority 51 with an MCP-50 authority -> RangeError [0, 50]");
    check_err(seL4_TCB_SetPriority(u, t, 50), seL4_NoError, "SetPriority 50 with MCP-50 authority");
    check_range(seL4_TCB_SetMCPriority(u, t, 60), 0, 50,
                "SetMCPriority 60 with an MCP-50 authority -> RangeError [0, 50]");
    check_err(seL4_TCB_SetPriority(t, ntfn, 1), seL4_InvalidCapability,
              "SetPriority with a notification as authority -> InvalidCapability");
    check_eq(seL4_GetMR(0), 1, "InvalidCapability names cap 1");
    check_err(seL4_TCB_SetSchedParams(u, seL4_CapInitThreadTCB, 10, 20), seL4_NoError,
              "SetSchedParams MCP 10, priority 20 (priority above the new MCP is fine)");
    check_range(seL4_TCB_SetPriority(t, u, 11), 0, 10,
                "the new MCP 10 limits what u may grant");
    check_range(seL4_TCB_SetSchedParams(u, seL4_CapInitThreadTCB, 256, 1), 0, 255,
                "SetSchedParams MCP 256 -> RangeError [0, 255]");
    check_range(seL4_TCB_SetSchedParams(u, t, 1, 51), 0, 50,
                "SetSchedParams priority 51 with an MCP-50 authority -> RangeError");
}

static void test_registers(void)
{
    seL4_CPtr t1 = fresh_tcb(), t2 = fresh_tcb(), t3 = fresh_tcb();
    seL4_UserContext regs = { 0 }, back = { 0 };
    seL4_Word *w = (seL4_Word *)&regs, *b = (seL4_Word *)&back;

    check_err(seL4_TCB_ReadRegisters(t1, 0, 0, NREGS, &back), seL4_NoError,
              "ReadRegisters of a new TCB");
    bool zero = true;
    for (unsigned i = 0; i < NREGS; i++)
        if (i != 2 && b[i] != 0) zero = false;
    check(zero && back.rflags == 0x202, "a new TCB has rflags 0x202 and every other register 0");
    check_err(seL4_TCB_ReadRegisters(seL4_CapInitThreadTCB, 0, 0, NREGS, &back),
              seL4_IllegalOperation, "ReadRegisters of the calling thread -> IllegalOperation");
    check_err(seL4_TCB_WriteRegisters(seL4_CapInitThreadTCB, 0, 0, NREGS, &regs),
              seL4_IllegalOperation, "WriteRegisters of the calling thread -> IllegalOperation");
    check_range(seL4_TCB_ReadRegisters(t1, 0, 0, 0, &back), 1, 20,
                "ReadRegisters of 0 registers -> RangeError [1, 20]");
    check_range(seL4_TCB_ReadRegisters(t1, 0, 0, 21, &back), 1, 20,
                "ReadRegisters of 21 registers -> RangeError [1, 20]");

    for (unsigned i = 0; i < NREGS; i++) w[i] = 0x1000 + i;
    regs.rflags = 0;
    check_err(seL4_TCB_WriteRegisters(t1, 0, 0, NREGS, &regs), seL4_NoError, "WriteRegisters (all 20)");
    seL4_TCB_ReadRegisters(t1, 0, 0, NREGS, &back);
    bool same = true;
    for (unsigned i = 0; i < NREGS; i++)
        if (i != 2 && b[i] != w[i]) same = false;
    check(same, "ReadRegisters returns what WriteRegisters wrote");
    check_eq(back.rflags, 0x202, "rflags 0 is sanitised to 0x202 (IF and bit 1 forced)");
    regs.rflags = 0xffff;
    seL4_TCB_WriteRegisters(t1, 0, 0, NREGS, &regs);
    seL4_TCB_ReadRegisters(t1, 0, 0, NREGS, &back);
    check_eq(back.rflags, 0xed7, "rflags 0xffff is sanitised to 0xed7 (no TF, bits 3/5 low, 12 bits)");
    regs.rip = 0x0000800000000000ul;
    regs.fs_base = 0xffff000000000000ul;
    regs.gs_base = 0xffff800000001000ul;
    seL4_TCB_WriteRegisters(t1, 0, 0, NREGS, &regs);
    seL4_TCB_ReadRegisters(t1, 0, 0, NREGS, &back);
    check(back.rip == 0 && back.fs_base == 0 && back.gs_base == 0xffff800000001000ul,
          "non-canonical rip and fs_base become 0, canonical gs_base is kept");
    regs.rip = 0x1000;
    regs.rflags = 0x202;
    regs.fs_base = 0x2000;
    seL4_TCB_WriteRegisters(t1, 0, 0, NREGS, &regs);
    seL4_UserContext part;
    memset(&part, 0, sizeof(part));
    part.rip = 0x4444;
    part.rsp = 0x5555;
    check_err(seL4_TCB_WriteRegisters(t2, 0, 0, 2, &part), seL4_NoError, "WriteRegisters of 2 registers");
    seL4_TCB_ReadRegisters(t2, 0, 0, NREGS, &back);
    check(back.rip == 0x4444 && back.rsp == 0x5555 && back.rax == 0 && back.rflags == 0x202,
          "only rip and rsp changed");
    seL4_MessageInfo_t r = seL4_Call(t2, seL4_MessageInfo_new(TCBWriteRegisters, 0, 0, 4));
    check_eq(seL4_MessageInfo_get_label(r), seL4_TruncatedMessage,
             "WriteRegisters of 20 registers in a 4-word message -> TruncatedMessage");

    check_err(seL4_TCB_CopyRegisters(t2, t1, 0, 0, 1, 1, 0), seL4_NoError,
              "CopyRegisters (frame and integer)");
    seL4_TCB_ReadRegisters(t2, 0, 0, NREGS, &back);
    seL4_TCB_ReadRegisters(t1, 0, 0, NREGS, &regs);
    check(memcmp(&regs, &back, sizeof(regs)) == 0, "the target's registers equal the source's");
    check_err(seL4_TCB_CopyRegisters(t3, t1, 0, 0, 1, 0, 0), seL4_NoError,
              "CopyRegisters (frame registers only)");
    seL4_TCB_ReadRegisters(t3, 0, 0, NREGS, &back);
    check(back.rip == 0x1000 && back.rbp == regs.rbp && back.r15 == regs.r15 &&
              back.fs_base == 0 && back.gs_base == 0,
          "frame registers (rip..r15) copied, fs_base and gs_base not");
    check_err(seL4_TCB_CopyRegisters(t3, t1, 0, 0, 0, 1, 0), seL4_NoError,
              "CopyRegisters (integer registers only)");
    seL4_TCB_ReadRegisters(t3, 0, 0, NREGS, &back);
    check(back.fs_base == 0x2000 && back.gs_base == 0xffff800000001000ul,
          "now fs_base and gs_base are copied too");
    seL4_CPtr ntfn = conf_object(seL4_NotificationObject, 0);
    check_err(seL4_TCB_CopyRegisters(t3, ntfn, 0, 0, 1, 1, 0), seL4_InvalidCapability,
              "CopyRegisters from a notification -> InvalidCapability");
    check_eq(seL4_GetMR(0), 1, "InvalidCapability names cap 1");
}

/* ---- Threads ---- */
static volatile seL4_Word counter, received;

static void spinner(void *arg)
{
    seL4_CPtr n = (seL4_CPtr)arg;
    for (;;) {
        counter++;
        seL4_Signal(n);
    }
}

struct recv_args { seL4_CPtr ep, done; };
static void receiver(void *arg)
{
    struct recv_args *a = arg;
    for (;;) {
        seL4_Recv(a->ep, NULL);
        received = seL4_GetMR(0);
        seL4_Signal(a->done);
    }
}

static void test_suspend_resume(void)
{
    seL4_CPtr n = conf_object(seL4_NotificationObject, 0);
    conf_thread_t sp;
    conf_thread_create(&sp, spinner, (void *)n, 100, seL4_CapNull);
    seL4_Wait(n, NULL);
    check_eq(counter, 1, "a new thread ran until it signalled");
    seL4_Wait(n, NULL);
    check_eq(counter, 2, "it runs again each time the root task blocks");
    check_err(seL4_TCB_Suspend(sp.tcb), seL4_NoError, "Suspend a runnable thread");
    conf_settle();
    check_eq(counter, 2, "a suspended thread does not run");
    check_err(seL4_TCB_Suspend(sp.tcb), seL4_NoError, "Suspend an already suspended thread");
    check_err(seL4_TCB_Resume(sp.tcb), seL4_NoError, "Resume it");
    seL4_Wait(n, NULL);
    check_eq(counter, 3, "it continued where it stopped");
    check_err(seL4_TCB_Resume(sp.tcb), seL4_NoError, "Resume a thread that is not suspended");
    seL4_Wait(n, NULL);
    check_eq(counter, 4, "...which changes nothing");
    seL4_TCB_Suspend(sp.tcb);

    struct recv_args ra = { conf_object(seL4_EndpointObject, 0), conf_object(seL4_NotificationObject, 0) };
    conf_thread_t rt;
    conf_thread_create(&rt, receiver, &ra, 100, seL4_CapNull);
    conf_settle();
    seL4_UserContext regs;
    check_err(seL4_TCB_ReadRegisters(rt.tcb, 0, 0, NREGS, &regs), seL4_NoError,
              "ReadRegisters of a thread blocked in Recv");
    check(regs.rdx == (seL4_Word)seL4_SysRecv && regs.rdi == ra.ep,
          "it shows rdx = seL4_SysRecv and rdi = the endpoint cptr");
    check_err(seL4_TCB_Suspend(rt.tcb), seL4_NoError, "Suspend a thread blocked in Recv");
    seL4_SetMR(0, 7);
    seL4_NBSend(ra.ep, seL4_MessageInfo_new(0, 0, 0, 1));
    check_err(seL4_TCB_Resume(rt.tcb), seL4_NoError, "Resume it");
    conf_settle();
    seL4_SetMR(0, 8);
    seL4_NBSend(ra.ep, seL4_MessageInfo_new(0, 0, 0, 1));
    seL4_Wait(ra.done, NULL);
    check_eq(received, 8, "it restarted its Recv: the message sent while it was suspended was lost");
    check_err(seL4_TCB_ReadRegisters(rt.tcb, 1, 0, NREGS, &regs), seL4_NoError,
              "ReadRegisters with suspend_source");
    seL4_SetMR(0, 9);
    seL4_NBSend(ra.ep, seL4_MessageInfo_new(0, 0, 0, 1));
    conf_settle();
    check_eq(received, 8, "the read suspended the thread");
}

/* ---- TLS base ---- */
static volatile seL4_Word tls_seen0, tls_seen1;
static seL4_Word tls_block[2] = { 0x7715a, 0x7715b };
struct tls_args { seL4_CPtr go, done; };

/* Uses no thread-local storage itself, since the test changes its TLS base. */
static void tls_reader(void *arg)
{
    struct tls_args *a = arg;
    for (;;) {
        seL4_RecvWithMRs(a->go, NULL, NULL, NULL, NULL, NULL);
        seL4_Word v0, v1;
        __asm__ volatile("movq %%fs:0, %0\n\tmovq %%fs:8, %1" : "=r"(v0), "=r"(v1));
        tls_seen0 = v0;
        tls_seen1 = v1;
        seL4_Signal(a->done);
    }
}

static void test_tls(void)
{
    static struct tls_args ta;
    ta.go = conf_object(seL4_NotificationObject, 0);
    ta.done = conf_object(seL4_NotificationObject, 0);
    conf_thread_t th;
    conf_thread_create(&th, tls_reader, &ta, 100, seL4_CapNull);
    conf_settle();
    check_err(seL4_TCB_SetTLSBase(th.tcb, (seL4_Word)tls_block), seL4_NoError, "SetTLSBase");
    seL4_Signal(ta.go);
    seL4_Wait(ta.done, NULL);
    check(tls_seen0 == 0x7715a && tls_seen1 == 0x7715b, "the thread reads %%fs:0 from the new TLS base");
    seL4_UserContext regs;
    seL4_TCB_ReadRegisters(th.tcb, 0, 0, NREGS, &regs);
    check(regs.fs_base == (seL4_Word)tls_block, "ReadRegisters shows the new fs_base");
    seL4_MessageInfo_t r = seL4_Call(th.tcb, seL4_MessageInfo_new(TCBSetTLSBase, 0, 0, 0));
    check_eq(seL4_MessageInfo_get_label(r), seL4_TruncatedMessage,
             "SetTLSBase without an argument -> TruncatedMessage");
}

static void test_bind_and_flags(void)
{
    seL4_CPtr t = fresh_tcb(), u = fresh_tcb();
    seL4_CPtr n = conf_object(seL4_NotificationObject, 0), n2 = conf_object(seL4_NotificationObject, 0);
    seL4_CPtr ro = conf_slot(), wo = conf_slot();
    seL4_CNode_Copy(ROOT, ro, D, ROOT, n2, D, seL4_CanRead);
    seL4_CNode_Copy(ROOT, wo, D, ROOT, n2, D, seL4_CanWrite);
    check_err(seL4_TCB_BindNotification(t, n), seL4_NoError, "BindNotification");
    check_err(seL4_TCB_BindNotification(t, n2), seL4_IllegalOperation,
              "BindNotification on a TCB that has one -> IllegalOperation");
    check_err(seL4_TCB_BindNotification(u, n), seL4_IllegalOperation,
              "binding a notification already bound to another TCB -> IllegalOperation");
    check_err(seL4_TCB_BindNotification(u, wo), seL4_IllegalOperation,
              "binding through a cap without read right -> IllegalOperation");
    check_err(seL4_TCB_BindNotification(u, seL4_CapInitThreadTCB), seL4_IllegalOperation,
              "binding a TCB cap -> IllegalOperation");
    check_err(seL4_TCB_BindNotification(u, ro), seL4_NoError, "binding through a read-only cap");
    check_err(seL4_TCB_UnbindNotification(t), seL4_NoError, "UnbindNotification");
    check_err(seL4_TCB_UnbindNotification(t), seL4_IllegalOperation,
              "UnbindNotification with none bound -> IllegalOperation");
    check_err(seL4_TCB_BindNotification(t, n), seL4_NoError, "the notification can be bound again");

    seL4_TCB_SetFlags_t f = seL4_TCB_SetFlags(t, 0, seL4_TCBFlag_fpuDisabled);
    check(f.error == seL4_NoError && f.flags == seL4_TCBFlag_fpuDisabled,
          "SetFlags sets fpuDisabled and returns the new flags");
    f = seL4_TCB_SetFlags(t, 0, 0x80);
    check(f.error == seL4_NoError && f.flags == seL4_TCBFlag_fpuDisabled, "unknown flag bits are ignored");
    f = seL4_TCB_SetFlags(t, ~0ul, 0);
    check(f.error == seL4_NoError && f.flags == 0, "SetFlags clears");
}

/* ---- Register and FPU state across system calls and context switches ---- */
static volatile seL4_Word kept[6], xmm_seen;
static seL4_CPtr fpu_go, fpu_done;

/* Loads known values into registers the kernel must preserve, makes a system call (Yield),
 * and records what is left in them.  rcx and r11 are the syscall instruction's own. */
static void preserve_thread(void *arg)
{
    (void)arg;
    seL4_Word out[6] = { 0, 0, 0, 0, 0, 0 };
    register seL4_Word *outp __asm__("r15") = out;
    /* rbp is saved and restored around the test since the compiler may use it. */
    __asm__ volatile("pushq %%rbp\n\t"
                     "movq $0x1111, %%rax\n\tmovq $0x5555, %%rbp\n\tmovq $0xcccc, %%r12\n\t"
                     "movq $0xdddd, %%r13\n\tmovq $0xeeee, %%r14\n\t"
                     "stc\n\tstd\n\t"
                     "movq %%rsp, %%rbx\n\tmovq $-7, %%rdx\n\tsyscall\n\tmovq %%rbx, %%rsp\n\t"
                     "pushfq\n\tpopq %%rdx\n\tcld\n\t"
                     "movq %%rax, 0(%%r15)\n\tmovq %%rbp, 8(%%r15)\n\tmovq %%r12, 16(%%r15)\n\t"
                     "movq %%r13, 24(%%r15)\n\tmovq %%r14, 32(%%r15)\n\tmovq %%rdx, 40(%%r15)\n\t"
                     "popq %%rbp"
                     : "+r"(outp)
                     :
                     : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13",
                       "r14", "memory", "cc");
    for (int i = 0; i < 6; i++) kept[i] = out[i];
    seL4_Signal(fpu_done);
    conf_park();
}

/* Puts a pattern in xmm0, blocks, and records xmm0 after waking up. */
static void fpu_thread(void *arg)
{
    seL4_Word pattern = (seL4_Word)arg, seen;
    __asm__ volatile("movq %[p], %%xmm0\n\t"
                     "movq %%rsp, %%rbx\n\tmovq $-5, %%rdx\n\tmovq %[go], %%rdi\n\tsyscall\n\t"
                     "movq %%rbx, %%rsp\n\tmovq %%xmm0, %[seen]"
                     : [seen] "=r"(seen)
                     : [p] "r"(pattern), [go] "r"(fpu_go)
                     : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r15", "xmm0",
                       "memory");
    xmm_seen = seen;
    seL4_Signal(fpu_done);
    conf_park();
}

static void fpu_clobber_thread(void *arg)
{
    (void)arg;
    __asm__ volatile("movq %0, %%xmm0" : : "r"(0xbadbadbadul) : "xmm0");
    seL4_Signal(fpu_done);
    conf_park();
}

/* Like fpu_clobber_thread, but reports to the endpoint `arg` (its fault endpoint), so
 * that the root task sees either the fault or the report. */
static void fpu_report_thread(void *arg)
{
    __asm__ volatile("movq %0, %%xmm0" : : "r"(0xbadbadbadul) : "xmm0");
    seL4_Send((seL4_CPtr)arg, seL4_MessageInfo_new(0x600d, 0, 0, 0));
    conf_park();
}

/* Sets its MXCSR and x87 control word to unusual values, blocks, then reports what it sees. */
static volatile unsigned mx_seen, fcw_seen, mx_fresh, fcw_fresh;
static void fpu_control_thread(void *arg)
{
    (void)arg;
    unsigned mx = 0x3f80, mx_out = 0;
    unsigned short cw = 0x0c7f, cw_out = 0;
    __asm__ volatile("ldmxcsr %0\n\tfldcw %1" : : "m"(mx), "m"(cw) : "memory");
    seL4_Signal(fpu_done);
    seL4_Wait(fpu_go, NULL);
    __asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(mx_out), "=m"(cw_out) : : "memory");
    mx_seen = mx_out;
    fcw_seen = cw_out;
    seL4_Signal(fpu_done);
    conf_park();
}

static void fpu_fresh_thread(void *arg)
{
    (void)arg;
    unsigned mx_out = 0;
    unsigned short cw_out = 0;
    __asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(mx_out), "=m"(cw_out) : : "memory");
    mx_fresh = mx_out;
    fcw_fresh = cw_out;
    seL4_Signal(fpu_done);
    conf_park();
}

static void test_fpu_control(void)
{
    conf_thread_t a, b;
    conf_thread_create(&a, fpu_control_thread, NULL, 100, seL4_CapNull);
    seL4_Wait(fpu_done, NULL);
    conf_thread_create(&b, fpu_fresh_thread, NULL, 100, seL4_CapNull);
    seL4_Wait(fpu_done, NULL);
    check(mx_fresh == 0x1f80 && fcw_fresh == 0x037f,
          "a new thread starts with MXCSR 0x1f80 and x87 control word 0x037f");
    seL4_Signal(fpu_go);
    seL4_Wait(fpu_done, NULL);
    check(mx_seen == 0x3f80 && fcw_seen == 0x0c7f, "another thread keeps its own MXCSR and control word");
}

static void test_register_preservation(void)
{
    fpu_go = conf_object(seL4_NotificationObject, 0);
    fpu_done = conf_object(seL4_NotificationObject, 0);
    conf_thread_t t;
    conf_thread_create(&t, preserve_thread, NULL, 100, seL4_CapNull);
    seL4_Wait(fpu_done, NULL);
    check(kept[0] == 0x1111 && kept[1] == 0x5555 && kept[2] == 0xcccc && kept[3] == 0xdddd &&
              kept[4] == 0xeeee,
          "rax, rbp, r12, r13 and r14 survive a system call (Yield)");
    check((kept[5] & 0x401) == 0x401, "the carry and direction flags survive it too");

    conf_thread_t a, b;
    conf_thread_create(&a, fpu_thread, (void *)0x1234567890abcdefull, 100, seL4_CapNull);
    conf_settle(); /* a has put its pattern in xmm0 and blocked */
    conf_thread_create(&b, fpu_clobber_thread, NULL, 100, seL4_CapNull);
    seL4_Wait(fpu_done, NULL);
    seL4_Signal(fpu_go);
    seL4_Wait(fpu_done, NULL);
    check_eq(xmm_seen, 0x1234567890abcdefull, "each thread has its own xmm0 across context switches");

    seL4_CPtr tcb = conf_object(seL4_TCBObject, 0);
    seL4_TCB_SetFlags_t f = seL4_TCB_SetFlags(tcb, 0, seL4_TCBFlag_fpuDisabled);
    check_eq(f.flags, seL4_TCBFlag_fpuDisabled, "a new thread with fpuDisabled");
    seL4_CPtr fep = conf_object(seL4_EndpointObject, 0), fepb = conf_slot();
    seL4_CNode_Mint(ROOT, fepb, D, ROOT, fep, D, seL4_AllRights, 0x7);
    conf_thread_t c;
    conf_thread_create_tcb(&c, tcb, fpu_report_thread, (void *)fepb, 100, fepb);
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(fep, &badge);
    seL4_Word label = seL4_MessageInfo_get_label(info);
    check_eq(label, seL4_Fault_UserException, "its first SSE instruction faults (UserException)");
    check(label == seL4_Fault_UserException && badge == 0x7 && seL4_GetMR(seL4_UserException_Number) == 7,
          "...number 7 (#NM, device not available)");
    if (label == seL4_Fault_UserException) {
        seL4_TCB_SetFlags(tcb, seL4_TCBFlag_fpuDisabled, 0);
        seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
        info = seL4_Recv(fep, &badge);
    }
    check_eq(seL4_MessageInfo_get_label(info), 0x600d,
             "after clearing fpuDisabled and replying, the instruction runs (the thread reports)");
}

/* ---- Segment state seen by a thread ---- */
/* The kernel returns to user mode with sysret after a system call and with iret otherwise.
 * sysret takes the user code selector from the STAR MSR + 16, so user code sees cs 0x3b
 * right after a system call but 0x2b (GDT entry 5, RPL 3) after, e.g., a fault reply.
 * (Each value is read by the very next instruction; only a timer interrupt in that window
 * could change it.) */
extern char conf_ip_seg_ud2[];
static volatile seL4_Word seg_cs_sys, seg_ss_sys, seg_cs_iret, seg_ss_iret, gs_word0, gs_word1;
static volatile seL4_Word sys_rcx, sys_r11, sys_rsp, sys_ip_after;
static seL4_Word gs_block[2] = { 0x65a, 0x65b };

static void segment_thread(void *arg)
{
    seL4_Word cs, ss, g0, g1;
    __asm__ volatile("movq %%gs:0, %0\n\tmovq %%gs:8, %1" : "=r"(g0), "=r"(g1));
    gs_word0 = g0;
    gs_word1 = g1;
    seL4_Word rcx, r11, rsp_after, ip_after;
    /* A timer interrupt that became pending while in the kernel is taken at the very first
     * user instruction (QEMU checks at block starts) and the thread then returns with iret:
     * try a few times so that one unlucky tick does not decide the case. */
    for (int attempt = 0; attempt < 4; attempt++) {
        __asm__ volatile("movq %%rsp, %%rbx\n\tmovq $-7, %%rdx\n\tsyscall\n"
                         "1:\n\t"
                         "movq %%cs, %%rax\n\tmovq %%ss, %%rdx\n\tmovq %%rsp, %%rsi\n\tmovq %%rbx, %%rsp\n\t"
                         "movq %%rax, %0\n\tmovq %%rdx, %1\n\tmovq %%rcx, %2\n\tmovq %%r11, %3\n\t"
                         "movq %%rsi, %4\n\tleaq 1b(%%rip), %5"
                         : "=r"(cs), "=r"(ss), "=r"(rcx), "=r"(r11), "=r"(rsp_after), "=r"(ip_after)
                         :
                         : "rax", "rbx", "rcx", "rdx", "rsi", "r11", "memory");
        if ((cs & 0xffff) == 0x3b) break;
    }
    sys_rsp = rsp_after;
    seg_cs_sys = cs & 0xffff;
    seg_ss_sys = ss & 0xffff;
    sys_rcx = rcx;
    sys_r11 = r11;
    sys_ip_after = ip_after;
    __asm__ volatile(".globl conf_ip_seg_ud2\nconf_ip_seg_ud2:\n\tud2\n\t"
                     "movq %%cs, %%rax\n\tmovq %%ss, %%rdx\n\t"
                     "movq %%rax, %0\n\tmovq %%rdx, %1"
                     : "=r"(cs), "=r"(ss)
                     :
                     : "rax", "rdx", "memory");
    seg_cs_iret = cs & 0xffff;
    seg_ss_iret = ss & 0xffff;
    seL4_Send((seL4_CPtr)arg, seL4_MessageInfo_new(0x600d, 0, 0, 0));
    conf_park();
}

static void test_segments(void)
{
    seL4_Word flags;
    __asm__ volatile("pushfq\n\tpopq %0" : "=r"(flags));
    check((flags & 0x202) == 0x202 && (flags & 0x3000) == 0,
          "user code runs with interrupts enabled (IF) and I/O privilege level 0");
    seL4_CPtr fep = conf_object(seL4_EndpointObject, 0);
    conf_thread_t t;
    conf_thread_create(&t, segment_thread, (void *)fep, 100, fep);
    seL4_UserContext regs;
    seL4_TCB_ReadRegisters(t.tcb, 0, 0, NREGS, &regs);
    regs.gs_base = (seL4_Word)gs_block;
    check_err(seL4_TCB_WriteRegisters(t.tcb, 0, 0, NREGS, &regs), seL4_NoError,
              "set gs_base of a thread that has not run yet");
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(fep, &badge);
    check(seL4_MessageInfo_get_label(info) == seL4_Fault_UserException &&
              seL4_GetMR(seL4_UserException_FaultIP) == (seL4_Word)conf_ip_seg_ud2,
          "the thread ran up to its ud2");
    check(gs_word0 == 0x65a && gs_word1 == 0x65b, "it read %%gs:0 from the new gs_base");
    check(seg_cs_sys == 0x3b && seg_ss_sys == 0x33, "right after a system call: cs 0x3b, ss 0x33 (sysret)");
    check(sys_rcx == sys_ip_after && (sys_r11 & 0x202) == 0x202,
          "...and rcx = the return address, r11 = rflags (as sysret leaves them)");
    check_eq(sys_rsp, 0, "...and rsp = 0: the kernel does not restore the stack pointer on sysret");
    seL4_SetMR(0, (seL4_Word)conf_ip_seg_ud2 + 2);
    seL4_SetMR(1, seL4_GetMR(seL4_UserException_SP));
    seL4_SetMR(2, seL4_GetMR(seL4_UserException_FLAGS));
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 3));
    info = seL4_Recv(fep, &badge);
    check(seL4_MessageInfo_get_label(info) == 0x600d && seg_cs_iret == 0x2b && seg_ss_iret == 0x33,
          "right after a fault reply: cs 0x2b, ss 0x33 (iret)");
}

/* ---- A thread with its own CSpace ---- */
static void own_cspace_thread(void *arg)
{
    (void)arg;
    /* cptrs below are in the thread's own CSpace: 3 = endpoint, 2 = fault endpoint */
    seL4_SetMR(0, 0x5151);
    seL4_Send(3, seL4_MessageInfo_new(0x31, 0, 0, 1));
    seL4_Recv(100, NULL); /* 100 >> 4 = 6: the 60-bit guard does not match */
    for (;;) seL4_Yield();
}

static void test_own_cspace(void)
{
    seL4_CPtr cn = conf_object(seL4_CapTableObject, 4);
    seL4_CPtr ep = conf_object(seL4_EndpointObject, 0), fep = conf_object(seL4_EndpointObject, 0);
    seL4_CNode_Copy(cn, 3, 4, ROOT, ep, D, seL4_AllRights);
    seL4_CNode_Mint(cn, 2, 4, ROOT, fep, D, seL4_AllRights, 0x99);
    conf_thread_t t;
    conf_thread_create(&t, own_cspace_thread, NULL, 100, seL4_CapNull);
    check_err(seL4_TCB_SetSpace(t.tcb, 2, cn, seL4_CNode_CapData_new(0, 60).words[0],
                                seL4_CapInitThreadVSpace, 0),
              seL4_NoError, "give a new thread its own 16-slot CSpace (guard 60 bits) and fault endpoint 2");
    seL4_Word badge = 1;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    check(seL4_MessageInfo_get_label(info) == 0x31 && seL4_GetMR(0) == 0x5151 && badge == 0,
          "cptr 3 in its CSpace is the endpoint: its message arrives");
    info = seL4_Recv(fep, &badge);
    check(seL4_MessageInfo_get_label(info) == seL4_Fault_CapFault && badge == 0x99,
          "its fault goes to cptr 2 of its own CSpace (badge 0x99)");
    check(seL4_GetMR(seL4_CapFault_Addr) == 100 && seL4_GetMR(seL4_CapFault_InRecvPhase) == 1 &&
              seL4_GetMR(seL4_CapFault_LookupFailureType) == seL4_GuardMismatch &&
              seL4_GetMR(seL4_CapFault_BitsLeft) == 64 &&
              seL4_GetMR(seL4_CapFault_GuardMismatch_GuardFound) == 0 &&
              seL4_GetMR(seL4_CapFault_GuardMismatch_BitsFound) == 60,
          "cptr 100 fails its 60-bit guard: GuardMismatch, 64 bits left, 60 guard bits");
    seL4_TCB_Suspend(t.tcb);
}

/* ---- WriteRegisters / CopyRegisters with resume_target and suspend_source; priorities of
 * threads started without SetPriority ---- */
static seL4_Word raw_stacks[6][512] __attribute__((aligned(16)));
static volatile seL4_Word raw_marks[6];
static seL4_CPtr raw_ntfn, raw_never;

/* Started with WriteRegisters: rdi = its index.  Uses no TLS and no IPC buffer. */
static void raw_thread(seL4_Word idx)
{
    raw_marks[idx & 7]++;
    seL4_Signal(raw_ntfn);
    for (;;) {
        seL4_Word b, i, m0, m1, m2, m3;
        x64_sys_recv(seL4_SysRecv, raw_never, &b, &i, &m0, &m1, &m2, &m3);
    }
}

static void raw_start_regs(seL4_UserContext *r, seL4_Word idx)
{
    memset(r, 0, sizeof(*r));
    r->rip = (seL4_Word)raw_thread;
    r->rsp = (seL4_Word)&raw_stacks[idx][512] - 8;
    r->rdi = idx;
    r->rflags = 0x202;
}

static volatile seL4_Word waiter_count;
static void waiter_thread(void *arg)
{
    struct tls_args *a = arg;
    for (;;) {
        seL4_Wait(a->go, NULL);
        waiter_count++;
        seL4_Signal(a->done);
    }
}

static void test_resume_and_suspend_flags(void)
{
    raw_ntfn = conf_object(seL4_NotificationObject, 0);
    raw_never = conf_object(seL4_NotificationObject, 0);
    seL4_UserContext r;

    seL4_CPtr t0 = fresh_tcb();
    seL4_TCB_SetPriority(t0, seL4_CapInitThreadTCB, 100);
    raw_start_regs(&r, 0);
    check_err(seL4_TCB_WriteRegisters(t0, 1, 0, NREGS, &r), seL4_NoError,
              "WriteRegisters with resume_target on a configured TCB that never ran");
    seL4_Wait(raw_ntfn, NULL);
    check_eq(raw_marks[0], 1, "it starts running at the written rip");

    seL4_CPtr t1 = fresh_tcb();
    seL4_TCB_SetPriority(t1, seL4_CapInitThreadTCB, 100);
    raw_start_regs(&r, 1);
    check_err(seL4_TCB_WriteRegisters(t1, 0, 0, NREGS, &r), seL4_NoError, "WriteRegisters without resume_target");
    conf_settle();
    check_eq(raw_marks[1], 0, "...the thread does not run");
    check_err(seL4_TCB_Resume(t1), seL4_NoError, "Resume it");
    seL4_Wait(raw_ntfn, NULL);
    check_eq(raw_marks[1], 1, "...now it runs from the written registers");

    static struct tls_args wa;
    wa.go = conf_object(seL4_NotificationObject, 0);
    wa.done = conf_object(seL4_NotificationObject, 0);
    conf_thread_t w;
    conf_thread_create(&w, waiter_thread, &wa, 100, seL4_CapNull);
    conf_settle();
    raw_start_regs(&r, 2);
    check_err(seL4_TCB_WriteRegisters(w.tcb, 1, 0, NREGS, &r), seL4_NoError,
              "WriteRegisters with resume_target on a thread blocked in Wait");
    seL4_Wait(raw_ntfn, NULL);
    check_eq(raw_marks[2], 1, "its wait is abandoned: it runs at the written rip");
    seL4_Signal(wa.go);
    conf_settle();
    check_eq(waiter_count, 0, "...and no longer waits on its notification");
    seL4_Poll(wa.go, NULL);

    /* CopyRegisters from a thread blocked in Wait, suspending it. */
    conf_thread_t src;
    conf_thread_create(&src, waiter_thread, &wa, 100, seL4_CapNull);
    conf_settle();
    seL4_Poll(wa.go, NULL);
    seL4_CPtr d1 = fresh_tcb();
    seL4_TCB_SetPriority(d1, seL4_CapInitThreadTCB, 100);
    seL4_TCB_SetIPCBuffer(d1, (seL4_Word)src.ipc, src.ipc_frame);
    check_err(seL4_TCB_CopyRegisters(d1, src.tcb, 1, 0, 1, 1, 0), seL4_NoError,
              "CopyRegisters with suspend_source, without resume_target");
    seL4_Signal(wa.go);
    conf_settle();
    check_eq(waiter_count, 0, "the source was suspended and the target not started: the signal stays pending");
    check_err(seL4_TCB_Resume(d1), seL4_NoError, "Resume the target");
    seL4_Wait(wa.done, NULL);
    check_eq(waiter_count, 1, "the target continues the source's loop: it takes the pending signal");
    seL4_CPtr d2 = fresh_tcb();
    seL4_TCB_SetPriority(d2, seL4_CapInitThreadTCB, 100);
    seL4_TCB_SetIPCBuffer(d2, (seL4_Word)src.ipc, src.ipc_frame);
    conf_settle();
    check_err(seL4_TCB_CopyRegisters(d2, d1, 1, 1, 1, 1, 0), seL4_NoError,
              "CopyRegisters with suspend_source and resume_target");
    seL4_Signal(wa.go);
    seL4_Wait(wa.done, NULL);
    check_eq(waiter_count, 2, "the new target runs at once and takes the next signal");
    seL4_TCB_Suspend(d2);
    seL4_Signal(wa.go);
    conf_settle();
    check_eq(waiter_count, 2, "with the new target suspended too, nobody takes a signal: both sources were suspended");

    /* Configure sets no priority: a TCB started without SetPriority has priority 0. */
    seL4_CPtr t3 = fresh_tcb();
    raw_start_regs(&r, 3);
    seL4_TCB_WriteRegisters(t3, 1, 0, NREGS, &r);
    conf_settle();
    check_eq(raw_marks[3], 0,
             "a thread made with Configure and resumed without SetPriority (priority 0) does not run "
             "while a priority-1 thread is busy");
    check_err(seL4_TCB_SetSchedParams(t3, seL4_CapInitThreadTCB, 0, 100), seL4_NoError,
              "SetSchedParams priority 100");
    seL4_Wait(raw_ntfn, NULL);
    check_eq(raw_marks[3], 1, "...then it runs as soon as the root task blocks");
}

/* ---- TCB_SetTLSBase invoked by a thread on its own TCB ---- */
static volatile seL4_Word self_tls_seen, self_tls_err;
static seL4_Word self_tls_block[1] = { 0x5e1f };
static seL4_CPtr self_tls_tcb;
static void self_tls_thread(void *arg)
{
    (void)arg;
    seL4_CPtr tcb = self_tls_tcb, done = raw_ntfn;
    seL4_Word orig, seen;
    __asm__ volatile("movq %%fs:0, %0" : "=r"(orig));
    /* only registers: the TLS base changes under this code */
    seL4_Word info = seL4_MessageInfo_new(TCBSetTLSBase, 0, 0, 1).words[0], out_info, m0 = (seL4_Word)self_tls_block,
              m1 = 0, m2 = 0, m3 = 0, dest;
    x64_sys_send_recv(seL4_SysCall, tcb, &dest, info, &out_info, &m0, &m1, &m2, &m3);
    __asm__ volatile("movq %%fs:0, %0" : "=r"(seen));
    seL4_Word err = seL4_MessageInfo_get_label((seL4_MessageInfo_t){ { out_info } });
    m0 = orig;
    x64_sys_send_recv(seL4_SysCall, tcb, &dest, info, &out_info, &m0, &m1, &m2, &m3);
    self_tls_seen = seen;
    self_tls_err = err;
    seL4_Signal(done);
    conf_park();
}

static void test_self_tls(void)
{
    conf_thread_t t;
    self_tls_tcb = conf_object(seL4_TCBObject, 0);
    conf_thread_create_tcb(&t, self_tls_tcb, self_tls_thread, NULL, 100, seL4_CapNull);
    seL4_Wait(raw_ntfn, NULL);
    check(self_tls_err == 0 && self_tls_seen == 0x5e1f,
          "TCB_SetTLSBase on the calling thread's own TCB takes effect on return");
}

/* ---- The return path after WriteRegisters: a thread that last entered the kernel with a
 * system call would go back with sysret (rcx = rip, r11 = rflags, rsp = 0), but
 * WriteRegisters of another thread forces the full iret return ---- */
seL4_Word conf_retpath_seen[3], conf_retpath_stack[512] __attribute__((aligned(16)));
void conf_retpath_probe(void);
void conf_retpath_after(void);
__asm__(".text\n.globl conf_retpath_probe\nconf_retpath_probe:\n"
        "\tmovq %rsp, conf_retpath_seen+0(%rip)\n\tmovq %rcx, conf_retpath_seen+8(%rip)\n"
        "\tmovq %r11, conf_retpath_seen+16(%rip)\n"
        "\tleaq conf_retpath_stack+4088(%rip), %rsp\n\tjmp conf_retpath_after\n");
static seL4_CPtr retpath_done;
void conf_retpath_after(void)
{
    seL4_Signal(retpath_done);
    for (;;) {
        seL4_Word b, i, m0, m1, m2, m3;
        x64_sys_recv(seL4_SysRecv, raw_never, &b, &i, &m0, &m1, &m2, &m3);
    }
}

extern char conf_ip_retpath_ud2[];
static void ud2_then_park(void *arg)
{
    (void)arg;
    __asm__ volatile(".globl conf_ip_retpath_ud2\nconf_ip_retpath_ud2:\n\tud2" ::: "memory");
    conf_park();
}

static void retpath_regs(seL4_UserContext *r)
{
    memset(r, 0, sizeof(*r));
    r->rip = (seL4_Word)conf_retpath_probe;
    r->rsp = 0x5008;
    r->rcx = 0x1c1c;
    r->r11 = 0x1111;
    r->rflags = 0x202;
}

static void test_return_paths(void)
{
    retpath_done = conf_object(seL4_NotificationObject, 0);
    seL4_UserContext r;

    seL4_CPtr fresh = fresh_tcb();
    seL4_TCB_SetPriority(fresh, seL4_CapInitThreadTCB, 100);
    retpath_regs(&r);
    seL4_TCB_WriteRegisters(fresh, 1, 0, NREGS, &r);
    seL4_Wait(retpath_done, NULL);
    check(conf_retpath_seen[0] == 0x5008 && conf_retpath_seen[1] == 0x1c1c && conf_retpath_seen[2] == 0x1111,
          "a thread that never ran starts with the written rsp, rcx and r11 (iret)");

    static struct tls_args wa;
    wa.go = conf_object(seL4_NotificationObject, 0);
    wa.done = conf_object(seL4_NotificationObject, 0);
    conf_thread_t w;
    conf_thread_create(&w, waiter_thread, &wa, 100, seL4_CapNull);
    conf_settle();
    retpath_regs(&r);
    seL4_TCB_WriteRegisters(w.tcb, 1, 0, NREGS, &r);
    seL4_Wait(retpath_done, NULL);
    check_eq(conf_retpath_seen[0], 0x5008, "a thread blocked in a system call, restarted by WriteRegisters: written rsp");
    check_eq(conf_retpath_seen[1], 0x1c1c, "...written rcx (not the rip, as sysret would leave)");
    check_eq(conf_retpath_seen[2], 0x1111, "...written r11 (not rflags)");

    seL4_CPtr fep = conf_object(seL4_EndpointObject, 0);
    conf_thread_t u;
    conf_thread_create(&u, ud2_then_park, NULL, 100, fep);
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(fep, &badge);
    check(seL4_MessageInfo_get_label(info) == seL4_Fault_UserException &&
              seL4_GetMR(seL4_UserException_FaultIP) == (seL4_Word)conf_ip_retpath_ud2,
          "a thread stopped at a ud2 fault");
    retpath_regs(&r);
    seL4_TCB_WriteRegisters(u.tcb, 1, 0, NREGS, &r);
    seL4_Wait(retpath_done, NULL);
    check(conf_retpath_seen[0] == 0x5008 && conf_retpath_seen[1] == 0x1c1c && conf_retpath_seen[2] == 0x1111,
          "...restarted by WriteRegisters it gets the written rsp, rcx and r11 (iret)");
}

/* ---- CopyRegisters into the calling thread itself: it continues in the source's code,
 * returning (sysret) to the source's restart point, with the badge and message-info
 * registers of its own Call's empty reply (both 0) ---- */
static seL4_CPtr self_copy_tcb, self_copy_src;
static volatile seL4_Word self_copy_err = 0x99;
static void self_copy_thread(void *arg)
{
    (void)arg;
    seL4_Error e = seL4_TCB_CopyRegisters(self_copy_tcb, self_copy_src, 1, 0, 1, 1, 0);
    self_copy_err = e; /* not reached if the copy took effect */
    conf_park();
}

static void test_copy_into_self(void)
{
    static struct tls_args wa;
    wa.go = conf_object(seL4_NotificationObject, 0);
    wa.done = conf_object(seL4_NotificationObject, 0);
    conf_thread_t src, h;
    conf_thread_create(&src, waiter_thread, &wa, 100, seL4_CapNull);
    conf_settle();
    seL4_UserContext sr;
    seL4_TCB_ReadRegisters(src.tcb, 0, 0, NREGS, &sr);
    self_copy_src = src.tcb;
    self_copy_tcb = conf_object(seL4_TCBObject, 0);
    seL4_CPtr fep = conf_object(seL4_EndpointObject, 0), fepb = conf_slot();
    seL4_CNode_Mint(ROOT, fepb, D, ROOT, fep, D, seL4_AllRights, 0x5c);
    conf_thread_create_tcb(&h, self_copy_tcb, self_copy_thread, NULL, 100, fepb);
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(fep, &badge);
    check(seL4_MessageInfo_get_label(info) == seL4_Fault_CapFault && badge == 0x5c && self_copy_err == 0x99,
          "CopyRegisters into the caller: it resumes the source's Wait with cptr 0 (its reply's badge) -> CapFault");
    check(seL4_GetMR(seL4_CapFault_IP) == sr.rip && seL4_GetMR(seL4_CapFault_Addr) == 0 &&
              seL4_GetMR(seL4_CapFault_InRecvPhase) == 1,
          "...at the source's system call, address 0, in the receive phase");
    seL4_TCB_Suspend(h.tcb);
}

int main(void)
{
    conf_begin("tcb");
    test_configure();
    test_priorities();
    test_registers();
    test_suspend_resume();
    test_tls();
    test_bind_and_flags();
    test_own_cspace();
    test_register_preservation();
    test_fpu_control();
    test_segments();
    test_resume_and_suspend_flags();
    test_self_tls();
    test_return_paths();
    test_copy_into_self();
    conf_end();
}
