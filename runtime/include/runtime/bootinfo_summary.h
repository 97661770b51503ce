/*
 * A summary of the BootInfo frame for the root task's boot report (portable,
 * host-tested from byte images).
 */
#pragma once
#include <sel4/sel4.h>
#include <stdbool.h>

typedef struct bootinfo_summary {
    seL4_Word untyped_count;        /* caps in bi->untyped */
    seL4_Word untyped_bytes;        /* sum over all untypeds */
    seL4_Word ram_bytes;            /* ... that are not device memory */
    seL4_Word device_bytes;         /* ... that are device memory */
    seL4_Word ram_untyped_count;
    seL4_Word largest_ram_bits;     /* size bits of the largest RAM untyped, 0 if none */
    seL4_Word empty_start, empty_end;
    seL4_Word image_frames;         /* caps in bi->userImageFrames */
    seL4_Word image_paging;         /* caps in bi->userImagePaging */
} bootinfo_summary_t;

/* Fills `out`.  Returns false if the BootInfo is inconsistent (a slot region with
 * end < start, more untypeds than the frame can describe, an untyped size above
 * seL4_MaxUntypedBits, or a byte total that overflows). */
bool bootinfo_summarize(const seL4_BootInfo *bi, bootinfo_summary_t *out);
