/*
 * Client library of the memory server (protocol: memserver/PROTOCOL.md).  Each call is
 * one svc_call (svcclient/client/svc_call.h) on `ep`, the client's badged endpoint cap to
 * the server, with the kind memserver/protocol/op_kinds.c declares for its operation,
 * like every other protocol's client library.  The memory server is never restarted, so
 * no call is released and each is one seL4_Call; were one released, an IDEMPOTENT
 * request would be sent again and an UNSAFE one would return MSC_ERR(SVC_ERR_IN_DOUBT).
 * Returns an ms_err_t (MS_OK = 0), or MSC_ERR(svc error) when no reply came.  Results are
 * written only on success.
 */
#pragma once
#include <sel4/sel4.h>
#include <stdint.h>
#include "memserver/protocol/errors.h"
#include "memserver/protocol/messages.h"
#include "memserver/protocol/op_kinds.h"
#include "svcclient/client/svc_call.h"

#define MSC_ERR(svc_err) SVC_CLIENT_ERR(svc_err)
/* Attempts per request (only a released call would need a second). */
#define MSC_MAX_ATTEMPTS 8u

int msc_hello(seL4_CPtr ep, uint64_t *version);
int msc_as_create(seL4_CPtr ep, uint32_t *as);
/* Hands the server a copy of `pml4` (a VSpace with an ASID, e.g. PROGRAM_SLOT_VSPACE);
 * the server then manages addresses from 512 GiB up in it. */
int msc_as_adopt(seL4_CPtr ep, seL4_CPtr pml4, uint32_t *as);
int msc_as_set_notify(seL4_CPtr ep, uint32_t as, seL4_CPtr ntfn);
int msc_as_destroy(seL4_CPtr ep, uint32_t as);
int msc_as_fork(seL4_CPtr ep, uint32_t as, uint32_t *child);
/* Receives a cap into slot `slot` of the caller's CSpace (one-level, depth 64). */
int msc_as_fault_ep(seL4_CPtr ep, uint32_t as, seL4_CPtr cnode, seL4_CPtr slot);
int msc_as_vspace(seL4_CPtr ep, uint32_t as, seL4_CPtr cnode, seL4_CPtr slot);
int msc_obj_create(seL4_CPtr ep, uint32_t kind, uint64_t size, uint64_t paddr, uint32_t flags,
                   uint32_t *obj);
int msc_obj_close(seL4_CPtr ep, uint32_t obj);
/* Copies nbytes bytes from `data` into anonymous object `obj` at byte `off` (any
 * alignment), populating its pages as needed.  Sends one OBJ_WRITE per MS_WRITE_MAX
 * bytes and stops at the first error (earlier pieces stay written). */
int msc_obj_write(seL4_CPtr ep, uint32_t obj, uint64_t off, const void *data, uint64_t nbytes);
/* Receives a copy of the frame cap of the 4 KiB page at `va` of `as` (for a thread's
 * IPC buffer) into slot `slot` of the caller's CSpace; see PROTOCOL.md for its lifetime. */
int msc_page_cap(seL4_CPtr ep, uint32_t as, uint64_t va, seL4_CPtr cnode, seL4_CPtr slot);
/* obj = 0: private anonymous memory.  flags: MS_MAP_*; *out = the address mapped. */
int msc_map(seL4_CPtr ep, uint32_t as, uint64_t va, uint64_t size, uint32_t obj, uint64_t off,
            uint32_t rights, uint32_t flags, uint64_t *out);
int msc_unmap(seL4_CPtr ep, uint32_t as, uint64_t va, uint64_t size);
int msc_protect(seL4_CPtr ep, uint32_t as, uint64_t va, uint64_t size, uint32_t rights);
int msc_query(seL4_CPtr ep, uint32_t as, uint64_t va, struct ms_query_result *q);
int msc_clone(seL4_CPtr ep, uint32_t src, uint64_t va, uint64_t size, uint32_t dst, uint64_t dst_va,
              uint32_t flags, uint64_t *out);
int msc_fault_get(seL4_CPtr ep, uint32_t as, struct ms_fault_info *f);
int msc_quota_get(seL4_CPtr ep, struct ms_quota_info *q);
int msc_quota_set(seL4_CPtr ep, uint64_t badge, uint64_t pages, uint64_t slots);
/* Administrator: a client died; the server frees everything it had. */
int msc_client_destroy(seL4_CPtr ep, uint64_t badge);
/* Administrator: the kernel's view of the free memory, see MS_OP_VERIFY_FREE. */
int msc_verify_free(seL4_CPtr ep, uint64_t *checked, uint64_t *not_empty);
/* Administrator: counters, see MS_OP_STATS. */
int msc_stats(seL4_CPtr ep, uint64_t out[9]); /* the first 9 words of STATS */
int msc_stats_all(seL4_CPtr ep, uint64_t out[MS_STATS_WORDS]);
