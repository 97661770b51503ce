/*
 * A protocol's declaration of how each of its operations may be repeated after a restart
 * of its service: one table per protocol, indexed by the operation number, read by every
 * client library through svc_op_kind (kv, names, logd, the memory server, the store).
 * Plain C, no syscalls.
 *
 * Entries are written SVC_DECLARE(kind) so that an operation nobody declared (0) can be
 * told from a declared SVC_OP_IDEMPOTENT; an undeclared or unknown operation counts as
 * SVC_OP_UNSAFE (never repeated when in doubt), and so does a DEDUPED one sent without a
 * sequence number (0: the service keeps no exactly-once record for it).
 */
#pragma once
#include <stdint.h>
#include "svcclient/core/retry.h"

#define SVC_DECLARE(kind) ((uint8_t)((unsigned)(kind) + 1u))

struct svc_op_table {
    const char *protocol; /* for messages and tests */
    const uint8_t *kind;  /* SVC_DECLARE(kind) per operation number, 0: not declared */
    uint32_t count;       /* entries in kind[] (the protocol's operation count) */
};

/* The kind to use for operation `op` sent with sequence number `seq` (table above). */
enum svc_op_kind svc_op_kind(const struct svc_op_table *t, uint32_t op, uint64_t seq);

/* Operations in [first, t->count) that the table leaves undeclared (tests: a new
 * operation must be declared). */
uint32_t svc_op_undeclared(const struct svc_op_table *t, uint32_t first);
