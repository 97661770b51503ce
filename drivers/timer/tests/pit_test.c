/* Host test of the PIT divisor arithmetic: the rates the RS uses and the limits. */
#include "check.h"
#include "drivers/timer/pit.h"

int main(void)
{
    /* 100 Hz (the RS's 10 ms tick): 1193182 / 100 = 11931.82 -> 11932, 10.0001 ms. */
    CHECK_EQ(pit_divisor(100), 11932);
    CHECK_EQ(pit_period_ns(11932), 10000151);
    CHECK_EQ(pit_divisor_lo(11932), 0x9C);
    CHECK_EQ(pit_divisor_hi(11932), 0x2E);
    /* 1000 Hz: 1193.182 -> 1193 (0.99985 ms). */
    CHECK_EQ(pit_divisor(1000), 1193);
    CHECK_EQ(pit_period_ns(1193), 999847);
    /* Limits: the slowest rate is divisor 65536 (written as 0), the fastest 1. */
    CHECK_EQ(pit_divisor(19), 62799);
    CHECK_EQ(pit_divisor(18), 0);
    CHECK_EQ(pit_divisor(PIT_MAX_HZ), 1);
    CHECK_EQ(pit_divisor(PIT_MAX_HZ + 1), 0);
    CHECK_EQ(pit_divisor(0), 0);
    CHECK_EQ(pit_divisor_lo(65536), 0);
    CHECK_EQ(pit_divisor_hi(65536), 0);
    CHECK_EQ(pit_period_ns(65536), 54925401);
    /* Every valid rate is within half a PIT cycle of the request. */
    for (uint32_t hz = PIT_MIN_HZ; hz <= 20000; hz++) {
        uint32_t d = pit_divisor(hz);
        uint64_t err = d * (uint64_t)hz > PIT_INPUT_HZ ? d * (uint64_t)hz - PIT_INPUT_HZ : PIT_INPUT_HZ - d * (uint64_t)hz;
        if (err * 2 > hz) CHECK_EQ(hz, 0); /* reports the failing rate */
    }
    return check_result("pit_test");
}
