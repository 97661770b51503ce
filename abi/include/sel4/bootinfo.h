/*
 * BootInfo handed to the root task (manual 9.2, "BootInfo"; libsel4/include/sel4/bootinfo_types.h).
 * The kernel passes its address in rdi at the root task's entry point.
 */
#pragma once
#include <sel4/types.h>
#include <sel4/ipcbuffer.h>

#define CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS 230
#define seL4_BootInfoFrameBits 12
#define seL4_BootInfoFrameSize (1ul << seL4_BootInfoFrameBits)

typedef struct {
    seL4_SlotPos start; /* first slot of the region */
    seL4_SlotPos end;   /* first slot after the region */
} seL4_SlotRegion;

typedef struct {
    seL4_Word  paddr;    /* physical address of the untyped region */
    seL4_Uint8 sizeBits; /* size, log2 bytes */
    seL4_Uint8 isDevice; /* device memory: frames only, not zeroed by the kernel */
    seL4_Uint8 padding[sizeof(seL4_Word) - 2 * sizeof(seL4_Uint8)];
} seL4_UntypedDesc;

typedef struct {
    seL4_Word         extraLen;        /* bytes of extra bootinfo after this frame */
    seL4_NodeId       nodeID;
    seL4_Word         numNodes;
    seL4_Word         numIOPTLevels;
    seL4_IPCBuffer   *ipcBuffer;       /* the root thread's IPC buffer */
    seL4_SlotRegion   empty;           /* free slots of the root CNode */
    seL4_SlotRegion   sharedFrames;
    seL4_SlotRegion   userImageFrames; /* frames of the root task's image, in address order */
    seL4_SlotRegion   userImagePaging; /* paging structures of the root task's VSpace */
    seL4_SlotRegion   ioSpaceCaps;
    seL4_SlotRegion   extraBIPages;
    seL4_Word         initThreadCNodeSizeBits;
    seL4_Domain       initThreadDomain;
    seL4_SlotRegion   untyped;         /* untyped caps, described by untypedList */
    seL4_UntypedDesc  untypedList[CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS];
} seL4_BootInfo;

/* Extra bootinfo chunks follow the BootInfo frame; each starts with this header. */
typedef enum {
    SEL4_BOOTINFO_HEADER_PADDING = 0,
    SEL4_BOOTINFO_HEADER_X86_VBE = 1,
    SEL4_BOOTINFO_HEADER_X86_MBMMAP = 2,
    SEL4_BOOTINFO_HEADER_X86_ACPI_RSDP = 3,
    SEL4_BOOTINFO_HEADER_X86_FRAMEBUFFER = 4,
    SEL4_BOOTINFO_HEADER_X86_TSC_FREQ = 5,
    SEL4_BOOTINFO_HEADER_FDT = 6,
    SEL4_BOOTINFO_HEADER_NUM,
    SEL4_FORCE_LONG_ENUM(seL4_BootInfoID)
} seL4_BootInfoID;

typedef struct {
    seL4_Word id;  /* a seL4_BootInfoID */
    seL4_Word len; /* bytes of this chunk, header included */
} seL4_BootInfoHeader;
