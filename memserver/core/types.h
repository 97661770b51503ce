/*
 * The bookkeeping core's data structures (plain C, no system calls).
 *
 * Metadata budget per mapped 4 KiB page: one u32 entry in the memory object's page
 * array (the frame cap's slot number plus state bits), two bits in the slot bitmaps and
 * one u16 in the slot-to-chunk map, i.e. about 6 bytes.  A 2 MiB frame stores one
 * entry (its head) and one slot.  Regions of shared objects add
 * one u32 per page (the slot of that mapping's own copy of the frame cap).  Paging
 * structures cost 8 bytes per 2 MiB.
 */
#pragma once
#include <stdint.h>
#include "memserver/core/kernel_ops.h"
#include "memserver/protocol/messages.h" /* MS_USER_TOP */

#define MS_PAGE_BITS 12u
#define MS_PAGE_SIZE (1ull << MS_PAGE_BITS)
#define MS_LARGE_BITS 21u
#define MS_LARGE_SIZE (1ull << MS_LARGE_BITS)
#define MS_PAGES_PER_LARGE 512u

/* ---- page-array entries of a memory object (u32 each) ----
 * bits 28..0 = slot number, bits 31..29 = what that slot is. */
#define MS_E_SLOT(e) ((e) & 0x1FFFFFFFu)
#define MS_E_KIND(e) ((e) >> 29)
enum {
    MS_E_NONE = 0,   /* not populated (zero-fill, or look in the backing object) */
    MS_E_OWN = 1,    /* the object's own 4 KiB frame (master cap) */
    MS_E_BORROW = 2, /* a backing object's master, mapped read-only here, not owned */
    MS_E_COPY = 3,   /* owned copy of a backing object's master cap, mapped read-only */
    MS_E_LARGE = 4,  /* first page of an owned 2 MiB frame (slot = its cap) */
    MS_E_LTAIL = 5,  /* one of the other 511 pages of a 2 MiB frame: never stored (the
                      * entry stays 0), reported by ms_obj_entry */
};
#define MS_E_MAKE(kind, slot) (((uint32_t)(kind) << 29) | (uint32_t)(slot))
#define MS_MAX_SLOT 0x1FFFFFFFu
/* Most objects one retype invocation may create (seL4 CONFIG_RETYPE_FAN_OUT_LIMIT). */
#define MS_RETYPE_MAX 256u
/* Largest mapping / object (its page array must fit the metadata heap): 1 TiB. */
#define MS_MAX_PAGES (1u << 28)

/* ---- free cap slots ---- */
struct ms_slots {
    uint64_t *used;  /* bitmap, 1 = in use */
    uint32_t words, hint; /* hint: no free slot in words below it */
    uint32_t count, total; /* free, all */
    ms_slot_t first; /* slots [first, first + total) belong to the allocator */
    uint16_t *chunk_of; /* per slot: untyped chunk + 1 its object came from (0 = none) */
    /* bitmap, 1 = a frame whose cap was handed out (PAGE_CAP): revoke before deleting */
    uint64_t *exported;
    /* bitmap, 1 = a retyped 4 KiB frame nobody uses (freed, kept for reuse, zeroed when
     * handed out again); free4k_hint: no such frame in words below it */
    uint64_t *free4k;
    uint32_t free4k_count, free4k_hint;
    uint64_t table_bytes; /* heap bytes of used + chunk_of + exported + free4k */
};

/* ---- untyped memory: chunks of at most 2 MiB, and areas of 2 MiB blocks ----
 * A chunk (untyped of at most 2 MiB) gives 4 KiB objects, or one 2 MiB frame when it
 * is a whole empty 2 MiB chunk.  An area (an untyped of up to 2^MS_AREA_BITS) gives 2 MiB
 * frames, many per retype, and 2 MiB sub-chunks (untypeds made from it on demand, each
 * then a chunk of its own, parent = the area).  Every child of an area is 2 MiB, so its
 * watermark moves in whole blocks. */
#define MS_AREA_BITS 26u
/* 2 MiB sub-chunks an area makes per retype when 4 KiB objects need one. */
#define MS_SUB_RUN 8u
#define MS_CHUNK_DEAD 4u /* ms_chunk.list of a sub-chunk entry whose untyped is not made */
struct ms_chunk {
    ms_slot_t slot;
    uint8_t size_bits;
    uint8_t list;       /* which free list the chunk is on (LIST_DEAD: sub-chunk not made) */
    uint8_t pinned;     /* areas: holds a piece the server keeps for ever (no 2 MiB runs) */
    uint8_t pad;
    uint32_t watermark; /* pages handed out since the chunk was last empty (kernel freeIndex) */
    uint32_t live;      /* objects from this chunk that still exist (areas: children) */
    uint32_t idle;      /* areas: children that are empty sub-chunks */
    int32_t prev, next;
    int32_t parent;     /* sub-chunks: index of their area (-1 otherwise) */
    int32_t sub;        /* areas: index of block 0's sub-chunk entry (one entry per block) */
};
struct ms_pool {
    struct ms_chunk *chunk;
    uint32_t count, cap;
    int32_t empty_large; /* list: 2 MiB chunks with no live objects */
    int32_t partial;     /* list: other chunks with free space */
    int32_t areas;       /* list: areas with blocks never handed out since they were empty */
    uint32_t n_empty_large; /* 2 MiB frames obtainable: empty 2 MiB chunks + free area blocks */
    uint64_t free_pages; /* 4 KiB objects still obtainable (area blocks included) */
};

/* ---- quota ---- */
struct ms_quota {
    uint64_t pages_limit, pages_used; /* 4 KiB units: frames and paging structures */
    uint64_t slots_limit, slots_used; /* cap slots in the server's CSpace */
};

struct ms_client {
    uint64_t badge;
    struct ms_quota quota;
    uint32_t live; /* address spaces + objects (handles) it holds */
    uint8_t used;
};

/* ---- memory objects ---- */
enum ms_obj_kind { MS_OBJK_ANON = 0, MS_OBJK_PHYS = 1 };
struct ms_object {
    uint8_t kind;
    uint8_t private_; /* mapped directly by the regions of one address space (see regions) */
    uint8_t cached;
    uint8_t depth;    /* length of the backing chain below this object */
    uint32_t refs;    /* handle + regions + objects backed by this one */
    uint32_t npages;
    uint32_t backing_off; /* page index in `backing` of this object's page 0 */
    struct ms_object *backing;
    struct ms_client *owner; /* charged for the frames */
    uint64_t paddr;
    uint32_t handle; /* 0 if the client holds no handle */
    uint32_t *page;  /* npages entries, see MS_E_* */
};

/* ---- regions of an address space ---- */
enum ms_region_kind { MS_REG_MAP = 0, MS_REG_GUARD = 1 };
struct ms_region {
    uint64_t start, end; /* [start, end), page aligned */
    struct ms_object *obj; /* NULL for guard regions */
    uint32_t off;          /* object page index of `start` */
    uint8_t rights;
    uint8_t kind;
    uint8_t small; /* 4 KiB frames only (MAP with MS_MAP_4K): no 2 MiB frame on demand */
    uint8_t pad;
    /* Regions of a non-private object: per page, the slot of this mapping's own copy
     * of the frame cap (0 = not mapped yet).  caps[0] belongs to `start`. */
    uint32_t *caps;
    uint32_t caps_len; /* allocated length of caps (>= pages of the region) */
};
struct ms_regions {
    struct ms_region **r; /* sorted by start, never overlapping */
    uint32_t n, cap;
};

/* ---- paging structures of an address space ---- */
struct ms_pt_ref { uint32_t slot, count; }; /* count: 4 KiB pages mapped in the PT */
struct ms_pd_node {
    uint32_t slot, count; /* count: PTs + 2 MiB frames below */
    struct ms_pt_ref pt[512];
};
struct ms_pdpt_node {
    uint32_t slot, count; /* count: PDs below */
    struct ms_pd_node *pd[512];
};
struct ms_tables {
    struct ms_pdpt_node *pdpt[256]; /* user half of the PML4 */
    uint32_t count;
};

/* A fault that was not fixed up, kept for the supervisor to collect. */
struct ms_fault_report {
    uint32_t kind; /* enum ms_fault_kind (protocol/messages.h) */
    uint32_t rights; /* rights of the region at the address (0 if none) */
    uint64_t addr, ip, code;
};
#define MS_FAULT_QUEUE 4

struct ms_as {
    struct ms_client *owner;
    uint32_t handle;
    ms_slot_t pml4;
    ms_slot_t notify; /* supervisor notification (0 = none) */
    ms_slot_t fault_ep; /* badged endpoint all AS_FAULT_EP copies derive from (0 = none) */
    struct ms_regions regions;
    struct ms_tables tables;
    struct ms_fault_report faults[MS_FAULT_QUEUE];
    uint32_t fault_head, fault_count, faults_lost;
    uint32_t last; /* index of the region that served the last lookup (fault fast path) */
    uint8_t adopted; /* PML4 made by someone else (AS_ADOPT): not the server's to delete */
    uint8_t broken;  /* the kernel refused an act the server could not undo (ms_as_broken) */
    uint64_t floor;  /* lowest address the server manages in this address space */
};
/* An adopted address space is managed from 512 GiB up (PML4 slot 1 and above), so that
 * the server never touches the paging structures its creator made below. */
#define MS_ADOPT_FLOOR 0x0000008000000000ull

#define MS_MAX_CLIENTS 64u
#define MS_MAX_AS 256u
#define MS_MAX_OBJECTS 1024u
#define MS_MAX_DEPTH 8u
#define MS_MAX_DEVICE 16u

struct ms_device_ut {
    ms_slot_t slot;
    uint8_t size_bits;
    uint64_t paddr;
    uint64_t watermark; /* bytes handed out (kernel freeIndex) */
    uint32_t live;
    uint32_t *users; /* per page: physical objects over it */
    uint8_t *owner;  /* per page: client index + 1 of those objects (0 = none) */
};

/* Counters of kernel invocations the core made (benchmarks). */
struct ms_stats {
    uint64_t invocations;
    uint64_t broken_spaces; /* spaces marked broken (kernel refusals of acts) */
    uint64_t signal_errors; /* supervisor notifications the kernel refused */
    uint64_t faults_fixed, faults_reported;
    uint64_t large_frames_mapped;
    uint64_t frames_reused; /* 4 KiB frames handed out again from the free list (zeroed) */
};

struct ms_server {
    struct ms_kernel_ops k;
    struct ms_heap heap;
    struct ms_slots slots;
    struct ms_pool pool;
    struct ms_client clients[MS_MAX_CLIENTS];
    struct ms_as *as[MS_MAX_AS];
    uint16_t as_gen[MS_MAX_AS];
    struct ms_object *obj[MS_MAX_OBJECTS];
    uint16_t obj_gen[MS_MAX_OBJECTS];
    struct ms_device_ut dev[MS_MAX_DEVICE];
    uint32_t ndev;
    uint32_t asids_free;
    uint64_t default_pages, default_slots; /* quota of a client seen for the first time */
    uint64_t heap_in_use; /* bytes of metadata the core holds */
    struct ms_stats stats;
    /* Frames retyped ahead in one invocation for the fault path (ms_frame_take), not
     * yet given to anyone: slots [spare_first, spare_first + spare_count). */
    ms_slot_t spare_first;
    uint32_t spare_count;
    /* Set while an address space or a client dies: its frames are deleted (one
     * invocation each) instead of joining the free list (ms_frame_free). */
    uint8_t frames_dying;
};
/* How many 4 KiB frames the fault path retypes at once: MS_SPARE_RUN while that is at
 * most 1/32 of the free memory (frames retyped ahead hold their chunk's memory until
 * handed out or deleted), else MS_SPARE_RUN_SMALL. */
#define MS_SPARE_RUN 256u
#define MS_SPARE_RUN_SMALL 64u
