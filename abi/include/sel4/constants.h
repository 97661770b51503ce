/*
 * Constants of seL4 16.0.0 for x86_64 non-MCS.  Sources: manual ch. 4 (IPC limits),
 * ch. 9 (boot: initial caps), ch. 10 (object sizes); libsel4/sel4_arch_include/x86_64/
 * sel4/sel4_arch/constants.h and libsel4/arch_include/x86/sel4/arch/constants.h.
 */
#pragma once
#include <sel4/types.h>
#include <sel4/macros.h>

/* IPC */
#define seL4_MsgLengthBits     7
#define seL4_MsgMaxLength      120
#define seL4_MsgExtraCapBits   2
#define seL4_MsgMaxExtraCaps   ((1 << seL4_MsgExtraCapBits) - 1)
#define seL4_FastMessageRegisters 4
#define seL4_BadgeBits         64
#define seL4_CapRightsBits     4
#define seL4_IPCBufferSizeBits 10

/* TCB flags (seL4_TCB_SetFlags) */
typedef enum {
    seL4_TCBFlag_NoFlag = 0x0,
    seL4_TCBFlag_fpuDisabled = 0x1,
    SEL4_FORCE_LONG_ENUM(seL4_TCBFlag),
    seL4_TCBFlag_MASK = seL4_TCBFlag_NoFlag | seL4_TCBFlag_fpuDisabled
} seL4_TCBFlag;

/* Priorities (manual 6.1.4) */
#define seL4_MinPrio           0
#define seL4_MaxPrio           255
#define seL4_NumDomains        1

/* Object sizes, log2 bytes (manual 10.2) */
#define seL4_SlotBits          5
#define seL4_TCBBits           11
#define seL4_EndpointBits      4
#define seL4_NotificationBits  5
#define seL4_ReplyBits         4
#define seL4_PageTableBits     12
#define seL4_PageTableEntryBits 3
#define seL4_PageTableIndexBits 9
#define seL4_PageDirBits       12
#define seL4_PageDirEntryBits  3
#define seL4_PageDirIndexBits  9
#define seL4_PDPTBits          12
#define seL4_PDPTEntryBits     3
#define seL4_PDPTIndexBits     9
#define seL4_PML4Bits          12
#define seL4_PML4EntryBits     3
#define seL4_PML4IndexBits     9
#define seL4_VSpaceBits        seL4_PML4Bits
#define seL4_PageBits          12
#define seL4_LargePageBits     21
#define seL4_HugePageBits      30
#define seL4_ASIDPoolBits      12
#define seL4_ASIDPoolIndexBits 9
#define seL4_NumASIDPoolsBits  3
#define seL4_IOPageTableBits   12
#define seL4_VCPUBits          14
#define seL4_EPTPML4Bits       12
#define seL4_EPTPDPTBits       12
#define seL4_EPTPDBits         12
#define seL4_EPTPTBits         12
#define seL4_MinUntypedBits    4
#define seL4_MaxUntypedBits    47

/* User-visible address space: the kernel owns the upper half (manual 7.1); the last
 * page below the canonical hole is not available either. */
#define seL4_UserTop           0x00007ffffffff000ull
#define seL4_UserVSpaceTop     (seL4_UserTop - 1)

/* Initial capabilities of the root task's CNode (manual 9.1, table 9.1). */
enum seL4_RootCNodeCapSlots {
    seL4_CapNull = 0,
    seL4_CapInitThreadTCB = 1,
    seL4_CapInitThreadCNode = 2,
    seL4_CapInitThreadVSpace = 3,
    seL4_CapIRQControl = 4,
    seL4_CapASIDControl = 5,
    seL4_CapInitThreadASIDPool = 6,
    seL4_CapIOPortControl = 7,
    seL4_CapIOSpace = 8,
    seL4_CapBootInfoFrame = 9,
    seL4_CapInitThreadIPCBuffer = 10,
    seL4_CapDomain = 11,
    seL4_CapSMMUSIDControl = 12,
    seL4_CapSMMUCBControl = 13,
    seL4_CapInitThreadSC = 14,
    seL4_CapSMC = 15,
    seL4_NumInitialCaps = 16
};

/* Object types for seL4_Untyped_Retype (manual 10.2; x86_64 with huge pages, no VT-x). */
typedef enum api_object {
    seL4_UntypedObject,
    seL4_TCBObject,
    seL4_EndpointObject,
    seL4_NotificationObject,
    seL4_CapTableObject,
    seL4_NonArchObjectTypeCount,
} seL4_ObjectType;

typedef enum _mode_object {
    seL4_X86_PDPTObject = seL4_NonArchObjectTypeCount,
    seL4_X64_PML4Object,
    seL4_X64_HugePageObject,
    seL4_ModeObjectTypeCount
} seL4_seL4ArchObjectType;

typedef enum _object {
    seL4_X86_4K = seL4_ModeObjectTypeCount,
    seL4_X86_LargePageObject,
    seL4_X86_PageTableObject,
    seL4_X86_PageDirectoryObject,
#ifdef CONFIG_IOMMU
    seL4_X86_IOPageTableObject, /* KernelIOMMU ON (invocation.h) */
#endif
    seL4_ObjectTypeCount
} seL4_ArchObjectType;

typedef seL4_Word object_t;

/* Fault reasons reported for seL4_Fault_VMFault's FSR are the x86 page-fault error code:
 * bit 0 present, bit 1 write, bit 2 user, bit 4 instruction fetch. */
