/* Crash-safe arena: transactions, errors, and crashes at every byte position of a
 * transaction, of recovery and of formatting, each followed by a re-attach. */
#include <string.h>
#include "check.h"
#include "crash.h"

#define SIZE 4096u
#define LOG 1024u

static _Alignas(8) uint8_t pre[SIZE], post[SIZE], mem[SIZE];

static void fill(uint8_t *p, uint32_t n, uint8_t seed)
{
    for (uint32_t i = 0; i < n; i++) p[i] = (uint8_t)(seed + i * 7u);
}

/* The transaction under test: three writes, one overlapping an earlier one. */
static int transaction(struct arena *a)
{
    uint8_t x[100], y[37], z[8];
    fill(x, sizeof(x), 1);
    fill(y, sizeof(y), 50);
    fill(z, sizeof(z), 200);
    int err = arena_tx_begin(a);
    if (!err) err = arena_tx_write(a, 0, x, sizeof(x));
    if (!err) err = arena_tx_write(a, 500, y, sizeof(y));
    if (!err) err = arena_tx_write(a, 96, z, sizeof(z));
    if (!err) err = arena_tx_commit(a);
    return err;
}

/* Data region of an arena image after a clean attach. */
static int attach_data(uint8_t *img, const uint8_t **data, uint32_t *n)
{
    static struct arena a;
    int err = arena_attach(&a, img, SIZE, 0, 0);
    *data = arena_data(&a);
    *n = arena_data_size(&a);
    return err;
}

static void test_basics(void)
{
    struct arena a;
    CHECK_EQ(arena_format(&a, mem, 100, 64, 0, 0), ARENA_ERR_BAD_SIZE);
    CHECK_EQ(arena_format(&a, mem + 4, SIZE - 8, LOG, 0, 0), ARENA_ERR_BAD_SIZE);
    CHECK_EQ(arena_format(&a, mem, SIZE, LOG + 4, 0, 0), ARENA_ERR_BAD_SIZE);
    memset(mem, 0xAB, SIZE);
    CHECK_EQ(arena_attach(&a, mem, SIZE, 0, 0), ARENA_ERR_NOT_FORMATTED);
    CHECK_EQ(arena_format(&a, mem, SIZE, LOG, 0, 0), ARENA_OK);
    CHECK_EQ(arena_data_size(&a), SIZE - ARENA_HEADER_SIZE - LOG);
    for (uint32_t i = 0; i < arena_data_size(&a); i++) {
        if (arena_data(&a)[i] != 0) { CHECK(!"format zeroes the data"); break; }
    }
    uint8_t v[16] = { 1, 2, 3 };
    CHECK_EQ(arena_tx_write(&a, 0, v, 3), ARENA_ERR_NO_TX);
    CHECK_EQ(arena_tx_commit(&a), ARENA_ERR_NO_TX);
    CHECK_EQ(arena_tx_begin(&a), ARENA_OK);
    CHECK_EQ(arena_tx_begin(&a), ARENA_ERR_TX_OPEN);
    CHECK_EQ(arena_tx_write(&a, 0, v, 3), ARENA_OK);
    CHECK(arena_data(&a)[0] == 0); /* not visible before commit */
    CHECK_EQ(arena_tx_commit(&a), ARENA_OK);
    CHECK(arena_data(&a)[0] == 1 && arena_data(&a)[2] == 3);
    /* Errors break the transaction; nothing of it is applied. */
    CHECK_EQ(arena_tx_begin(&a), ARENA_OK);
    CHECK_EQ(arena_tx_write(&a, 0, v + 3, 3), ARENA_OK);
    CHECK_EQ(arena_tx_write(&a, arena_data_size(&a) - 2, v, 3), ARENA_ERR_RANGE);
    CHECK_EQ(arena_tx_write(&a, 0, v, 3), ARENA_ERR_BROKEN_TX);
    CHECK_EQ(arena_tx_commit(&a), ARENA_ERR_BROKEN_TX);
    arena_tx_abort(&a);
    CHECK(arena_data(&a)[0] == 1);
    static uint8_t big[LOG];
    CHECK_EQ(arena_tx_begin(&a), ARENA_OK);
    CHECK_EQ(arena_tx_room(&a), LOG);
    CHECK_EQ(arena_tx_write(&a, 0, big, LOG - 8), ARENA_OK);
    CHECK_EQ(arena_tx_write(&a, 0, big, 1), ARENA_ERR_LOG_FULL);
    arena_tx_abort(&a);
    CHECK_EQ(arena_tx_begin(&a), ARENA_OK);
    CHECK_EQ(arena_tx_commit(&a), ARENA_OK); /* empty */
    /* A changed header is refused. */
    memcpy(pre, mem, SIZE);
    mem[20] ^= 1;
    CHECK_EQ(arena_attach(&a, mem, SIZE, 0, 0), ARENA_ERR_CORRUPT);
    memcpy(mem, pre, SIZE);
    mem[8] ^= 1;
    CHECK_EQ(arena_attach(&a, mem, SIZE, 0, 0), ARENA_ERR_VERSION);
    memcpy(mem, pre, SIZE);
    CHECK_EQ(arena_attach(&a, mem, SIZE - 8, 0, 0), ARENA_ERR_BAD_SIZE);
    CHECK_EQ(arena_attach(&a, mem, SIZE, 0, 0), ARENA_OK);
    CHECK(arena_data(&a)[0] == 1);
}

/* Crash after every byte of the transaction: the re-attached data is the state before or
 * after it, switching exactly once, inside the commit word. */
static void test_crash_every_byte(void)
{
    struct arena a;
    CHECK_EQ(arena_format(&a, pre, SIZE, LOG, 0, 0), ARENA_OK);
    uint8_t old[600];
    fill(old, sizeof(old), 99);
    CHECK_EQ(arena_tx_begin(&a), ARENA_OK);
    CHECK_EQ(arena_tx_write(&a, 0, old, sizeof(old)), ARENA_OK);
    CHECK_EQ(arena_tx_commit(&a), ARENA_OK);
    memcpy(post, pre, SIZE);
    struct crash c = crash_after(UINT64_MAX);
    CHECK_EQ(arena_attach(&a, post, SIZE, crash_store, &c), ARENA_OK);
    CHECK_EQ(transaction(&a), ARENA_OK);
    uint64_t total = c.written;
    uint64_t log_bytes = arena_log_cost(100) + arena_log_cost(37) + arena_log_cost(8);
    CHECK(total > log_bytes + 16);
    const uint8_t *pre_data, *post_data, *d;
    uint32_t n, n2;
    CHECK_EQ(attach_data(pre, &pre_data, &n), ARENA_OK);
    CHECK_EQ(attach_data(post, &post_data, &n2), ARENA_OK);
    CHECK(memcmp(pre_data, post_data, n) != 0);
    uint64_t first_post = UINT64_MAX;
    int bad = 0;
    for (uint64_t k = 0; k <= total; k++) {
        memcpy(mem, pre, SIZE);
        c = crash_after(k);
        if (arena_attach(&a, mem, SIZE, crash_store, &c) != ARENA_OK) { bad++; continue; }
        (void)transaction(&a);
        CHECK_EQ(c.crashed, k < total);
        if (attach_data(mem, &d, &n) != ARENA_OK) { bad++; continue; }
        int is_pre = memcmp(d, pre_data, n) == 0, is_post = memcmp(d, post_data, n) == 0;
        if (!is_pre && !is_post) bad++;
        if (is_post && first_post == UINT64_MAX) first_post = k;
        if (first_post != UINT64_MAX && !is_post) bad++;
    }
    CHECK_EQ(bad, 0);
    /* Visible only once the commit word (after log + log_used) is written. */
    CHECK(first_post > log_bytes + 8 && first_post <= log_bytes + 16);
    printf("arena: crashed at each of %llu byte positions; commit visible from byte %llu\n",
           (unsigned long long)total + 1, (unsigned long long)first_post);
}

/* Crash at every byte of recovery (replay after a crash right after the commit word). */
static void test_crash_in_recovery(void)
{
    struct arena a;
    uint64_t log_bytes = arena_log_cost(100) + arena_log_cost(37) + arena_log_cost(8);
    static _Alignas(8) uint8_t committed[SIZE];
    memcpy(committed, pre, SIZE);
    struct crash c = crash_after(log_bytes + 16); /* log, log_used, commit: then die */
    CHECK_EQ(arena_attach(&a, committed, SIZE, crash_store, &c), ARENA_OK);
    (void)transaction(&a);
    CHECK(c.crashed);
    const uint8_t *post_data, *d;
    uint32_t n;
    CHECK_EQ(attach_data(post, &post_data, &n), ARENA_OK);
    memcpy(mem, committed, SIZE);
    c = crash_after(UINT64_MAX);
    CHECK_EQ(arena_attach(&a, mem, SIZE, crash_store, &c), ARENA_OK);
    CHECK(a.replayed);
    uint64_t total = c.written;
    int bad = 0;
    for (uint64_t k = 0; k <= total; k++) {
        memcpy(mem, committed, SIZE);
        c = crash_after(k);
        if (arena_attach(&a, mem, SIZE, crash_store, &c) != ARENA_OK) bad++;
        if (attach_data(mem, &d, &n) != ARENA_OK || memcmp(d, post_data, n) != 0) bad++;
    }
    CHECK_EQ(bad, 0);
}

/* Crash at every byte of formatting over an arena that holds data: attach then sees the
 * old arena (nothing written yet), "not formatted", or the new empty one; never a mix. */
static void test_crash_in_format(void)
{
    struct arena a;
    struct crash c = crash_after(UINT64_MAX);
    memcpy(mem, post, SIZE);
    CHECK_EQ(arena_format(&a, mem, SIZE, LOG, crash_store, &c), ARENA_OK);
    uint64_t total = c.written;
    const uint8_t *post_data, *d;
    uint32_t n;
    CHECK_EQ(attach_data(post, &post_data, &n), ARENA_OK);
    int bad = 0, saw_old = 0, saw_none = 0, saw_new = 0;
    for (uint64_t k = 0; k <= total; k++) {
        memcpy(mem, post, SIZE);
        c = crash_after(k);
        (void)arena_format(&a, mem, SIZE, LOG, crash_store, &c);
        int err = attach_data(mem, &d, &n);
        if (err == ARENA_ERR_NOT_FORMATTED) { saw_none++; continue; }
        if (err != ARENA_OK) { bad++; continue; }
        int zero = 1;
        for (uint32_t i = 0; i < n; i++) zero &= d[i] == 0;
        if (memcmp(d, post_data, n) == 0) saw_old++;
        else if (zero) saw_new++;
        else bad++;
    }
    CHECK_EQ(bad, 0);
    CHECK(saw_old >= 1 && saw_none > 0 && saw_new >= 1);
}

/* Random damage to the header and log: attach never reads out of bounds (ASan) and a
 * successful attach leaves a usable arena. */
static void test_random_damage(void)
{
    test_srand(7);
    struct arena a;
    for (int round = 0; round < 2000; round++) {
        memcpy(mem, pre, SIZE);
        struct crash c = crash_after((uint64_t)(test_rand() % 300));
        if (arena_attach(&a, mem, SIZE, crash_store, &c) == ARENA_OK) (void)transaction(&a);
        int flips = 1 + test_rand() % 4;
        for (int i = 0; i < flips; i++) mem[test_rand() % (ARENA_HEADER_SIZE + LOG)] ^= (uint8_t)(1 + test_rand() % 255);
        if (arena_attach(&a, mem, SIZE, 0, 0) == ARENA_OK) CHECK_EQ(transaction(&a), ARENA_OK);
    }
}

int main(void)
{
    test_basics();
    test_crash_every_byte();
    test_crash_in_recovery();
    test_crash_in_format();
    test_random_damage();
    return check_result("store_arena_crash_test");
}
