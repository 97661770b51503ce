/* Per-operation declarations of a protocol (op_table.h). */
#include "svcclient/core/op_table.h"
#include <stddef.h>

enum svc_op_kind svc_op_kind(const struct svc_op_table *t, uint32_t op, uint64_t seq)
{
    if (t == NULL || t->kind == NULL || op >= t->count || t->kind[op] == 0) return SVC_OP_UNSAFE;
    unsigned k = t->kind[op] - 1u;
    if (k > SVC_OP_UNSAFE) return SVC_OP_UNSAFE;
    if (k == SVC_OP_DEDUPED && seq == 0) return SVC_OP_UNSAFE;
    return (enum svc_op_kind)k;
}

uint32_t svc_op_undeclared(const struct svc_op_table *t, uint32_t first)
{
    uint32_t n = 0;
    for (uint32_t op = first; t != NULL && op < t->count; op++) {
        if (t->kind == NULL || t->kind[op] == 0 || t->kind[op] - 1u > SVC_OP_UNSAFE) n++;
    }
    return n;
}
