/* The boot summary printed by the HELLO root task. */
#include "hello.h"
#include <runtime/bootinfo_summary.h>
#include <runtime/stdio.h>

bool boot_report(const seL4_BootInfo *bi)
{
    bootinfo_summary_t s;
    if (!bootinfo_summarize(bi, &s)) {
        printf("boot: BootInfo is inconsistent\n");
        return false;
    }
    printf("boot: %lu untypeds, %lu KiB in total\n", (unsigned long)s.untyped_count,
           (unsigned long)(s.untyped_bytes >> 10));
    printf("boot: RAM %lu KiB in %lu untypeds (largest 2^%lu bytes), device %lu KiB\n",
           (unsigned long)(s.ram_bytes >> 10), (unsigned long)s.ram_untyped_count,
           (unsigned long)s.largest_ram_bits, (unsigned long)(s.device_bytes >> 10));
    printf("boot: empty slots [%#lx, %#lx), %lu of 2^%lu\n", (unsigned long)s.empty_start,
           (unsigned long)s.empty_end, (unsigned long)(s.empty_end - s.empty_start),
           (unsigned long)bi->initThreadCNodeSizeBits);
    printf("boot: image %lu frames, %lu paging structures\n", (unsigned long)s.image_frames,
           (unsigned long)s.image_paging);
    return true;
}
