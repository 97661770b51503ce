/* Conformance: the debug kernel's system calls (DebugPutChar, DebugCapIdentify for every
 * cap type, DebugNameThread, DebugDumpScheduler, DebugSnapshot), the SetTLSBase system
 * call (CONFIG_SET_TLS_BASE_SELF) and the system call numbers this configuration lacks.
 * What the kernel prints for DumpScheduler and Snapshot is not compared (filter.sh keeps
 * only harness lines): those cases check that the call returns and the thread goes on. */
#include "harness.h"
#include <runtime/string.h>

#define ROOT seL4_CapInitThreadCNode
#define D 64

static seL4_Word ident(seL4_CPtr c) { return seL4_DebugCapIdentify(c); }

static seL4_CPtr device_untyped(seL4_Word min_bits)
{
    seL4_BootInfo *bi = runtime_bootinfo();
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++)
        if (bi->untypedList[i].isDevice && bi->untypedList[i].sizeBits >= min_bits)
            return bi->untyped.start + i;
    return seL4_CapNull;
}

/* ---- DebugPutChar: the line below is compared with the real kernel's output ---- */
static void test_putchar(void)
{
    seL4_DebugPutString("conf-debug: a line written with seL4_DebugPutString\n");
    /* The kernel prints only the low byte of the register. */
    static const char text[] = "conf-debug: characters with bits above the low byte set\n";
    for (const char *p = text; *p; p++)
        x64_sys_send(seL4_SysDebugPutChar, 0xabcd00ul | (unsigned char)*p, 0, 0, 0, 0, 0);
    seL4_SetMR(0, 0x1111);
    seL4_SetMR(5, 0x5555);
    seL4_DebugPutChar('\n');
    check(seL4_GetMR(0) == 0x1111 && seL4_GetMR(5) == 0x5555,
          "DebugPutChar returns and leaves the message registers alone");
}

/* ---- DebugCapIdentify: the type of every object cap ---- */
static void test_identify_objects(void)
{
    static const struct { seL4_Word type, size, cap; const char *what; } objs[] = {
        { seL4_UntypedObject, 12, 2, "untyped" },
        { seL4_TCBObject, 0, 12, "TCB (thread cap)" },
        { seL4_EndpointObject, 0, 4, "endpoint" },
        { seL4_NotificationObject, 0, 6, "notification" },
        { seL4_CapTableObject, 3, 10, "CNode" },
        { seL4_X86_4K, 0, 1, "4 KiB frame" },
        { seL4_X86_LargePageObject, 0, 1, "2 MiB frame" },
        { seL4_X86_PageTableObject, 0, 3, "page table" },
        { seL4_X86_PageDirectoryObject, 0, 5, "page directory" },
        { seL4_X86_PDPTObject, 0, 7, "PDPT" },
        { seL4_X64_PML4Object, 0, 9, "PML4" },
    };
    for (unsigned i = 0; i < sizeof(objs) / sizeof(objs[0]); i++)
        check_eq(ident(conf_object(objs[i].type, objs[i].size)), objs[i].cap, "DebugCapIdentify of a new %s: %lu",
                 objs[i].what, objs[i].cap);
    seL4_CPtr dev = device_untyped(30), huge = conf_slot();
    check(dev != seL4_CapNull, "BootInfo lists a device untyped of at least 1 GiB");
    check_err(seL4_Untyped_Retype(dev, seL4_X64_HugePageObject, 0, ROOT, 0, 0, huge, 1), seL4_NoError,
              "retype a 1 GiB page from it");
    check_eq(ident(huge), 1, "DebugCapIdentify of a 1 GiB frame: 1");
    check_eq(ident(dev), 2, "a device untyped: 2");

    seL4_CPtr port = conf_slot();
    seL4_X86_IOPortControl_Issue(seL4_CapIOPortControl, 0x80, 0x83, ROOT, port, D);
    check_eq(ident(port), 19, "an issued I/O port cap: 19");
    seL4_CPtr irq = conf_slot();
    seL4_IRQControl_GetMSI(seL4_CapIRQControl, ROOT, irq, D, 0, 5, 0, 0, 9);
    check_eq(ident(irq), 16, "an IRQ handler cap: 16");
    seL4_CPtr pool = conf_slot();
    seL4_X86_ASIDControl_MakePool(seL4_CapASIDControl, conf_object(seL4_UntypedObject, 12), ROOT, pool, D);
    check_eq(ident(pool), 13, "a new ASID pool: 13");
}

/* ---- Empty slots and lookups that fail ---- */
static void test_identify_null(void)
{
    check_eq(ident(conf_slot()), 0, "an empty slot: 0");
    check_eq(ident(seL4_CapNull), 0, "cptr 0 (the null slot): 0");
    check_eq(ident((seL4_CPtr)1 << 40), 0, "a cptr whose guard does not match (lookup fails): 0");
    check_eq(ident(~(seL4_CPtr)0), 0, "cptr ~0: 0");
    check_eq(ident((seL4_CPtr)4096 + seL4_CapInitThreadTCB), 0,
             "a cptr one slot count beyond the root CNode (guard bit set): 0");
}

/* ---- Types after derivations ---- */
static void test_identify_derived(void)
{
    seL4_CPtr ep = conf_object(seL4_EndpointObject, 0), s[12];
    for (int i = 0; i < 12; i++) s[i] = conf_slot();
    seL4_CNode_Copy(ROOT, s[0], D, ROOT, ep, D, seL4_AllRights);
    seL4_CNode_Mint(ROOT, s[1], D, ROOT, ep, D, seL4_CanRead, 77);
    check(ident(s[0]) == 4 && ident(s[1]) == 4, "a copy and a badged read-only mint of an endpoint: 4");
    seL4_CNode_Move(ROOT, s[2], D, ROOT, s[0], D);
    check(ident(s[2]) == 4 && ident(s[0]) == 0, "after Move: the destination 4, the source 0");
    check_err(seL4_CNode_Mutate(ROOT, s[0], D, ROOT, s[2], D, 5), seL4_IllegalOperation,
              "Mutate of an endpoint cap with a badge -> IllegalOperation");
    check(ident(s[0]) == 0 && ident(s[2]) == 4, "...the destination stays 0, the source 4");
    seL4_CPtr cn0 = conf_object(seL4_CapTableObject, 2);
    seL4_CNode_Mutate(ROOT, s[0], D, ROOT, cn0, D, seL4_CNode_CapData_new(0, 10).words[0]);
    check(ident(s[0]) == 10 && ident(cn0) == 0, "Mutate of a CNode cap to a new guard: 10, the source 0");
    seL4_CNode_Delete(ROOT, s[0], D);
    check_eq(ident(s[0]), 0, "after Delete: 0");
    seL4_CNode_Revoke(ROOT, ep, D);
    check(ident(s[1]) == 0 && ident(ep) == 4, "after Revoke of the original: the mint 0, the original 4");

    seL4_CPtr cn = conf_object(seL4_CapTableObject, 2);
    seL4_CNode_Mint(ROOT, s[3], D, ROOT, cn, D, seL4_AllRights, seL4_CNode_CapData_new(3, 5).words[0]);
    check_eq(ident(s[3]), 10, "a CNode cap minted with a guard: 10");
    seL4_CNode_Mint(ROOT, s[4], D, ROOT, seL4_CapInitThreadTCB, D, seL4_AllRights, 9);
    check_eq(ident(s[4]), 12, "a TCB cap minted with a (ignored) badge: 12");
    check_err(seL4_CNode_Copy(ROOT, s[5], D, ROOT, seL4_CapDomain, D, seL4_AllRights), seL4_NoError,
              "copy the domain cap");
    check_eq(ident(s[5]), 20, "the copy of the domain cap: 20");
    check_err(seL4_CNode_Copy(ROOT, s[6], D, ROOT, seL4_CapASIDControl, D, seL4_AllRights), seL4_NoError,
              "copy the ASID control cap");
    check_eq(ident(s[6]), 11, "the copy of ASID control: 11");
    seL4_CNode_Copy(ROOT, s[7], D, ROOT, seL4_CapIRQControl, D, seL4_AllRights);
    check_eq(ident(s[7]), 0, "a refused copy of IRQ control leaves the slot empty: 0");
    seL4_CNode_Copy(ROOT, s[8], D, ROOT, seL4_CapInitThreadIPCBuffer, D, seL4_AllRights);
    check_eq(ident(s[8]), 1, "a copy of a mapped frame (the IPC buffer): 1");

    seL4_CPtr ut = conf_object(seL4_UntypedObject, 14), utc = s[9], kids = conf_slot();
    (void)conf_slot();
    seL4_CNode_Copy(ROOT, utc, D, ROOT, ut, D, seL4_AllRights);
    check_eq(ident(utc), 2, "a copy of an untyped: 2");
    seL4_Untyped_Retype(utc, seL4_X86_PageTableObject, 0, ROOT, 0, 0, kids, 2);
    check(ident(kids) == 3 && ident(kids + 1) == 3, "page tables retyped from the copy: 3");
    seL4_CNode_Revoke(ROOT, ut, D);
    check(ident(utc) == 0 && ident(kids) == 0 && ident(kids + 1) == 0 && ident(ut) == 2,
          "after revoking the untyped: its copy and the objects 0, the untyped 2");
}

/* ---- A reply cap (from SaveCaller) ---- */
static seL4_CPtr reply_ep;
static volatile seL4_Word reply_label;
static void caller_thread(void *arg)
{
    (void)arg;
    seL4_MessageInfo_t r = seL4_Call(reply_ep, seL4_MessageInfo_new(1, 0, 0, 0));
    reply_label = seL4_MessageInfo_get_label(r);
    conf_park();
}

static void test_identify_reply(void)
{
    reply_ep = conf_object(seL4_EndpointObject, 0);
    conf_thread_t t;
    conf_thread_create(&t, caller_thread, NULL, 100, seL4_CapNull);
    seL4_Word badge;
    seL4_Recv(reply_ep, &badge);
    seL4_CPtr r = conf_slot(), c = conf_slot(), m = conf_slot();
    seL4_CNode_SaveCaller(ROOT, r, D);
    check_eq(ident(r), 8, "a saved reply cap: 8");
    check_err(seL4_CNode_Copy(ROOT, c, D, ROOT, r, D, seL4_AllRights), seL4_IllegalOperation,
              "copying a reply cap -> IllegalOperation");
    check_eq(ident(c), 0, "...the destination stays empty: 0");
    check_err(seL4_CNode_Move(ROOT, m, D, ROOT, r, D), seL4_NoError, "moving a reply cap works");
    check(ident(m) == 8 && ident(r) == 0, "after the move: 8 in the destination, 0 in the source");
    seL4_Send(m, seL4_MessageInfo_new(0x66, 0, 0, 0));
    conf_settle();
    check(reply_label == 0x66 && ident(m) == 0, "replying through it answers the caller and empties the slot");
}

/* ---- Lookup through a thread's own small CSpace: resolution stops at a non-CNode cap ---- */
#define OWN_EP ((seL4_CPtr)3 << 60)
#define OWN_SUB ((seL4_CPtr)5 << 60)
static void own_cspace_thread(void *arg)
{
    (void)arg;
    /* Root: radix 4, no guard.  Slot 3 = endpoint, slot 5 = a radix-4 CNode with a 56-bit
     * guard 0 whose slot 2 holds a notification, slot 7 empty. */
    seL4_Word a = seL4_DebugCapIdentify(OWN_EP | 0xabcdef);
    seL4_Word b = seL4_DebugCapIdentify(OWN_SUB | 2);
    seL4_Word c = seL4_DebugCapIdentify(OWN_SUB | (1ul << 20) | 2);
    seL4_Word d = seL4_DebugCapIdentify((seL4_CPtr)7 << 60);
    seL4_SetMR(0, a);
    seL4_SetMR(1, b);
    seL4_SetMR(2, c);
    seL4_SetMR(3, d);
    seL4_Send(OWN_EP, seL4_MessageInfo_new(0x71, 0, 0, 4));
    seL4_SetMR(0, 0x5e5e);
    seL4_Send(OWN_EP | 0x123456789ul, seL4_MessageInfo_new(0x72, 0, 0, 1));
    seL4_Signal(OWN_SUB | 2);
    for (;;) seL4_Yield();
}

static void test_own_cspace(void)
{
    seL4_CPtr cn = conf_object(seL4_CapTableObject, 4), sub = conf_object(seL4_CapTableObject, 4);
    seL4_CPtr ep = conf_object(seL4_EndpointObject, 0), n = conf_object(seL4_NotificationObject, 0);
    seL4_CNode_Copy(cn, 3, 4, ROOT, ep, D, seL4_AllRights);
    seL4_CNode_Copy(sub, 2, 4, ROOT, n, D, seL4_AllRights);
    seL4_CNode_Mint(cn, 5, 4, ROOT, sub, D, seL4_AllRights, seL4_CNode_CapData_new(0, 56).words[0]);
    conf_thread_t t;
    conf_thread_create(&t, own_cspace_thread, NULL, 100, seL4_CapNull);
    check_err(seL4_TCB_SetSpace(t.tcb, seL4_CapNull, cn, 0, seL4_CapInitThreadVSpace, 0), seL4_NoError,
              "a thread with a radix-4 CSpace root without guard");
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    check(seL4_MessageInfo_get_label(info) == 0x71, "its first message arrives");
    seL4_Word a = seL4_GetMR(0), b = seL4_GetMR(1), c = seL4_GetMR(2), d = seL4_GetMR(3);
    check_eq(a, 4, "DebugCapIdentify of a cptr whose lookup meets the endpoint with 60 bits left: 4");
    check_eq(b, 6, "through the guarded sub-CNode to its notification: 6");
    check_eq(c, 0, "the sub-CNode's guard does not match: 0");
    check_eq(d, 0, "an empty slot of its root: 0");
    info = seL4_Recv(ep, &badge);
    check(seL4_MessageInfo_get_label(info) == 0x72 && seL4_GetMR(0) == 0x5e5e,
          "Send to a cptr that reaches the endpoint with bits left over is delivered");
    seL4_Word nb = 0;
    seL4_Wait(n, &nb);
    check_eq(nb, 0, "Signal through the sub-CNode reaches the notification");
    seL4_TCB_Suspend(t.tcb);
}

/* ---- DebugNameThread, DebugDumpScheduler: the caller continues at once ---- */
static volatile seL4_Word steps, seen_steps;
static seL4_CPtr name_done;
static seL4_CPtr self_tcb;

static void busy_debug_thread(void *arg)
{
    (void)arg;
    steps = 1;
    seL4_DebugNameThread(self_tcb, "busy-debug-thread");
    steps = 2;
    seL4_DebugDumpScheduler();
    steps = 3;
    (void)seL4_DebugCapIdentify(self_tcb);
    steps = 4;
    seL4_DebugPutChar('\n');
    steps = 5;
    seL4_Signal(name_done);
    conf_park();
}

static void observer_thread(void *arg)
{
    (void)arg;
    seen_steps = steps;
    seL4_Signal(name_done);
    conf_park();
}

static void test_name_and_dump(void)
{
    name_done = conf_object(seL4_NotificationObject, 0);
    seL4_SetMR(20, 0x2020);
    seL4_DebugNameThread(seL4_CapInitThreadTCB, "conf-debug-root");
    check_eq(seL4_GetMR(20), 0x2020, "DebugNameThread on the root task's own TCB returns");
    char long_name[400];
    for (int i = 0; i < 399; i++) long_name[i] = (char)('a' + i % 26);
    long_name[399] = '\0';
    conf_thread_t t, o;
    /* A thread made runnable goes to the head of its priority's queue: the observer is
     * created first, so the busy thread runs first. */
    conf_thread_create(&o, observer_thread, NULL, 100, seL4_CapNull);
    conf_thread_create(&t, busy_debug_thread, NULL, 100, seL4_CapNull);
    self_tcb = t.tcb;
    seL4_CPtr copy = conf_slot();
    seL4_CNode_Copy(ROOT, copy, D, ROOT, t.tcb, D, seL4_AllRights);
    seL4_DebugNameThread(copy, long_name);
    check_eq(seL4_GetIPCBuffer()->msg[0], *(const seL4_Word *)long_name,
             "DebugNameThread through a TCB copy with a 399-character name returns");
    seL4_Wait(name_done, NULL);
    seL4_Wait(name_done, NULL);
    check_eq(steps, 5, "a thread naming itself, dumping the scheduler, identifying and printing runs on");
    check_eq(seen_steps, 5,
             "...without giving up the CPU: an equal-priority thread queued behind it runs only afterwards");
    seL4_SetMR(0, 0xd00d);
    seL4_DebugDumpScheduler();
    check_eq(seL4_GetMR(0), 0xd00d, "DebugDumpScheduler from the root task returns");
}

/* ---- SetTLSBase system call ---- */
static volatile seL4_Word tls0, tls1, tls_back;
static seL4_Word tls_block[2] = { 0x715a, 0x715b };

static seL4_CPtr tls_never;
static void tls_thread(void *arg)
{
    seL4_CPtr done = (seL4_CPtr)arg, never = tls_never;
    seL4_Word orig, v0, v1, back;
    __asm__ volatile("movq %%fs:0, %0" : "=r"(orig)); /* variant II: fs:0 holds the fs base */
    seL4_SetTLSBase((seL4_Word)tls_block);
    __asm__ volatile("movq %%fs:0, %0\n\tmovq %%fs:8, %1" : "=r"(v0), "=r"(v1));
    seL4_SetTLSBase(orig);
    __asm__ volatile("movq %%fs:0, %0" : "=r"(back));
    tls0 = v0;
    tls1 = v1;
    tls_back = back == orig;
    seL4_SetTLSBase((seL4_Word)tls_block + 8);
    /* From here on no TLS: only system calls that use nothing but registers. */
    seL4_Signal(done);
    for (;;) {
        seL4_Word b, i, m0, m1, m2, m3;
        x64_sys_recv(seL4_SysRecv, never, &b, &i, &m0, &m1, &m2, &m3);
    }
}

static void test_set_tls_base(void)
{
    seL4_CPtr done = conf_object(seL4_NotificationObject, 0);
    tls_never = conf_object(seL4_NotificationObject, 0);
    conf_thread_t t;
    conf_thread_create(&t, tls_thread, (void *)done, 100, seL4_CapNull);
    seL4_Wait(done, NULL);
    check(tls0 == 0x715a && tls1 == 0x715b, "seL4_SetTLSBase (system call -30) moves the caller's fs base");
    check_eq(tls_back, 1, "setting it back restores the thread's own TLS");
    conf_settle();
    seL4_UserContext regs;
    seL4_TCB_ReadRegisters(t.tcb, 0, 0, sizeof(regs) / sizeof(seL4_Word), &regs);
    check_eq(regs.fs_base, (seL4_Word)tls_block + 8, "ReadRegisters shows the fs_base set by the system call");
    seL4_TCB_Suspend(t.tcb);
}

/* ---- System call numbers without a handler in this configuration ---- */
static seL4_CPtr fault_ep;
static void sys_thread(void *arg)
{
    register seL4_Word rdx __asm__("rdx") = (seL4_Word)arg;
    __asm__ volatile("movq %%rsp, %%rbx\n\tsyscall\n\tmovq %%rbx, %%rsp"
                     : "+r"(rdx) : : "rbx", "rcx", "r11", "memory");
    seL4_Send(fault_ep, seL4_MessageInfo_new(0x600d, 0, 0, 0));
    conf_park();
}

static void test_missing_syscalls(void)
{
    static const long numbers[] = { -15, -16, -17, -27, -29, -31, 1 };
    fault_ep = conf_object(seL4_EndpointObject, 0);
    for (unsigned i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
        seL4_CPtr fe = conf_slot();
        seL4_CNode_Mint(ROOT, fe, D, ROOT, fault_ep, D, seL4_AllRights, 40 + i);
        conf_thread_t t;
        conf_thread_create(&t, sys_thread, (void *)numbers[i], 100, fe);
        seL4_Word badge;
        seL4_MessageInfo_t info = seL4_Recv(fault_ep, &badge);
        check(seL4_MessageInfo_get_label(info) == seL4_Fault_UnknownSyscall && badge == 40 + i &&
                  seL4_GetMR(seL4_UnknownSyscall_Syscall) == (seL4_Word)numbers[i],
              "system call %ld (not in this configuration) -> UnknownSyscall fault", numbers[i]);
        seL4_TCB_Suspend(t.tcb);
    }
}

/* Done first, while the root task is the only thread: the real kernel's capDL dump walks
 * the CSpace of every thread not named "rootserver", and with the state the later tests
 * leave it never finishes (its loop over an untyped cap's children does not advance) or
 * fails an assertion (an ASID pool without a VSpace). */
static void test_snapshot(void)
{
    seL4_SetMR(0, 0x5a5a);
    seL4_DebugSnapshot();
    check_eq(seL4_GetMR(0), 0x5a5a, "DebugSnapshot (the kernel prints a capDL dump) returns");
}

/* ---- DebugSnapshot with another thread whose CSpace holds only caps the dump can print:
 * done last, after deleting every other thread (their CSpace, the root CNode, holds
 * untyped caps with children and unmapped frames, which the real dump cannot get past) ---- */
static void snapshot_idle(void *arg)
{
    (void)arg;
    conf_park();
}

static void test_snapshot_other_thread(void)
{
    seL4_CPtr cn = conf_object(seL4_CapTableObject, 4), f = conf_object(seL4_X86_4K, 0);
    seL4_CNode_Copy(cn, 1, 4, ROOT, conf_object(seL4_EndpointObject, 0), D, seL4_AllRights);
    seL4_CNode_Copy(cn, 2, 4, ROOT, conf_object(seL4_NotificationObject, 0), D, seL4_AllRights);
    seL4_CNode_Move(cn, 3, 4, ROOT, conf_object(seL4_UntypedObject, 12), D);
    seL4_CNode_Copy(cn, 4, 4, ROOT, cn, D, seL4_AllRights);
    conf_map(f, 0x30000000ul, seL4_ReadWrite);
    seL4_CNode_Move(cn, 5, 4, ROOT, f, D);
    seL4_CNode_Move(cn, 6, 4, ROOT, conf_object(seL4_X64_PML4Object, 0), D);
    conf_thread_t t;
    conf_thread_create(&t, snapshot_idle, NULL, 100, seL4_CapNull);
    seL4_TCB_SetSpace(t.tcb, seL4_CapNull, cn, seL4_CNode_CapData_new(0, 60).words[0], seL4_CapInitThreadVSpace, 0);
    seL4_TCB_Suspend(t.tcb);
    unsigned deleted = 0;
    for (seL4_CPtr c = 2; c < 4096; c++) {
        if (c != t.tcb && ident(c) == 12 && seL4_CNode_Delete(ROOT, c, D) == seL4_NoError) deleted++;
    }
    check(deleted > 0 && ident(t.tcb) == 12, "delete every thread but the root task and a new one with its own CSpace");
    /* the dump skips only threads named "rootserver": give the root task its name back */
    seL4_DebugNameThread(seL4_CapInitThreadTCB, "rootserver");
    seL4_SetMR(0, 0x5b5b);
    seL4_DebugSnapshot();
    check_eq(seL4_GetMR(0), 0x5b5b,
             "DebugSnapshot returns when that CSpace holds an endpoint, a notification, an untyped without "
             "children, a CNode, a mapped frame and a PML4");
}

int main(void)
{
    conf_begin("debug");
    test_snapshot();
    test_putchar();
    test_identify_objects();
    test_identify_null();
    test_identify_derived();
    test_identify_reply();
    test_own_cspace();
    test_name_and_dump();
    test_set_tls_base();
    test_missing_syscalls();
    test_snapshot_other_thread();
    conf_end();
}
