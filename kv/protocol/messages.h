/*
 * The key-value service's IPC protocol, version 1 (see kv/PROTOCOL.md).
 *
 * seL4_Call on the client's badged endpoint cap (badge = client id).  Label = KV_LABEL(op).
 * A key (1..31 bytes, any values) is a length register and 4 key registers (32 bytes,
 * little-endian, zero after the key).  A value (0..256 bytes) is a length register and
 * ceil(len / 8) registers.  Changing requests carry a sequence number: 0 = none (no
 * exactly-once guarantee), else increasing per client; a repeat with the same number is
 * answered from the service's exactly-once table and not applied again.
 */
#pragma once
#include <stdint.h>

#define KV_PROTOCOL_VERSION 1u
#define KV_LABEL(op) ((KV_PROTOCOL_VERSION << 12) | (uint32_t)(op))
#define KV_LABEL_VERSION(label) (((label) >> 12) & 0xFFu)
#define KV_LABEL_OP(label) ((label) & 0xFFFu)

#define KV_KEY_MAX 31u
#define KV_KEY_MRS 4u
#define KV_VALUE_MAX 256u
#define KV_VALUE_MRS (KV_VALUE_MAX / 8u)
#define KV_MAX_MRS (3u + KV_KEY_MRS + KV_VALUE_MRS) /* 39: a request's arguments, a reply */
/* Every request ends with a check word (kv_check_word) after its arguments. */
#define KV_REQUEST_MAX_MRS (KV_MAX_MRS + 1u)

enum kv_op {
    KV_OP_HELLO = 1, /* -> MR0 version */
    KV_OP_GET,       /* MR0 klen, MR1-4 key -> MR0 vlen, MR1.. value */
    KV_OP_PUT,       /* MR0 seq, MR1 klen, MR2-5 key, MR6 vlen, MR7.. value -> MR0 1 if created */
    KV_OP_DELETE,    /* MR0 seq, MR1 klen, MR2-5 key */
    KV_OP_APPEND,    /* as PUT; appends (creates if absent) -> MR0 new length.  Not idempotent. */
    KV_OP_LIST,      /* MR0 index -> MR0 klen, MR1-4 key, MR5 vlen */
    KV_OP_COUNT
};

struct kv_request {
    uint64_t seq;
    uint64_t index;
    uint32_t op;
    uint32_t klen, vlen;
    uint32_t reserved; /* 0: keeps the struct free of padding (compared bytewise) */
    uint8_t key[KV_KEY_MAX + 1];
    uint8_t value[KV_VALUE_MAX];
};

struct kv_reply {
    int err;
    unsigned mrs;
    uint64_t mr[KV_MAX_MRS];
};

/* The check word that follows a request's n argument registers: FNV-1a over the label,
 * the register count with the check word (n + 1) and the arguments.  A request whose
 * registers were damaged on their way (e.g. a register corrupted while the service
 * received them) fails it: KV_ERR_CHECK, nothing applied. */
uint64_t kv_check_word(uint64_t label, const uint64_t *mr, unsigned n);
/* n: the registers with the check word.  Validates the label, the check word, then the
 * arguments; *out zeroed on error. */
int kv_decode_request(uint64_t label, const uint64_t *mr, unsigned n, unsigned ncaps,
                      struct kv_request *out);
/* The arguments and the check word (at most KV_REQUEST_MAX_MRS registers); 0 and label 0
 * if r cannot be encoded. */
unsigned kv_encode_request(const struct kv_request *r, uint64_t *label, uint64_t *mr);
/* Key registers: 4 words from key[0, 32) (bytes >= klen must be zero). */
void kv_pack_key(const uint8_t key[KV_KEY_MAX + 1], uint64_t *mr);
