/* Fault message decoding (runtime/fault.h), from MR arrays laid out as the kernel sends. */
#include "check.h"
#include <runtime/fault.h>
#include <string.h>

static void vm_fault(void)
{
    seL4_Word mrs[seL4_VMFault_Length] = { 0 };
    mrs[seL4_VMFault_IP] = 0x401234;
    mrs[seL4_VMFault_Addr] = 0xdead0000;
    mrs[seL4_VMFault_PrefetchFault] = 0;
    mrs[seL4_VMFault_FSR] = 6;
    fault_info_t f;
    CHECK(fault_decode(seL4_Fault_VMFault, mrs, seL4_VMFault_Length, &f));
    CHECK_EQ(f.type, seL4_Fault_VMFault);
    CHECK_EQ(f.ip, 0x401234);
    CHECK_EQ(f.u.vm.addr, 0xdead0000);
    CHECK_EQ(f.u.vm.fsr, 6);
    CHECK(!f.u.vm.prefetch);
    char line[160];
    int n = fault_format(&f, line, sizeof(line));
    CHECK(strcmp(line, "VM fault: addr=0xdead0000 ip=0x401234 fsr=0x6 (write, user, not present) data") == 0);
    CHECK_EQ(n, strlen(line));
    /* Too short a message is refused. */
    CHECK(!fault_decode(seL4_Fault_VMFault, mrs, seL4_VMFault_Length - 1, &f));
    /* An instruction fetch from a present page, read. */
    mrs[seL4_VMFault_PrefetchFault] = 1;
    mrs[seL4_VMFault_FSR] = 0x15;
    CHECK(fault_decode(seL4_Fault_VMFault, mrs, seL4_VMFault_Length, &f));
    fault_format(&f, line, sizeof(line));
    CHECK(strstr(line, "(read, user, protection) instruction fetch") != NULL);
}

static void cap_fault(void)
{
    /* Guard mismatch: IP, addr, recv phase, type (libsel4 numbering), bits left, guard, bits. */
    seL4_Word mrs[] = { 0x400100, 0x1234, 1, seL4_GuardMismatch, 52, 0x7, 4 };
    fault_info_t f;
    CHECK(fault_decode(seL4_Fault_CapFault, mrs, 7, &f));
    CHECK_EQ(f.ip, 0x400100);
    CHECK_EQ(f.u.cap.addr, 0x1234);
    CHECK(f.u.cap.in_recv);
    CHECK_EQ(f.u.cap.lookup_type, seL4_GuardMismatch);
    CHECK_EQ(f.u.cap.bits_left, 52);
    CHECK_EQ(f.u.cap.guard_found, 7);
    CHECK_EQ(f.u.cap.bits_found, 4);
    /* Invalid root: the message ends after the type. */
    seL4_Word root[] = { 0x400100, 0x99, 0, seL4_InvalidRoot };
    CHECK(fault_decode(seL4_Fault_CapFault, root, 4, &f));
    CHECK_EQ(f.u.cap.bits_left, 0);
    char line[160];
    fault_format(&f, line, sizeof(line));
    CHECK(strcmp(line, "cap fault: cptr=0x99 ip=0x400100 send phase, invalid root, bits left=0") == 0);
    CHECK(!fault_decode(seL4_Fault_CapFault, root, 3, &f));
}

static void user_exception_and_syscall(void)
{
    seL4_Word ue[seL4_UserException_Length] = { 0x401000, 0x7ff0, 0x202, 0, 0 };
    fault_info_t f;
    CHECK(fault_decode(seL4_Fault_UserException, ue, seL4_UserException_Length, &f));
    CHECK_EQ(f.ip, 0x401000);
    CHECK_EQ(f.u.user.sp, 0x7ff0);
    CHECK_EQ(f.u.user.number, 0);
    seL4_Word us[seL4_UnknownSyscall_Length];
    for (unsigned i = 0; i < seL4_UnknownSyscall_Length; i++) us[i] = 0x100 + i;
    us[seL4_UnknownSyscall_Syscall] = (seL4_Word)-42;
    CHECK(fault_decode(seL4_Fault_UnknownSyscall, us, seL4_UnknownSyscall_Length, &f));
    CHECK_EQ(f.ip, 0x100 + seL4_UnknownSyscall_FaultIP);
    CHECK_EQ(f.u.sys.regs[0], 0x100 + seL4_UnknownSyscall_RAX);
    CHECK_EQ(f.u.sys.regs[14], 0x100 + seL4_UnknownSyscall_R15);
    CHECK_EQ(f.u.sys.syscall, (seL4_Word)-42);
    char line[160];
    fault_format(&f, line, sizeof(line));
    CHECK(strncmp(line, "unknown syscall: number=-42 ", 28) == 0);
}

static void unknown(void)
{
    seL4_Word mrs[8] = { 0 };
    fault_info_t f;
    CHECK(!fault_decode(0, mrs, 8, &f));
    CHECK(!fault_decode(4, mrs, 8, &f));
    CHECK(!fault_decode(99, mrs, 8, &f));
    CHECK(!fault_decode(seL4_Fault_VMFault, NULL, 4, &f));
    char line[64];
    f.type = 99;
    fault_format(&f, line, sizeof(line));
    CHECK(strcmp(line, "unknown fault: label=0x63") == 0);
    CHECK(strcmp(fault_type_name(seL4_Fault_VMFault), "VM fault") == 0);
}

int main(void)
{
    vm_fault();
    cap_fault();
    user_exception_and_syscall();
    unknown();
    return check_result("fault_decode_test");
}
