/* How each state-store operation may be repeated after a restart of the store
 * (svcclient/core/op_table.h). */
#pragma once
#include "svcclient/core/op_table.h"

extern const struct svc_op_table store_op_table;
