/*
 * The reincarnation server's control protocol, version 1 (rs/PROTOCOL.md).
 *
 * A request is an seL4_Call on a control cap (the RS endpoint badged RS_BADGE_CONTROL;
 * no other badge has authority).  Label RS_LABEL(op): protocol version in bits 19..12,
 * op in bits 11..0 (never a fault label 1..7 nor PROGRAM_EXIT_LABEL).  Arguments are
 * MR0.. in the order below, exactly that many, then the check word (rs_check_word over
 * the label, the register count and the arguments).  The reply's label is an rs_err; on
 * RS_OK its message registers hold the results.
 */
#pragma once
#include <stdint.h>

#define RS_PROTOCOL_VERSION 1u
#define RS_LABEL(op) ((RS_PROTOCOL_VERSION << 12) | (uint32_t)(op))

enum rs_op {
    RS_OP_LIST = 1,   /* MR0 index -> RS_LIST_WORDS words (struct rs_list_entry) */
    RS_OP_FIND,       /* MR0, MR1 name (16 bytes, NUL padded) -> MR0 index */
    RS_OP_STOP,       /* MR0 index */
    RS_OP_START,      /* MR0 index */
    RS_OP_RESTART,    /* MR0 index */
    RS_OP_CRASH,      /* MR0 index: a real fault (rip = 0) through the normal path */
    RS_OP_HANG,       /* MR0 index: the service stops (suspended): detected as a hang */
    RS_OP_ABORT,      /* MR0 when: the RS itself faults (test of the guardian), see below */
    RS_OP_AUDIT,      /* MR0 index (stopped) -> RS_AUDIT_WORDS words (struct rs_audit) */
    RS_OP_LOG,        /* MR0 sequence number -> MR0 seq, MR1 length, MR2.. text (rs_log) */
    RS_OP_COUNT
};

/* RS_OP_ABORT when: now, or right after the next start is recorded (a half-start); the
 * RS loops for ever after this reply (a hang: the guardian's watchdog replaces it); the
 * RS faults while it handles the next control request, before its reply. */
enum { RS_ABORT_NOW = 0, RS_ABORT_AFTER_START = 1, RS_ABORT_HANG = 2, RS_ABORT_IN_REQUEST = 3 };

enum rs_err {
    RS_OK = 0,
    RS_ERR_BAD_REQUEST = 1, /* unknown op, wrong register count, caps attached, bad value */
    RS_ERR_VERSION = 2,
    RS_ERR_UNKNOWN_SERVICE = 3,
    RS_ERR_DENIED = 4,      /* not a control cap */
    RS_ERR_STATE = 5,       /* not possible in the service's state (e.g. CRASH when stopped) */
    RS_ERR_KERNEL = 6,      /* a kernel or memory-server operation failed */
    RS_ERR_CHECK = 7,       /* the check word does not match: damaged on its way, nothing done */
};

/* Most registers a request has: FIND's two arguments and the check word. */
#define RS_REQUEST_MAX_MRS 3u
/* The check word of a request: the store's (store_check_word, also kv's) over the label,
 * the register count with the check word (n + 1) and the n arguments mr[0..n). */
uint64_t rs_check_word(uint64_t label, const uint64_t *mr, unsigned n);

struct rs_request {
    uint32_t op;
    uint32_t index;         /* service */
    uint64_t when;          /* ABORT; LOG: the sequence number of the first line wanted */
    char name[16];          /* FIND, NUL padded */
};

#define RS_NAME_BYTES 16u
/* LOG: one line of the RS's console output, at most RS_LOG_TEXT_MAX bytes (no newline). */
#define RS_LOG_TEXT_WORDS 15u
#define RS_LOG_TEXT_MAX (8u * RS_LOG_TEXT_WORDS)
#define RS_LIST_WORDS 13u
struct rs_list_entry {
    char name[RS_NAME_BYTES];
    uint32_t state, restart_type;   /* enum rs_state (server), enum rs_restart */
    uint32_t generation, restarts;
    uint32_t end, fault_kind;       /* last end (enum rs_end) and MS_FAULT_* */
    uint64_t fault_addr, fault_ip, fault_code;
    uint64_t pages_used, pages_quota;
    uint64_t started_at;            /* ms */
    uint64_t ended_at;              /* ms: when the last incarnation was found dead / killed */
    uint64_t now;                   /* ms: the RS's clock when it answered */
    uint64_t ms_free_pages;         /* the memory server's free pages (STATS) */
};

/* AUDIT: a stopped service's untyped is retyped whole (the kernel allows that only if
 * nothing made from it is left) and deleted again; and the memory server's view. */
#define RS_AUDIT_WORDS 5u
struct rs_audit {
    uint64_t untyped_empty;         /* 1: the kernel agreed */
    uint64_t free_pages, free_slots;/* the memory server's (STATS) */
    uint64_t chunks_checked, chunks_not_empty; /* VERIFY_FREE */
};

/* Decodes and validates a request (label, n message registers, ncaps caps).  Its check
 * word is verified first (any register count from 1 to RS_REQUEST_MAX_MRS), so a request
 * damaged in its label or registers gets RS_ERR_CHECK, not another refusal. */
int rs_decode_request(uint64_t label, const uint64_t *mr, unsigned n, unsigned ncaps, struct rs_request *out);
/* Encodes a request with its check word: returns the register count (at most
 * RS_REQUEST_MAX_MRS), *label set. */
unsigned rs_encode_request(const struct rs_request *r, uint64_t *label, uint64_t *mr);
/* LIST results. */
unsigned rs_encode_list(const struct rs_list_entry *e, uint64_t *mr);
int rs_decode_list(const uint64_t *mr, unsigned n, struct rs_list_entry *e);
const char *rs_err_name(int err);

/* The client side of a request, portable (rs/client uses it with seL4_Call): send(ctx,
 * label, mr, n) delivers one request and returns the reply's label.  A refusal that a
 * request rs_encode_request made can only get if it arrived damaged (RS_ERR_CHECK,
 * RS_ERR_BAD_REQUEST, RS_ERR_VERSION, RS_ERR_DENIED: nothing was done) is followed by the
 * same request again, at most RS_CHECK_RESENDS times; *resends counts them. */
#define RS_CHECK_RESENDS 4u
typedef int (*rs_send_fn)(void *ctx, uint64_t label, const uint64_t *mr, unsigned n);
int rs_call_resending(const struct rs_request *r, rs_send_fn send, void *ctx, unsigned *resends);
