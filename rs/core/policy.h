/*
 * The reincarnation server's policy engine: "who decides a restart", in one place.
 * Portable C, no syscalls, no allocation, no clock: events go in (with the time they
 * happened, in milliseconds of virtual time), actions come out; the RS carries them out
 * and reports back (STARTED, CRASHED, ...).
 *
 * Per service: a state machine
 *
 *   STOPPED --START--> STARTING --STARTED--> RUNNING --crash/exit/hang--> BACKOFF(until T)
 *      ^                                        |                            |
 *      +------ STOP_REQ (from any state) -------+        T reached: START <--+
 *   EXITED: ended and not restarted (temporary; transient with status 0)
 *   FAILED: its group gave up (intensity exceeded); only START_REQ revives it
 *
 * Semantics (OTP supervisors, plus backoff and heartbeats):
 *  - restart: permanent always restarts; transient restarts unless it exited with status
 *    0; temporary never restarts (and never affects its group).
 *  - backoff: delay = min(first << (consecutive - 1), cap), where consecutive counts
 *    failures in a row; a run that lasted >= stable resets it.
 *  - intensity: a restart that would make more than N restarts of the group within its
 *    period gives up instead: every live member is killed (reverse start order), all
 *    members become FAILED, then GIVE_UP and ESCALATE (the group).
 *  - strategy on a member's failure: one_for_one restarts it; rest_for_one it and the
 *    members started after it; one_for_all the whole group.  Kills in reverse start
 *    order; the others wait with it and all start in start order when its backoff ends.
 *  - heartbeat (PERIOD, DEADLINE): PING every PERIOD from STARTED; no HEARTBEAT_ACK
 *    DEADLINE after a PING is a hang: KILL, then handled like a crash.
 *  - STOP_REQ: KILL if live, then STOPPED; never restarted until START_REQ.
 *    START_REQ: start now (a FAILED group comes back to life with it; backoff skipped).
 *    RESTART_REQ: KILL if live, START now; not a failure (no backoff, no intensity).
 *  - Every failed incarnation gets a KILL (the RS must reclaim its objects even if it
 *    died on its own); KILL.final says whether it is started again later.
 *
 * Events are processed first; then everything due at the event's time (deadlines,
 * backoff ends, pings, in that order).  Time never goes backwards (an event older than
 * the latest is taken as happening at the latest time).  All time arithmetic saturates.
 * rs_policy_next_wakeup() is always later than the last event's time.
 *
 * struct rs_policy is plain data apart from the manifest pointer: the RS may copy it into
 * its recovery record and bring it back with rs_policy_restore().
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "rs/core/manifest.h"

#define RS_NEVER             UINT64_MAX
#define RS_POLICY_MAX_ACTIONS 128u   /* actions one event can produce, at most */
#define RS_LOG_MAX           143u    /* characters of an action's log line */
#define RS_FAULT_TEXT_MAX    63u

enum rs_svc_state {
    RS_SVC_STOPPED, RS_SVC_STARTING, RS_SVC_RUNNING, RS_SVC_BACKOFF, RS_SVC_EXITED, RS_SVC_FAILED,
    RS_SVC_STATE_COUNT
};

enum rs_event_kind {
    RS_EV_STARTED,        /* svc, generation: the START of that generation succeeded */
    RS_EV_CRASHED,        /* svc, generation, detail: it faulted (or could not be started) */
    RS_EV_EXITED,         /* svc, generation, status: it called exit */
    RS_EV_HEARTBEAT_ACK,  /* svc: it answered a ping */
    RS_EV_TICK,           /* only the time */
    RS_EV_STOP_REQ,       /* svc: control interface */
    RS_EV_START_REQ,
    RS_EV_RESTART_REQ,
    RS_EV_KIND_COUNT
};

struct rs_event {
    uint8_t     kind;        /* enum rs_event_kind */
    uint8_t     svc;         /* service index (manifest order); unused for TICK */
    uint32_t    generation;  /* STARTED/CRASHED/EXITED/ACK: incarnation it is about;
                                0 = the current one.  A stale one is ignored. */
    uint64_t    now;         /* when it happened, ms */
    int64_t     status;      /* EXITED: exit status.  TICK: 0, or 1 + the time since
                                which the clock stood still when this TICK jumps over a
                                silence of the timer driver: a heartbeat deadline missed
                                in the jump is then not a hang while rs_policy_hog_above
                                (that time) holds (another deadline instead) */
    const char *detail;      /* CRASHED: fault summary for logs (may be NULL) */
};

enum rs_action_kind {
    RS_ACT_START,     /* svc, generation (the new one) */
    RS_ACT_KILL,      /* svc, generation (the one to destroy), final, reason */
    RS_ACT_PING,      /* svc, generation */
    RS_ACT_GIVE_UP,   /* group */
    RS_ACT_ESCALATE,  /* group */
    RS_ACT_NOTE,      /* log line only */
    RS_ACT_KIND_COUNT
};

/* Why a KILL: the incarnation's own end, or a decision about it. */
enum rs_kill_reason {
    RS_KILL_CRASHED,      /* it faulted (or could not be started) */
    RS_KILL_EXITED,       /* it called exit */
    RS_KILL_HANG,         /* it missed a heartbeat deadline (still running: must be stopped) */
    RS_KILL_STRATEGY,     /* restarted along with a failed member of its group */
    RS_KILL_GIVE_UP,      /* its group gave up because of another member */
    RS_KILL_STOP_REQ,     /* STOP_REQ */
    RS_KILL_RESTART_REQ,  /* RESTART_REQ */
    RS_KILL_REASON_COUNT
};

struct rs_action {
    uint8_t  kind;        /* enum rs_action_kind */
    uint8_t  svc;
    uint8_t  group;
    uint8_t  final;       /* KILL: not restarted (stop, give-up, temporary...) */
    uint8_t  reason;      /* KILL: enum rs_kill_reason */
    uint8_t  reserved[3]; /* 0 */
    uint32_t generation;
    char     log[RS_LOG_MAX + 1];  /* one line, no newline, e.g. "kv gen 3 crashed: ... -> restart in 40 ms" */
};

struct rs_svc_status {
    uint8_t  state;           /* enum rs_svc_state */
    uint8_t  ping_outstanding;
    uint32_t generation;      /* of the current/last incarnation; 0 = never started */
    uint32_t restarts;        /* automatic restarts after failures */
    uint32_t consecutive;     /* failures in a row (runs shorter than stable) */
    uint64_t started_at;      /* START time of the current/last incarnation */
    uint64_t until;           /* BACKOFF: when it starts again */
    uint64_t next_ping;       /* RUNNING with heartbeat: next PING */
    uint64_t ping_deadline;   /* ping_outstanding: ACK due by then */
    int64_t  exit_status;     /* last EXITED status */
    char     last_fault[RS_FAULT_TEXT_MAX + 1];   /* last failure reason, "" if none */
};

struct rs_group_status {
    uint8_t  failed;          /* gave up */
    uint32_t nrestarts;       /* restart times recorded (saturates at RS_MAX_INTENSITY) */
    uint32_t head;            /* next slot in `restart_at` */
    uint64_t restart_at[RS_MAX_INTENSITY];  /* ring of the latest restart times */
};

struct rs_policy {
    const struct rs_manifest *m;
    uint64_t now;
    struct rs_svc_status svc[RS_MAX_SERVICES];
    struct rs_group_status group[RS_MAX_GROUPS];
};

#define RS_POLICY_EINVAL (-1)   /* bad event (kind, service index) or state */
#define RS_POLICY_ESPACE (-2)   /* cap < RS_POLICY_MAX_ACTIONS */

/* Every service STOPPED, at time 0.  m must stay valid while p is used. */
void rs_policy_init(struct rs_policy *p, const struct rs_manifest *m);

/* START of every service in start order (dependencies first).  Returns the number of
 * actions, or a negative RS_POLICY_E* (nothing changed). */
int rs_policy_boot(struct rs_policy *p, uint64_t now, struct rs_action *acts, size_t cap);

/* Handles one event, then whatever is due at ev->now.  Returns the number of actions
 * written to acts, or a negative RS_POLICY_E* (nothing changed). */
int rs_policy_event(struct rs_policy *p, const struct rs_event *ev, struct rs_action *acts, size_t cap);

/* Whether service i may be starved: a running service of higher priority has not
 * answered a ping sent before now.  Such a service's missed heartbeat is not a hang yet (it
 * gets another deadline), and the RS does not blame a silent timer driver for it. */
bool rs_policy_starved(const struct rs_policy *p, uint32_t i);

/* Whether a service of higher priority than service i may have kept it from running
 * since `since`, a time after which the RS's clock stood still (the timer driver was
 * silent, so no pings went out): one that runs, has a heartbeat and has not answered a
 * ping sent after `since` (one is outstanding, or its last one went out at or before
 * `since`; a new incarnation counts from its start).  A hung console at 250 stops the
 * timer at 200 just after answering its ping: then only a ping sent during the silence
 * tells the hog from a hung timer. */
bool rs_policy_hog_above(const struct rs_policy *p, uint32_t i, uint64_t since);

/* When the RS must feed a TICK next (RS_NEVER: nothing pending). */
uint64_t rs_policy_next_wakeup(const struct rs_policy *p);

/* Installs a saved policy state for manifest m after checking it (states, ranges,
 * times not after `saved->now`); 0 or RS_POLICY_EINVAL (p unchanged). */
int rs_policy_restore(struct rs_policy *p, const struct rs_manifest *m, const struct rs_policy *saved);

const char *rs_svc_state_name(unsigned state);
const char *rs_action_name(unsigned kind);
const char *rs_kill_reason_name(unsigned reason);
