/* PIT divisor arithmetic (pit.h). */
#include "pit.h"

uint32_t pit_divisor(uint32_t hz)
{
    if (hz < PIT_MIN_HZ || hz > PIT_MAX_HZ) return 0;
    uint32_t d = (PIT_INPUT_HZ + hz / 2) / hz;
    if (d > 65536u) d = 65536u;
    return d ? d : 1;
}

uint64_t pit_period_ns(uint32_t divisor)
{
    return ((uint64_t)divisor * 1000000000ull + PIT_INPUT_HZ / 2) / PIT_INPUT_HZ;
}

uint8_t pit_divisor_lo(uint32_t divisor)
{
    return (uint8_t)(divisor & 0xFFu);
}

uint8_t pit_divisor_hi(uint32_t divisor)
{
    return (uint8_t)((divisor >> 8) & 0xFFu);
}
