/* The seL4 side of the memory server: its CSpace layout and the kernel operations. */
#pragma once
#include <sel4/sel4.h>
#include "memserver/core/memserver.h"

/* Own caps (startup.h layout). */
#define MSS_CNODE 2u  /* PROGRAM_SLOT_CNODE */
#define MSS_VSPACE 3u /* PROGRAM_SLOT_VSPACE */

struct mss_glue {
    seL4_CPtr ep;         /* the server's endpoint (fault endpoints are minted from it) */
    seL4_CPtr asid_pool;
    seL4_CPtr tmp_slot;   /* scratch: a second cap for a frame being copied */
    uint64_t scratch;     /* server vaddr of the copy window (2 x 4 KiB, then a 2 MiB slot) */
    uint64_t invocations; /* every kernel invocation the server made */
    uint64_t last_tsc;    /* time stamp counter spent handling the last request */
};

extern struct mss_glue mss_glue;
/* Kernel operations for the core, implemented with seL4 invocations. */
struct ms_kernel_ops mss_kernel_ops(void);
/* Maps the copy window into the server's own VSpace (structures from the core's pool). */
int mss_glue_init(struct ms_server *s);
/* For every chunk the core counts as empty, retypes one untyped of the chunk's full size
 * from it (the kernel allows that only if nothing made from it is left) and deletes it
 * again.  *checked = chunks tried, returns how many the kernel found not empty. */
uint32_t mss_verify_free(struct ms_server *s, uint32_t *checked);
/* After every receive, before anything else: a cap that arrived in the receive slot
 * is moved into a slot of the core's (returned) or deleted (returns 0), so the
 * receive slot is always empty for the next message. */
ms_slot_t mss_take_received(struct ms_server *s, seL4_Word badge, seL4_MessageInfo_t info, seL4_CPtr recv);
/* Handles one request from a client; returns the reply's message info (MRs set).
 * `cap_in`: the cap it carried (mss_take_received), kept or deleted here. */
seL4_MessageInfo_t mss_dispatch(struct ms_server *s, seL4_Word badge, seL4_MessageInfo_t info,
                                ms_slot_t cap_in, seL4_CPtr out_slot);
