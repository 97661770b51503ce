/* The name service's operations (op_kinds.h): every one is idempotent (lookups read;
 * BIND and UNBIND set a binding to a given generation, the same again changes nothing). */
#include "names/protocol/op_kinds.h"
#include "names/protocol/messages.h"

#define I SVC_DECLARE(SVC_OP_IDEMPOTENT)
static const uint8_t kinds[NAMES_OP_COUNT] = {
    [NAMES_OP_HELLO] = I,  [NAMES_OP_BIND] = I,  [NAMES_OP_UNBIND] = I,     [NAMES_OP_LOOKUP] = I,
    [NAMES_OP_LOOKUP_IF_NEWER] = I, [NAMES_OP_CHECK] = I, [NAMES_OP_LIST] = I, [NAMES_OP_WAIT_BOUND] = I,
};

const struct svc_op_table names_op_table = { "names", kinds, NAMES_OP_COUNT };
