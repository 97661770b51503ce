/*
 * The recovery record: one page shared by the guardian (which keeps it across RS
 * deaths) and each RS incarnation, holding what a new RS needs to take the running
 * services over.  Written intent-first: before the RS starts or kills a service it
 * records the intent (with the state as it will be), and clears it when done, so an RS
 * that died in between leaves the half-done service named in the record.
 * Portable (host-tested and fuzzed): sealing and checking only.
 */
#pragma once
#include <stdint.h>
#include <stddef.h>

#define RS_RECORD_MAGIC   0x3144524f43455352ull /* "RSECORD1" */
#define RS_RECORD_VERSION 1u
#define RS_RECORD_SERVICES 32u
#define RS_RECORD_GROUPS 8u
#define RS_RECORD_LOG 8u

enum { RS_INTENT_NONE = 0, RS_INTENT_START = 1, RS_INTENT_KILL = 2 };

struct rs_record_service {
    uint32_t state, generation, restarts, consecutive;
    uint32_t as, end, kind, reserved;
    uint64_t started_at, until, addr, ip, code;
};

struct rs_record {
    uint64_t magic, version, checksum; /* checksum: FNV-1a over the record with checksum = 0 */
    uint64_t incarnation;              /* of the RS that wrote it last */
    uint32_t intent_op, intent_svc;
    uint32_t nservices, tick_ms;
    uint64_t now;
    uint64_t restart_log[RS_RECORD_GROUPS][RS_RECORD_LOG];
    struct rs_record_service svc[RS_RECORD_SERVICES];
};

_Static_assert(sizeof(struct rs_record) <= 4096, "the record fits its page");

enum {
    RS_RECORD_OK = 0,
    RS_RECORD_EMPTY,     /* magic 0: never written */
    RS_RECORD_BAD_MAGIC,
    RS_RECORD_BAD_VERSION,
    RS_RECORD_BAD_CHECKSUM,
    RS_RECORD_BAD_VALUE, /* a count, state or intent out of range */
};

uint64_t rs_record_checksum(const struct rs_record *r);
void rs_record_seal(struct rs_record *r);
/* Checks `size` bytes at `r` (a record page); states must be < max_state. */
int rs_record_check(const void *r, size_t size, uint32_t nservices, uint32_t max_state);
