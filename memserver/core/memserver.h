/*
 * The memory server's bookkeeping core: everything the server decides, with every
 * kernel effect going through struct ms_kernel_ops.  Each request function first
 * checks everything (and reserves the memory, slots, quota and metadata it needs),
 * returning a precise MS_ERR_* with no state changed; only then does it act, and the
 * acting part cannot fail halfway.
 */
#pragma once
#include "memserver/core/types.h"
#include "memserver/protocol/errors.h"
#include "memserver/protocol/messages.h"

/* Start-up.  Slots [first_slot, first_slot + nslots) of the server's CSpace are free
 * for the core; `asids` is how many address spaces the ASID pool can still take. */
int ms_init(struct ms_server *s, const struct ms_kernel_ops *k, const struct ms_heap *h,
            ms_slot_t first_slot, uint32_t nslots, uint32_t asids);
/* Hands the core an untyped cap of 2^size_bits bytes of RAM; splits it into chunks of
 * at most 2 MiB (kernel invocations; the chunks use cap slots). */
int ms_add_untyped(struct ms_server *s, ms_slot_t ut, unsigned size_bits);
/* Hands the core a device untyped at physical address `paddr`; it is cut into 4 KiB
 * device frames at once (one slot each) for physical memory objects. */
int ms_add_device_untyped(struct ms_server *s, ms_slot_t ut, unsigned size_bits, uint64_t paddr);
/* Takes 2^size_bits bytes (< 2 MiB) out of the pool for the server's own permanent
 * objects (kept apart so they never pin a chunk clients use); *ut = an untyped cap. */
int ms_reserve_untyped(struct ms_server *s, unsigned size_bits, ms_slot_t *ut);
/* Frees all metadata (every client is destroyed first). */
void ms_fini(struct ms_server *s);
/* Quota given to clients the server has not seen before. */
void ms_set_default_quota(struct ms_server *s, uint64_t pages, uint64_t slots);

/* Clients are named by the badge of their endpoint cap. */
struct ms_client *ms_client_get(struct ms_server *s, uint64_t badge, int create);
int ms_client_set_quota(struct ms_server *s, uint64_t badge, uint64_t pages, uint64_t slots);
/* Destroys every address space and object handle of the client (it died). */
void ms_client_destroy(struct ms_server *s, uint64_t badge);

/* Requests (arguments as decoded from the protocol, see messages.h). */
int ms_as_create(struct ms_server *s, struct ms_client *c, ms_slot_t notify, uint32_t *handle);
/* Manages an address space whose PML4 (with its ASID) someone else made, e.g. a
 * program's own VSpace: `pml4` is a slot holding the server's copy (taken over). */
int ms_as_adopt(struct ms_server *s, struct ms_client *c, ms_slot_t pml4, uint32_t *handle);
/* Sets the notification signalled when a fault is recorded (`ntfn` slot taken over). */
int ms_as_set_notify(struct ms_server *s, struct ms_client *c, uint32_t handle, ms_slot_t ntfn);
/* Slots for caps the server receives before handing them to the core. */
ms_slot_t ms_take_slot(struct ms_server *s);
void ms_give_slot(struct ms_server *s, ms_slot_t slot);
int ms_as_destroy(struct ms_server *s, struct ms_client *c, uint32_t handle);
int ms_obj_create(struct ms_server *s, struct ms_client *c, const struct ms_req_obj_create *a,
                  uint32_t *handle);
int ms_obj_close(struct ms_server *s, struct ms_client *c, uint32_t handle);
int ms_map(struct ms_server *s, struct ms_client *c, const struct ms_req_map *a, uint64_t *out);
int ms_unmap(struct ms_server *s, struct ms_client *c, uint32_t handle, uint64_t va, uint64_t size);
int ms_protect(struct ms_server *s, struct ms_client *c, uint32_t handle, uint64_t va, uint64_t size,
               uint32_t rights);
int ms_query(struct ms_server *s, struct ms_client *c, uint32_t handle, uint64_t va,
             struct ms_query_result *q);
int ms_clone(struct ms_server *s, struct ms_client *c, const struct ms_req_clone *a, uint64_t *out);
int ms_as_fork(struct ms_server *s, struct ms_client *c, uint32_t handle, ms_slot_t notify,
               uint32_t *out);
/* Copies the request's bytes into anonymous object a->obj at byte a->off (OBJ_WRITE). */
int ms_obj_write(struct ms_server *s, struct ms_client *c, const struct ms_req_obj_write *a);
/* Copies the frame cap of the 4 KiB page at va into the server's empty slot `out`
 * (PAGE_CAP), making the page present first. */
int ms_page_cap(struct ms_server *s, struct ms_client *c, uint32_t handle, uint64_t va, ms_slot_t out);
int ms_fault_get(struct ms_server *s, struct ms_client *c, uint32_t handle, struct ms_fault_info *out);
int ms_quota_get(struct ms_server *s, struct ms_client *c, struct ms_quota_info *out);

/* A VM fault of a thread whose fault endpoint has `badge` (ms_as_fault_badge: the
 * space and the client it was minted for; a space that changed owner or is gone is
 * ignored).  Returns 0 if the fault was fixed (reply to the thread), 1 if it was
 * recorded for the supervisor or ignored (do not reply). */
int ms_vm_fault(struct ms_server *s, uint64_t badge, uint64_t addr, uint64_t ip, uint64_t code);

/* Any other fault of such a thread (cap fault, user exception, ...): recorded for the
 * supervisor as MS_FAULT_OTHER with code = the seL4 fault type.  Returns 1. */
int ms_other_fault(struct ms_server *s, uint64_t badge, uint64_t type, uint64_t ip);
/* The badge of the fault endpoint of `as`, and the reverse (MS_ERR_BAD_HANDLE if it
 * names no live space of the client it was minted for). */
uint64_t ms_as_fault_badge(const struct ms_server *s, const struct ms_as *as);
int ms_as_from_fault_badge(struct ms_server *s, uint64_t badge, struct ms_as **out);
/* AS_FAULT_EP / AS_VSPACE: a copy of the space's fault endpoint / PML4 cap into the
 * server's reply slot `out`. */
int ms_as_fault_ep(struct ms_server *s, struct ms_client *c, uint32_t handle, ms_slot_t out);
int ms_as_vspace(struct ms_server *s, struct ms_client *c, uint32_t handle, ms_slot_t out);

/* Looks up an address space handle of client c (MS_ERR_BAD_HANDLE / MS_ERR_NOT_OWNER). */
int ms_as_lookup(struct ms_server *s, const struct ms_client *c, uint32_t handle, struct ms_as **out);
int ms_obj_lookup(struct ms_server *s, const struct ms_client *c, uint32_t handle,
                  struct ms_object **out);

/* Totals for tests and benchmarks. */
uint64_t ms_free_pages(const struct ms_server *s);
uint32_t ms_free_slots(const struct ms_server *s);
/* Metadata bytes in use: the heap blocks the core holds, except that the slot tables
 * (allocated once for all slots) count only for the slots in use. */
uint64_t ms_metadata_bytes(const struct ms_server *s);
