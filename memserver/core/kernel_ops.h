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

/* A kernel call's result must be looked at: GCC warns (an error with -Werror) even when
 * it is cast to void, so a dropped kernel error cannot be written. */
#define MS_MUST_USE __attribute__((warn_unused_result))

/* seL4_Error values the core tells apart (libsel4 sel4/errors.h). */
enum ms_kerr {
    MS_KERR_NONE = 0,
    MS_KERR_INVALID_ARGUMENT = 1,
    MS_KERR_INVALID_CAPABILITY = 2,
    MS_KERR_FAILED_LOOKUP = 6,
    MS_KERR_DELETE_FIRST = 8,
};

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
    MS_MUST_USE int (*retype)(void *ctx, ms_slot_t ut, enum ms_kobj type, unsigned size_bits, ms_slot_t dest);
    /* `count` objects of `type` (size_bits only for MS_KOBJ_UNTYPED) from untyped `ut`
     * into the empty slots dest .. dest+count-1 (one invocation). */
    MS_MUST_USE int (*retype_many)(void *ctx, ms_slot_t ut, enum ms_kobj type, unsigned size_bits, ms_slot_t dest,
                                   uint32_t count);
    /* Makes the PML4 in `pml4` usable (assigns it an ASID from the server's pool). */
    MS_MUST_USE int (*assign_asid)(void *ctx, ms_slot_t pml4);
    /* Installs paging structure `table` (PDPT, PD or PT) covering `vaddr` in `pml4`. */
    MS_MUST_USE int (*map_table)(void *ctx, enum ms_kobj type, ms_slot_t table, ms_slot_t pml4, uint64_t vaddr);
    /* Maps frame `frame` at `vaddr` in `pml4` with MS_RIGHT_* `rights`; if the frame is
     * already mapped at exactly that place this changes its rights. `cached` = 0 maps
     * it uncached (device memory). */
    MS_MUST_USE int (*map_frame)(void *ctx, ms_slot_t frame, ms_slot_t pml4, uint64_t vaddr, unsigned rights,
                     int cached);
    MS_MUST_USE int (*unmap_frame)(void *ctx, ms_slot_t frame);
    /* Copies the cap in `src` into the empty slot `dest` (same rights). */
    MS_MUST_USE int (*copy_cap)(void *ctx, ms_slot_t dest, ms_slot_t src);
    /* Deletes the cap in `slot` (a mapped frame or table is unmapped by the kernel). */
    MS_MUST_USE int (*delete_cap)(void *ctx, ms_slot_t slot);
    /* Deletes every cap derived from the cap in `slot` (copies handed to clients). */
    MS_MUST_USE int (*revoke_cap)(void *ctx, ms_slot_t slot);
    /* Copies 4 KiB from frame `src` at byte offset `src_off` into 4 KiB frame `dst`. */
    MS_MUST_USE int (*copy_page)(void *ctx, ms_slot_t dst, ms_slot_t src, uint32_t src_off);
    /* Writes `len` bytes from `src` into 4 KiB frame `frame` (not mapped anywhere) at
     * byte offset `off` (off + len <= 4096). */
    MS_MUST_USE int (*write_page)(void *ctx, ms_slot_t frame, uint32_t off, const uint8_t *src, uint32_t len);
    /* Zeroes 4 KiB frame `frame` (not mapped anywhere). */
    MS_MUST_USE int (*zero_page)(void *ctx, ms_slot_t frame);
    /* Mints the server's endpoint into the empty slot `dest` with `badge` and all
     * rights: the server's original of a space's fault endpoint (revocable; all rights
     * are what seL4 requires to cancel badged sends with it). */
    MS_MUST_USE int (*mint_fault_ep)(void *ctx, ms_slot_t dest, uint64_t badge);
    /* Copies that original into the empty slot `dest` with the rights to send and to
     * grant a reply only: what a fault handler cap needs, no Grant. */
    MS_MUST_USE int (*copy_fault_ep)(void *ctx, ms_slot_t dest, ms_slot_t src);
    /* Cancels the sends queued on the endpoint with the badge of the cap in `slot`. */
    MS_MUST_USE int (*cancel_badged_sends)(void *ctx, ms_slot_t slot);
    /* Signals the notification in `slot` (fault reports to a supervisor).  Must be
     * harmless whatever cap the client put there (a non-blocking send). */
    MS_MUST_USE int (*signal)(void *ctx, ms_slot_t slot);
};

/* The server's metadata heap: alloc returns zeroed memory or NULL; free gets the size. */
struct ms_heap {
    void *ctx;
    void *(*alloc)(void *ctx, uint64_t size);
    void (*free)(void *ctx, void *p, uint64_t size);
};
