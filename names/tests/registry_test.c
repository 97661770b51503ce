/* Name registry core: authority, generations, cap plans, lookups, listing, limits. */
#include <string.h>
#include "check.h"
#include "names/core/registry.h"
#include "names/protocol/errors.h"

#define RS NAMES_RS_BADGE
#define SLOTS 100u
#define WSLOTS 200u

static struct names_request req(uint32_t op, const char *name, uint64_t gen, uint32_t ncaps)
{
    struct names_request r = { 0 };
    r.op = op;
    r.ncaps = ncaps;
    r.generation = gen;
    if (name) memcpy(r.name.s, name, strnlen(name, NAME_MAX_LEN));
    return r;
}

/* check + apply, as the server does when every cap operation succeeds. */
static int run(struct names_registry *r, uint64_t badge, struct names_request q, struct names_plan *p)
{
    struct names_registry before = *r;
    int err = names_check(r, badge, &q, p);
    CHECK(memcmp(&before, r, sizeof(before)) == 0); /* check never changes the table */
    if (err == NAMES_OK) names_apply(r, p);
    return err;
}

static void test_bind_and_lookup(void)
{
    struct names_registry r;
    struct names_plan p;
    names_init(&r, SLOTS, WSLOTS);
    /* A new name needs the endpoint cap. */
    CHECK_EQ(run(&r, RS, req(NAMES_OP_BIND, "kv", 1, 0), &p), NAMES_ERR_BAD_CAP);
    CHECK_EQ(run(&r, RS, req(NAMES_OP_BIND, "kv", 1, 1), &p), NAMES_OK);
    CHECK_EQ(p.move_cap, 1);
    CHECK_EQ(p.delete_old, 0);
    CHECK_EQ(p.slot, SLOTS + p.index);
    uint64_t kv_slot = p.slot;
    /* Only the RS's badge binds, whatever the message says. */
    CHECK_EQ(run(&r, 5, req(NAMES_OP_BIND, "evil", 1, 1), &p), NAMES_ERR_DENIED);
    CHECK_EQ(run(&r, RS | 5, req(NAMES_OP_BIND, "evil", 1, 1), &p), NAMES_ERR_DENIED);
    CHECK_EQ(run(&r, 5, req(NAMES_OP_UNBIND, "kv", 0, 0), &p), NAMES_ERR_DENIED);
    struct names_request evil = req(0, "evil", 0, 0);
    CHECK_EQ(names_find(&r, &evil.name), -1);
    /* Lookup: cap minted from the entry's slot with the caller's client id. */
    CHECK_EQ(run(&r, 7, req(NAMES_OP_LOOKUP, "kv", 0, 0), &p), NAMES_OK);
    CHECK_EQ(p.mint, 1);
    CHECK_EQ(p.mint_badge, 7);
    CHECK_EQ(p.slot, kv_slot);
    CHECK_EQ(p.mrs, 1);
    CHECK_EQ(p.mr[0], 1);
    CHECK_EQ(run(&r, 9, req(NAMES_OP_LOOKUP, "kv", 0, 0), &p), NAMES_OK);
    CHECK_EQ(p.mint_badge, 9);
    /* Badge 0 (or the RS's, which names no client) would mint an unbadged cap: refused. */
    CHECK_EQ(run(&r, 0, req(NAMES_OP_LOOKUP, "kv", 0, 0), &p), NAMES_ERR_DENIED);
    CHECK_EQ(run(&r, RS, req(NAMES_OP_LOOKUP, "kv", 0, 0), &p), NAMES_ERR_DENIED);
    CHECK_EQ(run(&r, 1ull << 63 | 3, req(NAMES_OP_LOOKUP, "kv", 0, 0), &p), NAMES_ERR_DENIED);
    CHECK_EQ(run(&r, 7, req(NAMES_OP_LOOKUP, "nope", 0, 0), &p), NAMES_ERR_UNKNOWN_NAME);
}

static void test_generations(void)
{
    struct names_registry r;
    struct names_plan p;
    names_init(&r, SLOTS, WSLOTS);
    CHECK_EQ(run(&r, RS, req(NAMES_OP_BIND, "store", 1, 1), &p), NAMES_OK);
    /* Restart: same endpoint (it survives restarts), newer generation, no cap. */
    CHECK_EQ(run(&r, RS, req(NAMES_OP_BIND, "store", 2, 0), &p), NAMES_OK);
    CHECK_EQ(p.move_cap, 0);
    CHECK_EQ(p.delete_old, 0);
    /* A stale or repeated generation is refused (an old RS cannot roll back). */
    CHECK_EQ(run(&r, RS, req(NAMES_OP_BIND, "store", 2, 0), &p), NAMES_ERR_STALE);
    CHECK_EQ(run(&r, RS, req(NAMES_OP_BIND, "store", 1, 1), &p), NAMES_ERR_STALE);
    /* New endpoint: the old cap is deleted first. */
    CHECK_EQ(run(&r, RS, req(NAMES_OP_BIND, "store", 3, 1), &p), NAMES_OK);
    CHECK_EQ(p.delete_old, 1);
    CHECK_EQ(p.move_cap, 1);
    /* LOOKUP_IF_NEWER / CHECK with a client's known generation. */
    CHECK_EQ(run(&r, 4, req(NAMES_OP_LOOKUP_IF_NEWER, "store", 3, 0), &p), NAMES_ERR_NOT_NEWER);
    CHECK_EQ(run(&r, 4, req(NAMES_OP_LOOKUP_IF_NEWER, "store", 4, 0), &p), NAMES_ERR_STALE);
    CHECK_EQ(run(&r, 4, req(NAMES_OP_LOOKUP_IF_NEWER, "store", 1, 0), &p), NAMES_OK);
    CHECK_EQ(p.mr[0], 3);
    CHECK_EQ(p.mint, 1);
    CHECK_EQ(run(&r, 4, req(NAMES_OP_CHECK, "store", 3, 0), &p), NAMES_OK);
    CHECK_EQ(run(&r, 4, req(NAMES_OP_CHECK, "store", 2, 0), &p), NAMES_ERR_STALE);
    /* Unbind: lookups fail, the cap is deleted, the generation is remembered. */
    CHECK_EQ(run(&r, RS, req(NAMES_OP_UNBIND, "store", 0, 0), &p), NAMES_OK);
    CHECK_EQ(p.delete_old, 1);
    CHECK_EQ(run(&r, 4, req(NAMES_OP_LOOKUP, "store", 0, 0), &p), NAMES_ERR_UNBOUND);
    CHECK_EQ(run(&r, 4, req(NAMES_OP_CHECK, "store", 3, 0), &p), NAMES_ERR_UNBOUND);
    CHECK_EQ(run(&r, RS, req(NAMES_OP_UNBIND, "store", 0, 0), &p), NAMES_ERR_UNBOUND);
    CHECK_EQ(run(&r, RS, req(NAMES_OP_BIND, "store", 4, 0), &p), NAMES_ERR_BAD_CAP); /* cap gone */
    CHECK_EQ(run(&r, RS, req(NAMES_OP_BIND, "store", 3, 1), &p), NAMES_ERR_STALE);
    CHECK_EQ(run(&r, RS, req(NAMES_OP_BIND, "store", 4, 1), &p), NAMES_OK);
    CHECK_EQ(p.delete_old, 0);
    CHECK_EQ(run(&r, 4, req(NAMES_OP_LOOKUP, "store", 0, 0), &p), NAMES_OK);
    CHECK_EQ(p.mr[0], 4);
}

static void test_cap_lost(void)
{
    struct names_registry r;
    struct names_plan p;
    names_init(&r, SLOTS, WSLOTS);
    CHECK_EQ(run(&r, RS, req(NAMES_OP_BIND, "timer", 1, 1), &p), NAMES_OK);
    struct names_request q = req(NAMES_OP_BIND, "timer", 2, 1);
    CHECK_EQ(names_check(&r, RS, &q, &p), NAMES_OK);
    names_cap_lost(&r, &p); /* delete succeeded, move failed */
    CHECK_EQ(run(&r, 3, req(NAMES_OP_LOOKUP, "timer", 0, 0), &p), NAMES_ERR_UNBOUND);
    CHECK_EQ(run(&r, RS, req(NAMES_OP_BIND, "timer", 2, 0), &p), NAMES_ERR_BAD_CAP);
}

static void test_list_and_full(void)
{
    struct names_registry r;
    struct names_plan p;
    names_init(&r, SLOTS, WSLOTS);
    char name[16];
    for (uint32_t i = 0; i < NAMES_MAX_ENTRIES; i++) {
        name[0] = 's';
        name[1] = (char)('a' + i / 10);
        name[2] = (char)('0' + i % 10);
        name[3] = '\0';
        CHECK_EQ(run(&r, RS, req(NAMES_OP_BIND, name, i + 1, 1), &p), NAMES_OK);
        CHECK_EQ(p.slot, SLOTS + i);
    }
    CHECK_EQ(run(&r, RS, req(NAMES_OP_BIND, "one-more", 1, 1), &p), NAMES_ERR_FULL);
    CHECK_EQ(run(&r, RS, req(NAMES_OP_UNBIND, "sa5", 0, 0), &p), NAMES_OK);
    /* An unbound name keeps its entry (and generation): still full. */
    CHECK_EQ(run(&r, RS, req(NAMES_OP_BIND, "one-more", 1, 1), &p), NAMES_ERR_FULL);
    struct names_request l = req(NAMES_OP_LIST, 0, 0, 0);
    l.index = 5;
    CHECK_EQ(run(&r, 2, l, &p), NAMES_OK);
    struct names_list_result lr;
    CHECK_EQ(names_decode_list(p.mr, p.mrs, &lr), NAMES_OK);
    CHECK(strcmp(lr.name.s, "sa5") == 0);
    CHECK_EQ(lr.state, NAMES_STATE_UNBOUND);
    CHECK_EQ(lr.generation, 6);
    l.index = NAMES_MAX_ENTRIES;
    CHECK_EQ(run(&r, 2, l, &p), NAMES_ERR_NO_ENTRY);
}

static void test_wait_bound(void)
{
    struct names_registry r;
    struct names_plan p, bind;
    struct names_release rel[NAMES_MAX_WAITERS];
    names_init(&r, SLOTS, WSLOTS);
    /* Two clients wait for a service that is not there yet. */
    CHECK_EQ(run(&r, 3, req(NAMES_OP_WAIT_BOUND, "late", 0, 0), &p), NAMES_OK);
    CHECK_EQ(p.park, 1);
    CHECK_EQ(p.mint, 0);
    CHECK_EQ(p.waiter_slot, WSLOTS + 0);
    CHECK_EQ(run(&r, 4, req(NAMES_OP_WAIT_BOUND, "late", 0, 0), &p), NAMES_OK);
    CHECK_EQ(p.waiter_slot, WSLOTS + 1);
    CHECK_EQ(run(&r, 5, req(NAMES_OP_WAIT_BOUND, "other", 0, 0), &p), NAMES_OK);
    CHECK_EQ(run(&r, 0, req(NAMES_OP_WAIT_BOUND, "late", 0, 0), &p), NAMES_ERR_DENIED);
    /* Binding "late" releases exactly its two waiters, with their own badges. */
    CHECK_EQ(run(&r, RS, req(NAMES_OP_BIND, "late", 1, 1), &bind), NAMES_OK);
    CHECK_EQ(names_release_waiters(&r, &bind, rel, NAMES_MAX_WAITERS), 2);
    CHECK_EQ(rel[0].waiter_slot, WSLOTS + 0);
    CHECK_EQ(rel[0].mint_badge, 3);
    CHECK_EQ(rel[1].mint_badge, 4);
    CHECK_EQ(rel[1].slot, bind.slot);
    CHECK_EQ(rel[1].generation, 1);
    CHECK_EQ(names_release_waiters(&r, &bind, rel, NAMES_MAX_WAITERS), 0);
    /* Bound: WAIT_BOUND answers at once, like LOOKUP. */
    CHECK_EQ(run(&r, 6, req(NAMES_OP_WAIT_BOUND, "late", 0, 0), &p), NAMES_OK);
    CHECK_EQ(p.park, 0);
    CHECK_EQ(p.mint, 1);
    CHECK_EQ(p.mint_badge, 6);
    /* A rebind without a new endpoint also releases waiters (unbound -> bound needs a cap). */
    CHECK_EQ(run(&r, RS, req(NAMES_OP_UNBIND, "late", 0, 0), &p), NAMES_OK);
    CHECK_EQ(run(&r, 7, req(NAMES_OP_WAIT_BOUND, "late", 0, 0), &p), NAMES_OK);
    CHECK_EQ(p.park, 1);
    CHECK_EQ(p.waiter_slot, WSLOTS + 0); /* freed slots are reused */
    CHECK_EQ(run(&r, RS, req(NAMES_OP_BIND, "late", 2, 1), &bind), NAMES_OK);
    CHECK_EQ(names_release_waiters(&r, &bind, rel, 1), 1);
    CHECK_EQ(rel[0].mint_badge, 7);
    CHECK_EQ(rel[0].generation, 2);
    /* The waiter table is bounded. */
    uint32_t parked = 1; /* "other" */
    while (run(&r, 8, req(NAMES_OP_WAIT_BOUND, "never", 0, 0), &p) == NAMES_OK) parked++;
    CHECK_EQ(parked, NAMES_MAX_WAITERS);
    CHECK_EQ(run(&r, 8, req(NAMES_OP_WAIT_BOUND, "never", 0, 0), &p), NAMES_ERR_FULL);
}

int main(void)
{
    test_bind_and_lookup();
    test_generations();
    test_cap_lost();
    test_list_and_full();
    test_wait_bound();
    return check_result("names_registry_test");
}
