/* How each memory-server operation may be repeated (svcclient/core/op_table.h).  The
 * memory server is never restarted (it owns every address space), so no call to it is
 * ever released; its client library still goes through svc_call with this table, like
 * every other protocol's. */
#pragma once
#include "svcclient/core/op_table.h"

extern const struct svc_op_table ms_op_table;
