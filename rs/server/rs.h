/*
 * The reincarnation server's state (one instance, in main.c) and its parts:
 *   supervise.c  the policy engine (rs/core/policy.h) fed with events, its actions done
 *   process.c    create / destroy a service's process
 *   control.c    the control interface (rs/PROTOCOL.md)
 *   record.c     the recovery record shared with the guardian
 */
#pragma once
#include <sel4/sel4.h>
#include <stdbool.h>
#include <stdint.h>
#include "rs/core/manifest.h"
#include "rs/core/policy.h"
#include "rs/core/watchdog.h"
#include "rs/server/layout.h"

/* Why an incarnation ended (LIST reports the last one). */
enum rs_end {
    RS_END_NONE = 0,
    RS_END_FAULT,   /* kind = the memory server's MS_FAULT_* */
    RS_END_EXIT,    /* exit status in code */
    RS_END_HANG,    /* missed a heartbeat deadline */
    RS_END_KILLED,  /* STOP / RESTART / a group decision */
};

struct rs_last {
    uint32_t end;       /* enum rs_end */
    uint32_t kind;      /* MS_FAULT_* for RS_END_FAULT */
    uint64_t addr, ip, code;
    uint64_t at;        /* ms: when it was killed (after it was found dead) */
};

struct rs {
    struct rs_manifest m;
    struct rs_policy pol;
    uint32_t as[RS_MAX_SERVICES];          /* memory-server handle of the live incarnation */
    struct rs_last last[RS_MAX_SERVICES];
    uint64_t now;           /* ms of virtual time */
    uint32_t tick_ms;       /* ms per timer TICK; 0: no timer in this system */
    struct rs_clock clock;  /* the guardian's RTC ticks while the timer is silent */
};

extern struct rs rs;
