/* Root-task allocators over BootInfo (see alloc.h). */
#include <runtime/alloc.h>
#include <stddef.h>

static seL4_BootInfo *bi;
static seL4_Word next_slot, end_slot;
/* Bytes already used in each untyped, as the kernel tracks it (objects are placed at the
 * next multiple of their size). */
static seL4_Word used[CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS];

void alloc_init(seL4_BootInfo *bootinfo)
{
    bi = bootinfo;
    next_slot = bi->empty.start;
    end_slot = bi->empty.end > bi->empty.start ? bi->empty.end - 1 : bi->empty.start;
    for (seL4_Word i = 0; i < CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS; i++) {
        used[i] = 0;
    }
}

seL4_CPtr alloc_slot(void)
{
    if (bi == NULL || next_slot >= end_slot) {
        return seL4_CapNull;
    }
    return next_slot++;
}

seL4_Word alloc_object_bytes(seL4_Word type, seL4_Word size_bits)
{
    switch (type) {
    case seL4_UntypedObject: return (seL4_Word)1 << size_bits;
    case seL4_TCBObject: return (seL4_Word)1 << seL4_TCBBits;
    case seL4_EndpointObject: return (seL4_Word)1 << seL4_EndpointBits;
    case seL4_NotificationObject: return (seL4_Word)1 << seL4_NotificationBits;
    case seL4_CapTableObject: return (seL4_Word)1 << (size_bits + seL4_SlotBits);
    case seL4_X86_4K: return (seL4_Word)1 << seL4_PageBits;
    case seL4_X86_LargePageObject: return (seL4_Word)1 << seL4_LargePageBits;
    case seL4_X64_HugePageObject: return (seL4_Word)1 << seL4_HugePageBits;
    case seL4_X86_PageTableObject:
    case seL4_X86_PageDirectoryObject:
    case seL4_X86_PDPTObject:
    case seL4_X64_PML4Object: return (seL4_Word)1 << seL4_PageTableBits;
    default: return 0;
    }
}

/* Offset where an object of `bytes` would go in untyped i, or ~0 if it does not fit. */
static seL4_Word place(seL4_Word i, seL4_Word bytes)
{
    seL4_Word size = (seL4_Word)1 << bi->untypedList[i].sizeBits;
    seL4_Word at = (used[i] + bytes - 1) & ~(bytes - 1);
    return (at < used[i] || at > size || bytes > size - at) ? ~(seL4_Word)0 : at;
}

seL4_CPtr alloc_object(seL4_Word type, seL4_Word size_bits)
{
    seL4_Word bytes = alloc_object_bytes(type, size_bits);
    if (bi == NULL || bytes == 0 || size_bits >= seL4_WordBits) {
        return seL4_CapNull;
    }
    seL4_Word n = bi->untyped.end - bi->untyped.start;
    /* Skip untypeds that failed once for this request so each is tried at most once. */
    for (seL4_Word attempt = 0; attempt < n; attempt++) {
        seL4_Word best = n;
        for (seL4_Word i = 0; i < n; i++) {
            if (bi->untypedList[i].isDevice || place(i, bytes) == ~(seL4_Word)0) {
                continue;
            }
            if (best == n || bi->untypedList[i].sizeBits < bi->untypedList[best].sizeBits) {
                best = i;
            }
        }
        if (best == n) {
            return seL4_CapNull;
        }
        seL4_CPtr slot = alloc_slot();
        if (slot == seL4_CapNull) {
            return seL4_CapNull;
        }
        seL4_Error err = seL4_Untyped_Retype(bi->untyped.start + best, type, size_bits,
                                             seL4_CapInitThreadCNode, 0, 0, slot, 1);
        seL4_Word at = place(best, bytes);
        if (err == seL4_NoError) {
            used[best] = at + bytes;
            return slot;
        }
        /* The kernel disagrees with our bookkeeping: treat this untyped as full. */
        next_slot--;
        used[best] = (seL4_Word)1 << bi->untypedList[best].sizeBits;
    }
    return seL4_CapNull;
}

seL4_CPtr alloc_image_frame(const void *vaddr)
{
    extern char __image_start[];
    seL4_Word v = (seL4_Word)vaddr;
    seL4_Word base = (seL4_Word)__image_start;
    if (bi == NULL || v < base) {
        return seL4_CapNull;
    }
    seL4_Word index = (v - base) >> seL4_PageBits;
    seL4_Word frames = bi->userImageFrames.end - bi->userImageFrames.start;
    return index < frames ? bi->userImageFrames.start + index : seL4_CapNull;
}

seL4_CPtr alloc_ioport(seL4_Word first, seL4_Word last)
{
    seL4_CPtr slot = alloc_slot();
    if (slot == seL4_CapNull) {
        return seL4_CapNull;
    }
    if (seL4_X86_IOPortControl_Issue(seL4_CapIOPortControl, first, last, seL4_CapInitThreadCNode,
                                     slot, seL4_WordBits) != seL4_NoError) {
        next_slot--;
        return seL4_CapNull;
    }
    return slot;
}
