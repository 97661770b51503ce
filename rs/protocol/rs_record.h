/*
 * The recovery record: pages shared by the guardian (which keeps them across RS deaths)
 * and each RS incarnation, holding what a new RS needs to take the running services
 * over: the policy engine's state, the address-space handles, the last faults and the
 * clock.  Written intent-first: before the RS starts or kills a service it records the
 * intent, and clears it when done, so an RS that died in between leaves the half-done
 * service named in the record.
 *
 * Layout: the fixed part (struct rs_record), then the groups' recent restart times
 * (the policy keeps a ring of up to RS_MAX_INTENSITY per group; only the latest
 * `intensity` matter, so only those are stored, oldest first).  `length` is the size of
 * both; the checksum covers exactly that.
 * Portable (host-tested and fuzzed): packing, sealing, checking; the policy state is
 * checked again by rs_policy_restore.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include "rs/core/policy.h"

#define RS_RECORD_MAGIC   0x3144524f43455352ull /* "RSECORD1" */
#define RS_RECORD_VERSION 3u
#define RS_RECORD_PAGES   20u  /* room for every group at intensity RS_MAX_INTENSITY */
#define RS_RECORD_SERVICES RS_MAX_SERVICES

enum { RS_INTENT_NONE = 0, RS_INTENT_START = 1, RS_INTENT_KILL = 2 };

struct rs_record_last {
    uint32_t end, kind;
    uint64_t addr, ip, code, at;
};

struct rs_record_group {
    uint32_t failed;
    uint32_t count;         /* restart times stored (<= RS_MAX_INTENSITY) */
};

struct rs_record {
    uint64_t magic, version, checksum; /* checksum: FNV-1a over the 64-bit words of the
                                          first `length` bytes, the checksum word as 0 */
    uint64_t length;
    uint64_t incarnation;              /* of the RS that wrote it last */
    uint32_t intent_op, intent_svc;
    uint32_t nservices, tick_ms;
    uint64_t now;                      /* the RS's clock */
    uint64_t policy_now;
    uint32_t as[RS_RECORD_SERVICES];
    struct rs_record_last last[RS_RECORD_SERVICES];
    struct rs_svc_status svc[RS_RECORD_SERVICES];
    struct rs_record_group group[RS_MAX_GROUPS];
    uint64_t times[];                  /* group 0's, then group 1's, ... */
};

#define RS_RECORD_MAX_BYTES (sizeof(struct rs_record) + 8u * RS_MAX_GROUPS * RS_MAX_INTENSITY)
_Static_assert(RS_RECORD_MAX_BYTES <= RS_RECORD_PAGES * 4096u, "the record fits its pages");

enum {
    RS_RECORD_OK = 0,
    RS_RECORD_EMPTY,     /* magic 0: never written */
    RS_RECORD_BAD_MAGIC,
    RS_RECORD_BAD_VERSION,
    RS_RECORD_BAD_CHECKSUM,
    RS_RECORD_BAD_VALUE, /* a length, count or intent out of range */
};

/* Stores policy state `p` (for manifest m) into r: svc, groups and times; sets length. */
void rs_record_pack_policy(struct rs_record *r, const struct rs_policy *p, const struct rs_manifest *m);
/* The policy state stored in a checked record (out->m = NULL: rs_policy_restore sets it). */
void rs_record_unpack_policy(const struct rs_record *r, struct rs_policy *out);

uint64_t rs_record_checksum(const struct rs_record *r);
void rs_record_seal(struct rs_record *r);
/* Checks the record at `rec` (`size` bytes available) for a manifest of `nservices`. */
int rs_record_check(const void *rec, size_t size, uint32_t nservices);
