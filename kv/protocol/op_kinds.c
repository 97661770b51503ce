/* kv's operations (op_kinds.h): reads are idempotent; changes carry a sequence number and
 * kv's exactly-once table answers a repeat (DEDUPED), so sent with seq 0 they are UNSAFE. */
#include "kv/protocol/op_kinds.h"
#include "kv/protocol/messages.h"

static const uint8_t kinds[KV_OP_COUNT] = {
    [KV_OP_HELLO] = SVC_DECLARE(SVC_OP_IDEMPOTENT),  [KV_OP_GET] = SVC_DECLARE(SVC_OP_IDEMPOTENT),
    [KV_OP_PUT] = SVC_DECLARE(SVC_OP_DEDUPED),       [KV_OP_DELETE] = SVC_DECLARE(SVC_OP_DEDUPED),
    [KV_OP_APPEND] = SVC_DECLARE(SVC_OP_DEDUPED),    [KV_OP_LIST] = SVC_DECLARE(SVC_OP_IDEMPOTENT),
};

const struct svc_op_table kv_op_table = { "kv", kinds, KV_OP_COUNT };
