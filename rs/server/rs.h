/*
 * The reincarnation server's state (one instance, in main.c) and its parts:
 *   process.c  create / destroy a service's process
 *   events.c   what the kernel and the memory server tell us -> policy events
 *   control.c  the control interface (rs/PROTOCOL.md)
 *   record.c   the recovery record shared with the guardian
 */
#pragma once
#include <sel4/sel4.h>
#include <stdbool.h>
#include <stdint.h>
#include "rs/core/manifest.h"
#include "rs/server/layout.h"

enum rs_state { RS_STOPPED = 0, RS_RUNNING, RS_BACKOFF, RS_EXITED, RS_FAILED };

/* Why an incarnation ended (LIST reports the last one). */
enum rs_end {
    RS_END_NONE = 0,
    RS_END_FAULT,   /* fault.kind = the memory server's MS_FAULT_* */
    RS_END_EXIT,    /* exit status in fault.code */
    RS_END_HANG,    /* missed a heartbeat deadline */
    RS_END_KILLED,  /* STOP / RESTART / a group decision */
};

struct rs_last {
    uint32_t end;       /* enum rs_end */
    uint32_t kind;      /* MS_FAULT_* for RS_END_FAULT */
    uint64_t addr, ip, code;
};

struct rs_proc {
    uint32_t state;        /* enum rs_state */
    uint32_t generation;   /* incremented at every start */
    uint32_t restarts;     /* restarts after failures */
    uint32_t consecutive;  /* failures in a row (backoff) */
    uint32_t as;           /* memory-server handle of the running incarnation, 0 if none */
    uint64_t started_at;   /* ms */
    uint64_t until;        /* RS_BACKOFF: when to start again */
    uint64_t ping_at;      /* next ping (heartbeat on) */
    uint64_t deadline;     /* answer due (0: no ping outstanding) */
    struct rs_last last;
};

struct rs {
    struct rs_manifest m;
    struct rs_proc p[RS_MAX_SERVICES];
    uint64_t now;           /* ms of virtual time (timer ticks) */
    uint64_t restart_log[RS_MAX_GROUPS][8]; /* recent restart times per group (intensity) */
    uint32_t tick_ms;       /* ms per TICK */
};

extern struct rs rs;

/* One console line for an event of service i (prefix "rs: NAME gen G "). */
void rs_log(unsigned i, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
