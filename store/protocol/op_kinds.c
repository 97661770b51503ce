/* The store's operations (op_kinds.h): every one is idempotent (PUT and PUT2 write given
 * bytes, DELETE and OWNER_FORGET remove, OWNER_SET sets; OWNER_START of a generation the
 * store knows is refused as STALE and changes nothing). */
#include "store/protocol/op_kinds.h"
#include "store/protocol/messages.h"

#define I SVC_DECLARE(SVC_OP_IDEMPOTENT)
static const uint8_t kinds[STORE_OP_COUNT] = {
    [STORE_OP_HELLO] = I,     [STORE_OP_PUT] = I,         [STORE_OP_GET] = I,          [STORE_OP_DELETE] = I,
    [STORE_OP_LIST] = I,      [STORE_OP_GET_INCARNATION] = I, [STORE_OP_QUOTA_GET] = I, [STORE_OP_OWNER_SET] = I,
    [STORE_OP_OWNER_START] = I, [STORE_OP_OWNER_FORGET] = I, [STORE_OP_PUT2] = I,
};

const struct svc_op_table store_op_table = { "store", kinds, STORE_OP_COUNT };
