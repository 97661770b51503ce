/*
 * Mapping frames into a VSpace, creating the missing paging structures (PDPT, page
 * directory, page table) from alloc.h on the way, and the root task's own dynamic
 * mapping area (a bump allocator of virtual addresses from VSPACE_DYNAMIC_START, with a
 * guard page after every reservation).  Root task only (uses alloc.h).
 */
#pragma once
#include <sel4/sel4.h>
#include <stddef.h>

#define VSPACE_DYNAMIC_START 0x20000000ul  /* far above the root image and its BootInfo */

/* Maps `frame` at `vaddr` in `vspace`; creates paging structures as needed.  Returns the
 * first error (seL4_NotEnoughMemory if an object could not be allocated). */
seL4_Error vspace_map_frame(seL4_CPtr vspace, seL4_CPtr frame, seL4_Word vaddr,
                            seL4_CapRights_t rights);

/* The same with the paging structures made by `alloc(type, ctx)` (a cap in the root
 * task's CSpace, or seL4_CapNull when out of memory). */
typedef seL4_CPtr (*vspace_alloc_fn)(seL4_Word type, void *ctx);
seL4_Error vspace_map_frame_with(seL4_CPtr vspace, seL4_CPtr frame, seL4_Word vaddr,
                                 seL4_CapRights_t rights, vspace_alloc_fn alloc, void *ctx);

/* Reserves `pages` pages of the root task's dynamic area (plus a guard page). */
void *vspace_reserve(size_t pages);

/* Reserves `pages` pages, backs them with fresh frames mapped read-write in the root
 * task's VSpace and, if `frames` is not NULL, stores the frame cap of page i in
 * frames[i].  NULL on failure. */
void *vspace_alloc_pages(size_t pages, seL4_CPtr *frames);
