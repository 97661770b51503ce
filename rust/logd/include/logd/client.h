/*
 * C client library of logd, the system log (rust/logd/PROTOCOL.md), on svcclient's
 * retrying call (svcclient/client/svc_call.h).  WRITE is UNSAFE (a repeat would log the
 * record twice): interrupted by a logd restart it returns LOGDC_ERR(SVC_ERR_IN_DOUBT) and
 * the caller decides (a log line is usually just dropped).  QUERY, STATS and HELLO are
 * idempotent and retried.
 *
 * Results: a LOGD_* code (logd's reply), or LOGDC_ERR(svc error) when no reply came, or
 * LOGDC_ERR_ARGS for arguments the protocol cannot carry (nothing is sent).
 */
#pragma once
#include <stdint.h>
#include "logd/protocol.h"
#include "svcclient/client/svc_call.h"

#define LOGDC_ERR(svc_err) SVC_CLIENT_ERR(svc_err)
#define LOGDC_ERR_ARGS 0x200

/* A record as QUERY returns it; sender and text NUL-terminated ("#i": a client whose
 * name logd did not know). */
struct logd_record {
    uint64_t seq;
    unsigned level;
    char sender[17];
    char text[LOGD_MSG_MAX + 1];
};

/* A filter: levels min..max, one sender (NULL or "": any). */
struct logd_filter {
    unsigned min_level, max_level;
    const char *sender;
};

/* cap: the client's badged endpoint cap to logd (a manifest channel). */
void logdc_init(struct svc_conn *c, seL4_CPtr cap);
/* Logs `text` (at most LOGD_MSG_MAX printable bytes; longer text is cut there). */
int logdc_write(struct svc_conn *c, unsigned level, const char *text);
/* The newest record with seq < before (0: no bound) that matches f. */
int logdc_query(struct svc_conn *c, uint64_t before, const struct logd_filter *f, struct logd_record *r);
/* The name of a level ("debug" .. "fatal"), or "?". */
const char *logd_level_name(unsigned level);
/* The level named `s`, or -1. */
int logd_level_parse(const char *s);
