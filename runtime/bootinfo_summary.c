/* BootInfo summary (see bootinfo_summary.h).  Portable. */
#include <runtime/bootinfo_summary.h>

static bool region_ok(seL4_SlotRegion r) { return r.end >= r.start; }

bool bootinfo_summarize(const seL4_BootInfo *bi, bootinfo_summary_t *out)
{
    *out = (bootinfo_summary_t){ 0 };
    if (!region_ok(bi->untyped) || !region_ok(bi->empty) || !region_ok(bi->userImageFrames) ||
        !region_ok(bi->userImagePaging)) {
        return false;
    }
    seL4_Word count = bi->untyped.end - bi->untyped.start;
    if (count > CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS) {
        return false;
    }
    out->untyped_count = count;
    out->empty_start = bi->empty.start;
    out->empty_end = bi->empty.end;
    out->image_frames = bi->userImageFrames.end - bi->userImageFrames.start;
    out->image_paging = bi->userImagePaging.end - bi->userImagePaging.start;
    for (seL4_Word i = 0; i < count; i++) {
        const seL4_UntypedDesc *d = &bi->untypedList[i];
        if (d->sizeBits > seL4_MaxUntypedBits) {
            return false;
        }
        seL4_Word bytes = (seL4_Word)1 << d->sizeBits;
        if (out->untyped_bytes > ~(seL4_Word)0 - bytes) {
            return false;
        }
        out->untyped_bytes += bytes;
        if (d->isDevice) {
            out->device_bytes += bytes;
        } else {
            out->ram_bytes += bytes;
            out->ram_untyped_count++;
            if (d->sizeBits > out->largest_ram_bits) {
                out->largest_ram_bits = d->sizeBits;
            }
        }
    }
    return true;
}
