/*
 * The time-stamp counter, for timings a program prints.  In sel4-sim rdtsc reads the
 * virtual time in instructions (SIM_INSNS_PER_SECOND per second: deterministic); on the
 * real kernel it reads the CPU's TSC (cycles, different in every run).
 */
#pragma once
#include <stdint.h>

static inline uint64_t runtime_tsc(void)
{
    uint32_t lo = 0, hi = 0;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}
