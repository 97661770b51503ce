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
#define NAMES_MAX_WAITERS 32u

struct names_entry {
    struct svc_name name;
    uint32_t state;      /* enum names_state */
    uint32_t has_cap;    /* slot holds the service's endpoint */
    uint64_t generation; /* of the last BIND; kept across UNBIND (a rebind must be newer) */
};

/* A WAIT_BOUND caller whose reply waits for a BIND of `name`. */
struct names_waiter {
    struct svc_name name;
    uint64_t client; /* 0: free */
};

struct names_registry {
    struct names_entry e[NAMES_MAX_ENTRIES];
    struct names_waiter w[NAMES_MAX_WAITERS];
    uint64_t slot_base;        /* entry i's endpoint lives in slot slot_base + i */
    uint64_t waiter_slot_base; /* waiter i's saved reply cap lives in waiter_slot_base + i */
};

/* What the server does for a checked request, in this order:
 *   1. delete_old: seL4_CNode_Delete(slot)           (BIND with a new cap, UNBIND)
 *   2. move_cap:   seL4_CNode_Move(received cap -> slot) (BIND with a cap)
 *   3. mint:       seL4_CNode_Mint(slot -> reply slot, badge mint_badge), cap out
 *   4. park:       (WAIT_BOUND of a name not bound) seL4_CNode_SaveCaller(waiter_slot),
 *                  no reply now
 *   5. names_apply(), then, unless parked, reply NAMES_OK with `mrs` registers in `mr`.
 * After a BIND is applied, names_release_waiters() lists the parked callers to answer. */
struct names_plan {
    uint32_t op;
    uint32_t index;
    uint64_t slot;
    uint32_t delete_old, move_cap, mint, park;
    uint32_t waiter;
    uint64_t waiter_slot;
    uint64_t mint_badge;
    unsigned mrs;
    uint64_t mr[NAMES_MAX_MRS];
    /* what names_apply() records */
    struct svc_name name;
    uint64_t generation;
};

/* A parked WAIT_BOUND caller to answer: mint the entry's cap (slot) with mint_badge and
 * send it with `generation` in MR0 on the reply cap saved in waiter_slot (seL4_NBSend: a
 * caller that died meanwhile must not make the registry fault), then delete that slot. */
struct names_release {
    uint64_t waiter_slot;
    uint64_t slot;
    uint64_t mint_badge;
    uint64_t generation;
};

void names_init(struct names_registry *r, uint64_t slot_base, uint64_t waiter_slot_base);
/* Validates `req` (already decoded) from a caller with `badge`; fills *plan.  Changes
 * nothing.  Returns NAMES_OK or the error to reply with. */
int names_check(const struct names_registry *r, uint64_t badge, const struct names_request *req,
                struct names_plan *plan);
/* Records a checked request whose cap operations succeeded.  Cannot fail. */
void names_apply(struct names_registry *r, const struct names_plan *plan);
/* A cap operation of a checked BIND/UNBIND failed after delete_old: the entry has no cap
 * any more; it becomes UNBOUND (clients see NAMES_ERR_UNBOUND, never a dangling slot). */
void names_cap_lost(struct names_registry *r, const struct names_plan *plan);
/* After names_apply() of a BIND: moves the callers waiting for that name (at most max)
 * into out[] and frees their waiter records.  Returns how many. */
uint32_t names_release_waiters(struct names_registry *r, const struct names_plan *bind,
                               struct names_release *out, uint32_t max);
/* Index of the entry named `name`, or -1. */
int names_find(const struct names_registry *r, const struct svc_name *name);
