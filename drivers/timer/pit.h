/*
 * The 8254 PIT's channel 0 as a periodic clock: divisor and period arithmetic
 * (portable, host-tested) for timer.c.
 *
 * The PIT counts down from the divisor at PIT_INPUT_HZ (1193182 Hz) and raises IRQ 0
 * each time it wraps (mode 2, rate generator), so the period is divisor / PIT_INPUT_HZ
 * seconds; the divisor is 16 bits, 0 meaning 65536.  sel4-sim models exactly this
 * (sim/devices.c: modes 0, 2, 3; lo/hi byte access).
 */
#pragma once
#include <stdint.h>

#define PIT_INPUT_HZ      1193182u
#define PIT_PORT_CHANNEL0 0x40u
#define PIT_PORT_COMMAND  0x43u
/* Command: channel 0, access lo byte then hi byte, mode 2 (rate generator), binary. */
#define PIT_CMD_CH0_RATE  0x34u
#define PIT_MIN_HZ        19u      /* 1193182 / 65536 = 18.2: slower does not fit 16 bits */
#define PIT_MAX_HZ        1193182u

/* The divisor for `hz` interrupts per second, rounded to the nearest (1..65536);
 * 0 if hz is outside PIT_MIN_HZ..PIT_MAX_HZ. */
uint32_t pit_divisor(uint32_t hz);

/* The period a divisor gives, in nanoseconds (rounded to the nearest). */
uint64_t pit_period_ns(uint32_t divisor);

/* The two bytes to write to PIT_PORT_CHANNEL0 after PIT_CMD_CH0_RATE (65536 is 0). */
uint8_t pit_divisor_lo(uint32_t divisor);
uint8_t pit_divisor_hi(uint32_t divisor);
