/*
 * The per-operation declarations: svc_op_kind's rules (undeclared and unknown operations
 * are UNSAFE, DEDUPED without a sequence number is UNSAFE), and every protocol's table
 * declares every one of its operations, with the kinds its client library relies on.
 */
#include "check.h"
#include "svcclient/core/op_table.h"
#include "kv/protocol/messages.h"
#include "kv/protocol/op_kinds.h"
#include "names/protocol/messages.h"
#include "names/protocol/op_kinds.h"
#include "store/protocol/messages.h"
#include "store/protocol/op_kinds.h"
#include "memserver/protocol/messages.h"
#include "memserver/protocol/op_kinds.h"
#include "logd/protocol.h"
#include "logd/op_kinds.h"

static void test_rules(void)
{
    static const uint8_t k[4] = { 0, SVC_DECLARE(SVC_OP_IDEMPOTENT), SVC_DECLARE(SVC_OP_DEDUPED), 9 };
    const struct svc_op_table t = { "t", k, 4 };
    CHECK_EQ(svc_op_kind(&t, 1, 0), SVC_OP_IDEMPOTENT);
    CHECK_EQ(svc_op_kind(&t, 2, 7), SVC_OP_DEDUPED);
    CHECK_EQ(svc_op_kind(&t, 2, 0), SVC_OP_UNSAFE); /* no seq: no exactly-once record */
    CHECK_EQ(svc_op_kind(&t, 0, 0), SVC_OP_UNSAFE); /* undeclared */
    CHECK_EQ(svc_op_kind(&t, 3, 0), SVC_OP_UNSAFE); /* not a kind */
    CHECK_EQ(svc_op_kind(&t, 4, 0), SVC_OP_UNSAFE); /* beyond the table */
    CHECK_EQ(svc_op_kind(&t, UINT32_MAX, 1), SVC_OP_UNSAFE);
    CHECK_EQ(svc_op_kind(NULL, 1, 0), SVC_OP_UNSAFE);
    CHECK_EQ(svc_op_undeclared(&t, 1), 1u); /* op 3 */
    CHECK_EQ(svc_op_undeclared(&t, 0), 2u);
}

static void test_protocols(void)
{
    /* operation numbers start at 1 in every protocol */
    CHECK_EQ(svc_op_undeclared(&kv_op_table, 1), 0u);
    CHECK_EQ(kv_op_table.count, (uint32_t)KV_OP_COUNT);
    CHECK_EQ(svc_op_undeclared(&names_op_table, 1), 0u);
    CHECK_EQ(names_op_table.count, (uint32_t)NAMES_OP_COUNT);
    CHECK_EQ(svc_op_undeclared(&store_op_table, 1), 0u);
    CHECK_EQ(store_op_table.count, (uint32_t)STORE_OP_COUNT);
    CHECK_EQ(svc_op_undeclared(&ms_op_table, 1), 0u);
    CHECK_EQ(ms_op_table.count, (uint32_t)MS_OP_COUNT);
    CHECK_EQ(svc_op_undeclared(&logd_op_table, 1), 0u);
    CHECK_EQ(logd_op_table.count, (uint32_t)LOGD_OP_COUNT);
    /* what the client libraries rely on */
    CHECK_EQ(svc_op_kind(&kv_op_table, KV_OP_GET, 0), SVC_OP_IDEMPOTENT);
    CHECK_EQ(svc_op_kind(&kv_op_table, KV_OP_APPEND, 5), SVC_OP_DEDUPED);
    CHECK_EQ(svc_op_kind(&kv_op_table, KV_OP_APPEND, 0), SVC_OP_UNSAFE); /* kvc_append_unsafe */
    CHECK_EQ(svc_op_kind(&kv_op_table, KV_OP_PUT, 1), SVC_OP_DEDUPED);
    CHECK_EQ(svc_op_kind(&names_op_table, NAMES_OP_LOOKUP_IF_NEWER, 0), SVC_OP_IDEMPOTENT);
    CHECK_EQ(svc_op_kind(&store_op_table, STORE_OP_PUT2, 0), SVC_OP_IDEMPOTENT);
    CHECK_EQ(svc_op_kind(&logd_op_table, LOGD_OP_WRITE, 0), SVC_OP_UNSAFE);
    CHECK_EQ(svc_op_kind(&logd_op_table, LOGD_OP_QUERY, 0), SVC_OP_IDEMPOTENT);
    /* the memory server: creating, forking, destroying and consuming are never repeated */
    CHECK_EQ(svc_op_kind(&ms_op_table, MS_OP_AS_CREATE, 0), SVC_OP_UNSAFE);
    CHECK_EQ(svc_op_kind(&ms_op_table, MS_OP_MAP, 0), SVC_OP_UNSAFE);
    CHECK_EQ(svc_op_kind(&ms_op_table, MS_OP_FAULT_GET, 0), SVC_OP_UNSAFE);
    CHECK_EQ(svc_op_kind(&ms_op_table, MS_OP_OBJ_WRITE, 0), SVC_OP_IDEMPOTENT);
    CHECK_EQ(svc_op_kind(&ms_op_table, MS_OP_QUERY, 0), SVC_OP_IDEMPOTENT);
    CHECK_EQ(svc_op_kind(&ms_op_table, MS_OP_HELLO, 0), SVC_OP_IDEMPOTENT);
}

int main(void)
{
    test_rules();
    test_protocols();
    return check_result("svcclient_op_table_test");
}
