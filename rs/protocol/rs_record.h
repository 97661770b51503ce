/*
 * The recovery record: RS_RECORD_PAGES pages shared by the guardian (which keeps them
 * across RS deaths) and each RS incarnation, holding what a new RS needs to take the
 * running services over: the policy engine's state, the address-space handles, the last
 * faults and the clock.  Written intent-first: before the RS starts or kills a service it
 * records the intent, and clears it when done, so an RS that died in between leaves the
 * half-done service named in the record.
 * Portable (host-tested and fuzzed): sealing and checking the frame of the record; the
 * policy state inside is checked by rs_policy_restore.
 */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include "rs/core/policy.h"

#define RS_RECORD_MAGIC   0x3144524f43455352ull /* "RSECORD1" */
#define RS_RECORD_VERSION 2u
#define RS_RECORD_PAGES   20u  /* mostly the policy's per-group rings of restart times */
#define RS_RECORD_SERVICES RS_MAX_SERVICES

enum { RS_INTENT_NONE = 0, RS_INTENT_START = 1, RS_INTENT_KILL = 2 };

struct rs_record_last {
    uint32_t end, kind;
    uint64_t addr, ip, code;
};

struct rs_record {
    uint64_t magic, version, checksum; /* checksum: FNV-1a over its 64-bit words, checksum = 0 */
    uint64_t incarnation;              /* of the RS that wrote it last */
    uint32_t intent_op, intent_svc;
    uint32_t nservices, tick_ms;
    uint64_t now;
    uint32_t as[RS_RECORD_SERVICES];
    struct rs_record_last last[RS_RECORD_SERVICES];
    struct rs_policy policy;           /* its manifest pointer is meaningless here */
};

_Static_assert(sizeof(struct rs_record) <= RS_RECORD_PAGES * 4096u, "the record fits its pages");

enum {
    RS_RECORD_OK = 0,
    RS_RECORD_EMPTY,     /* magic 0: never written */
    RS_RECORD_BAD_MAGIC,
    RS_RECORD_BAD_VERSION,
    RS_RECORD_BAD_CHECKSUM,
    RS_RECORD_BAD_VALUE, /* a count or intent out of range */
};

uint64_t rs_record_checksum(const struct rs_record *r);
void rs_record_seal(struct rs_record *r);
/* Checks `size` bytes at `r` (the record pages) for a manifest of `nservices`. */
int rs_record_check(const void *r, size_t size, uint32_t nservices);
