/*
 * The narrow interface through which the bookkeeping core changes kernel state.
 *
 * The core never makes a system call: every kernel effect is one call through this
 * table.  The seL4 server implements it with real invocations (server/kernel_glue.c);
 * the host tests implement it with a fake that models seL4's rules and records every
 * call (tests/fake_kernel.c).  All slots are indices into the server's own CSpace.
 * Every function returns an seL4_Error value (0 = success).
 */
#pragma once
#include <stdint.h>

typedef uint32_t ms_slot_t;

/* Kernel object kinds the core creates. */
enum ms_kobj {
    MS_KOBJ_FRAME_4K,
    MS_KOBJ_FRAME_2M,
    MS_KOBJ_PT,
    MS_KOBJ_PD,
    MS_KOBJ_PDPT,
    MS_KOBJ_PML4,
    MS_KOBJ_UNTYPED, /* only when splitting the server's untyped memory at start-up */
};

/* Mapping rights (the protocol uses the same bits). */
enum { MS_RIGHT_R = 1, MS_RIGHT_W = 2, MS_RIGHT_X = 4 };

struct ms_kernel_ops {
    void *ctx;
    /* One object of `type` (size_bits only for MS_KOBJ_UNTYPED) from untyped `ut` into
     * the empty slot `dest`. */
    int (*retype)(void *ctx, ms_slot_t ut, enum ms_kobj type, unsigned size_bits, ms_slot_t dest);
    /* `count` 4 KiB frames from untyped `ut` into the empty slots dest .. dest+count-1
     * (one invocation). */
    int (*retype_frames)(void *ctx, ms_slot_t ut, ms_slot_t dest, uint32_t count);
    /* Makes the PML4 in `pml4` usable (assigns it an ASID from the server's pool). */
    int (*assign_asid)(void *ctx, ms_slot_t pml4);
    /* Installs paging structure `table` (PDPT, PD or PT) covering `vaddr` in `pml4`. */
    int (*map_table)(void *ctx, enum ms_kobj type, ms_slot_t table, ms_slot_t pml4, uint64_t vaddr);
    /* Maps frame `frame` at `vaddr` in `pml4` with MS_RIGHT_* `rights`; if the frame is
     * already mapped at exactly that place this changes its rights. `cached` = 0 maps
     * it uncached (device memory). */
    int (*map_frame)(void *ctx, ms_slot_t frame, ms_slot_t pml4, uint64_t vaddr, unsigned rights,
                     int cached);
    int (*unmap_frame)(void *ctx, ms_slot_t frame);
    /* Copies the cap in `src` into the empty slot `dest` (same rights). */
    int (*copy_cap)(void *ctx, ms_slot_t dest, ms_slot_t src);
    /* Deletes the cap in `slot` (a mapped frame or table is unmapped by the kernel). */
    int (*delete_cap)(void *ctx, ms_slot_t slot);
    /* Deletes every cap derived from the cap in `slot` (copies handed to clients). */
    int (*revoke_cap)(void *ctx, ms_slot_t slot);
    /* Copies 4 KiB from frame `src` at byte offset `src_off` into 4 KiB frame `dst`. */
    int (*copy_page)(void *ctx, ms_slot_t dst, ms_slot_t src, uint32_t src_off);
    /* Writes `len` bytes from `src` into 4 KiB frame `frame` (not mapped anywhere) at
     * byte offset `off` (off + len <= 4096). */
    int (*write_page)(void *ctx, ms_slot_t frame, uint32_t off, const uint8_t *src, uint32_t len);
    /* Signals the notification in `slot` (fault reports to a supervisor). */
    int (*signal)(void *ctx, ms_slot_t slot);
};

/* The server's metadata heap: alloc returns zeroed memory or NULL; free gets the size. */
struct ms_heap {
    void *ctx;
    void *(*alloc)(void *ctx, uint64_t size);
    void (*free)(void *ctx, void *p, uint64_t size);
};
