/* How each logd operation may be repeated after a restart of logd
 * (svcclient/core/op_table.h). */
#pragma once
#include "svcclient/core/op_table.h"

extern const struct svc_op_table logd_op_table;
