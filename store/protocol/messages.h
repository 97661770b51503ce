/*
 * The state-store IPC protocol, version 1 (see store/PROTOCOL.md).
 *
 * seL4_Call on the caller's badged endpoint cap; the badge is the owner identity (the
 * supervisor mints one per service).  Label = STORE_LABEL(op) (version in bits 19..12).
 * Names take two registers (names/protocol/name.h); a value of len bytes takes
 * ceil(len / 8) registers, little-endian, the bytes after len in the last one zero.
 * The reply's label is a store_err_t; on STORE_OK its registers hold the results.
 */
#pragma once
#include <stdint.h>
#include "names/protocol/name.h"

#define STORE_PROTOCOL_VERSION 1u
#define STORE_LABEL(op) ((STORE_PROTOCOL_VERSION << 12) | (uint32_t)(op))
#define STORE_LABEL_VERSION(label) (((label) >> 12) & 0xFFu)
#define STORE_LABEL_OP(label) ((label) & 0xFFFu)

#define STORE_VALUE_MAX 512u
#define STORE_VALUE_MRS (STORE_VALUE_MAX / 8u)
#define STORE_MAX_MRS (NAME_MRS + 1u + STORE_VALUE_MRS) /* 67: PUT's arguments; a reply */
/* Every request ends with a check word (store_check_word) after its arguments: the
 * largest PUT is 68 registers. */
#define STORE_REQUEST_MAX_MRS (STORE_MAX_MRS + 1u)
/* PUT2: 6 registers, both values, the check word; at most seL4_MsgMaxLength (120) in all,
 * so the two values together take at most 113 registers (904 bytes). */
#define STORE_PUT2_MAX_MRS 120u

enum store_op {
    STORE_OP_HELLO = 1,       /* -> MR0 version */
    STORE_OP_PUT,             /* MR0-1 name, MR2 len, MR3.. value */
    STORE_OP_GET,             /* MR0-1 name -> MR0 len, MR1.. value */
    STORE_OP_DELETE,          /* MR0-1 name */
    STORE_OP_LIST,            /* MR0 index -> MR0-1 name, MR2 len (the caller's entries) */
    STORE_OP_GET_INCARNATION, /* -> MR0 generation, MR1 restarts, MR2 restarted (0/1) */
    STORE_OP_QUOTA_GET,       /* -> MR0 entries used, MR1 limit, MR2 bytes used, MR3 limit */
    STORE_OP_OWNER_SET,       /* admin: MR0 owner, MR1 max entries, MR2 max bytes */
    STORE_OP_OWNER_START,     /* admin: MR0 owner, MR1 generation (a new incarnation starts) */
    STORE_OP_OWNER_FORGET,    /* admin: MR0 owner: delete the owner and all its entries */
    STORE_OP_PUT2,            /* MR0-1 name A, MR2 len A, MR3-4 name B, MR5 len B, MR6.. value A,
                                 then value B: both or neither (one transaction) */
    STORE_OP_COUNT
};

/* The supervisor's cap carries STORE_ADMIN_BADGE; owners' caps their owner id (non-zero,
 * bits 63 and 62 clear). */
#define STORE_ADMIN_BADGE (1ull << 62)
#define STORE_OWNER_OK(b) ((b) != 0 && ((b) >> 62) == 0)

struct store_request {
    uint32_t op;
    struct svc_name name;     /* PUT, GET, DELETE, PUT2 (A) */
    uint32_t len;             /* PUT, PUT2 (A) */
    uint8_t value[STORE_VALUE_MAX];
    struct svc_name name2;    /* PUT2 (B, a different name) */
    uint32_t len2;
    uint32_t reserved;        /* 0: no padding (requests are compared bytewise) */
    uint8_t value2[STORE_VALUE_MAX];
    uint64_t index;           /* LIST */
    uint64_t owner;           /* admin ops */
    uint64_t max_entries, max_bytes; /* OWNER_SET */
    uint64_t generation;      /* OWNER_START */
};

struct store_reply {
    int err;
    unsigned mrs;
    uint64_t mr[STORE_MAX_MRS];
};

/* The check word that follows a request's n argument registers: FNV-1a over the label,
 * the register count with the check word (n + 1) and the arguments.  A request damaged on
 * its way (a register corrupted while the store received it) fails it: STORE_ERR_CHECK,
 * nothing changed. */
uint64_t store_check_word(uint64_t label, const uint64_t *mr, unsigned n);
/* The digest a PUT or PUT2 answers for each entry it wrote, as the store then holds it:
 * FNV-1a over its length (8 bytes, little-endian) and its value. */
uint64_t store_value_digest(const uint8_t *v, uint32_t len);
/* Decodes and validates a request of n registers, the check word last (changes nothing).
 * STORE_OK or an error; *out zeroed on error. */
int store_decode_request(uint64_t label, const uint64_t *mr, unsigned n, unsigned ncaps,
                         struct store_request *out);
/* Encodes a request and its check word: registers written (<= STORE_REQUEST_MAX_MRS, a
 * PUT2 <= STORE_PUT2_MAX_MRS), label in *label; 0 and label 0
 * if r is not encodable (bad name, len too big). */
unsigned store_encode_request(const struct store_request *r, uint64_t *label, uint64_t *mr);

/* Values in registers: ceil(len / 8) words. */
unsigned store_pack_value(const uint8_t *v, uint32_t len, uint64_t *mr);
/* Unpacks len bytes from n registers; -1 if n != ceil(len / 8) or padding bytes non-zero. */
int store_unpack_value(const uint64_t *mr, unsigned n, uint32_t len, uint8_t *v);
