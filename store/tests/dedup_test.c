/*
 * Exactly-once timelines.  A tiny service keeps a counter in a crash-safe arena; its one
 * request ADD(x) is not idempotent and replies with the new counter.  Clients retry until
 * they get a reply; the service may die at any byte it writes and is re-attached.
 */
#include <string.h>
#include "check.h"
#include "crash.h"
#include "store/core/dedup.h"

#define SIZE 8192u
#define LOG 1024u
#define DEDUP_OFF 64u
#define CLIENTS 4u

static _Alignas(8) uint8_t mem[SIZE], before[SIZE];

struct service {
    struct arena a;
    struct dedup d;
};

static uint64_t counter(const struct service *s)
{
    uint64_t v;
    memcpy(&v, arena_data(&s->a), 8);
    return v;
}

/* A new incarnation: attach arena and table (recovery happens here). */
static void start(struct service *s, struct crash *c)
{
    CHECK_EQ(arena_attach(&s->a, mem, SIZE, c ? crash_store : 0, c), ARENA_OK);
    CHECK_EQ(dedup_attach(&s->d, &s->a, DEDUP_OFF, dedup_region_size(CLIENTS)), 0);
}

enum { R_REPLY, R_STALE, R_BUSY };

/* ADD(x) from (client, seq); *reply: the counter after it.  `atomic` 0 is the broken
 * variant for the negative test: the state change and the record in two transactions. */
static int add(struct service *s, uint64_t client, uint64_t seq, uint64_t x, uint64_t *reply,
               int atomic)
{
    struct dedup_reply saved;
    switch (dedup_check(&s->d, client, seq, &saved)) {
    case DEDUP_DUPLICATE:
        *reply = saved.mr[0];
        return R_REPLY;
    case DEDUP_STALE:
        return R_STALE;
    case DEDUP_FULL:
        return R_BUSY;
    default:
        break;
    }
    uint64_t v = counter(s) + x;
    struct dedup_reply r = { 0, 1, { v } };
    int err = arena_tx_begin(&s->a);
    if (!err) err = arena_tx_write(&s->a, 0, &v, 8);
    if (!err && !atomic) err = arena_tx_commit(&s->a);
    if (!err && !atomic) err = arena_tx_begin(&s->a);
    if (!err) err = dedup_record(&s->d, client, seq, &r);
    if (!err) err = arena_tx_commit(&s->a);
    CHECK_EQ(err, ARENA_OK);
    *reply = v;
    return R_REPLY;
}

static void fresh(struct service *s)
{
    CHECK_EQ(arena_format(&s->a, mem, SIZE, LOG, 0, 0), ARENA_OK);
    start(s, 0);
}

/* Crash at every byte of ADD, restart, retry: applied exactly once, and the reply the
 * client finally gets is the counter right after its own add.  Between the state change
 * and the record there is no crash point that separates them. */
static void test_crash_anywhere_then_retry(void)
{
    struct service s;
    uint64_t reply;
    fresh(&s);
    CHECK_EQ(add(&s, 1, 1, 10, &reply, 1), R_REPLY);
    memcpy(before, mem, SIZE);
    struct crash c = crash_after(UINT64_MAX);
    start(&s, &c);
    CHECK_EQ(add(&s, 1, 2, 5, &reply, 1), R_REPLY);
    uint64_t total = c.written;
    int bad = 0;
    for (uint64_t k = 0; k < total; k++) {
        memcpy(mem, before, SIZE);
        c = crash_after(k);
        start(&s, &c);
        (void)add(&s, 1, 2, 5, &reply, 1); /* dies at byte k: no reply reaches the client */
        start(&s, 0);
        int applied = counter(&s) == 15, recorded = dedup_last(&s.d, 1) == 2;
        if (applied != recorded || (!applied && counter(&s) != 10)) bad++;
        /* The client retries the same request. */
        if (add(&s, 1, 2, 5, &reply, 1) != R_REPLY || reply != 15 || counter(&s) != 15) bad++;
        if (add(&s, 1, 2, 5, &reply, 1) != R_REPLY || reply != 15 || counter(&s) != 15) bad++;
    }
    CHECK_EQ(bad, 0);
    printf("dedup: crash at each of %llu byte positions of ADD + retry: applied exactly once\n",
           (unsigned long long)total);
}

/* Committed, then the service dies before replying: the retry gets the saved reply. */
static void test_crash_before_reply(void)
{
    struct service s;
    uint64_t reply = 0;
    fresh(&s);
    CHECK_EQ(add(&s, 2, 1, 7, &reply, 1), R_REPLY);  /* reply lost with the crash */
    CHECK_EQ(add(&s, 3, 1, 100, &reply, 1), R_REPLY); /* another client goes on */
    start(&s, 0);                                     /* restart */
    CHECK_EQ(add(&s, 2, 1, 7, &reply, 1), R_REPLY);
    CHECK_EQ(reply, 7);                               /* what it would have got */
    CHECK_EQ(counter(&s), 107);
    /* An old request arriving late is refused, not applied. */
    CHECK_EQ(add(&s, 2, 2, 1, &reply, 1), R_REPLY);
    CHECK_EQ(add(&s, 2, 1, 7, &reply, 1), R_STALE);
    CHECK_EQ(add(&s, 0, 9, 7, &reply, 1), R_STALE); /* client 0, seq 0: never recorded */
    CHECK_EQ(add(&s, 4, 0, 7, &reply, 1), R_STALE);
    CHECK_EQ(counter(&s), 108);
}

/* Table full: refused before anything is applied; forgetting a client frees its record. */
static void test_full_and_forget(void)
{
    struct service s;
    uint64_t reply;
    fresh(&s);
    for (uint64_t cl = 1; cl <= CLIENTS; cl++) CHECK_EQ(add(&s, cl, 1, 1, &reply, 1), R_REPLY);
    CHECK_EQ(add(&s, 99, 1, 1, &reply, 1), R_BUSY);
    CHECK_EQ(counter(&s), CLIENTS);
    CHECK_EQ(add(&s, 2, 5, 1, &reply, 1), R_REPLY); /* known clients go on */
    CHECK_EQ(arena_tx_begin(&s.a), ARENA_OK);
    CHECK_EQ(dedup_forget(&s.d, 3), ARENA_OK);
    CHECK_EQ(arena_tx_commit(&s.a), ARENA_OK);
    CHECK_EQ(dedup_last(&s.d, 3), 0);
    CHECK_EQ(add(&s, 99, 1, 1, &reply, 1), R_REPLY);
    CHECK_EQ(counter(&s), CLIENTS + 2);
    /* A damaged record is found at attach. */
    mem[ARENA_HEADER_SIZE + LOG + DEDUP_OFF + 20] ^= 4;
    struct arena a;
    struct dedup d;
    CHECK_EQ(arena_attach(&a, mem, SIZE, 0, 0), ARENA_OK);
    CHECK_EQ(dedup_attach(&d, &a, DEDUP_OFF, dedup_region_size(CLIENTS)), -1);
}

/* Negative control: with the change and the record in separate transactions, a crash
 * between them makes the retry apply the add twice.  (Shows the tests above can fail.) */
static void test_split_transactions_apply_twice(void)
{
    struct service s;
    uint64_t reply;
    fresh(&s);
    memcpy(before, mem, SIZE);
    struct crash c = crash_after(UINT64_MAX);
    start(&s, &c);
    CHECK_EQ(add(&s, 1, 1, 5, &reply, 0), R_REPLY);
    uint64_t total = c.written;
    int doubled = 0;
    for (uint64_t k = 0; k < total; k++) {
        memcpy(mem, before, SIZE);
        c = crash_after(k);
        start(&s, &c);
        (void)add(&s, 1, 1, 5, &reply, 0);
        start(&s, 0);
        (void)add(&s, 1, 1, 5, &reply, 0);
        doubled += counter(&s) == 10;
    }
    CHECK(doubled > 0);
}

int main(void)
{
    test_crash_anywhere_then_retry();
    test_crash_before_reply();
    test_full_and_forget();
    test_split_transactions_apply_twice();
    return check_result("store_dedup_test");
}
