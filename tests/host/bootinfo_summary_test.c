/* BootInfo summary (runtime/bootinfo_summary.h) from a byte image of a BootInfo frame,
 * filled field by field at the offsets of the ABI layout. */
#include "check.h"
#include <runtime/bootinfo_summary.h>
#include <stddef.h>
#include <string.h>

static _Alignas(8) unsigned char frame[seL4_BootInfoFrameSize];

static void put_word(size_t off, seL4_Word v) { memcpy(frame + off, &v, sizeof(v)); }

static void put_region(size_t off, seL4_Word start, seL4_Word end)
{
    put_word(off + offsetof(seL4_SlotRegion, start), start);
    put_word(off + offsetof(seL4_SlotRegion, end), end);
}

static void put_untyped(unsigned i, seL4_Word paddr, unsigned bits, unsigned device)
{
    size_t off = offsetof(seL4_BootInfo, untypedList) + i * sizeof(seL4_UntypedDesc);
    put_word(off + offsetof(seL4_UntypedDesc, paddr), paddr);
    frame[off + offsetof(seL4_UntypedDesc, sizeBits)] = (unsigned char)bits;
    frame[off + offsetof(seL4_UntypedDesc, isDevice)] = (unsigned char)device;
}

static void build(void)
{
    memset(frame, 0, sizeof(frame));
    put_region(offsetof(seL4_BootInfo, empty), 0x98, 0x1000);
    put_region(offsetof(seL4_BootInfo, userImageFrames), 0x10, 0x37);
    put_region(offsetof(seL4_BootInfo, userImagePaging), 0xd, 0x10);
    put_region(offsetof(seL4_BootInfo, untyped), 0x37, 0x3b);
    put_word(offsetof(seL4_BootInfo, initThreadCNodeSizeBits), 12);
    put_untyped(0, 0x0, 20, 1);          /* 1 MiB device */
    put_untyped(1, 0x100000, 12, 0);     /* 4 KiB RAM */
    put_untyped(2, 0x200000, 21, 0);     /* 2 MiB RAM */
    put_untyped(3, 0xfec00000, 12, 1);   /* 4 KiB device */
}

int main(void)
{
    build();
    const seL4_BootInfo *bi = (const seL4_BootInfo *)(const void *)frame;
    bootinfo_summary_t s;
    CHECK(bootinfo_summarize(bi, &s));
    CHECK_EQ(s.untyped_count, 4);
    CHECK_EQ(s.ram_untyped_count, 2);
    CHECK_EQ(s.ram_bytes, (1u << 12) + (1u << 21));
    CHECK_EQ(s.device_bytes, (1u << 20) + (1u << 12));
    CHECK_EQ(s.untyped_bytes, s.ram_bytes + s.device_bytes);
    CHECK_EQ(s.largest_ram_bits, 21);
    CHECK_EQ(s.empty_start, 0x98);
    CHECK_EQ(s.empty_end, 0x1000);
    CHECK_EQ(s.image_frames, 0x27);
    CHECK_EQ(s.image_paging, 3);

    /* Inconsistent images are refused. */
    put_region(offsetof(seL4_BootInfo, empty), 0x1000, 0x98);
    CHECK(!bootinfo_summarize(bi, &s));
    build();
    put_region(offsetof(seL4_BootInfo, untyped), 0, CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS + 1);
    CHECK(!bootinfo_summarize(bi, &s));
    build();
    put_untyped(2, 0, seL4_MaxUntypedBits + 1, 0);
    CHECK(!bootinfo_summarize(bi, &s));
    build();
    put_region(offsetof(seL4_BootInfo, untyped), 0x37, 0x37);
    CHECK(bootinfo_summarize(bi, &s));
    CHECK_EQ(s.untyped_count, 0);
    CHECK_EQ(s.largest_ram_bits, 0);
    return check_result("bootinfo_summary_test");
}
