/* The timer driver's request decoder (request.h). */
#include "drivers/timer/request.h"

bool timer_request_is_now(uint64_t label, uint64_t length, uint64_t extra_caps)
{
    return label == TIMER_OP_NOW && length == 0 && extra_caps == 0;
}
