/* Fault message decoding (see fault.h).  Portable. */
#include <runtime/fault.h>
#include <runtime/format.h>

const char *fault_type_name(seL4_Word type)
{
    switch (type) {
    case seL4_Fault_CapFault: return "cap fault";
    case seL4_Fault_UnknownSyscall: return "unknown syscall";
    case seL4_Fault_UserException: return "user exception";
    case seL4_Fault_VMFault: return "VM fault";
    default: return "unknown fault";
    }
}

/* Shortest message the kernel sends for each fault type.  A cap fault's message ends
 * with the lookup failure: its type (numbered as seL4_LookupFailureType), then 0 to 3
 * words depending on the type (invalid root: none; missing capability: bits left; depth
 * mismatch: bits left, bits found; guard mismatch: bits left, guard found, bits found). */
static size_t min_length(seL4_Word type)
{
    switch (type) {
    case seL4_Fault_CapFault: return seL4_CapFault_LookupFailureType + 1;
    case seL4_Fault_UnknownSyscall: return seL4_UnknownSyscall_Length;
    case seL4_Fault_UserException: return seL4_UserException_Length;
    case seL4_Fault_VMFault: return seL4_VMFault_Length;
    default: return 0;
    }
}

static void decode_cap(const seL4_Word *mrs, size_t n, fault_info_t *out)
{
    out->ip = mrs[seL4_CapFault_IP];
    out->u.cap.addr = mrs[seL4_CapFault_Addr];
    out->u.cap.in_recv = mrs[seL4_CapFault_InRecvPhase] != 0;
    out->u.cap.lookup_type = mrs[seL4_CapFault_LookupFailureType];
    if (n > seL4_CapFault_BitsLeft) {
        out->u.cap.bits_left = mrs[seL4_CapFault_BitsLeft];
    }
    if (n > seL4_CapFault_DepthMismatch_BitsFound) {
        out->u.cap.bits_found = mrs[seL4_CapFault_DepthMismatch_BitsFound];
    }
    if (out->u.cap.lookup_type == seL4_GuardMismatch && n > seL4_CapFault_GuardMismatch_BitsFound) {
        out->u.cap.guard_found = mrs[seL4_CapFault_GuardMismatch_GuardFound];
        out->u.cap.bits_found = mrs[seL4_CapFault_GuardMismatch_BitsFound];
    }
}

static void decode_syscall(const seL4_Word *mrs, fault_info_t *out)
{
    out->ip = mrs[seL4_UnknownSyscall_FaultIP];
    out->u.sys.sp = mrs[seL4_UnknownSyscall_SP];
    out->u.sys.flags = mrs[seL4_UnknownSyscall_FLAGS];
    out->u.sys.syscall = mrs[seL4_UnknownSyscall_Syscall];
    for (unsigned i = 0; i <= seL4_UnknownSyscall_R15; i++) {
        out->u.sys.regs[i] = mrs[seL4_UnknownSyscall_RAX + i];
    }
}

bool fault_decode(seL4_Word label, const seL4_Word *mrs, size_t n, fault_info_t *out)
{
    *out = (fault_info_t){ .type = label };
    size_t need = min_length(label);
    if (need == 0 || n < need || mrs == NULL) {
        return false;
    }
    switch (label) {
    case seL4_Fault_VMFault:
        out->ip = mrs[seL4_VMFault_IP];
        out->u.vm.addr = mrs[seL4_VMFault_Addr];
        out->u.vm.prefetch = mrs[seL4_VMFault_PrefetchFault] != 0;
        out->u.vm.fsr = mrs[seL4_VMFault_FSR];
        break;
    case seL4_Fault_CapFault:
        decode_cap(mrs, n, out);
        break;
    case seL4_Fault_UserException:
        out->ip = mrs[seL4_UserException_FaultIP];
        out->u.user.sp = mrs[seL4_UserException_SP];
        out->u.user.flags = mrs[seL4_UserException_FLAGS];
        out->u.user.number = mrs[seL4_UserException_Number];
        out->u.user.code = mrs[seL4_UserException_Code];
        break;
    default:
        decode_syscall(mrs, out);
        break;
    }
    return true;
}

static const char *lookup_name(seL4_Word t)
{
    switch (t) {
    case seL4_NoFailure: return "no failure";
    case seL4_InvalidRoot: return "invalid root";
    case seL4_MissingCapability: return "missing capability";
    case seL4_DepthMismatch: return "depth mismatch";
    case seL4_GuardMismatch: return "guard mismatch";
    default: return "unknown lookup failure";
    }
}

int fault_format(const fault_info_t *f, char *buf, size_t size)
{
    switch (f->type) {
    case seL4_Fault_VMFault: {
        seL4_Word fsr = f->u.vm.fsr;
        return fmt_snprintf(buf, size, "VM fault: addr=%#lx ip=%#lx fsr=%#lx (%s, %s, %s) %s",
                            (unsigned long)f->u.vm.addr, (unsigned long)f->ip,
                            (unsigned long)fsr, (fsr & 2) ? "write" : "read",
                            (fsr & 4) ? "user" : "supervisor",
                            (fsr & 1) ? "protection" : "not present",
                            f->u.vm.prefetch ? "instruction fetch" : "data");
    }
    case seL4_Fault_CapFault:
        return fmt_snprintf(buf, size, "cap fault: cptr=%#lx ip=%#lx %s phase, %s, bits left=%lu",
                            (unsigned long)f->u.cap.addr, (unsigned long)f->ip,
                            f->u.cap.in_recv ? "receive" : "send",
                            lookup_name(f->u.cap.lookup_type), (unsigned long)f->u.cap.bits_left);
    case seL4_Fault_UserException:
        return fmt_snprintf(buf, size, "user exception: vector=%lu code=%#lx ip=%#lx sp=%#lx",
                            (unsigned long)f->u.user.number, (unsigned long)f->u.user.code,
                            (unsigned long)f->ip, (unsigned long)f->u.user.sp);
    case seL4_Fault_UnknownSyscall:
        return fmt_snprintf(buf, size, "unknown syscall: number=%ld ip=%#lx sp=%#lx",
                            (long)f->u.sys.syscall, (unsigned long)f->ip,
                            (unsigned long)f->u.sys.sp);
    default:
        return fmt_snprintf(buf, size, "unknown fault: label=%#lx", (unsigned long)f->type);
    }
}
