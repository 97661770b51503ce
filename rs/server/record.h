/* The RS side of the recovery record (rs/protocol/rs_record.h): saving and taking over. */
#pragma once
#include "rs/server/rs.h"
#include "rs/protocol/rs_record.h"

/* Records that `op` on service i is about to happen (state as it is now). */
void rs_record_intent(uint32_t op, unsigned i);
/* The operation is done: saves the state, no intent. */
void rs_record_commit(void);
/* Loads the record into `rs`; returns RS_RECORD_OK or why not.  *op, *svc: the intent
 * the previous RS left (RS_INTENT_NONE if it finished its last operation). */
int rs_record_load(uint64_t incarnation, uint32_t *op, uint32_t *svc);

/* Test hook (control ABORT): fault on purpose the next time `point` is reached (or, at
 * RS_POINT_HANG, which is checked where RS_POINT_IDLE is, loop for ever). */
enum { RS_POINT_START_UNCOMMITTED = 1, RS_POINT_IDLE = 2, RS_POINT_HANG = 3, RS_POINT_IN_REQUEST = 4 };
void rs_test_abort_point(uint32_t point);
void rs_test_arm_abort(uint32_t point);
