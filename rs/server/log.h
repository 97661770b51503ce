/*
 * The RS's recent console lines (control request LOG, rs/PROTOCOL.md): every line the
 * RS prints is kept, numbered from 0, in a ring of the last RS_LOG_LINES (not in the
 * recovery record: a new RS incarnation starts an empty log).
 */
#pragma once
#include <stdint.h>

#define RS_LOG_LINES 64u

/* Sets the LOG reply's registers for the first kept line numbered >= seq; returns the
 * number of registers. */
unsigned rs_log_reply(uint64_t seq);
