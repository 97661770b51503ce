/*
 * The campaign's hostile client beyond malformed labels (hostile.c): against every
 * service of the campaign system it sends caps where none are expected (its own cap to
 * that very endpoint, which the kernel unwraps, and a foreign cap, which lands in the
 * server's receive slot if it left one open), forged fault messages (the kernel's fault
 * layouts: labels seL4_Fault_CapFault .. seL4_Fault_VMFault), guessed handles and ids
 * of other clients, and stale generations.  Each must get the documented error and
 * change nothing: the workload's own checks (svcload.c, cworker.c) then show that no
 * other client was affected.
 */
#pragma once
#include <sel4/sel4.h>
#include <stdint.h>

enum hostile_target { H_NAMES, H_STORE, H_LOGD, H_KV, H_CONSOLE, H_TIMER, H_RS, H_MS, H_TARGETS };

struct hostile_caps {
    seL4_CPtr ep[H_TARGETS]; /* channels (kv: 0, from svcload_kv_cap()), control, memserver */
    seL4_CPtr scratch;       /* an empty slot of ours (a fault endpoint lands there) */
};

struct hostile_result {
    uint64_t sent;    /* probes (each answered as documented, or failed) */
    uint64_t garbled; /* undocumented answers sent again (a corrupted incarnation's) */
    uint64_t failed;  /* probes never answered as documented */
};

void hostile_init(const struct hostile_caps *c);
/* Probe k (picks target and kind in turn); kv_cap/kv_gen: the client's current kv cap
 * and the generation it was looked up at. */
void hostile_probe(uint64_t k, seL4_CPtr kv_cap, uint64_t kv_gen);
/* One foreign-cap probe of target t on ep (the warm-up's test of the RS's receive slot). */
void hostile_foreign_cap(enum hostile_target t, seL4_CPtr ep);
const struct hostile_result *hostile_result(void);
