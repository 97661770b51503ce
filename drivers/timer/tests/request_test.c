/* Host test of the timer driver's request decoder: only TIMER_OP_NOW with no registers
 * and no caps is a request (found by the campaign's hostile client: a forged cap fault
 * message, label 1 and 6 registers, and a NOW with a cap attached were answered). */
#include "check.h"
#include "drivers/timer/request.h"

int main(void)
{
    CHECK_EQ(timer_request_is_now(TIMER_OP_NOW, 0, 0), true);
    /* registers: a forged seL4_Fault_CapFault message (label 1, 6 registers), any other count */
    CHECK_EQ(timer_request_is_now(TIMER_OP_NOW, 6, 0), false);
    CHECK_EQ(timer_request_is_now(TIMER_OP_NOW, 1, 0), false);
    CHECK_EQ(timer_request_is_now(TIMER_OP_NOW, 120, 0), false);
    /* caps: transferred or unwrapped */
    CHECK_EQ(timer_request_is_now(TIMER_OP_NOW, 0, 1), false);
    CHECK_EQ(timer_request_is_now(TIMER_OP_NOW, 0, 3), false);
    /* other labels: 0, the other fault labels, high bits */
    for (uint64_t label = 0; label < 16; label++) {
        if (label != TIMER_OP_NOW) CHECK_EQ(timer_request_is_now(label, 0, 0), false);
    }
    CHECK_EQ(timer_request_is_now(TIMER_OP_NOW | (1ull << 20), 0, 0), false);
    CHECK_EQ(timer_request_is_now(~0ull, 0, 0), false);
    return check_result("timer_request_test");
}
