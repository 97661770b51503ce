/*
 * A fake seL4 kernel for host tests of the memory-server core.  It implements struct
 * ms_kernel_ops over a model of caps, untyped memory, paging structures and frame
 * contents, enforces the kernel's rules (a mapping needs its paging structures:
 * FailedLookup; occupied slot or entry: DeleteFirst; untyped full: NotEnoughMemory;
 * untyped reused only when it has no children; ...), counts every call, and offers an
 * MMU so tests can read and write client memory and get page faults.
 * Any rule violation is counted in fk->violations and makes tests fail.
 */
#pragma once
#include <stdint.h>
#include "memserver/core/kernel_ops.h"

struct fk_obj;

struct fk_cap {
    struct fk_obj *obj;
    struct fk_obj *ut_root; /* untyped this cap's object was made from */
    struct fk_obj *map_pml4; /* frames: where mapped (NULL = not mapped) */
    uint64_t map_va;
    int table_mapped;        /* paging structures */
    int original;            /* made by a retype or a badging mint (revocable); 0 for copies */
    uint64_t badge;          /* endpoints */
    int grant;
};

struct fake_kernel {
    struct fk_cap *cap;
    uint32_t ncaps;
    uint32_t asids_left;
    uint64_t calls, retypes, maps, unmaps, copies, deletes, page_copies, table_maps, signals;
    uint64_t revokes, page_writes, page_zeroes;
    uint32_t fail_write_page; /* refuse the n-th write_page from now (0 = never) */
    uint32_t fail_copy_page;  /* refuse the n-th copy_page from now (0 = never) */
    struct fk_obj *endpoint;  /* the server's endpoint (fault endpoints are minted from it) */
    uint64_t cancelled_badges;
    uint64_t violations;
    int last_error;
    uint64_t objects_live;
    int verbose;
};

void fk_init(struct fake_kernel *fk, uint32_t nslots, uint32_t asids);
void fk_fini(struct fake_kernel *fk);
struct ms_kernel_ops fk_ops(struct fake_kernel *fk);
/* Puts an untyped (RAM or device) cap into `slot`. */
void fk_make_untyped(struct fake_kernel *fk, ms_slot_t slot, unsigned size_bits, int device);
/* Does the untyped in `slot` still have derived caps? */
int fk_untyped_has_children(const struct fake_kernel *fk, ms_slot_t slot);
uint64_t fk_untyped_free_index(const struct fake_kernel *fk, ms_slot_t slot);
/* Number of non-empty cap slots in [first, first+n). */
uint32_t fk_caps_in_use(const struct fake_kernel *fk, ms_slot_t first, uint32_t n);

/* The cap in `slot` (NULL if out of range); whether two slots name the same object. */
const struct fk_cap *fk_cap_at(const struct fake_kernel *fk, ms_slot_t slot);
int fk_same_object(const struct fake_kernel *fk, ms_slot_t a, ms_slot_t b);

/* MMU: accesses the 8-byte word at va & ~7 in the address space `pml4`.  Returns 0 on
 * success, else the x86 page-fault error code | 0x100 (so it is never 0). */
uint64_t fk_access(struct fake_kernel *fk, ms_slot_t pml4, uint64_t va, int write, int fetch,
                   uint64_t *value);
