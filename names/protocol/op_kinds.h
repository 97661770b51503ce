/* How each name-service operation may be repeated after a restart of the name service
 * (svcclient/core/op_table.h). */
#pragma once
#include "svcclient/core/op_table.h"

extern const struct svc_op_table names_op_table;
