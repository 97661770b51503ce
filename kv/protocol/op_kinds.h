/* How each kv operation may be repeated after a restart of kv (svcclient/core/op_table.h). */
#pragma once
#include "svcclient/core/op_table.h"

extern const struct svc_op_table kv_op_table;
