/* The memory server's operations (op_kinds.h).  IDEMPOTENT: applying it twice leaves the
 * same state as once (reads, setting a value, writing given bytes, unmapping or protecting
 * a given range, a copy of a cap into the caller's slot).  UNSAFE: each application
 * creates, forks, destroys or consumes something (a new handle, a reported fault). */
#include "memserver/protocol/op_kinds.h"
#include "memserver/protocol/messages.h"

#define I SVC_DECLARE(SVC_OP_IDEMPOTENT)
#define U SVC_DECLARE(SVC_OP_UNSAFE)
static const uint8_t kinds[MS_OP_COUNT] = {
    [MS_OP_HELLO] = I,      [MS_OP_AS_CREATE] = U,   [MS_OP_AS_DESTROY] = U,   [MS_OP_AS_FORK] = U,
    [MS_OP_AS_FAULT_EP] = I, [MS_OP_AS_VSPACE] = I,  [MS_OP_OBJ_CREATE] = U,   [MS_OP_OBJ_CLOSE] = U,
    [MS_OP_MAP] = U,        [MS_OP_UNMAP] = I,       [MS_OP_PROTECT] = I,      [MS_OP_QUERY] = I,
    [MS_OP_CLONE] = U,      [MS_OP_FAULT_GET] = U,   [MS_OP_QUOTA_GET] = I,    [MS_OP_QUOTA_SET] = I,
    [MS_OP_AS_ADOPT] = U,   [MS_OP_AS_SET_NOTIFY] = I, [MS_OP_STATS] = I,      [MS_OP_CLIENT_DESTROY] = U,
    [MS_OP_VERIFY_FREE] = I, [MS_OP_OBJ_WRITE] = I,  [MS_OP_PAGE_CAP] = I,
};

const struct svc_op_table ms_op_table = { "memserver", kinds, MS_OP_COUNT };
