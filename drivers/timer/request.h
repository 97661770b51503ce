/*
 * The timer driver's request decoder (portable, host-tested: tests/request_test.c).
 * Requests: timer.h.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define TIMER_OP_NOW 1u

/* True iff the request is TIMER_OP_NOW exactly: no message registers and no caps
 * (extra_caps counts caps the kernel unwrapped too).  Anything else -- a forged
 * seL4_Fault_CapFault message has the same label, 1 -- is refused with
 * seL4_IllegalOperation. */
bool timer_request_is_now(uint64_t label, uint64_t length, uint64_t extra_caps);
