/* Test helper: an arena store function that "crashes" after a budget of bytes: every byte
 * after the budget is silently not written, as if the process died at that point.  The
 * test then re-attaches the arena memory as the next incarnation would. */
#pragma once
#include <stdint.h>
#include <string.h>
#include "store/core/arena.h"

struct crash {
    uint64_t budget;  /* bytes still written; UINT64_MAX: never crash */
    uint64_t written; /* bytes written so far */
    int crashed;
};

static void crash_store(void *ctx, void *dst, const void *src, uint32_t n)
{
    struct crash *c = ctx;
    uint8_t *d = dst;
    const uint8_t *s = src;
    for (uint32_t i = 0; i < n; i++) {
        if (c->budget == 0) {
            c->crashed = 1;
            return;
        }
        c->budget--;
        c->written++;
        d[i] = s[i];
    }
}

static inline struct crash crash_after(uint64_t budget)
{
    struct crash c = { budget, 0, 0 };
    return c;
}

/* Deterministic pseudo-random numbers for the tests (xorshift64; same sequence every run). */
static uint64_t test_rand_state = 0x9E3779B97F4A7C15ull;

static inline void test_srand(uint64_t seed) { test_rand_state = seed ? seed : 1; }

static inline uint32_t test_rand(void)
{
    uint64_t x = test_rand_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    test_rand_state = x;
    return (uint32_t)(x >> 32);
}

/* Copies a NUL-terminated name into a zeroed fixed buffer of `cap` bytes (cap - 1 chars). */
static inline void test_set_name(char *dst, uint32_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    memset(dst + n, 0, cap - n);
}
