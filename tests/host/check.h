/* Minimal assertions for the host unit tests: CHECK counts failures and reports them;
 * main returns check_result(). */
#pragma once
#include <stdio.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        check_count++;                                                               \
        if (!(cond)) {                                                               \
            check_failures++;                                                        \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

#define CHECK_EQ(a, b)                                                               \
    do {                                                                             \
        unsigned long long check_a_ = (unsigned long long)(a);                       \
        unsigned long long check_b_ = (unsigned long long)(b);                       \
        check_count++;                                                               \
        if (check_a_ != check_b_) {                                                  \
            check_failures++;                                                        \
            fprintf(stderr, "%s:%d: CHECK_EQ failed: %s = %#llx, %s = %#llx\n",      \
                    __FILE__, __LINE__, #a, check_a_, #b, check_b_);                 \
        }                                                                            \
    } while (0)

static inline int check_result(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
    return check_failures == 0 ? 0 : 1;
}
