/*
 * ABI probe: prints every constant, enum value, type size, struct layout and bit-field
 * packing result of the seL4 ABI that programs of this project use, one "name = value"
 * line each.  It is compiled twice -- against our abi/include and against the real
 * libsel4 headers of SEL4_PREFIX -- and the two outputs must be identical
 * (compare.cmake).  A name missing from either header set is a compile error, which
 * also counts as a difference.  The invocation stubs' marshalling is probed separately
 * (stubs.c).
 */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <sel4/sel4.h>

__thread seL4_IPCBuffer *__sel4_ipc_buffer;
#ifdef CONFIG_LIB_SEL4_USE_THREAD_LOCALS
__thread char __sel4_print_error;
#endif

#define V(x) printf("%s = %lld\n", #x, (long long)(x));
#define U(x) printf("%s = %#llx\n", #x, (unsigned long long)(x));
#define SZ(t) printf("sizeof(%s) = %zu\n", #t, sizeof(t));
#define AL(t) printf("alignof(%s) = %zu\n", #t, _Alignof(t));
#define OFF(t, f) printf("offsetof(%s, %s) = %zu\n", #t, #f, offsetof(t, f));

static void syscalls(void)
{
    V(seL4_SysCall) V(seL4_SysReplyRecv) V(seL4_SysSend) V(seL4_SysNBSend) V(seL4_SysRecv)
    V(seL4_SysReply) V(seL4_SysYield) V(seL4_SysNBRecv) V(seL4_SysSetTLSBase)
    /* The debug syscalls exist only on a kernel built with them (both headers). */
#ifdef CONFIG_PRINTING
    V(seL4_SysDebugPutChar) V(seL4_SysDebugDumpScheduler)
#endif
#ifdef CONFIG_DEBUG_BUILD
    V(seL4_SysDebugHalt) V(seL4_SysDebugCapIdentify) V(seL4_SysDebugSnapshot)
    V(seL4_SysDebugNameThread)
#endif
}

static void invocation_labels(void)
{
    V(InvalidInvocation) V(UntypedRetype) V(TCBReadRegisters) V(TCBWriteRegisters)
    V(TCBCopyRegisters) V(TCBConfigure) V(TCBSetPriority) V(TCBSetMCPriority)
    V(TCBSetSchedParams) V(TCBSetIPCBuffer) V(TCBSetSpace) V(TCBSuspend) V(TCBResume)
    V(TCBBindNotification) V(TCBUnbindNotification) V(TCBSetTLSBase) V(TCBSetFlags)
    V(CNodeRevoke) V(CNodeDelete) V(CNodeCancelBadgedSends) V(CNodeCopy) V(CNodeMint)
    V(CNodeMove) V(CNodeMutate) V(CNodeRotate) V(CNodeSaveCaller) V(IRQIssueIRQHandler)
    V(IRQAckIRQ) V(IRQSetIRQHandler) V(IRQClearIRQHandler) V(DomainSetSet)
    V(DomainScheduleConfigure) V(DomainScheduleSetStart) V(nInvocationLabels)
    V(X86PDPTMap) V(X86PDPTUnmap) V(nSeL4ArchInvocationLabels)
    V(X86PageDirectoryMap) V(X86PageDirectoryUnmap) V(X86PageTableMap) V(X86PageTableUnmap)
    V(X86PageMap) V(X86PageUnmap) V(X86PageGetAddress) V(X86ASIDControlMakePool)
    V(X86ASIDPoolAssign) V(X86IOPortControlIssue) V(X86IOPortIn8) V(X86IOPortIn16)
    V(X86IOPortIn32) V(X86IOPortOut8) V(X86IOPortOut16) V(X86IOPortOut32)
    V(X86IRQIssueIRQHandlerIOAPIC) V(X86IRQIssueIRQHandlerMSI) V(nArchInvocationLabels)
}

static void errors(void)
{
    V(seL4_NoError) V(seL4_InvalidArgument) V(seL4_InvalidCapability) V(seL4_IllegalOperation)
    V(seL4_RangeError) V(seL4_AlignmentError) V(seL4_FailedLookup) V(seL4_TruncatedMessage)
    V(seL4_DeleteFirst) V(seL4_RevokeFirst) V(seL4_NotEnoughMemory) V(seL4_NumErrors)
    V(seL4_NoFailure) V(seL4_InvalidRoot) V(seL4_MissingCapability) V(seL4_DepthMismatch)
    V(seL4_GuardMismatch)
    SZ(seL4_Error) SZ(seL4_LookupFailureType)
}

static void object_types(void)
{
    V(seL4_UntypedObject) V(seL4_TCBObject) V(seL4_EndpointObject) V(seL4_NotificationObject)
    V(seL4_CapTableObject) V(seL4_NonArchObjectTypeCount) V(seL4_X86_PDPTObject)
    V(seL4_X64_PML4Object) V(seL4_X64_HugePageObject) V(seL4_ModeObjectTypeCount)
    V(seL4_X86_4K) V(seL4_X86_LargePageObject) V(seL4_X86_PageTableObject)
    V(seL4_X86_PageDirectoryObject) V(seL4_ObjectTypeCount)
}

static void sizes_and_limits(void)
{
    V(seL4_WordBits) V(seL4_WordSizeBits) V(seL4_SlotBits) V(seL4_TCBBits) V(seL4_EndpointBits)
    V(seL4_NotificationBits) V(seL4_PageTableBits)
    V(seL4_PageTableEntryBits) V(seL4_PageTableIndexBits) V(seL4_PageDirBits)
    V(seL4_PageDirEntryBits) V(seL4_PageDirIndexBits) V(seL4_PDPTBits) V(seL4_PDPTEntryBits)
    V(seL4_PDPTIndexBits) V(seL4_PML4Bits) V(seL4_PML4EntryBits) V(seL4_PML4IndexBits)
    V(seL4_VSpaceBits) V(seL4_PageBits) V(seL4_LargePageBits) V(seL4_HugePageBits)
    V(seL4_ASIDPoolBits) V(seL4_ASIDPoolIndexBits) V(seL4_NumASIDPoolsBits)
    V(seL4_IOPageTableBits) V(seL4_VCPUBits) V(seL4_MinUntypedBits) V(seL4_MaxUntypedBits)
    U(seL4_UserTop) V(seL4_MsgLengthBits) V(seL4_MsgMaxLength) V(seL4_MsgExtraCapBits)
    V(seL4_MsgMaxExtraCaps) V(seL4_FastMessageRegisters) V(seL4_BadgeBits)
    V(seL4_CapRightsBits) V(seL4_IPCBufferSizeBits) V(seL4_MinPrio) V(seL4_MaxPrio)
    V(seL4_BootInfoFrameBits) V(seL4_BootInfoFrameSize) V(CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS)
    V(seL4_True) V(seL4_False)
    V(seL4_TCBFlag_NoFlag) V(seL4_TCBFlag_fpuDisabled) V(seL4_TCBFlag_MASK)
}

static void initial_caps(void)
{
    V(seL4_CapNull) V(seL4_CapInitThreadTCB) V(seL4_CapInitThreadCNode)
    V(seL4_CapInitThreadVSpace) V(seL4_CapIRQControl) V(seL4_CapASIDControl)
    V(seL4_CapInitThreadASIDPool) V(seL4_CapIOPortControl) V(seL4_CapIOSpace)
    V(seL4_CapBootInfoFrame) V(seL4_CapInitThreadIPCBuffer) V(seL4_CapDomain)
    V(seL4_CapSMMUSIDControl) V(seL4_CapSMMUCBControl) V(seL4_CapInitThreadSC) V(seL4_CapSMC)
    V(seL4_NumInitialCaps)
}

static void faults(void)
{
    V(seL4_Fault_NullFault) V(seL4_Fault_CapFault) V(seL4_Fault_UnknownSyscall)
    V(seL4_Fault_UserException) V(seL4_Fault_VMFault)
    V(seL4_VMFault_IP) V(seL4_VMFault_Addr) V(seL4_VMFault_PrefetchFault) V(seL4_VMFault_FSR)
    V(seL4_VMFault_Length)
    V(seL4_UnknownSyscall_RAX) V(seL4_UnknownSyscall_RBX) V(seL4_UnknownSyscall_RCX)
    V(seL4_UnknownSyscall_RDX) V(seL4_UnknownSyscall_RSI) V(seL4_UnknownSyscall_RDI)
    V(seL4_UnknownSyscall_RBP) V(seL4_UnknownSyscall_R8) V(seL4_UnknownSyscall_R9)
    V(seL4_UnknownSyscall_R10) V(seL4_UnknownSyscall_R11) V(seL4_UnknownSyscall_R12)
    V(seL4_UnknownSyscall_R13) V(seL4_UnknownSyscall_R14) V(seL4_UnknownSyscall_R15)
    V(seL4_UnknownSyscall_FaultIP) V(seL4_UnknownSyscall_SP) V(seL4_UnknownSyscall_FLAGS)
    V(seL4_UnknownSyscall_Syscall) V(seL4_UnknownSyscall_Length)
    V(seL4_UserException_FaultIP) V(seL4_UserException_SP) V(seL4_UserException_FLAGS)
    V(seL4_UserException_Number) V(seL4_UserException_Code) V(seL4_UserException_Length)
    V(seL4_CapFault_IP) V(seL4_CapFault_Addr) V(seL4_CapFault_InRecvPhase)
    V(seL4_CapFault_LookupFailureType) V(seL4_CapFault_BitsLeft)
    V(seL4_CapFault_DepthMismatch_BitsFound) V(seL4_CapFault_GuardMismatch_GuardFound)
    V(seL4_CapFault_GuardMismatch_BitsFound)
}

static void layouts(void)
{
    SZ(seL4_Word) SZ(seL4_CPtr) SZ(seL4_Bool) SZ(seL4_Uint8) SZ(seL4_Uint16) SZ(seL4_Uint32)
    SZ(seL4_Uint64) SZ(seL4_Int8) SZ(seL4_Int16) SZ(seL4_Int32) SZ(seL4_Int64)
    SZ(seL4_NodeId) SZ(seL4_PAddr) SZ(seL4_Domain) SZ(seL4_SlotPos)
    SZ(seL4_MessageInfo_t) SZ(seL4_CapRights_t) SZ(seL4_CNode_CapData_t)

    SZ(seL4_IPCBuffer) AL(seL4_IPCBuffer)
    OFF(seL4_IPCBuffer, tag) OFF(seL4_IPCBuffer, msg) OFF(seL4_IPCBuffer, userData)
    OFF(seL4_IPCBuffer, caps_or_badges) OFF(seL4_IPCBuffer, receiveCNode)
    OFF(seL4_IPCBuffer, receiveIndex) OFF(seL4_IPCBuffer, receiveDepth)

    SZ(seL4_SlotRegion) OFF(seL4_SlotRegion, start) OFF(seL4_SlotRegion, end)
    SZ(seL4_UntypedDesc) OFF(seL4_UntypedDesc, paddr) OFF(seL4_UntypedDesc, sizeBits)
    OFF(seL4_UntypedDesc, isDevice) OFF(seL4_UntypedDesc, padding)
    SZ(seL4_BootInfo) OFF(seL4_BootInfo, extraLen) OFF(seL4_BootInfo, nodeID)
    OFF(seL4_BootInfo, numNodes) OFF(seL4_BootInfo, numIOPTLevels) OFF(seL4_BootInfo, ipcBuffer)
    OFF(seL4_BootInfo, empty) OFF(seL4_BootInfo, sharedFrames) OFF(seL4_BootInfo, userImageFrames)
    OFF(seL4_BootInfo, userImagePaging) OFF(seL4_BootInfo, ioSpaceCaps)
    OFF(seL4_BootInfo, extraBIPages) OFF(seL4_BootInfo, initThreadCNodeSizeBits)
    OFF(seL4_BootInfo, initThreadDomain) OFF(seL4_BootInfo, untyped)
    OFF(seL4_BootInfo, untypedList)
    SZ(seL4_BootInfoHeader) OFF(seL4_BootInfoHeader, id) OFF(seL4_BootInfoHeader, len)
    V(SEL4_BOOTINFO_HEADER_PADDING) V(SEL4_BOOTINFO_HEADER_X86_VBE)
    V(SEL4_BOOTINFO_HEADER_X86_MBMMAP) V(SEL4_BOOTINFO_HEADER_X86_ACPI_RSDP)
    V(SEL4_BOOTINFO_HEADER_X86_FRAMEBUFFER) V(SEL4_BOOTINFO_HEADER_X86_TSC_FREQ)
    V(SEL4_BOOTINFO_HEADER_FDT) V(SEL4_BOOTINFO_HEADER_NUM) SZ(seL4_BootInfoID)

    SZ(seL4_UserContext)
    OFF(seL4_UserContext, rip) OFF(seL4_UserContext, rsp) OFF(seL4_UserContext, rflags)
    OFF(seL4_UserContext, rax) OFF(seL4_UserContext, rbx) OFF(seL4_UserContext, rcx)
    OFF(seL4_UserContext, rdx) OFF(seL4_UserContext, rsi) OFF(seL4_UserContext, rdi)
    OFF(seL4_UserContext, rbp) OFF(seL4_UserContext, r8) OFF(seL4_UserContext, r9)
    OFF(seL4_UserContext, r10) OFF(seL4_UserContext, r11) OFF(seL4_UserContext, r12)
    OFF(seL4_UserContext, r13) OFF(seL4_UserContext, r14) OFF(seL4_UserContext, r15)
    OFF(seL4_UserContext, fs_base) OFF(seL4_UserContext, gs_base)

    V(seL4_X86_Default_VMAttributes) V(seL4_X86_WriteBack) V(seL4_X86_WriteThrough)
    V(seL4_X86_CacheDisabled) V(seL4_X86_Uncacheable) V(seL4_X86_WriteCombining)
    SZ(seL4_X86_VMAttributes)
}

/* Sample field values: zero, small, all ones, and single high bits. */
static const seL4_Uint64 samples[] = {
    0, 1, 2, 3, 5, 0x7f, 0x80, 0xfff, 0x1234, 0xfffffffffffffull, 0x8000000000000000ull,
    0xffffffffffffffffull,
};
#define NSAMPLES (sizeof(samples) / sizeof(samples[0]))

static void message_info(void)
{
    for (size_t i = 0; i < NSAMPLES; i++) {
        seL4_Uint64 v = samples[i];
        /* Keep each field in range: libsel4's generated code asserts that. */
        seL4_MessageInfo_t m = seL4_MessageInfo_new(v & 0xfffffffffffffull, v & 7, v & 3, v & 0x7f);
        printf("MessageInfo_new(%#llx masked) = %#llx\n", (unsigned long long)v,
               (unsigned long long)m.words[0]);
        seL4_MessageInfo_t w = { { v } };
        printf("MessageInfo(%#llx): label %#llx unwrapped %llu extra %llu length %llu\n",
               (unsigned long long)v, (unsigned long long)seL4_MessageInfo_get_label(w),
               (unsigned long long)seL4_MessageInfo_get_capsUnwrapped(w),
               (unsigned long long)seL4_MessageInfo_get_extraCaps(w),
               (unsigned long long)seL4_MessageInfo_get_length(w));
        seL4_MessageInfo_t s = seL4_MessageInfo_set_label(w, v & 0xfffffffffffffull);
        s = seL4_MessageInfo_set_length(s, (v >> 3) & 0x7f);
        s = seL4_MessageInfo_set_extraCaps(s, (v >> 1) & 3);
        s = seL4_MessageInfo_set_capsUnwrapped(s, (v >> 2) & 7);
        printf("MessageInfo(%#llx) after sets = %#llx\n", (unsigned long long)v,
               (unsigned long long)s.words[0]);
    }
}

static void cap_rights(void)
{
    for (unsigned b = 0; b < 16; b++) {
        seL4_CapRights_t r = seL4_CapRights_new((b >> 3) & 1, (b >> 2) & 1, (b >> 1) & 1, b & 1);
        seL4_CapRights_t w = { { b } };
        printf("CapRights_new(%u) = %#llx; gets %llu %llu %llu %llu\n", b,
               (unsigned long long)r.words[0],
               (unsigned long long)seL4_CapRights_get_capAllowGrantReply(w),
               (unsigned long long)seL4_CapRights_get_capAllowGrant(w),
               (unsigned long long)seL4_CapRights_get_capAllowRead(w),
               (unsigned long long)seL4_CapRights_get_capAllowWrite(w));
    }
    U(seL4_AllRights.words[0]) U(seL4_CanRead.words[0]) U(seL4_CanWrite.words[0])
    U(seL4_CanGrant.words[0]) U(seL4_CanGrantReply.words[0]) U(seL4_NoWrite.words[0])
    U(seL4_NoRead.words[0]) U(seL4_NoRights.words[0]) U(seL4_ReadWrite.words[0])
}

static void cnode_cap_data(void)
{
    for (size_t i = 0; i < NSAMPLES; i++) {
        seL4_Uint64 v = samples[i];
        seL4_CNode_CapData_t d = seL4_CNode_CapData_new(v & 0x3ffffffffffffffull, v & 0x3f);
        seL4_CNode_CapData_t w = { { v } };
        printf("CNode_CapData_new(%#llx masked) = %#llx; gets guard %#llx size %llu\n",
               (unsigned long long)v, (unsigned long long)d.words[0],
               (unsigned long long)seL4_CNode_CapData_get_guard(w),
               (unsigned long long)seL4_CNode_CapData_get_guardSize(w));
    }
}

void probe_stubs(void);

int main(void)
{
    syscalls();
    invocation_labels();
    errors();
    object_types();
    sizes_and_limits();
    initial_caps();
    faults();
    layouts();
    message_info();
    cap_rights();
    cnode_cap_data();
    probe_stubs();
    return 0;
}
