/* Minimal assertion helpers for the sim host tests. */
#pragma once
#include <stdio.h>
#include <stdlib.h>

static int check_failures;

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            check_failures++;                                                       \
        }                                                                           \
    } while (0)

#define CHECK_EQ(a, b)                                                              \
    do {                                                                            \
        unsigned long long check_a_ = (unsigned long long)(a);                      \
        unsigned long long check_b_ = (unsigned long long)(b);                      \
        if (check_a_ != check_b_) {                                                 \
            fprintf(stderr, "%s:%d: CHECK_EQ failed: %s = %#llx, %s = %#llx\n",     \
                    __FILE__, __LINE__, #a, check_a_, #b, check_b_);                \
            check_failures++;                                                       \
        }                                                                           \
    } while (0)

static inline int check_report(const char *name)
{
    if (check_failures != 0) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, check_failures);
        return 1;
    }
    printf("%s: all checks passed\n", name);
    return 0;
}
