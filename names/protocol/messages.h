/*
 * The name-registry IPC protocol, version 1 (see names/PROTOCOL.md).
 *
 * A request is an seL4_Call on the caller's badged endpoint cap.  Label = NAMES_LABEL(op):
 * version in bits 19..12, operation in bits 11..0 (never a fault label 0..7).  Arguments
 * are MR0.. in the order below; a name takes two registers (names/protocol/name.h).  The
 * reply's label is a names_err_t; on NAMES_OK its registers hold the results.
 */
#pragma once
#include <stdint.h>
#include "names/protocol/name.h"

#define NAMES_PROTOCOL_VERSION 1u
#define NAMES_LABEL(op) ((NAMES_PROTOCOL_VERSION << 12) | (uint32_t)(op))
#define NAMES_LABEL_VERSION(label) (((label) >> 12) & 0xFFu)
#define NAMES_LABEL_OP(label) ((label) & 0xFFFu)

enum names_op {
    NAMES_OP_HELLO = 1,       /* -> MR0 version */
    NAMES_OP_BIND,            /* RS only: MR0-1 name, MR2 generation; cap in (optional once
                                 bound): the service's unbadged endpoint */
    NAMES_OP_UNBIND,          /* RS only: MR0-1 name */
    NAMES_OP_LOOKUP,          /* MR0-1 name -> MR0 generation; cap out: endpoint badged with
                                 the caller's client id */
    NAMES_OP_LOOKUP_IF_NEWER, /* MR0-1 name, MR2 known generation -> as LOOKUP, or
                                 NAMES_ERR_NOT_NEWER (no cap) */
    NAMES_OP_CHECK,           /* MR0-1 name, MR2 generation -> OK if bound at that generation */
    NAMES_OP_LIST,            /* MR0 index -> MR0-1 name, MR2 state, MR3 generation */
    NAMES_OP_WAIT_BOUND,      /* MR0-1 name -> as LOOKUP; if the name is unknown or unbound
                                 the reply waits until the RS binds it */
    NAMES_OP_COUNT
};

/* Badges on the registry's endpoint caps.  Client caps carry the client id (non-zero,
 * bits 63 and 62 clear); the RS's cap carries NAMES_RS_BADGE. */
#define NAMES_RS_BADGE (1ull << 62)
#define NAMES_CLIENT_MASK ((1ull << 62) - 1)

/* Entry states (LIST MR2). */
enum names_state { NAMES_STATE_FREE = 0, NAMES_STATE_BOUND = 1, NAMES_STATE_UNBOUND = 2 };

struct names_request {
    uint32_t op;
    uint32_t ncaps;      /* caps that came with the request (BIND: 0 or 1) */
    struct svc_name name;
    uint64_t generation; /* BIND, LOOKUP_IF_NEWER, CHECK */
    uint64_t index;      /* LIST */
};

struct names_list_result {
    struct svc_name name;
    uint32_t state;
    uint64_t generation;
};

#define NAMES_MAX_MRS 4u

/* Decodes and validates a request: label, `n` message registers, `ncaps` extra caps.
 * Changes nothing.  Returns NAMES_OK or an error; *out is zeroed on error. */
int names_decode_request(uint64_t label, const uint64_t *mr, unsigned n, unsigned ncaps,
                         struct names_request *out);
/* Encodes a request; returns the number of registers written (<= NAMES_MAX_MRS), the label
 * in *label.  Returns 0 with *label 0 if the name in r is invalid. */
unsigned names_encode_request(const struct names_request *r, uint64_t *label, uint64_t *mr);

/* LIST reply. */
unsigned names_encode_list(const struct names_list_result *l, uint64_t *mr);
int names_decode_list(const uint64_t *mr, unsigned n, struct names_list_result *l);
