/* Conformance: the root task's initial state (manual 9.1-9.2): initial capabilities,
 * BootInfo fields and the placement of the IPC buffer and BootInfo frame. */
#include "harness.h"
#include <runtime/string.h>

extern char __image_start[], __image_end[];

static void test_initial_caps(void)
{
    static const struct { seL4_CPtr slot; seL4_Word type; const char *name; } caps[] = {
        { seL4_CapNull, 0, "slot 0 is empty" },
        { seL4_CapInitThreadTCB, 12, "the root TCB (thread cap, type 12)" },
        { seL4_CapInitThreadCNode, 10, "the root CNode (CNode cap, type 10)" },
        { seL4_CapInitThreadVSpace, 9, "the root VSpace (PML4 cap, type 9)" },
        { seL4_CapIRQControl, 14, "IRQ control (type 14)" },
        { seL4_CapASIDControl, 11, "ASID control (type 11)" },
        { seL4_CapInitThreadASIDPool, 13, "the initial ASID pool (type 13)" },
        { seL4_CapIOPortControl, 31, "I/O port control (type 31)" },
        { seL4_CapIOSpace, 0, "no IOSpace (IOMMU off): slot 8 empty" },
        { seL4_CapBootInfoFrame, 1, "the BootInfo frame (frame cap, type 1)" },
        { seL4_CapInitThreadIPCBuffer, 1, "the IPC buffer frame (frame cap, type 1)" },
        { seL4_CapDomain, 20, "the domain cap (type 20)" },
        { seL4_CapSMMUSIDControl, 0, "slot 12 empty" },
        { seL4_CapSMMUCBControl, 0, "slot 13 empty" },
        { seL4_CapInitThreadSC, 0, "slot 14 empty (non-MCS)" },
        { seL4_CapSMC, 0, "slot 15 empty" },
    };
    for (unsigned i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
        check_eq(seL4_DebugCapIdentify(caps[i].slot), caps[i].type, "initial cap %lu: %s", caps[i].slot,
                 caps[i].name);
}

static void test_bootinfo(void)
{
    seL4_BootInfo *bi = runtime_bootinfo();
    check_eq(bi->initThreadCNodeSizeBits, 12, "initThreadCNodeSizeBits = 12");
    check(bi->nodeID == 0 && bi->numNodes == 1, "nodeID 0 of 1 node");
#ifdef CONFIG_IOMMU
    /* Built for a kernel with KernelIOMMU ON: the VT-d page-table levels, 0 on QEMU's pc
     * machine, which has no VT-d (no DMAR table). */
    const seL4_Word iopt_levels = 0;
#else
    const seL4_Word iopt_levels = ~0ul;
#endif
    check_eq(bi->numIOPTLevels, iopt_levels,
             "numIOPTLevels = -1 without KernelIOMMU, 0 with it (QEMU has no VT-d)");
    check_eq(bi->initThreadDomain, 0, "initThreadDomain = 0");
    check_eq(bi->empty.end, 4096, "the empty slot region ends at the CNode's end (4096)");
    check(bi->sharedFrames.start == bi->sharedFrames.end && bi->ioSpaceCaps.start == bi->ioSpaceCaps.end,
          "no shared frames, no IOSpace caps");
    seL4_Word image_pages = ((seL4_Word)__image_end - (seL4_Word)__image_start + 4095) / 4096;
    check_eq(bi->userImageFrames.end - bi->userImageFrames.start, image_pages,
             "userImageFrames has one frame per image page");
    check_eq((seL4_Word)bi->ipcBuffer, ((seL4_Word)__image_end + 4095) & ~4095ul,
             "the IPC buffer is the first page after the image");
    check_eq((seL4_Word)bi, (seL4_Word)bi->ipcBuffer + 4096, "BootInfo is the page after the IPC buffer");
    check(bi->userImagePaging.start == 16 && bi->userImagePaging.end <= bi->userImageFrames.start &&
              bi->userImageFrames.end <= bi->untyped.start && bi->untyped.end <= bi->empty.start,
          "slot regions: paging from 16, then image frames, untypeds, empty slots");
    /* Each frame of the image is a frame cap mapping its page. */
    seL4_CPtr f = bi->userImageFrames.start;
    seL4_X86_Page_GetAddress_t a = seL4_X86_Page_GetAddress(f);
    check(a.error == seL4_NoError && seL4_DebugCapIdentify(f) == 1 &&
              seL4_DebugCapIdentify(bi->userImagePaging.start) != 0,
          "image frame and paging caps are present");
    check(seL4_X86_Page_Map(f, seL4_CapInitThreadVSpace, 0x10000000ul, seL4_ReadWrite,
                            seL4_X86_Default_VMAttributes) == seL4_InvalidArgument,
          "an image frame is already mapped: mapping it elsewhere -> InvalidArgument");
}

/* Extra BootInfo after the BootInfo frame: chunks of (id, len) headers, packed. */
static void test_extra_bootinfo(void)
{
    seL4_BootInfo *bi = runtime_bootinfo();
    const char *base = (const char *)bi + seL4_BootInfoFrameSize;
    static const seL4_Word want_id[] = { SEL4_BOOTINFO_HEADER_X86_ACPI_RSDP, SEL4_BOOTINFO_HEADER_X86_MBMMAP,
                                         SEL4_BOOTINFO_HEADER_X86_TSC_FREQ };
    static const seL4_Word want_len[] = { 0x34, 0x4c4, 0x14 };
    seL4_Word off = 0, n = 0;
    bool ids_ok = true;
    while (off + sizeof(seL4_BootInfoHeader) <= bi->extraLen && n < 8) {
        seL4_BootInfoHeader h;
        memcpy(&h, base + off, sizeof(h)); /* chunks are packed, not 8-byte aligned */
        if (n < 3 && (h.id != want_id[n] || h.len != want_len[n])) ids_ok = false;
        if (h.len == 0) break;
        off += h.len;
        n++;
    }
    check_eq(bi->extraLen, 0x50c, "extraLen = 0x50c (512 MiB machine)");
    check(n == 3 && ids_ok, "extra chunks: ACPI RSDP (0x34), multiboot memory map (0x4c4), TSC frequency (0x14)");
    check_eq(bi->extraBIPages.end - bi->extraBIPages.start, 1, "the extra BootInfo takes one page");
}

static void test_untypeds(void)
{
    seL4_BootInfo *bi = runtime_bootinfo();
    seL4_Word n = bi->untyped.end - bi->untyped.start, ram = 0;
    bool aligned = true, sane = true, overlap = false;
    for (seL4_Word i = 0; i < n; i++) {
        const seL4_UntypedDesc *u = &bi->untypedList[i];
        if (u->sizeBits < seL4_MinUntypedBits || u->sizeBits > seL4_MaxUntypedBits) sane = false;
        else if (!u->isDevice && (u->paddr & ((1ul << u->sizeBits) - 1))) aligned = false;
        if (!u->isDevice) ram += 1ul << u->sizeBits;
        if (seL4_DebugCapIdentify(bi->untyped.start + i) != 2) sane = false;
        for (seL4_Word j = 0; j < i; j++) {
            const seL4_UntypedDesc *v = &bi->untypedList[j];
            if (u->paddr < v->paddr + (1ul << v->sizeBits) && v->paddr < u->paddr + (1ul << u->sizeBits))
                overlap = true;
        }
    }
    check(n > 0 && n <= CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS && sane,
          "every untyped slot holds an untyped cap with a size of 4..47 bits");
    /* (Not so for device untypeds: the real kernel reports the high device regions above
     * 512 GiB with addresses that are not aligned to their size.) */
    check(aligned, "every RAM untyped region is aligned to its size");
    check(!overlap, "untyped regions do not overlap");
    check(ram >= (256ul << 20) && ram < (512ul << 20), "between 256 and 512 MiB of RAM untypeds (512 MiB machine)");
}

int main(void)
{
    conf_begin("boot");
    test_initial_caps();
    test_bootinfo();
    test_extra_bootinfo();
    test_untypeds();
    conf_end();
}
