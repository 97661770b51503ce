/* logd's operations (logd/op_kinds.h): WRITE is UNSAFE (a repeat logs the record twice),
 * NAME_SET sets a name (idempotent), the rest read. */
#include "logd/op_kinds.h"
#include "logd/protocol.h"

static const uint8_t kinds[LOGD_OP_COUNT] = {
    [LOGD_OP_HELLO] = SVC_DECLARE(SVC_OP_IDEMPOTENT), [LOGD_OP_WRITE] = SVC_DECLARE(SVC_OP_UNSAFE),
    [LOGD_OP_QUERY] = SVC_DECLARE(SVC_OP_IDEMPOTENT), [LOGD_OP_STATS] = SVC_DECLARE(SVC_OP_IDEMPOTENT),
    [LOGD_OP_NAME_SET] = SVC_DECLARE(SVC_OP_IDEMPOTENT),
};

const struct svc_op_table logd_op_table = { "logd", kinds, LOGD_OP_COUNT };
