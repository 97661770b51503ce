/* Test helper: an arena store function that "crashes" after a budget of bytes: every byte
 * after the budget is silently not written, as if the process died at that point.  The
 * test then re-attaches the arena memory as the next incarnation would. */
#pragma once
#include <stdint.h>
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
