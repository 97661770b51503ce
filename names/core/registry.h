/*
 * The name registry's bookkeeping: plain C, no syscalls (host-tested and fuzzed).
 *
 * Each entry maps a name to the service's unbadged server endpoint (kept in a fixed cap
 * slot of the registry's CSpace: slot_base + index), the generation of the incarnation
 * that serves it, and a state.  Requests are handled in two steps, like the seL4 kernel's
 * decode/invoke: names_check() validates a decoded request against the table (authority
 * from the badge, never from message contents) and says what the server must do with caps
 * (struct names_plan); it changes nothing.  The server performs the cap operations, then
 * names_apply() records the result, which cannot fail.
 */
#pragma once
#include <stdint.h>
#include "names/protocol/messages.h"

#define NAMES_MAX_ENTRIES 32u

struct names_entry {
    struct svc_name name;
    uint32_t state;      /* enum names_state */
    uint32_t has_cap;    /* slot holds the service's endpoint */
    uint64_t generation; /* of the last BIND; kept across UNBIND (a rebind must be newer) */
};

struct names_registry {
    struct names_entry e[NAMES_MAX_ENTRIES];
    uint64_t slot_base; /* entry i's endpoint lives in slot slot_base + i */
};

/* What the server does for a checked request, in this order:
 *   1. delete_old: seL4_CNode_Delete(slot)           (BIND with a new cap, UNBIND)
 *   2. move_cap:   seL4_CNode_Move(received cap -> slot) (BIND with a cap)
 *   3. mint:       seL4_CNode_Mint(slot -> reply slot, badge mint_badge), cap out
 *   4. names_apply(), reply NAMES_OK with `mrs` result registers in `mr`. */
struct names_plan {
    uint32_t op;
    uint32_t index;
    uint64_t slot;
    uint32_t delete_old, move_cap, mint;
    uint64_t mint_badge;
    unsigned mrs;
    uint64_t mr[NAMES_MAX_MRS];
    /* what names_apply() records */
    struct svc_name name;
    uint64_t generation;
};

void names_init(struct names_registry *r, uint64_t slot_base);
/* Validates `req` (already decoded) from a caller with `badge`; fills *plan.  Changes
 * nothing.  Returns NAMES_OK or the error to reply with. */
int names_check(const struct names_registry *r, uint64_t badge, const struct names_request *req,
                struct names_plan *plan);
/* Records a checked request whose cap operations succeeded.  Cannot fail. */
void names_apply(struct names_registry *r, const struct names_plan *plan);
/* A cap operation of a checked BIND/UNBIND failed after delete_old: the entry has no cap
 * any more; it becomes UNBOUND (clients see NAMES_ERR_UNBOUND, never a dangling slot). */
void names_cap_lost(struct names_registry *r, const struct names_plan *plan);
/* Index of the entry named `name`, or -1. */
int names_find(const struct names_registry *r, const struct svc_name *name);
