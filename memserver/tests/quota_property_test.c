/*
 * Property test of quota arithmetic: random request sequences from three clients, with
 * limits set at random (often below what a client already uses).  After every request
 * that succeeded, used <= limit holds for every client whose use grew; a refused request changes
 * nothing (kernel calls, free memory and slots, metadata, every client's use, stats).
 */
#include "harness.h"
#include "memserver/core/core.h"

#define BASE 0x0000200000000000ull
#define NCLIENT 3u
#define ROUNDS 4000u
#define MiB (1ull << 20)

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static uint32_t rn(uint32_t n) { return (uint32_t)(rnd() % n); }

struct snap {
    struct h_snap h;
    struct ms_quota q[NCLIENT];
    struct ms_stats st;
};

static struct snap take(struct harness *h, struct ms_client **c)
{
    struct snap s;
    memset(&s, 0, sizeof(s));
    s.h = h_snap(h, 0);
    for (unsigned i = 0; i < NCLIENT; i++) s.q[i] = c[i]->quota;
    s.st = h->s.stats;
    return s;
}

static int same(const struct snap *a, const struct snap *b)
{
    return h_snap_eq(a->h, b->h) && memcmp(a->q, b->q, sizeof(a->q)) == 0 &&
           memcmp(&a->st, &b->st, sizeof(a->st)) == 0;
}

/* No charge took a client above its limit: use is within the limit, or did not grow
 * (a limit lowered below use by QUOTA_SET stays exceeded until memory is freed). */
static int within_limits(struct ms_client **c, const struct snap *before)
{
    for (unsigned i = 0; i < NCLIENT; i++) {
        const struct ms_quota *q = &c[i]->quota, *b = &before->q[i];
        if (q->pages_used > q->pages_limit && q->pages_used > b->pages_used) return 0;
        if (q->slots_used > q->slots_limit && q->slots_used > b->slots_used) return 0;
    }
    return 1;
}

/* One random request of client ci; returns its result (faults: 0). */
static int one_request(struct harness *h, struct ms_client *c, uint32_t *as, const uint32_t *obj)
{
    uint64_t va = BASE + (uint64_t)rn(2048) * 4096, out, size = (uint64_t)(1 + rn(600)) * 4096;
    uint32_t rights = (uint32_t[]){ MS_R, MS_RW, MS_RX }[rn(3)];
    switch (rn(10)) {
    case 0:
        return *as ? MS_OK : ms_as_create(&h->s, c, 0, as);
    case 1: {
        uint32_t flags = MS_MAP_FIXED | (rn(2) ? MS_MAP_POPULATE : 0) | (rn(4) ? 0 : MS_MAP_GUARD);
        if (rn(3) == 0) size = 2 * MiB + (uint64_t)rn(3) * 2 * MiB, va &= ~(2 * MiB - 1);
        struct ms_req_map m = { *as, rn(4) ? 0 : *obj, rights, flags, va, size, 0 };
        if (m.obj) m.size = (uint64_t)(1 + rn(16)) * 4096;
        return ms_map(&h->s, c, &m, &out);
    }
    case 2: return ms_unmap(&h->s, c, *as, va, size);
    case 3: return ms_protect(&h->s, c, *as, va, size, rights);
    case 4: {
        struct ms_req_clone cl = { *as, *as, MS_CLONE_FIXED, va, size, BASE + 64 * MiB + va - BASE };
        return ms_clone(&h->s, c, &cl, &out);
    }
    case 5: {
        uint64_t words[4] = { rnd(), rnd(), rnd(), rnd() };
        struct ms_req_obj_write w = { *obj, 1 + rn(32), (uint64_t)rn(16 * 4096), words };
        return ms_obj_write(&h->s, c, &w);
    }
    case 6:
        return ms_page_cap(&h->s, c, *as, va, 10);
    case 7: {
        uint64_t v = rnd();
        (void)h_access(h, *as, va, (int)rn(2), &v);
        return -1; /* a fault, not a request */
    }
    case 8: {
        struct ms_req_obj_create oc = { MS_OBJ_ANON, 0, 16 * 4096, 0 };
        uint32_t o2;
        int err = ms_obj_create(&h->s, c, &oc, &o2);
        if (!err) CHECK_ERR(ms_obj_close(&h->s, c, o2), MS_OK);
        return err;
    }
    default: {
        uint32_t f;
        int err = ms_as_fork(&h->s, c, *as, 0, &f);
        if (!err) CHECK_ERR(ms_as_destroy(&h->s, c, f), MS_OK);
        return err;
    }
    }
}

int main(void)
{
    static struct harness h;
    h_init(&h, 26, 64);
    struct ms_client *c[NCLIENT];
    uint32_t as[NCLIENT] = { 0 }, obj[NCLIENT] = { 0 };
    for (unsigned i = 0; i < NCLIENT; i++) {
        c[i] = ms_client_get(&h.s, i + 1, 1);
        ms_client_set_quota(&h.s, i + 1, 4000, 4000);
        struct ms_req_obj_create oc = { MS_OBJ_ANON, 0, 16 * 4096, 0 };
        CHECK_ERR(ms_as_create(&h.s, c[i], 0, &as[i]), MS_OK);
        CHECK_ERR(ms_obj_create(&h.s, c[i], &oc, &obj[i]), MS_OK);
    }
    unsigned ok = 0, refused = 0, quota = 0;
    for (unsigned round = 0; round < ROUNDS && !h_failures; round++) {
        unsigned ci = rn(NCLIENT);
        if (rn(8) == 0) { /* a new limit: often below what the client uses now */
            uint64_t used = c[ci]->quota.pages_used, sused = c[ci]->quota.slots_used;
            uint64_t pages = rn(2) ? (used ? rnd() % used : 0) : used + rn(2000);
            uint64_t slots = rn(2) ? (sused ? rnd() % sused : 0) : sused + rn(2000);
            ms_client_set_quota(&h.s, ci + 1, pages, slots);
            continue;
        }
        struct snap before = take(&h, c);
        int err = one_request(&h, c[ci], &as[ci], &obj[ci]);
        if (err == MS_OK) ok++;
        if (err > 0) {
            refused++;
            quota += err == MS_ERR_QUOTA;
            struct snap after = take(&h, c);
            if (!same(&before, &after)) {
                fprintf(stderr, "round %u: refused request (%s) changed state\n", round, ms_err_name(err));
                h_failures++;
            }
        }
        if (err <= 0 && !within_limits(c, &before)) {
            fprintf(stderr, "round %u: used > limit after a successful request\n", round);
            h_failures++;
        }
        CHECK_EQ(h.fk.violations, 0);
    }
    printf("quota property: %u requests succeeded, %u refused (%u by quota)\n", ok, refused, quota);
    CHECK(quota > 100);
    for (unsigned i = 0; i < NCLIENT; i++) ms_client_destroy(&h.s, i + 1);
    h_check_all_free(&h);
    ms_fini(&h.s);
    fk_fini(&h.fk);
    printf("memserver_quota_property_test: %s\n", h_failures ? "FAILED" : "all passed");
    return h_failures != 0;
}
