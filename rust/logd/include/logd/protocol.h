/*
 * The system log (logd) IPC protocol, version 1 (rust/logd/PROTOCOL.md).  The single
 * source of these numbers: logd itself is written in Rust and its constants are
 * generated from this header at build time (rust/abi-gen/gen_logd_consts.c).
 *
 * seL4_Call on a badged endpoint cap; the badge names the sender: LOGD_BADGE_CLIENT(i)
 * = i + 1 for the service with index i in the RS manifest (the RS mints a channel's cap
 * with "client index + 1"), LOGD_ADMIN_BADGE for the supervisor.  Label = LOGD_LABEL(op)
 * (version in bits 19..12).  The reply's label is a logd_err; results in MR0...
 */
#pragma once
#include <stdint.h>

#define LOGD_PROTOCOL_VERSION 1u
#define LOGD_LABEL(op) ((LOGD_PROTOCOL_VERSION << 12) | (uint32_t)(op))

/* A record's message: 0..LOGD_MSG_MAX bytes, printable ASCII (0x20..0x7e) or tab. */
#define LOGD_MSG_MAX 96u
#define LOGD_MSG_MRS (LOGD_MSG_MAX / 8u)
/* Sender names: 1..15 of [a-z0-9_-] in two registers, as names/protocol/name.h. */
#define LOGD_NAME_MRS 2u
/* Records kept (the ring); services addressable by badge (RS manifest limit). */
#define LOGD_RING_RECORDS 64u
#define LOGD_MAX_CLIENTS 32u

#define LOGD_ADMIN_BADGE (1ull << 40)
#define LOGD_BADGE_CLIENT(index) ((uint64_t)(index) + 1u)

enum logd_level {
    LOGD_LEVEL_DEBUG = 0,
    LOGD_LEVEL_INFO = 1,
    LOGD_LEVEL_WARN = 2,
    LOGD_LEVEL_ERROR = 3,
    LOGD_LEVEL_FATAL = 4,
    LOGD_LEVEL_COUNT
};

enum logd_op {
    LOGD_OP_HELLO = 1,    /* -> MR0 version */
    LOGD_OP_WRITE = 2,    /* MR0 level | len << 8, MR1.. message -> MR0 seq */
    LOGD_OP_QUERY = 3,    /* MR0 before (seq, 0 = newest), MR1 min level | max level << 8,
                             MR2-3 service name (0, 0: any) -> MR0 seq, MR1 level | len << 8,
                             MR2-3 sender name, MR4.. message */
    LOGD_OP_STATS = 4,    /* -> MR0 records held, MR1 next seq, MR2 rejected, MR3 capacity,
                             MR4 restored, MR5 store errors, MR6 logd's generation */
    LOGD_OP_NAME_SET = 5, /* admin: MR0 client index, MR1-2 name */
    LOGD_OP_COUNT
};

enum logd_err {
    LOGD_OK = 0,
    LOGD_ERR_BAD_REQUEST = 1, /* unknown op, wrong register count, bad padding, bits set
                                 that must be 0 */
    LOGD_ERR_VERSION = 2,     /* protocol version not supported */
    LOGD_ERR_BAD_LEVEL = 3,   /* level >= LOGD_LEVEL_COUNT, or min level > max level */
    LOGD_ERR_TOO_BIG = 4,     /* message longer than LOGD_MSG_MAX */
    LOGD_ERR_BAD_CAP = 5,     /* caps came with the request */
    LOGD_ERR_DENIED = 6,      /* a badge that names no sender; NAME_SET without the admin
                                 badge */
    LOGD_ERR_NOT_FOUND = 7,   /* QUERY: no (further) record matches */
    LOGD_ERR_BAD_NAME = 8,    /* a name outside the name rules; index >= LOGD_MAX_CLIENTS */
    LOGD_ERR_BAD_TEXT = 9,    /* a message byte outside printable ASCII and tab */
    LOGD_ERR_COUNT
};

/* Ring persistence in the state store (store/PROTOCOL.md): blob "logringNN" (NN = 00..15)
 * holds the records whose slot is NN * 4 .. NN * 4 + 3 (slot = (seq - 1) mod 64). */
#define LOGD_BLOB_RECORDS 4u
#define LOGD_BLOBS (LOGD_RING_RECORDS / LOGD_BLOB_RECORDS)
#define LOGD_BLOB_BYTES 512u
