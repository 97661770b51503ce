/*
 * Internal interface between the files of the bookkeeping core.  Users of the core
 * include memserver/core/memserver.h instead.
 */
#pragma once
#include <stddef.h>
#include "memserver/core/types.h"
#include "memserver/protocol/errors.h"
#include "memserver/protocol/messages.h"

/* Invariant check: a broken invariant (or a kernel refusal that decode ruled out) is a
 * server bug; stop loudly (ms_check_hook prints where) rather than corrupt state. */
#define MS_CHECK(cond) do { if (!(cond)) ms_check_failed(__FILE__, __LINE__, #cond); } while (0)
__attribute__((noreturn)) void ms_check_failed(const char *file, int line, const char *cond);
extern void (*ms_check_hook)(const char *file, int line, const char *cond);

/* ---- kernel.c: every kernel call (counted; the result must be used) ---- */
MS_MUST_USE int ms_k_retype(struct ms_server *s, ms_slot_t ut, enum ms_kobj type, unsigned size_bits,
                            ms_slot_t dest);
MS_MUST_USE int ms_k_retype_many(struct ms_server *s, ms_slot_t ut, enum ms_kobj type, unsigned size_bits,
                                 ms_slot_t dest, uint32_t count);
MS_MUST_USE int ms_k_assign_asid(struct ms_server *s, ms_slot_t pml4);
MS_MUST_USE int ms_k_map_table(struct ms_server *s, enum ms_kobj type, ms_slot_t table, ms_slot_t pml4,
                               uint64_t va);
MS_MUST_USE int ms_k_map_frame(struct ms_server *s, ms_slot_t frame, ms_slot_t pml4, uint64_t va,
                               unsigned rights, int cached);
MS_MUST_USE int ms_k_unmap_frame(struct ms_server *s, ms_slot_t frame);
MS_MUST_USE int ms_k_copy_cap(struct ms_server *s, ms_slot_t dest, ms_slot_t src);
MS_MUST_USE int ms_k_delete(struct ms_server *s, ms_slot_t slot);
MS_MUST_USE int ms_k_revoke(struct ms_server *s, ms_slot_t slot);
MS_MUST_USE int ms_k_copy_page(struct ms_server *s, ms_slot_t dst, ms_slot_t src, uint32_t src_off);
MS_MUST_USE int ms_k_write_page(struct ms_server *s, ms_slot_t frame, uint32_t off, const uint8_t *src,
                                uint32_t len);
MS_MUST_USE int ms_k_zero_page(struct ms_server *s, ms_slot_t frame);
MS_MUST_USE int ms_k_mint_fault_ep(struct ms_server *s, ms_slot_t dest, uint64_t badge);
MS_MUST_USE int ms_k_copy_fault_ep(struct ms_server *s, ms_slot_t dest, ms_slot_t src);
MS_MUST_USE int ms_k_cancel_badged_sends(struct ms_server *s, ms_slot_t slot);
MS_MUST_USE int ms_k_signal(struct ms_server *s, ms_slot_t slot);

/* ---- heap.c: metadata memory (counted in heap_in_use) ---- */
void *ms_heap_alloc(struct ms_server *s, uint64_t size);
void ms_heap_free(struct ms_server *s, void *p, uint64_t size);
/* Heap blocks of one size reserved before an operation starts, so that the operation
 * itself cannot run out of metadata memory halfway. */
#define MS_NODE_SIZE (sizeof(struct ms_pd_node) > sizeof(struct ms_pdpt_node) ? \
                      sizeof(struct ms_pd_node) : sizeof(struct ms_pdpt_node))
struct ms_stash { void *head; uint32_t count; };
int ms_stash_fill(struct ms_server *s, struct ms_stash *st, uint32_t n);
void *ms_stash_take(struct ms_stash *st);
void ms_stash_drain(struct ms_server *s, struct ms_stash *st);

/* ---- handles.c ---- */
#define MS_GEN_MAX 0xFFFFu
/* A free, not retired index of a handle table (-1 if none). */
int32_t ms_handle_free_index(void *const *table, const uint16_t *gen, uint32_t n);
/* Next generation of slot idx and the handle naming it. */
uint32_t ms_handle_make(uint16_t *gen, uint32_t idx);
/* Index of a handle whose generation is current (MS_ERR_BAD_HANDLE otherwise). */
int ms_handle_index(uint32_t handle, const uint16_t *gen, uint32_t n, uint32_t *idx);

/* ---- device.c: which client's physical objects use which device pages ---- */
/* MS_ERR_RANGE if no device untyped covers the range, MS_ERR_BUSY if another client's
 * physical object uses part of it; else *first = the slot of its first frame. */
int ms_dev_check(struct ms_server *s, const struct ms_client *c, uint64_t paddr, uint64_t size, ms_slot_t *first);
void ms_dev_claim(struct ms_server *s, const struct ms_client *c, uint64_t paddr, uint64_t size);
void ms_dev_release(struct ms_server *s, uint64_t paddr, uint64_t size);

/* ---- slots.c ---- */
int ms_slots_init(struct ms_server *s, ms_slot_t first, uint32_t total);
ms_slot_t ms_slot_alloc(struct ms_server *s); /* 0 when none left */
/* n consecutive free slots from *start; returns n, or 0 if there is no such run. */
uint32_t ms_slot_alloc_run(struct ms_server *s, uint32_t n, ms_slot_t *start);
void ms_slot_free(struct ms_server *s, ms_slot_t slot);
/* Frames whose cap was handed to a client (PAGE_CAP): their copies must be revoked
 * before the frame is deleted or replaced. */
int ms_slot_exported(const struct ms_server *s, ms_slot_t slot);
/* The free list of retyped 4 KiB frames (slots in use, frames mapped nowhere). */
void ms_free4k_push(struct ms_server *s, ms_slot_t slot);
ms_slot_t ms_free4k_pop(struct ms_server *s); /* 0 if empty */
/* Deletes the free frames of chunk `chunk` and frees their slots; returns how many. */
uint32_t ms_free4k_reclaim(struct ms_server *s, int32_t chunk);
void ms_slot_set_exported(struct ms_server *s, ms_slot_t slot, int on);

/* ---- pool.c ---- */
void ms_pool_init(struct ms_pool *p);
/* An untyped of up to 2^MS_AREA_BITS bytes (above 2 MiB: an area, one slot per block). */
int ms_pool_add(struct ms_server *s, ms_slot_t slot, unsigned size_bits);
int ms_pool_can_take(const struct ms_pool *p, uint64_t pages4k, uint64_t frames2m);
/* 4 KiB objects: one, or up to `want` from one chunk (*got >= 1 on success).  May
 * retype a 2 MiB sub-chunk from an area (the server's own caps: never refused). */
int32_t ms_pool_take_4k(struct ms_server *s);
int32_t ms_pool_take_4k_run(struct ms_server *s, uint32_t want, uint32_t *got);
/* Up to `want` 2 MiB frames from one area (or one from an empty 2 MiB chunk). */
int32_t ms_pool_take_2m_run(struct ms_server *s, uint32_t want, uint32_t *got);
/* Gives back the last n objects taken from chunk (of an area: 2 MiB frames; of a chunk:
 * 4 KiB objects; a 2 MiB frame of a chunk is given back with ms_pool_release). */
void ms_pool_untake(struct ms_server *s, int32_t chunk, uint32_t n);
/* One object of the chunk was deleted; may delete an area's empty sub-chunks. */
void ms_pool_release(struct ms_server *s, int32_t chunk);
/* A 2 MiB untyped the server keeps for ever (its own permanent objects). */
int ms_pool_take_untyped_2m(struct ms_server *s, ms_slot_t *slot);

/* ---- resources.c: checking, allocating and charging kernel objects ---- */
struct ms_need {
    uint64_t pages;  /* 4 KiB objects: frames and paging structures */
    uint64_t large;  /* 2 MiB frames */
    uint64_t slots;  /* cap slots (one per object, plus cap copies) */
    uint64_t nodes;  /* metadata nodes for new PDPTs/PDs */
    uint64_t frames; /* of `pages`, 4 KiB frames the act takes with ms_frames_new or
                      * ms_frame_take: they come from the free list first (with their slot) */
};
/* MS_OK if `c` may be charged for `n` and the server has it all. */
int ms_need_check(const struct ms_server *s, const struct ms_client *c, const struct ms_need *n);
/* used + n <= limit, without wrapping (a limit lowered below use refuses everything). */
static inline int ms_quota_fits(uint64_t used, uint64_t n, uint64_t limit)
{
    uint64_t total;
    return !__builtin_add_overflow(used, n, &total) && total <= limit;
}
void ms_charge(struct ms_client *c, uint64_t pages, uint64_t slots);
void ms_uncharge(struct ms_client *c, uint64_t pages, uint64_t slots);
/* Creates a kernel object in a fresh slot (resources already checked); 0 on failure. */
ms_slot_t ms_kobj_new(struct ms_server *s, enum ms_kobj type);
/* Up to `want` 4 KiB frames in consecutive slots with one invocation; returns how
 * many (0 on failure), the first slot in *first. */
uint32_t ms_frames_new(struct ms_server *s, uint32_t want, ms_slot_t *first);
/* The same for 2 MiB frames (a run from one area; one from an empty 2 MiB chunk). */
uint32_t ms_large_new(struct ms_server *s, uint32_t want, ms_slot_t *first);
/* A fresh 4 KiB frame for the fault path: from frames retyped up to MS_SPARE_RUN at a time
 * (one invocation for many faults); 0 if the kernel refused.  The caller checked the
 * quota and the server's memory for one frame as for ms_kobj_new, plus `keep_pages`
 * pages and `keep_slots` slots the rest of its request will take: a new run leaves
 * those free (else a page table promised by the check is not there when the fault
 * maps the frame: the scenario-7 failure on QEMU).  ms_spare_drain deletes the frames
 * not handed out yet (when an address space dies, so that all memory is free again
 * once every client's is). */
ms_slot_t ms_frame_take(struct ms_server *s, uint64_t keep_pages, uint64_t keep_slots);
void ms_spare_drain(struct ms_server *s);
/* A 4 KiB frame nothing maps any more (its page entry is cleared): onto the free list
 * (copies handed out revoked, unmapped); handed out again zeroed, before fresh memory. */
void ms_frame_free(struct ms_server *s, ms_slot_t slot);
/* Deletes an object made by ms_kobj_new and gives back its memory and slot. */
void ms_kobj_free(struct ms_server *s, ms_slot_t slot);
/* Copies a cap into a fresh slot; 0 on failure.  ms_cap_free deletes such a copy. */
ms_slot_t ms_cap_copy(struct ms_server *s, ms_slot_t src);
void ms_cap_free(struct ms_server *s, ms_slot_t slot);
/* Revokes the copies handed out of the frame cap in `slot` (PAGE_CAP), if any. */
int ms_unexport(struct ms_server *s, ms_slot_t slot);
int ms_kcall_failed(struct ms_server *s, int err);

/* ---- page_tables.c ---- */
struct ms_tcount { uint64_t tables, nodes; int64_t last_l4, last_l3, last_l2; };
void ms_tcount_init(struct ms_tcount *tc);
/* Adds what mapping a page (2 MiB if large) at va would create, counting each
 * missing structure once per counter. */
void ms_tables_count(const struct ms_as *as, uint64_t va, int large, struct ms_tcount *tc);
/* Maps `frame` at `va`, creating missing paging structures (reserved beforehand).
 * If the kernel refuses (only possible when the client changed the space's kernel
 * state behind the server's back: its own structures via an AS_VSPACE copy, or the
 * adopted PML4 revoked), returns MS_ERR_KERNEL; without `force` nothing is recorded
 * (structures made for it are freed again), with `force` the mapping and structures
 * are recorded as if made (for acts that cannot roll back; the caller then marks the
 * space broken). */
MS_MUST_USE int ms_map_frame(struct ms_server *s, struct ms_as *as, ms_slot_t frame, uint64_t va,
                             unsigned rights, int large, int cached, struct ms_stash *st, int force);
/* A space whose kernel state no longer matches the server's records (see
 * ms_map_frame): only AS_DESTROY, QUERY and FAULT_GET still work on it. */
void ms_as_broken(struct ms_server *s, struct ms_as *as);
/* Notes that the frame mapped at `va` is gone; frees paging structures left empty. */
void ms_unmapped(struct ms_server *s, struct ms_as *as, uint64_t va, int large);
void ms_tables_destroy(struct ms_server *s, struct ms_as *as);
/* Maps the server's own PDPT at MS_MARK_VA (PML4 slot 255) of a new or adopted space,
 * from `node` (metadata) and resources checked by the caller.  The kernel refuses when
 * the slot is in use, which tells that the server manages this PML4 already (one
 * address space per PML4): MS_ERR_BUSY; not a PML4 with an ASID: MS_ERR_BAD_CAP. */
int ms_tables_mark(struct ms_server *s, struct ms_as *as, void *node);
#define MS_MARK_VA 0x00007F8000000000ull
/* The page table covering va, if there is one. */
struct ms_pt_ref *ms_pt_find(struct ms_as *as, uint64_t va);
/* 1 if a page table covers va (then no 2 MiB frame can be mapped there). */
int ms_pt_present(const struct ms_as *as, uint64_t va);

/* ---- objects.c ---- */
struct ms_object *ms_obj_new(struct ms_server *s, struct ms_client *owner, uint8_t kind,
                             uint32_t npages);
void ms_obj_ref(struct ms_object *o);
void ms_obj_unref(struct ms_server *s, struct ms_object *o);
/* Entry of page idx.  Of a 2 MiB frame only the head entry (MS_E_LARGE, at an index
 * that is a multiple of 512) is stored; the other 511 entries stay 0 and read here as
 * MS_E_LTAIL, so that mapping or freeing a 2 MiB frame costs no per-4 KiB work. */
static inline uint32_t ms_obj_entry(const struct ms_object *o, uint32_t idx)
{
    uint32_t e = o->page[idx];
    if (e || !(idx & (MS_PAGES_PER_LARGE - 1))) return e;
    return MS_E_KIND(o->page[idx & ~(MS_PAGES_PER_LARGE - 1)]) == MS_E_LARGE ? MS_E_MAKE(MS_E_LTAIL, 0) : 0;
}
/* Frees one page entry of an object that nothing maps (deletes frame / copy). */
void ms_obj_drop_page(struct ms_server *s, struct ms_object *o, uint32_t idx);
/* Finds the frame holding page `idx` of `o` (in `o` or its backing chain).  Returns the
 * cap slot of a 4 KiB frame or of the 2 MiB frame (then *off = byte offset in it) and
 * the object that owns it; 0 if no object in the chain has the page (zero-fill). */
ms_slot_t ms_obj_find(const struct ms_object *o, uint32_t idx, const struct ms_object **where,
                      uint32_t *off);

/* ---- regions.c ---- */
int ms_regions_reserve(struct ms_server *s, struct ms_regions *rs, uint32_t extra);
/* Both or neither (b may be NULL or equal a). */
int ms_regions_reserve2(struct ms_server *s, struct ms_regions *a, uint32_t extra_a, struct ms_regions *b,
                        uint32_t extra_b);
/* Index of the first region with end > va (rs->n if none). */
uint32_t ms_regions_lower(const struct ms_regions *rs, uint64_t va);
struct ms_region *ms_regions_at(struct ms_as *as, uint64_t va);
int ms_regions_overlap(const struct ms_regions *rs, uint64_t start, uint64_t end);
int ms_regions_hole(const struct ms_regions *rs, uint64_t size, uint64_t align, uint64_t *out);
void ms_regions_insert(struct ms_regions *rs, struct ms_region *r);
void ms_regions_remove(struct ms_regions *rs, uint32_t idx);
void ms_regions_free(struct ms_server *s, struct ms_regions *rs);
static inline uint64_t ms_region_pages(const struct ms_region *r)
{
    return (r->end - r->start) >> MS_PAGE_BITS;
}
static inline int ms_region_direct(const struct ms_region *r)
{
    return r->obj && r->obj->private_;
}
struct ms_region *ms_region_new(struct ms_server *s);
void ms_region_free(struct ms_server *s, struct ms_region *r);
/* Slot mapped at page `i` of region r (0 = none) and whether it is a 2 MiB frame head. */
ms_slot_t ms_region_mapped(const struct ms_region *r, uint64_t i, int *large);

/* ---- mapping.c: splitting regions, demoting 2 MiB frames, releasing pages ---- */
#define MS_PREP_SPARE 4
/* Everything an operation reserved before acting. */
struct ms_prep {
    struct ms_need need;
    struct ms_tcount tc;
    struct ms_stash stash;
    struct ms_region *spare[MS_PREP_SPARE];
    uint32_t *spare_caps[MS_PREP_SPARE];
    uint32_t spare_caps_len[MS_PREP_SPARE];
    uint32_t nspare, used;
    uint64_t demoted[2]; /* 2 MiB blocks already counted for demotion */
    uint32_t ndemoted;
};
void ms_prep_init(struct ms_prep *p);
/* Reserves a spare region (and a caps array of `caps_len` entries if non-zero). */
int ms_prep_region(struct ms_server *s, struct ms_prep *p, uint32_t caps_len);
/* Counts what splitting the region at `addr` needs (nothing if no region has addr
 * strictly inside). */
int ms_prep_split(struct ms_server *s, struct ms_as *as, uint64_t addr, struct ms_prep *p);
/* Counts the demotion of the 2 MiB frame at block `bva` (once per block). */
void ms_prep_demote(struct ms_as *as, uint64_t bva, struct ms_prep *p);
/* Checks quota/memory/slots and fills the metadata stash. */
int ms_prep_commit(struct ms_server *s, struct ms_client *c, struct ms_prep *p);
void ms_prep_release(struct ms_server *s, struct ms_prep *p);
struct ms_region *ms_prep_take(struct ms_prep *p, uint32_t **caps, uint32_t *caps_len);
void ms_do_split(struct ms_server *s, struct ms_as *as, uint64_t addr, struct ms_prep *p);
/* Replaces the 2 MiB frame mapped at bva in direct region r by 512 4 KiB copies. */
void ms_demote(struct ms_server *s, struct ms_as *as, struct ms_region *r, uint64_t bva,
               struct ms_prep *p);
/* Unmaps and frees every page region r maps (the region itself stays). */
void ms_release_region_pages(struct ms_server *s, struct ms_as *as, struct ms_region *r);
/* Removes region index i from as, dropping its object reference. */
void ms_region_destroy(struct ms_server *s, struct ms_as *as, uint32_t i);
/* Remaps every mapped page of region r with its current rights. */
void ms_region_remap(struct ms_server *s, struct ms_as *as, struct ms_region *r);
/* 1 if [start, end) is covered by regions without holes (guards allowed iff allow_guard). */
int ms_covered(const struct ms_as *as, uint64_t start, uint64_t end, int allow_guard);
void ms_merge_around(struct ms_server *s, struct ms_as *as, uint64_t start, uint64_t end);
/* Entry of object page for direct region r's page i. */
static inline uint32_t *ms_region_entry(struct ms_region *r, uint64_t i)
{
    return &r->obj->page[r->off + i];
}

/* ---- faults.c ---- */
/* Makes the page at va (page aligned) of map region r present, as a fault with `write`
 * would (zero-fill, copy from the backing object, or a copy-on-write break).  Returns 0
 * or the MS_FAULT_* kind that stopped it (nothing changed then). */
int ms_fill_page(struct ms_server *s, struct ms_as *as, struct ms_region *r, uint64_t va, int write);

/* ---- address_space.c ---- */
/* ms_check_range plus the address space's floor (MS_ERR_RANGE below it). */
static inline int ms_as_range(const struct ms_as *as, uint64_t va, uint64_t size)
{
    int err = ms_check_range(va, size);
    if (!err && va < as->floor) err = MS_ERR_RANGE;
    return err;
}
int ms_as_install(struct ms_server *s, struct ms_client *c, struct ms_as *as, ms_slot_t notify,
                  uint32_t *handle, struct ms_stash *st);
void ms_as_free_all(struct ms_server *s, struct ms_client *c);
/* ms_as_lookup, and MS_ERR_KERNEL for a broken space (requests that change it). */
int ms_as_lookup_live(struct ms_server *s, const struct ms_client *c, uint32_t handle, struct ms_as **out);
