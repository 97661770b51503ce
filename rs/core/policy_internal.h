/* Shared by the policy engine's files (policy*.c); not part of the API. */
#pragma once
#include "rs/core/policy.h"

/* Where actions go; the API checks cap >= RS_POLICY_MAX_ACTIONS first. */
struct pol_out {
    struct rs_action *a;
    size_t n, cap;
};

static inline uint64_t pol_add(uint64_t a, uint64_t b)
{
    return a > RS_NEVER - b ? RS_NEVER : a + b;
}

static inline bool pol_live(const struct rs_svc_status *st)
{
    return st->state == RS_SVC_STARTING || st->state == RS_SVC_RUNNING;
}

void pol_format(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Appends an action with a formatted log line. */
void pol_emit(struct pol_out *o, unsigned kind, uint32_t svc, uint32_t group, uint32_t generation,
              const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* START of service i (a new generation); its state becomes STARTING.  `why` is appended
 * to the log line. */
void pol_start(struct rs_policy *p, struct pol_out *o, uint32_t i, const char *why);

/* KILL of service i's current incarnation; log "NAME gen G " + the formatted text.
 * The caller sets the new state. */
void pol_kill(struct rs_policy *p, struct pol_out *o, uint32_t i, bool final, enum rs_kill_reason why,
              const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Service i (live) failed (why: CRASHED, EXITED or HANG; `reason` for the log):
 * restart policy, intensity, strategy. */
void pol_failure(struct rs_policy *p, struct pol_out *o, uint32_t i, enum rs_kill_reason why, const char *reason);
