/* The first-fit heap (runtime/heap_core.h): alignment, contents, coalescing, exhaustion,
 * realloc, and a long pseudo-random run with the invariants checked after every step. */
#include "check.h"
#include <runtime/heap_core.h>
#include <stdint.h>
#include <string.h>

static _Alignas(16) unsigned char region[64 * 1024];

static void basics(void)
{
    heap_t h;
    CHECK(!heap_init(&h, region, 8));
    CHECK(heap_alloc(&h, 1) == NULL);
    CHECK(heap_init(&h, region + 3, sizeof(region) - 3)); /* unaligned start is fine */
    size_t all = heap_free_bytes(&h);
    unsigned char *a = heap_alloc(&h, 1);
    unsigned char *b = heap_alloc(&h, 100);
    unsigned char *c = heap_alloc(&h, 1000);
    CHECK(a && b && c);
    CHECK(((uintptr_t)a | (uintptr_t)b | (uintptr_t)c) % 16 == 0);
    memset(a, 0xaa, 1);
    memset(b, 0xbb, 100);
    memset(c, 0xcc, 1000);
    heap_free(&h, b);
    CHECK(heap_check(&h));
    CHECK(a[0] == 0xaa && c[999] == 0xcc);
    heap_free(&h, a);
    heap_free(&h, c);
    heap_free(&h, NULL);
    CHECK(heap_check(&h));
    CHECK_EQ(heap_free_bytes(&h), all);
    /* Everything merged back: one block of the whole region can be had again. */
    CHECK(heap_alloc(&h, all - 16) != NULL);
    CHECK(heap_alloc(&h, 1) == NULL);
    CHECK(heap_alloc(&h, SIZE_MAX) == NULL);
}

static void realloc_keeps_contents(void)
{
    heap_t h;
    heap_init(&h, region, sizeof(region));
    unsigned char *p = heap_realloc(&h, NULL, 10);
    for (int i = 0; i < 10; i++) p[i] = (unsigned char)i;
    unsigned char *blocker = heap_alloc(&h, 10);
    unsigned char *q = heap_realloc(&h, p, 5000);
    CHECK(q != NULL && q != p);
    for (int i = 0; q != NULL && i < 10; i++) CHECK_EQ(q[i], i);
    CHECK(heap_realloc(&h, q, 4) == q); /* shrinking keeps the block */
    CHECK(heap_realloc(&h, q, 0) == NULL);
    heap_free(&h, blocker);
    CHECK(heap_check(&h));
    CHECK_EQ(heap_free_bytes(&h), sizeof(region));
}

static uint32_t rng = 12345;
static uint32_t next_rand(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

static void random_run(void)
{
    heap_t h;
    heap_init(&h, region, sizeof(region));
    enum { SLOTS = 64 };
    unsigned char *ptr[SLOTS] = { 0 };
    size_t len[SLOTS] = { 0 };
    bool ok = true;
    for (int step = 0; step < 20000; step++) {
        unsigned i = next_rand() % SLOTS;
        if (ptr[i] == NULL) {
            len[i] = next_rand() % 2000;
            ptr[i] = heap_alloc(&h, len[i]);
            if (ptr[i] != NULL) memset(ptr[i], (int)i, len[i]);
        } else {
            for (size_t k = 0; k < len[i]; k++) ok = ok && ptr[i][k] == (unsigned char)i;
            heap_free(&h, ptr[i]);
            ptr[i] = NULL;
        }
        ok = ok && heap_check(&h);
    }
    CHECK(ok);
    for (unsigned i = 0; i < SLOTS; i++) heap_free(&h, ptr[i]);
    CHECK(heap_check(&h));
    CHECK_EQ(heap_free_bytes(&h), sizeof(region));
}

/* heap_init_zero: every byte past the dirty prefix of a new block is zero, whatever
 * was written into and freed from the blocks before. */
static void dirty_prefix(void)
{
    heap_t h;
    memset(region, 0, sizeof(region));
    CHECK(heap_init_zero(&h, region, sizeof(region)));
    enum { SLOTS = 32 };
    unsigned char *ptr[SLOTS] = { 0 };
    bool ok = true;
    size_t fresh = 0;
    for (int step = 0; step < 20000; step++) {
        unsigned i = next_rand() % SLOTS;
        if (ptr[i] == NULL) {
            size_t n = next_rand() % 3000;
            size_t d = n + 1;
            ptr[i] = heap_alloc_dirty(&h, n, &d);
            if (ptr[i] == NULL) continue;
            ok = ok && d <= n;
            fresh += n - d;
            for (size_t k = d; k < n; k++) ok = ok && ptr[i][k] == 0;
            memset(ptr[i], 0xAB, n);
        } else {
            heap_free(&h, ptr[i]);
            ptr[i] = NULL;
        }
    }
    CHECK(ok);
    CHECK(fresh > 0); /* some blocks came from never-used memory */
    heap_t plain;
    CHECK(heap_init(&plain, region, sizeof(region)));
    size_t d = 0;
    CHECK(heap_alloc_dirty(&plain, 100, &d) != NULL);
    CHECK_EQ(d, 100); /* heap_init: nothing known */
}

int main(void)
{
    dirty_prefix();
    basics();
    realloc_keeps_contents();
    random_run();
    return check_result("heap_test");
}
