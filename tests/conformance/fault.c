/* Conformance: fault delivery (manual 6.2): VM faults, user exceptions, unknown syscalls
 * and cap faults; fault replies; threads without a usable fault handler. */
#include "harness.h"

#define ROOT seL4_CapInitThreadCNode
#define D 64
#define VADDR_A 0x50000000ul /* unmapped until a test maps it */
#define VADDR_B 0x50200000ul
#define VADDR_X 0x50400000ul /* never mapped: jump target */

/* Addresses of the faulting instructions (labels in the inline assembly below). */
extern char conf_ip_read[], conf_ip_write[], conf_ip_div[], conf_ip_ud2[], conf_ip_sys[];

static seL4_CPtr fault_ep, done;
static volatile seL4_Word progress, value, out_rax, out_rdi, out_r12;

static seL4_CPtr mint(seL4_CPtr src, seL4_CapRights_t rights, seL4_Word badge)
{
    seL4_CPtr s = conf_slot();
    seL4_Error e = seL4_CNode_Mint(ROOT, s, D, ROOT, src, D, rights, badge);
    if (e != seL4_NoError) conf_bail("mint failed: %s", conf_error_name(e));
    return s;
}

static void read_thread(void *arg)
{
    (void)arg;
    progress = 1;
    seL4_Word v;
    __asm__ volatile(".globl conf_ip_read\nconf_ip_read:\n\tmovq (%1), %0"
                     : "=r"(v) : "r"(VADDR_A) : "memory");
    value = v;
    progress = 2;
    seL4_Signal(done);
    conf_park();
}

static void write_thread(void *arg)
{
    (void)arg;
    progress = 1;
    __asm__ volatile(".globl conf_ip_write\nconf_ip_write:\n\tmovq %1, (%0)"
                     : : "r"(VADDR_B), "r"(0x5555ul) : "memory");
    progress = 2;
    seL4_Signal(done);
    conf_park();
}

static void exec_thread(void *arg)
{
    (void)arg;
    progress = 1;
    void (*f)(void) = (void (*)(void))VADDR_X;
    f();
    progress = 2;
    conf_park();
}

static void div_thread(void *arg)
{
    (void)arg;
    progress = 1;
    __asm__ volatile("xorl %%ecx, %%ecx\n\tmovl $1, %%eax\n\txorl %%edx, %%edx\n"
                     ".globl conf_ip_div\nconf_ip_div:\n\tdivl %%ecx"
                     : : : "rax", "rcx", "rdx", "memory");
    progress = 2;
    conf_park();
}

static void ud2_thread(void *arg)
{
    (void)arg;
    progress = 1;
    __asm__ volatile(".globl conf_ip_ud2\nconf_ip_ud2:\n\tud2" ::: "memory");
    progress = 2; /* reached only if the handler skips the ud2 */
    seL4_Signal(done);
    conf_park();
}

static void syscall_thread(void *arg)
{
    (void)arg;
    progress = 1;
    register seL4_Word rax __asm__("rax") = 0x1111;
    register seL4_Word rdx __asm__("rdx") = 100; /* no such syscall */
    register seL4_Word rdi __asm__("rdi") = 0x2222;
    register seL4_Word rsi __asm__("rsi") = 0x3333;
    register seL4_Word r8 __asm__("r8") = 0x8888;
    register seL4_Word r12 __asm__("r12") = 0xcccc;
    __asm__ volatile("movq %%rsp, %%rbx\n.globl conf_ip_sys\nconf_ip_sys:\n\tsyscall\n\tmovq %%rbx, %%rsp"
                     : "+r"(rax), "+r"(rdx), "+r"(rdi), "+r"(rsi), "+r"(r8), "+r"(r12)
                     :
                     : "rbx", "rcx", "r11", "memory");
    out_rax = rax;
    out_rdi = rdi;
    out_r12 = r12;
    progress = 2;
    seL4_Signal(done);
    conf_park();
}

static void capfault_send_thread(void *arg)
{
    (void)arg;
    progress = 1;
    seL4_Send((seL4_CPtr)1 << 40, seL4_MessageInfo_new(0, 0, 0, 0));
    progress = 2;
    seL4_Signal(done);
    conf_park();
}

static void capfault_recv_thread(void *arg)
{
    seL4_CPtr empty_slot = (seL4_CPtr)arg;
    progress = 1;
    seL4_Recv(empty_slot, NULL);
    progress = 2;
    seL4_Signal(done);
    conf_park();
}

/* Waits for the next fault message; returns its label and stores badge and length. */
static seL4_Word next_fault(seL4_Word *badge, seL4_Word *len)
{
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, badge);
    *len = seL4_MessageInfo_get_length(info);
    return seL4_MessageInfo_get_label(info);
}

static void test_vm_faults(void)
{
    seL4_Word badge, len, label;
    conf_thread_t t;
    progress = 0;
    conf_thread_create(&t, read_thread, NULL, 100, mint(fault_ep, seL4_AllRights, 1));
    label = next_fault(&badge, &len);
    check(label == seL4_Fault_VMFault && len == seL4_VMFault_Length && badge == 1,
          "read of an unmapped address -> VMFault message (label 5, 4 words) with the handler's badge");
    check_eq(seL4_GetMR(seL4_VMFault_IP), (seL4_Word)conf_ip_read, "VMFault IP = the load instruction");
    check_eq(seL4_GetMR(seL4_VMFault_Addr), VADDR_A, "VMFault Addr = the address read");
    check_eq(seL4_GetMR(seL4_VMFault_PrefetchFault), 0, "VMFault PrefetchFault = 0 for a data read");
    check_eq(seL4_GetMR(seL4_VMFault_FSR), 0x4, "VMFault FSR = 0x4 (user, read, not present)");
    seL4_CPtr frame;
    seL4_Word *mine = conf_page(&frame); /* also mapped in the harness region */
    mine[0] = 0xabcd;
    seL4_CPtr copy = conf_slot();
    seL4_CNode_Copy(ROOT, copy, D, ROOT, frame, D, seL4_AllRights);
    check_err(conf_map(copy, VADDR_A, seL4_ReadWrite), seL4_NoError, "handler maps a frame there");
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    seL4_Wait(done, NULL);
    check(progress == 2 && value == 0xabcd, "after the reply the thread re-executes the load and continues");

    progress = 0;
    seL4_CPtr ro_frame = conf_object(seL4_X86_4K, 0);
    conf_map(ro_frame, VADDR_B, seL4_CanRead);
    conf_thread_create(&t, write_thread, NULL, 100, mint(fault_ep, seL4_AllRights, 2));
    label = next_fault(&badge, &len);
    check(label == seL4_Fault_VMFault && badge == 2 &&
              seL4_GetMR(seL4_VMFault_IP) == (seL4_Word)conf_ip_write &&
              seL4_GetMR(seL4_VMFault_Addr) == VADDR_B,
          "write to a read-only page -> VMFault at the store instruction");
    check_eq(seL4_GetMR(seL4_VMFault_FSR), 0x7, "VMFault FSR = 0x7 (user, write, present)");
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    label = next_fault(&badge, &len);
    check(label == seL4_Fault_VMFault && badge == 2 && progress == 1,
          "replying without fixing the mapping faults again");
    seL4_X86_Page_Unmap(ro_frame);
    conf_map(ro_frame, VADDR_B, seL4_ReadWrite);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    seL4_Wait(done, NULL);
    check_eq(progress, 2, "after remapping read-write and replying the store succeeds");

    progress = 0;
    conf_thread_create(&t, exec_thread, NULL, 100, mint(fault_ep, seL4_AllRights, 3));
    label = next_fault(&badge, &len);
    check(label == seL4_Fault_VMFault && badge == 3 && seL4_GetMR(seL4_VMFault_IP) == VADDR_X &&
              seL4_GetMR(seL4_VMFault_Addr) == VADDR_X,
          "jump to an unmapped address -> VMFault with IP = Addr = the target");
    /* The kernel does not enable no-execute paging, so the CPU does not flag instruction
     * fetches in the error code: the fault looks like a data read. */
    check_eq(seL4_GetMR(seL4_VMFault_PrefetchFault), 0,
             "VMFault PrefetchFault = 0 (no NX: fetch faults are not flagged)");
    check_eq(seL4_GetMR(seL4_VMFault_FSR), 0x4, "VMFault FSR = 0x4 (user, not present; no I/D bit)");
    seL4_TCB_Suspend(t.tcb);
}

static void test_exceptions(void)
{
    seL4_Word badge, len, label;
    conf_thread_t t;
    progress = 0;
    conf_thread_create(&t, div_thread, NULL, 100, mint(fault_ep, seL4_AllRights, 4));
    label = next_fault(&badge, &len);
    check(label == seL4_Fault_UserException && len == seL4_UserException_Length && badge == 4,
          "divide by zero -> UserException message (label 3, 5 words)");
    check_eq(seL4_GetMR(seL4_UserException_FaultIP), (seL4_Word)conf_ip_div, "FaultIP = the div instruction");
    check_eq(seL4_GetMR(seL4_UserException_Number), 0, "exception number 0 (#DE)");
    check_eq(seL4_GetMR(seL4_UserException_Code), 0, "error code 0");
    check_eq(seL4_GetMR(seL4_UserException_FLAGS) & 0x202, 0x202, "FLAGS has IF and bit 1 set");
    seL4_TCB_Suspend(t.tcb);

    progress = 0;
    conf_thread_create(&t, ud2_thread, NULL, 100, mint(fault_ep, seL4_AllRights, 5));
    label = next_fault(&badge, &len);
    check(label == seL4_Fault_UserException && badge == 5 &&
              seL4_GetMR(seL4_UserException_FaultIP) == (seL4_Word)conf_ip_ud2,
          "ud2 -> UserException at the ud2");
    check_eq(seL4_GetMR(seL4_UserException_Number), 6, "exception number 6 (#UD)");
    seL4_Word sp = seL4_GetMR(seL4_UserException_SP), flags = seL4_GetMR(seL4_UserException_FLAGS);
    seL4_Reply(seL4_MessageInfo_new(1, 0, 0, 0));
    conf_settle();
    check_eq(progress, 1, "a reply with a non-zero label leaves the thread stopped");
    seL4_UserContext regs;
    seL4_TCB_ReadRegisters(t.tcb, 0, 0, 3, &regs);
    check(regs.rip == (seL4_Word)conf_ip_ud2 && regs.rsp == sp, "ReadRegisters shows it at the ud2");
    check_err(seL4_TCB_Resume(t.tcb), seL4_NoError, "Resume the stopped thread");
    label = next_fault(&badge, &len);
    check(label == seL4_Fault_UserException && badge == 5, "it executes the ud2 again and faults");
    seL4_SetMR(0, (seL4_Word)conf_ip_ud2 + 2);
    seL4_SetMR(1, sp);
    seL4_SetMR(2, flags);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 3));
    seL4_Wait(done, NULL);
    check_eq(progress, 2, "a reply setting FaultIP past the ud2 resumes the thread after it");
}

/* Fault replies go through the same sanitising as WriteRegisters. */
static void test_reply_sanitising(void)
{
    seL4_Word badge, len, label;
    conf_thread_t t;
    progress = 0;
    conf_thread_create(&t, ud2_thread, NULL, 100, mint(fault_ep, seL4_AllRights, 12));
    label = next_fault(&badge, &len);
    seL4_Word sp = seL4_GetMR(seL4_UserException_SP), flags = seL4_GetMR(seL4_UserException_FLAGS);
    seL4_SetMR(0, (seL4_Word)conf_ip_ud2 + 2);
    seL4_SetMR(1, sp);
    seL4_SetMR(2, flags | 0x100); /* TF: would single-step */
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 3));
    seL4_Wait(done, NULL);
    seL4_UserContext regs;
    seL4_TCB_ReadRegisters(t.tcb, 0, 0, 3, &regs);
    check(label == seL4_Fault_UserException && progress == 2 && (regs.rflags & 0x100) == 0,
          "a fault reply setting TF is sanitised: the thread runs on without single-step traps");

    progress = 0;
    conf_thread_create(&t, ud2_thread, NULL, 100, mint(fault_ep, seL4_AllRights, 13));
    label = next_fault(&badge, &len);
    check_eq(label, seL4_Fault_UserException, "a second thread stops at its ud2");
    seL4_SetMR(0, 0x0000800000000000ul);
    seL4_SetMR(1, seL4_GetMR(seL4_UserException_SP));
    seL4_SetMR(2, seL4_GetMR(seL4_UserException_FLAGS));
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 3));
    label = next_fault(&badge, &len);
    check(label == seL4_Fault_VMFault && badge == 13 && seL4_GetMR(seL4_VMFault_IP) == 0 &&
              seL4_GetMR(seL4_VMFault_Addr) == 0,
          "a non-canonical FaultIP in a reply becomes 0: the thread then faults fetching at 0");
    seL4_TCB_Suspend(t.tcb);
}

static void test_unknown_syscall(void)
{
    seL4_Word badge, len, label;
    conf_thread_t t;
    progress = 0;
    conf_thread_create(&t, syscall_thread, NULL, 100, mint(fault_ep, seL4_AllRights, 6));
    label = next_fault(&badge, &len);
    check(label == seL4_Fault_UnknownSyscall && len == seL4_UnknownSyscall_Length && badge == 6,
          "syscall number 100 -> UnknownSyscall message (label 2, 19 words)");
    check(seL4_GetMR(seL4_UnknownSyscall_RAX) == 0x1111 && seL4_GetMR(seL4_UnknownSyscall_RDI) == 0x2222 &&
              seL4_GetMR(seL4_UnknownSyscall_RSI) == 0x3333 && seL4_GetMR(seL4_UnknownSyscall_R8) == 0x8888 &&
              seL4_GetMR(seL4_UnknownSyscall_R12) == 0xcccc,
          "the message carries the thread's registers (rax, rdi, rsi, r8, r12)");
    check_eq(seL4_GetMR(seL4_UnknownSyscall_RDX), 100, "RDX = the syscall number");
    check_eq(seL4_GetMR(seL4_UnknownSyscall_Syscall), 100, "Syscall word = 100");
    check_eq(seL4_GetMR(seL4_UnknownSyscall_FaultIP), (seL4_Word)conf_ip_sys, "FaultIP = the syscall instruction");
    seL4_Word regs[seL4_UnknownSyscall_Length];
    for (int i = 0; i < seL4_UnknownSyscall_Length; i++) regs[i] = seL4_GetMR(i);
    /* A reply with label 0 restarts the thread at FaultIP, i.e. at the syscall again. */
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    label = next_fault(&badge, &len);
    check(label == seL4_Fault_UnknownSyscall && badge == 6 && progress == 1 &&
              seL4_GetMR(seL4_UnknownSyscall_FaultIP) == (seL4_Word)conf_ip_sys,
          "an empty reply re-executes the syscall: a second UnknownSyscall fault");
    /* Reply with new rax and rdi and FaultIP past the 2-byte syscall instruction. */
    for (int i = 0; i <= seL4_UnknownSyscall_FaultIP; i++) seL4_SetMR(i, regs[i]);
    seL4_SetMR(seL4_UnknownSyscall_RAX, 0x99);
    seL4_SetMR(seL4_UnknownSyscall_RDI, 0x77);
    seL4_SetMR(seL4_UnknownSyscall_FaultIP, regs[seL4_UnknownSyscall_FaultIP] + 2);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, seL4_UnknownSyscall_FaultIP + 1));
    seL4_Wait(done, NULL);
    check(progress == 2 && out_rax == 0x99 && out_rdi == 0x77 && out_r12 == 0xcccc,
          "a reply moving FaultIP past the syscall resumes after it, with rax and rdi from the reply");
}

static void test_cap_faults(void)
{
    seL4_Word badge, len, label;
    conf_thread_t t;
    progress = 0;
    conf_thread_create(&t, capfault_send_thread, NULL, 100, mint(fault_ep, seL4_AllRights, 7));
    label = next_fault(&badge, &len);
    check(label == seL4_Fault_CapFault && badge == 7, "Send to a cptr with a bad guard -> CapFault");
    check(seL4_GetMR(seL4_CapFault_Addr) == (1ul << 40) && seL4_GetMR(seL4_CapFault_InRecvPhase) == 0,
          "CapFault Addr = the cptr, InRecvPhase = 0");
    check(seL4_GetMR(seL4_CapFault_LookupFailureType) == seL4_GuardMismatch &&
              seL4_GetMR(seL4_CapFault_BitsLeft) == 64 &&
              seL4_GetMR(seL4_CapFault_GuardMismatch_GuardFound) == 0 &&
              seL4_GetMR(seL4_CapFault_GuardMismatch_BitsFound) == 52,
          "CapFault lookup failure: GuardMismatch, 64 bits left, guard 0 of 52 bits");
    check_eq(len, 7, "a guard-mismatch cap fault message has 7 words");
    seL4_TCB_Suspend(t.tcb);

    progress = 0;
    conf_thread_create(&t, capfault_recv_thread, (void *)conf_slot(), 100,
                       mint(fault_ep, seL4_AllRights, 8));
    label = next_fault(&badge, &len);
    check(label == seL4_Fault_CapFault && badge == 8 && seL4_GetMR(seL4_CapFault_InRecvPhase) == 1,
          "Recv on an empty slot -> CapFault with InRecvPhase = 1");
    check(seL4_GetMR(seL4_CapFault_LookupFailureType) == seL4_MissingCapability &&
              seL4_GetMR(seL4_CapFault_BitsLeft) == 0 && len == 5,
          "...lookup failure MissingCapability, 0 bits left (5 words)");
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    label = next_fault(&badge, &len);
    check(label == seL4_Fault_CapFault && badge == 8 && progress == 1,
          "replying to a cap fault retries the Recv, which faults again");
    seL4_TCB_Suspend(t.tcb);
}

static void recv_on_thread(void *arg)
{
    progress = 1;
    seL4_Recv((seL4_CPtr)arg, NULL);
    progress = 2;
    conf_park();
}

/* Receiving needs an endpoint or notification cap with Read right; anything else is a
 * cap fault in the receive phase with a MissingCapability lookup failure. */
static void test_recv_cap_faults(void)
{
    seL4_CPtr ep = conf_object(seL4_EndpointObject, 0), ntfn = conf_object(seL4_NotificationObject, 0);
    seL4_CPtr ep_wo = conf_slot(), ntfn_wo = conf_slot(), bound = conf_object(seL4_NotificationObject, 0);
    seL4_CNode_Copy(ROOT, ep_wo, D, ROOT, ep, D, seL4_CanWrite);
    seL4_CNode_Copy(ROOT, ntfn_wo, D, ROOT, ntfn, D, seL4_CanWrite);
    seL4_CPtr other = conf_object(seL4_TCBObject, 0);
    seL4_TCB_BindNotification(other, bound);
    static const char *const what[] = {
        "Recv on an endpoint cap without Read", "Wait on a notification cap without Read",
        "Recv on a frame cap", "Wait on a notification bound to another thread",
    };
    seL4_CPtr caps[] = { ep_wo, ntfn_wo, conf_object(seL4_X86_4K, 0), bound };
    for (unsigned i = 0; i < 4; i++) {
        conf_thread_t t;
        progress = 0;
        conf_thread_create(&t, recv_on_thread, (void *)caps[i], 100, mint(fault_ep, seL4_AllRights, 40 + i));
        seL4_Word badge, len;
        seL4_Word label = next_fault(&badge, &len);
        check(label == seL4_Fault_CapFault && badge == 40 + i && seL4_GetMR(seL4_CapFault_Addr) == caps[i] &&
                  seL4_GetMR(seL4_CapFault_InRecvPhase) == 1 &&
                  seL4_GetMR(seL4_CapFault_LookupFailureType) == seL4_MissingCapability &&
                  seL4_GetMR(seL4_CapFault_BitsLeft) == 0,
              "%s -> CapFault in the receive phase, MissingCapability", what[i]);
        seL4_TCB_Suspend(t.tcb);
    }
}

static void test_queued_fault(void)
{
    seL4_Word badge, len;
    conf_thread_t t;
    progress = 0;
    conf_thread_create(&t, div_thread, NULL, 100, mint(fault_ep, seL4_AllRights, 11));
    conf_settle(); /* the thread faults while nobody is receiving on the fault endpoint */
    check_eq(progress, 1, "a thread whose handler is not receiving blocks at its fault");
    seL4_Word label = next_fault(&badge, &len);
    check(label == seL4_Fault_UserException && badge == 11 &&
              seL4_GetMR(seL4_UserException_FaultIP) == (seL4_Word)conf_ip_div,
          "the fault message waits in the endpoint until the handler receives it");
    check_err(seL4_TCB_Suspend(t.tcb), seL4_NoError, "the handler suspends the faulted thread");
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    conf_settle();
    check_eq(progress, 1, "a reply to a suspended faulter does not resume it");
}

static void test_no_handler(void)
{
    conf_thread_t t;
    progress = 0;
    progress = 0;
    conf_thread_create(&t, div_thread, NULL, 100, seL4_CapNull);
    conf_settle();
    check_eq(progress, 1, "a thread without a fault handler stops at its fault");
    seL4_UserContext regs;
    seL4_TCB_ReadRegisters(t.tcb, 0, 0, 1, &regs);
    check_eq(regs.rip, (seL4_Word)conf_ip_div, "it stays at the faulting instruction");
    progress = 0;
    conf_thread_create(&t, div_thread, NULL, 100, mint(fault_ep, seL4_CapRights_new(0, 0, 1, 1), 9));
    conf_settle();
    {
        seL4_Word badge = 0;
        seL4_NBRecv(fault_ep, &badge);
        check(progress == 1 && badge == 0,
              "a fault endpoint cap without Grant or GrantReply is not used: no message, thread stops");
    }
    progress = 0;
    conf_thread_create(&t, div_thread, NULL, 100, mint(fault_ep, seL4_CapRights_new(1, 0, 0, 1), 10));
    seL4_Word badge, len;
    seL4_Word label = next_fault(&badge, &len);
    check(label == seL4_Fault_UserException && badge == 10,
          "a fault endpoint cap with only Write and GrantReply works");
    seL4_TCB_Suspend(t.tcb);
}

/* ---- x86 exceptions raised by user instructions ---- */
extern char conf_ip_hlt[], conf_ip_int3[], conf_ip_int80[], conf_ip_in[], conf_ip_noncanon[],
    conf_ip_kread[], conf_ip_cr0[], conf_ip_stack[];

static void exception_thread(void *arg)
{
    seL4_Word which = (seL4_Word)arg;
    progress = 1;
    switch (which) {
    case 0:
        __asm__ volatile(".globl conf_ip_hlt\nconf_ip_hlt:\n\thlt" ::: "memory");
        break;
    case 1:
        __asm__ volatile(".globl conf_ip_int3\nconf_ip_int3:\n\tint3" ::: "memory");
        break;
    case 2:
        __asm__ volatile(".globl conf_ip_int80\nconf_ip_int80:\n\tint $0x80" ::: "memory");
        break;
    case 3:
        __asm__ volatile("movl $0x3ff, %%edx\n.globl conf_ip_in\nconf_ip_in:\n\tinb %%dx, %%al"
                         ::: "rax", "rdx", "memory");
        break;
    case 4:
        __asm__ volatile("movabsq $0x0000800000000000, %%rax\n.globl conf_ip_noncanon\nconf_ip_noncanon:\n\tmovq (%%rax), %%rax"
                         ::: "rax", "memory");
        break;
    case 5:
        __asm__ volatile("movabsq $0xffffff8000000000, %%rax\n.globl conf_ip_kread\nconf_ip_kread:\n\tmovq (%%rax), %%rax"
                         ::: "rax", "memory");
        break;
    case 6:
        __asm__ volatile(".globl conf_ip_cr0\nconf_ip_cr0:\n\tmovq %%cr0, %%rax" ::: "rax", "memory");
        break;
    default:
        __asm__ volatile("movq $0x50600ff8, %%rax\n\txchgq %%rax, %%rsp\n"
                         ".globl conf_ip_stack\nconf_ip_stack:\n\tpushq $1\n\txchgq %%rax, %%rsp"
                         ::: "rax", "memory");
        break;
    }
    progress = 2;
    conf_park();
}

extern char conf_ip_inta0[], conf_ip_int_3[], conf_ip_tf[];
static seL4_CPtr arg2_report;
static void int_thread(void *arg)
{
    progress = 1;
    if (arg) {
        __asm__ volatile("movl $0x123456, %%eax\n.globl conf_ip_inta0\nconf_ip_inta0:\n\tint $0xa0"
                         ::: "rax", "memory");
    } else {
        __asm__ volatile("int $0xff" ::: "memory");
        progress = 2;
        seL4_Send((seL4_CPtr)arg2_report, seL4_MessageInfo_new(0x600d, 0, 0, 0));
        conf_park();
    }
    progress = 2;
    seL4_Signal(done);
    conf_park();
}

/* Vectors 158..254 have user-callable gates: the kernel treats them as unknown system
 * calls numbered (vector << 24) | (eax & 0xffffff), computed as a C int and therefore
 * sign-extended for vectors >= 128.  Vector 255 (spurious) is ignored. */
static void test_int_traps(void)
{
    conf_thread_t t;
    seL4_Word badge, len;
    progress = 0;
    conf_thread_create(&t, int_thread, (void *)1, 100, mint(fault_ep, seL4_AllRights, 50));
    seL4_Word label = next_fault(&badge, &len);
    check(label == seL4_Fault_UnknownSyscall && badge == 50 &&
              seL4_GetMR(seL4_UnknownSyscall_Syscall) == 0xffffffffa0123456ul,
          "int $0xa0 with eax 0x123456 -> UnknownSyscall 0xffffffffa0123456 (computed in an int)");
    check_eq(seL4_GetMR(seL4_UnknownSyscall_FaultIP), (seL4_Word)conf_ip_inta0,
             "FaultIP is the int instruction");
    seL4_SetMR(seL4_UnknownSyscall_FaultIP, (seL4_Word)conf_ip_inta0 + 2);
    for (int i = 0; i < seL4_UnknownSyscall_FaultIP; i++) seL4_SetMR(i, seL4_GetMR(i));
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, seL4_UnknownSyscall_FaultIP + 1));
    seL4_Wait(done, NULL);
    check_eq(progress, 2, "a reply moving FaultIP past it resumes the thread");
    progress = 0;
    arg2_report = mint(fault_ep, seL4_AllRights, 51);
    conf_thread_create(&t, int_thread, NULL, 100, arg2_report);
    label = next_fault(&badge, &len);
    check_eq(label, 0x600d,
             "int $0xff (the spurious-interrupt vector) is ignored: the thread reports success, no fault");
}

/* ---- More vectors and syscall numbers ---- */
static volatile seL4_Word tsc_ok;
static void misc_thread(void *arg)
{
    seL4_Word which = (seL4_Word)arg;
    progress = 1;
    switch (which) {
    case 1: __asm__ volatile("int $0x9d" ::: "memory"); break;           /* the timer vector */
    case 2: __asm__ volatile("movl $7, %%eax\n\tint $0x9e" ::: "rax", "memory"); break; /* first trap */
    case 6: __asm__ volatile("sysenter" ::: "memory"); break;
    case 7: __asm__ volatile("xorl %%ecx, %%ecx\n\txgetbv" ::: "rax", "rcx", "rdx", "memory"); break;
    case 8: __asm__ volatile("swapgs" ::: "memory"); break;
    case 9: __asm__ volatile("xorl %%eax, %%eax\n\twrfsbase %%rax" ::: "rax", "memory"); break;
    case 10: __asm__ volatile("movl $0x10, %%ecx\n\trdmsr" ::: "rax", "rcx", "rdx", "memory"); break;
    case 13: {
        /* x87 divide by zero with the exception unmasked: reported at the next fwait */
        unsigned short cw = 0x037f & ~0x4u;
        __asm__ volatile("fninit\n\tfldcw %0\n\tfld1\n\tfldz\n\tfdivrp\n\tfwait\n\tfninit"
                         : : "m"(cw) : "memory");
        break;
    }
    case 14:
        /* an 8-byte load whose last 4 bytes are on an unmapped page */
        __asm__ volatile("movq (%0), %%rax" : : "r"(0x50800000ul - 4) : "rax", "memory");
        break;
    case 16: {
        /* call an instruction whose last bytes lie on the unmapped page */
        volatile unsigned char *tail = (volatile unsigned char *)(0x50800000ul - 3);
        tail[0] = 0xb8; /* mov $imm32, %eax: 5 bytes, 2 of them on the next page */
        tail[1] = 0x01;
        tail[2] = 0x02;
        ((void (*)(void))(0x50800000ul - 3))();
        break;
    }
    case 17: __asm__ volatile("cli" ::: "memory"); break;
    case 24: __asm__ volatile("xorl %%ecx, %%ecx\n\trdpmc" ::: "rax", "rcx", "rdx", "memory"); break;
    case 25: /* int $3 as the 2-byte cd 03 (the assembler would emit the 1-byte int3) */
        __asm__ volatile(".globl conf_ip_int_3\nconf_ip_int_3:\n\t.byte 0xcd, 0x03" ::: "memory");
        break;
    case 26: /* set the trap flag with popf: the CPU single-steps */
        __asm__ volatile("pushfq\n\torq $0x100, (%%rsp)\n\tpopfq\n.globl conf_ip_tf\nconf_ip_tf:\n\tnop\n\t"
                         "pushfq\n\tandq $~0x100, (%%rsp)\n\tpopfq"
                         ::: "memory", "cc");
        break;
    case 23: /* INT64_MIN / -1 */
        __asm__ volatile("movabsq $0x8000000000000000, %%rax\n\tcqto\n\tmovq $-1, %%rcx\n\tidivq %%rcx"
                         ::: "rax", "rcx", "rdx", "memory");
        break;
    case 18: __asm__ volatile(".byte 0xf0, 0x90" ::: "memory"); break; /* lock nop */
    case 19: /* 16-byte instruction: 15 operand-size prefixes + nop */
        __asm__ volatile(".byte 0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x90"
                         ::: "memory");
        break;
    case 20: /* 15-byte instruction: 14 prefixes + nop, still legal */
        __asm__ volatile(".byte 0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x90"
                         ::: "memory");
        break;
    case 15:
        /* rep stosb from 16 bytes below an unmapped page */
        __asm__ volatile("cld\n\trep stosb"
                         : : "D"(0x50800000ul - 16), "c"(64ul), "a"(0) : "memory");
        break;
    case 11: {
        static char buf[64] __attribute__((aligned(16)));
        __asm__ volatile("movaps %%xmm0, (%0)" : : "r"(buf + 8) : "memory");
        break;
    }
    case 3:
    case 4: {
        seL4_Word number = 0;
        if (which == 4) number = (seL4_Word)-20;
        register seL4_Word rdx __asm__("rdx") = number;
        __asm__ volatile("movq %%rsp, %%rbx\n\tsyscall\n\tmovq %%rbx, %%rsp"
                         : "+r"(rdx) : : "rbx", "rcx", "r11", "memory");
        break;
    }
    default: {
        seL4_Word lo1, hi1, lo2, hi2;
        __asm__ volatile("rdtsc" : "=a"(lo1), "=d"(hi1));
        __asm__ volatile("rdtsc" : "=a"(lo2), "=d"(hi2));
        tsc_ok = ((hi2 << 32) | lo2) >= ((hi1 << 32) | lo1);
        break;
    }
    }
    /* Reached only if the instruction did not fault: report it instead of hanging. */
    progress = 2;
    seL4_Send(fault_ep, seL4_MessageInfo_new(0x600d, 0, 0, 0));
    conf_park();
}

static void test_more_vectors(void)
{
    static const struct { const char *what; seL4_Word label, number; } cases[] = {
        { "int $0x9d (kernel timer vector, no user gate) -> UserException 13", seL4_Fault_UserException, 13 },
        { "int $0x9e (first user trap vector), eax 7 -> UnknownSyscall 0xffffffff9e000007",
          seL4_Fault_UnknownSyscall, 0xffffffff9e000007ul },
        { "syscall number 0 -> UnknownSyscall 0", seL4_Fault_UnknownSyscall, 0 },
        { "syscall number -20 (not in this configuration) -> UnknownSyscall -20", seL4_Fault_UnknownSyscall,
          (seL4_Word)-20 },
        { "sysenter (not set up by the kernel) -> UserException 13", seL4_Fault_UserException, 13 },
        { "xgetbv (no XSAVE support enabled) -> UserException 6", seL4_Fault_UserException, 6 },
        { "swapgs (privileged) -> UserException 13", seL4_Fault_UserException, 13 },
        { "wrfsbase (FSGSBASE not enabled) -> UserException 6", seL4_Fault_UserException, 6 },
        { "rdmsr (privileged) -> UserException 13", seL4_Fault_UserException, 13 },
        { "movaps to a misaligned address -> UserException 13", seL4_Fault_UserException, 13 },
        { "x87 divide by zero, unmasked -> UserException 16 (#MF) at fwait", seL4_Fault_UserException, 16 },
        { "8-byte load straddling into an unmapped page -> VMFault", seL4_Fault_VMFault, 0x507ffffc },
        { "rep stosb running into an unmapped page -> VMFault", seL4_Fault_VMFault, 0x507ffff0 },
        { "an instruction straddling into an unmapped page -> VMFault", seL4_Fault_VMFault, 0x507ffffd },
        { "cli (IOPL 0) -> UserException 13", seL4_Fault_UserException, 13 },
        { "lock nop -> UserException 6", seL4_Fault_UserException, 6 },
        { "a 16-byte instruction (too long) -> UserException 13", seL4_Fault_UserException, 13 },
        { "INT64_MIN / -1 (idiv overflow) -> UserException 0 (#DE)", seL4_Fault_UserException, 0 },
        { "rdpmc (not enabled for user mode) -> UserException 13", seL4_Fault_UserException, 13 },
        { "int $3 (two-byte form) -> UserException 3", seL4_Fault_UserException, 3 },
        { "popf setting TF -> UserException 1 (#DB single step)", seL4_Fault_UserException, 1 },
    };
    /* a mapped page just below the unmapped page at 0x50800000 */
    seL4_CPtr below = conf_object(seL4_X86_4K, 0);
    if (conf_map(below, 0x507ff000ul, seL4_ReadWrite) != seL4_NoError)
        conf_bail("cannot map the page below 0x50800000");

    for (seL4_Word i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        conf_thread_t t;
        seL4_Word badge, len;
        /* (no SSE floating-point exception case: QEMU TCG does not raise #XM) */
        /* (no non-canonical stack access case: QEMU raises #GP where hardware raises #SS) */
        conf_thread_create(&t, misc_thread, (void *)(i < 4 ? i + 1 : i < 10 ? i + 2 : i < 17 ? i + 3 : i + 6), 100,
                           mint(fault_ep, seL4_AllRights, 60 + i));
        seL4_Word label = next_fault(&badge, &len);
        seL4_Word number = label == seL4_Fault_UserException ? seL4_GetMR(seL4_UserException_Number)
                           : label == seL4_Fault_VMFault   ? seL4_GetMR(seL4_VMFault_Addr)
                                                           : seL4_GetMR(seL4_UnknownSyscall_Syscall);
        check(label == cases[i].label && badge == 60 + i, "%s", cases[i].what);
        if (cases[i].number == 3 && label == seL4_Fault_UserException)
            check_eq(seL4_GetMR(seL4_UserException_FaultIP), (seL4_Word)conf_ip_int_3 + 2,
                     "...FaultIP is after the 2-byte int $3");
        if (cases[i].number == 1 && label == seL4_Fault_UserException)
            check_eq(seL4_GetMR(seL4_UserException_FaultIP), (seL4_Word)conf_ip_tf + 1,
                     "...reported after the first instruction following popf (the nop)");
        if (label == seL4_Fault_VMFault && cases[i].label == seL4_Fault_VMFault) {
            if (cases[i].number == 0x507ffffd)
                check_eq(seL4_GetMR(seL4_VMFault_IP), 0x507ffffdul, "...IP is the start of the instruction");
            check_eq(number, 0x50800000ul,
                     "...the fault address is the first byte of the unmapped page, not the access start");
        } else {
            check_eq(number, cases[i].number, "...with the expected number");
        }
        seL4_TCB_Suspend(t.tcb);
    }
    conf_thread_t t;
    seL4_Word badge, len;
    progress = 0;
    conf_thread_create(&t, misc_thread, (void *)5, 100, mint(fault_ep, seL4_AllRights, 66));
    seL4_Word label = next_fault(&badge, &len);
    check(label == 0x600d && tsc_ok, "rdtsc is allowed in user mode and does not go backwards");
    conf_thread_create(&t, misc_thread, (void *)20, 100, mint(fault_ep, seL4_AllRights, 67));
    label = next_fault(&badge, &len);
    check_eq(label, 0x600d, "a 15-byte instruction (14 prefixes) is still legal");
}

static void test_x86_exceptions(void)
{
    static const struct {
        const char *what;
        char *ip;
        seL4_Word number, code;
    } cases[] = {
        { "hlt (privileged)", conf_ip_hlt, 13, 0 },
        { "int3", conf_ip_int3, 3, 0 },
        /* int $0x80: #GP with an IDT error code; QEMU reports 0x802, hardware 0x402, so
         * the code is not compared for this case (see `code_known` below). */
        { "int $0x80 (no user gate)", conf_ip_int80, 13, 0 },
        { "inb without I/O permission", conf_ip_in, 13, 0 },
        { "load from a non-canonical address", conf_ip_noncanon, 13, 0 },
        { "mov from cr0", conf_ip_cr0, 13, 0 },
    };
    seL4_Word badge, len;
    for (seL4_Word i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        conf_thread_t t;
        progress = 0;
        seL4_Word which = i < 5 ? i : 6;
        conf_thread_create(&t, exception_thread, (void *)which, 100, mint(fault_ep, seL4_AllRights, 20 + i));
        seL4_Word label = next_fault(&badge, &len);
        seL4_Word ip = seL4_GetMR(seL4_UserException_FaultIP);
        seL4_Word num = seL4_GetMR(seL4_UserException_Number), code = seL4_GetMR(seL4_UserException_Code);
        bool code_known = i != 2;
        check(label == seL4_Fault_UserException && badge == 20 + i && num == cases[i].number &&
                  (!code_known || code == cases[i].code),
              "%s -> UserException %lu%s", cases[i].what, cases[i].number,
              code_known ? (cases[i].code ? ", error code set" : ", error code 0") : "");
        if (i == 2) check((code & 0x7) == 0x2, "int $0x80: the error code has the IDT bit set");
        /* int3 is a trap: the CPU reports the address after it. */
        check(ip == (seL4_Word)cases[i].ip + (i == 1 ? 1 : 0), "%s: FaultIP is %s", cases[i].what,
              i == 1 ? "the next instruction (a trap)" : "the instruction");
        seL4_TCB_Suspend(t.tcb);
    }
    conf_thread_t t;
    progress = 0;
    conf_thread_create(&t, exception_thread, (void *)5, 100, mint(fault_ep, seL4_AllRights, 30));
    seL4_Word label = next_fault(&badge, &len);
    check(label == seL4_Fault_VMFault && seL4_GetMR(seL4_VMFault_Addr) == 0xffffff8000000000ul &&
              seL4_GetMR(seL4_VMFault_IP) == (seL4_Word)conf_ip_kread,
          "a load from the kernel window -> VMFault at that address");
    check_eq(seL4_GetMR(seL4_VMFault_FSR), 0x4,
             "FSR 0x4: not present (the kernel is not mapped while user code runs)");
    seL4_TCB_Suspend(t.tcb);
    progress = 0;
    conf_thread_create(&t, exception_thread, (void *)7, 100, mint(fault_ep, seL4_AllRights, 31));
    label = next_fault(&badge, &len);
    check(label == seL4_Fault_VMFault && seL4_GetMR(seL4_VMFault_Addr) == 0x50600ff0ul &&
              seL4_GetMR(seL4_VMFault_IP) == (seL4_Word)conf_ip_stack,
          "a push onto an unmapped stack -> VMFault at rsp - 8");
    check_eq(seL4_GetMR(seL4_VMFault_FSR), 0x6, "FSR 0x6: user write, not present");
    seL4_TCB_Suspend(t.tcb);
}

/* ---- Every word of an UnknownSyscall message, and a reply that sets every register ---- */
/* The thread (in assembly, since it sets every register) loads a distinct value into each
 * register, makes system call 200, and after the fault reply stores what each register
 * holds into allregs_out (rsp may be 0 there: the kernel returns with sysret). */
seL4_Word allregs_saved_rsp, allregs_out[16], allregs_flags_before;
extern char conf_ip_allregs[];
void conf_allregs_thread(void *arg);
void conf_allregs_after(void);
__asm__(".text\n"
        ".globl conf_allregs_thread\n"
        "conf_allregs_thread:\n"
        "\tmovq %rsp, allregs_saved_rsp(%rip)\n"
        "\tmovq $0xa0, %rax\n\tmovq $0xb0, %rbx\n\tmovq $0xc0, %rcx\n\tmovq $0x51, %rsi\n"
        "\tmovq $0xd1, %rdi\n\tmovq $0xb9, %rbp\n\tmovq $0x108, %r8\n\tmovq $0x109, %r9\n"
        "\tmovq $0x110, %r10\n\tmovq $0x111, %r11\n\tmovq $0x112, %r12\n\tmovq $0x113, %r13\n"
        "\tmovq $0x114, %r14\n\tmovq $0x115, %r15\n"
        "\tcld\n\ttestq %rax, %rax\n" /* known flags: ZF, CF, DF clear */
        "\tpushfq\n\tpopq %rdx\n\tmovq %rdx, allregs_flags_before(%rip)\n"
        "\tmovq $200, %rdx\n"
        ".globl conf_ip_allregs\n"
        "conf_ip_allregs:\n"
        "\tsyscall\n"
        "\tmovq %rax, allregs_out+0(%rip)\n\tmovq %rbx, allregs_out+8(%rip)\n"
        "\tmovq %rcx, allregs_out+16(%rip)\n\tmovq %rdx, allregs_out+24(%rip)\n"
        "\tmovq %rsi, allregs_out+32(%rip)\n\tmovq %rdi, allregs_out+40(%rip)\n"
        "\tmovq %rbp, allregs_out+48(%rip)\n\tmovq %r8, allregs_out+56(%rip)\n"
        "\tmovq %r9, allregs_out+64(%rip)\n\tmovq %r10, allregs_out+72(%rip)\n"
        "\tmovq %r11, allregs_out+80(%rip)\n\tmovq %r12, allregs_out+88(%rip)\n"
        "\tmovq %r13, allregs_out+96(%rip)\n\tmovq %r14, allregs_out+104(%rip)\n"
        "\tmovq %r15, allregs_out+112(%rip)\n\tmovq %rsp, allregs_out+120(%rip)\n"
        "\tmovq allregs_saved_rsp(%rip), %rsp\n"
        "\tjmp conf_allregs_after\n");

void conf_allregs_after(void)
{
    seL4_Signal(done);
    conf_park();
}

static void test_unknown_syscall_all_words(void)
{
    static const struct { int word; seL4_Word value; const char *name; } regs[] = {
        { seL4_UnknownSyscall_RAX, 0xa0, "RAX" },   { seL4_UnknownSyscall_RBX, 0xb0, "RBX" },
        { seL4_UnknownSyscall_RDX, 200, "RDX (the syscall number)" },
        { seL4_UnknownSyscall_RSI, 0x51, "RSI" },   { seL4_UnknownSyscall_RDI, 0xd1, "RDI" },
        { seL4_UnknownSyscall_RBP, 0xb9, "RBP" },   { seL4_UnknownSyscall_R8, 0x108, "R8" },
        { seL4_UnknownSyscall_R9, 0x109, "R9" },    { seL4_UnknownSyscall_R10, 0x110, "R10" },
        { seL4_UnknownSyscall_R12, 0x112, "R12" },  { seL4_UnknownSyscall_R13, 0x113, "R13" },
        { seL4_UnknownSyscall_R14, 0x114, "R14" },  { seL4_UnknownSyscall_R15, 0x115, "R15" },
        { seL4_UnknownSyscall_Syscall, 200, "Syscall" },
    };
    seL4_Word badge, len;
    conf_thread_t t;
    conf_thread_create(&t, conf_allregs_thread, NULL, 100, mint(fault_ep, seL4_AllRights, 70));
    /* Before it runs: give rcx and r11 values of their own (the syscall entry does not
     * save rcx, r11 or rsp, so the message shows what these slots held before). */
    seL4_UserContext init;
    seL4_TCB_ReadRegisters(t.tcb, 0, 0, sizeof(init) / sizeof(seL4_Word), &init);
    init.rcx = 0xc1c1;
    init.r11 = 0x1111;
    seL4_TCB_WriteRegisters(t.tcb, 0, 0, sizeof(init) / sizeof(seL4_Word), &init);
    seL4_Word label = next_fault(&badge, &len);
    check(label == seL4_Fault_UnknownSyscall && badge == 70 && len == seL4_UnknownSyscall_Length,
          "system call 200 with every register set -> UnknownSyscall, 19 words");
    seL4_Word w[seL4_UnknownSyscall_Length];
    for (int i = 0; i < seL4_UnknownSyscall_Length; i++) w[i] = seL4_GetMR(i);
    for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
        check_eq(w[regs[i].word], regs[i].value, "UnknownSyscall word %d (%s)", regs[i].word, regs[i].name);
    check_eq(w[seL4_UnknownSyscall_RCX], 0xc1c1,
             "UnknownSyscall RCX = the saved rcx from before (not the syscall's return address)");
    check_eq(w[seL4_UnknownSyscall_R11], 0x1111, "UnknownSyscall R11 = the saved r11 from before (not rflags)");
    check_eq(w[seL4_UnknownSyscall_FaultIP], (seL4_Word)conf_ip_allregs, "UnknownSyscall FaultIP = the syscall");
    check_eq(w[seL4_UnknownSyscall_SP], init.rsp,
             "UnknownSyscall SP = the thread's saved rsp from before (not rsp at the syscall)");
    check_eq(w[seL4_UnknownSyscall_FLAGS], allregs_flags_before | 0x200, "UnknownSyscall FLAGS = rflags (IF set)");

    /* A 2-word reply sets only RAX and RBX and leaves FaultIP: the syscall runs again. */
    seL4_SetMR(0, 0x2a0);
    seL4_SetMR(1, 0x2b0);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 2));
    label = next_fault(&badge, &len);
    check(label == seL4_Fault_UnknownSyscall && badge == 70 && seL4_GetMR(seL4_UnknownSyscall_RAX) == 0x2a0 &&
              seL4_GetMR(seL4_UnknownSyscall_RBX) == 0x2b0 && seL4_GetMR(seL4_UnknownSyscall_RSI) == 0x51 &&
              seL4_GetMR(seL4_UnknownSyscall_FaultIP) == (seL4_Word)conf_ip_allregs,
          "a 2-word reply sets RAX and RBX only; the syscall faults again with them");

    /* A full reply: every register new, FaultIP past the syscall, SP and FLAGS changed. */
    for (int i = 0; i <= seL4_UnknownSyscall_FLAGS; i++) seL4_SetMR(i, 0x300 + (seL4_Word)i);
    seL4_SetMR(seL4_UnknownSyscall_FaultIP, (seL4_Word)conf_ip_allregs + 2);
    seL4_SetMR(seL4_UnknownSyscall_SP, allregs_saved_rsp - 64);
    seL4_SetMR(seL4_UnknownSyscall_FLAGS, 0x202 | 0x1 | 0x80); /* CF, SF */
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, seL4_UnknownSyscall_FLAGS + 1));
    seL4_Wait(done, NULL);
    static const char *const names[16] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8",
                                            "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rsp" };
    static const int word_of[15] = { seL4_UnknownSyscall_RAX, seL4_UnknownSyscall_RBX, seL4_UnknownSyscall_RCX,
                                     seL4_UnknownSyscall_RDX, seL4_UnknownSyscall_RSI, seL4_UnknownSyscall_RDI,
                                     seL4_UnknownSyscall_RBP, seL4_UnknownSyscall_R8, seL4_UnknownSyscall_R9,
                                     seL4_UnknownSyscall_R10, seL4_UnknownSyscall_R11, seL4_UnknownSyscall_R12,
                                     seL4_UnknownSyscall_R13, seL4_UnknownSyscall_R14, seL4_UnknownSyscall_R15 };
    for (int i = 0; i < 15; i++) {
        if (i == 2 || i == 10) continue;
        check_eq(allregs_out[i], 0x300 + (seL4_Word)word_of[i], "after a full reply the thread sees %s from the reply",
                 names[i]);
    }
    check_eq(allregs_out[2], (seL4_Word)conf_ip_allregs + 2,
             "...rcx = the new FaultIP (the kernel returns with sysret, which uses rcx)");
    check_eq(allregs_out[10], 0x202 | 0x1 | 0x80, "...r11 = the new FLAGS (sysret's rflags)");
    check_eq(allregs_out[15], 0, "...rsp = 0, not the SP of the reply (sysret path clears rsp)");
    seL4_TCB_Suspend(t.tcb);
}

/* ---- Only the low 32 bits of rdx name the system call ---- */
static void wide_number_thread(void *arg)
{
    register seL4_Word rdx __asm__("rdx") = (seL4_Word)arg;
    __asm__ volatile("movq %%rsp, %%rbx\n\tsyscall\n\tmovq %%rbx, %%rsp"
                     : "+r"(rdx) : : "rbx", "rcx", "r11", "rdi", "rsi", "memory");
    seL4_Send(fault_ep, seL4_MessageInfo_new(0x600d, 0, 0, 0));
    conf_park();
}

static void test_wide_syscall_numbers(void)
{
    static const seL4_Word numbers[] = { 0x100000064ul, 0x00000001fffffffdul, 0xabcd0000fffffff9ul,
                                         0xfffffffffffffff9ul ^ 0xffffffff00000000ul };
    for (unsigned i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
        seL4_Word badge, len;
        conf_thread_t t;
        conf_thread_create(&t, wide_number_thread, (void *)numbers[i], 100, mint(fault_ep, seL4_AllRights, 80 + i));
        seL4_Word label = next_fault(&badge, &len);
        check_eq(label, seL4_Fault_UnknownSyscall, "rdx 0x%lx (a known number in the low 32 bits only) -> UnknownSyscall",
                 numbers[i]);
        check_eq(seL4_GetMR(seL4_UnknownSyscall_Syscall), numbers[i], "...its Syscall word is the whole rdx");
        seL4_TCB_Suspend(t.tcb);
    }
}

int main(void)
{
    conf_begin("fault");
    fault_ep = conf_object(seL4_EndpointObject, 0);
    done = conf_object(seL4_NotificationObject, 0);
    test_vm_faults();
    test_exceptions();
    test_reply_sanitising();
    test_unknown_syscall();
    test_cap_faults();
    test_recv_cap_faults();
    test_queued_fault();
    test_no_handler();
    test_x86_exceptions();
    test_more_vectors();
    test_int_traps();
    test_unknown_syscall_all_words();
    test_wide_syscall_numbers();
    conf_end();
}
