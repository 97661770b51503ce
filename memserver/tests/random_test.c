/*
 * Randomized property test of the core: random sequences of requests and memory
 * accesses against a simple model of what every page of every address space should
 * contain.  Checked after every step: results equal the model's, the fake kernel saw
 * no rule violation, refused requests changed nothing (also under injected metadata
 * allocation failures).  At the end, destroying everything must give back exactly the
 * free memory and slots the server started with.
 */
#include "harness.h"
#include "memserver/core/core.h"

#define NP 1024u        /* pages in the universe [BASE, BASE + NP pages) */
#define OBJP 64u
#define NAS 4
#define NOBJ 3
#define BASE 0x0000200000000000ull
#define PG(i) (BASE + (uint64_t)(i) * 4096u)

struct mpage { uint8_t state, rights; int8_t obj; uint32_t objpage; uint64_t val; };
struct mas { uint32_t handle; int live; struct mpage p[NP]; };
struct mobj { uint32_t handle; int open; uint64_t val[OBJP]; };

static struct mas mas[NAS];
static struct mobj mobj[NOBJ];
static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static uint32_t rn(uint32_t n) { return (uint32_t)(rnd() % n); }

static const uint32_t rights_choice[3] = { MS_R, MS_RW, MS_RX };

static int any_state(const struct mas *a, int64_t from, int64_t to)
{
    for (int64_t i = from; i < to; i++)
        if (i >= 0 && i < (int64_t)NP && a->p[i].state) return 1;
    return 0;
}

static int step_ok;
static long op_count[12], op_ok[12];
#define EXPECT_ERR(got, want) do { int _g = (got), _w = (want); if (_g != _w) { fprintf(stderr, "step %d line %d: got %s want %s\n", step, __LINE__, ms_err_name(_g), ms_err_name(_w)); h_failures++; step_ok = 0; } } while (0)

/* The server's regions agree with the model, page by page. */
static int consistent(struct harness *h, int step, int op)
{
    for (int ai = 0; ai < NAS; ai++) {
        if (!mas[ai].live) continue;
        struct ms_as *as;
        if (ms_as_lookup(&h->s, 0, mas[ai].handle, &as)) return 0;
        for (uint32_t i = 0; i < NP; i++) {
            struct ms_region *r = ms_regions_at(as, PG(i));
            int st = !r ? 0 : r->kind == MS_REG_GUARD ? 2 : 1;
            if (st != mas[ai].p[i].state || (st == 1 && r->rights != mas[ai].p[i].rights)) {
                fprintf(stderr, "step %d op %d: as%d page %u: server state %d, model %d\n", step, op, ai, i, st,
                        mas[ai].p[i].state);
                return 0;
            }
        }
    }
    return 1;
}

static void run(uint64_t seed, int steps)
{
    struct harness h;
    h_init(&h, 24, 64);
    rng_state = seed * 2654435761u + 1;
    memset(mas, 0, sizeof(mas));
    memset(mobj, 0, sizeof(mobj));
    struct ms_client *c = ms_client_get(&h.s, 7, 1), *other = ms_client_get(&h.s, 8, 1);
    uint32_t other_as;
    ms_client_set_quota(&h.s, 7, 1u << 20, 1u << 20);
    if (ms_as_create(&h.s, other, 0, &other_as)) h_failures++;
    for (int i = 0; i < NOBJ; i++) {
        struct ms_req_obj_create oc = { MS_OBJ_ANON, 0, OBJP * 4096, 0 };
        if (ms_obj_create(&h.s, c, &oc, &mobj[i].handle)) h_failures++;
        mobj[i].open = 1;
    }
    for (int step = 0; step < steps && h_failures == 0; step++) {
        step_ok = 1;
        int ai = (int)rn(NAS);
        struct mas *a = &mas[ai];
        if (!a->live) {
            if (ms_as_create(&h.s, c, 0, &a->handle)) { h_failures++; break; }
            memset(a->p, 0, sizeof(a->p));
            a->live = 1;
        }
        uint32_t s = rn(NP), len = 1 + rn(rn(4) ? 16 : 200);
        if (s + len > NP) len = NP - s;
        int inject = rn(10) == 0;
        struct h_snap before = h_snap(&h, c);
        if (inject) h.heap_fail_in = 1 + rn(6);
        int err = 0, expect = 0, op = (int)rn(12);
        op_count[op]++;
        uint64_t va;
        switch (op) {
        case 0:
        case 1: { /* map private or shared */
            int shared = op == 1;
            uint32_t flags = MS_MAP_FIXED | (rn(3) == 0 ? MS_MAP_POPULATE : 0) | (rn(4) == 0 ? MS_MAP_GUARD : 0);
            uint32_t rights = rights_choice[rn(3)], oi = rn(NOBJ), off = 0;
            if (shared) {
                if (len > OBJP) len = 1 + rn(OBJP);
                off = rn(OBJP - len + 1);
                if (!mobj[oi].open) shared = 0;
            }
            if (!shared && rn(8) == 0) s = rn(2) * 512;
            if (!shared && rn(2) && s % 512 == 0 && s + 512 <= NP) len = 512 + (rn(2) ? 0 : rn(300)); /* 2 MiB frames */
            if (s + len > NP) len = NP - s;
            if (s == 0 || s + len >= NP) flags &= ~(uint32_t)MS_MAP_GUARD; /* guards stay inside the model */
            int g = (flags & MS_MAP_GUARD) ? 1 : 0;
            expect = any_state(a, (int64_t)s - g, (int64_t)s + len + g) ? MS_ERR_OVERLAP : MS_OK;
            struct ms_req_map m = { a->handle, shared ? mobj[oi].handle : 0, rights, flags, PG(s), len * 4096ull, off * 4096ull };
            err = ms_map(&h.s, c, &m, &va);
            if (err == MS_OK && expect == MS_OK) {
                for (uint32_t i = 0; i < len; i++) {
                    struct mpage np = { 1, (uint8_t)rights, (int8_t)(shared ? (int)oi : -1), off + i, 0 };
                    a->p[s + i] = np;
                }
                if (g && s > 0) a->p[s - 1].state = 2;
                if (g && s + len < NP) a->p[s + len].state = 2;
            }
            break;
        }
        case 2: /* unmap */
            expect = MS_OK;
            err = ms_unmap(&h.s, c, a->handle, PG(s), len * 4096ull);
            if (err == MS_OK)
                for (uint32_t i = s; i < s + len; i++) a->p[i].state = 0;
            break;
        case 3: { /* protect */
            uint32_t rights = rights_choice[rn(3)];
            expect = MS_OK;
            for (uint32_t i = s; i < s + len; i++)
                if (a->p[i].state != 1) expect = MS_ERR_NOT_MAPPED;
            err = ms_protect(&h.s, c, a->handle, PG(s), len * 4096ull, rights);
            if (err == MS_OK)
                for (uint32_t i = s; i < s + len; i++) a->p[i].rights = (uint8_t)rights;
            break;
        }
        case 4:
        case 5:
        case 6: { /* write then read back, or read */
            uint32_t i = rn(NP);
            if (rn(4))
                for (uint32_t k = 0; k < NP && a->p[i].state != 1; k++) i = (i + 1) % NP;
            struct mpage *p = &a->p[i];
            int write = op != 6;
            uint64_t v = rnd();
            int want = p->state == 0 ? MS_FAULT_UNMAPPED : p->state == 2 ? MS_FAULT_GUARD
                     : (write && !(p->rights & MS_RIGHT_W)) ? MS_FAULT_WRITE_RO : 0;
            h.heap_fail_in = 0;
            inject = 0;
            int got = write ? h_write(&h, a->handle, PG(i), v) : h_read(&h, a->handle, PG(i), &v);
            EXPECT_ERR(got, want);
            if (got == 0 && want == 0) {
                uint64_t *cell = p->obj >= 0 ? &mobj[p->obj].val[p->objpage] : &p->val;
                if (write) *cell = v;
                else if (v != *cell) {
                    fprintf(stderr, "step %d: as %d page %u holds %llx, model %llx\n", step, ai, i,
                            (unsigned long long)v, (unsigned long long)*cell);
                    h_failures++;
                }
            }
            break;
        }
        case 7: { /* fork */
            int di = (int)rn(NAS);
            if (di == ai || mas[di].live) break;
            h.heap_fail_in = 0, inject = 0;
            expect = MS_OK;
            err = ms_as_fork(&h.s, c, a->handle, 0, &mas[di].handle);
            if (err == MS_OK) {
                memcpy(mas[di].p, a->p, sizeof(a->p));
                mas[di].live = 1;
            }
            break;
        }
        case 8: { /* clone a range into another (or the same) address space */
            int di = (int)rn(NAS);
            struct mas *d = &mas[di];
            if (!d->live) break;
            uint32_t ds = rn(NP - len + 1);
            expect = MS_OK;
            for (uint32_t i = s; i < s + len; i++)
                if (!a->p[i].state) expect = MS_ERR_NOT_MAPPED;
            if (expect == MS_OK && any_state(d, ds, ds + len)) expect = MS_ERR_OVERLAP;
            struct ms_req_clone cl = { a->handle, d->handle, MS_CLONE_FIXED, PG(s), len * 4096ull, PG(ds) };
            err = ms_clone(&h.s, c, &cl, &va);
            if (err != expect && getenv("RT_DEBUG")) {
                struct ms_as *das;
                ms_as_lookup(&h.s, 0, d->handle, &das);
                fprintf(stderr, "clone as%d [%u,+%u) -> as%d at %u\n", ai, s, len, di, ds);
                fprintf(stderr, "overlap=%d covered=%d dsthandle=%x src=%x\n", ms_regions_overlap(&das->regions, PG(ds), PG(ds + len)),
                        0, d->handle, a->handle);
                for (uint32_t k = 0; k < das->regions.n; k++)
                    fprintf(stderr, "  dst region [%lld, %lld) kind %d\n", (long long)((das->regions.r[k]->start - BASE) >> 12),
                            (long long)((das->regions.r[k]->end - BASE) >> 12), das->regions.r[k]->kind);
            }
            if (err == MS_OK) {
                struct mpage tmp[NP];
                memcpy(tmp, &a->p[s], len * sizeof(struct mpage));
                memcpy(&d->p[ds], tmp, len * sizeof(struct mpage));
            }
            break;
        }
        case 9: /* destroy */
            if (rn(4)) break;
            h.heap_fail_in = 0, inject = 0;
            err = ms_as_destroy(&h.s, c, a->handle);
            expect = MS_OK;
            a->live = 0;
            break;
        case 10: { /* query */
            uint32_t i = rn(NP);
            struct ms_query_result q;
            h.heap_fail_in = 0, inject = 0;
            err = ms_query(&h.s, c, a->handle, PG(i) + rn(4096), &q);
            expect = a->p[i].state ? MS_OK : MS_ERR_NOT_MAPPED;
            if (!err && a->p[i].state == 1 && q.rights != a->p[i].rights) { fprintf(stderr, "query rights\n"); h_failures++; }
            if (!err && a->p[i].state == 2 && q.kind != MS_KIND_GUARD) { fprintf(stderr, "query guard\n"); h_failures++; }
            break;
        }
        default: { /* someone else's handle */
            h.heap_fail_in = 0, inject = 0;
            struct ms_req_map m = { other_as, 0, MS_RW, MS_MAP_FIXED, PG(s), 4096, 0 };
            expect = MS_ERR_NOT_OWNER;
            err = ms_map(&h.s, c, &m, &va);
            break;
        }
        }
        h.heap_fail_in = 0;
        if (inject && err == MS_ERR_NO_MEMORY && expect == MS_OK) {
            /* Metadata ran out: refused, nothing changed. */
            if (!h_snap_eq(before, h_snap(&h, c))) { fprintf(stderr, "step %d op %d: state changed on failure\n", step, op); h_failures++; }
        } else {
            EXPECT_ERR(err, expect);
            if (err != MS_OK && !h_snap_eq(before, h_snap(&h, c))) {
                fprintf(stderr, "step %d op %d: state changed by refused request\n", step, op);
                h_failures++;
            }
        }
        if (err == MS_OK) op_ok[op]++;
        if (!consistent(&h, step, op)) h_failures++;
        if (h.fk.violations) { fprintf(stderr, "step %d op %d: kernel rule violated\n", step, op); h_failures++; }
        (void)step_ok;
    }
    if (seed == 1)
        printf("seed 1: %llu faults fixed, %llu reported, %llu large frames, %llu kernel calls\n",
               (unsigned long long)h.s.stats.faults_fixed, (unsigned long long)h.s.stats.faults_reported,
               (unsigned long long)h.s.stats.large_frames_mapped, (unsigned long long)h.fk.calls);
    for (int i = 0; i < NAS; i++)
        if (mas[i].live) (void)ms_as_destroy(&h.s, c, mas[i].handle);
    for (int i = 0; i < NOBJ; i++) (void)ms_obj_close(&h.s, c, mobj[i].handle);
    CHECK_EQ(c->quota.pages_used, 0);
    CHECK_EQ(c->quota.slots_used, 0);
    ms_client_destroy(&h.s, 7);
    ms_client_destroy(&h.s, 8);
    h_check_all_free(&h);
    ms_fini(&h.s);
    fk_fini(&h.fk);
}

int main(int argc, char **argv)
{
    int seeds = argc > 1 ? (int)strtol(argv[1], 0, 10) : 40, steps = argc > 2 ? (int)strtol(argv[2], 0, 10) : 600;
    for (int seed = 1; seed <= seeds && !h_failures; seed++) {
        run((uint64_t)seed, steps);
        if (h_failures) fprintf(stderr, "failed with seed %d\n", seed);
    }
    for (int i = 0; i < 12; i++) printf("op %d: %ld runs, %ld OK\n", i, op_count[i], op_ok[i]);
    printf("memserver_random_test: %s\n", h_failures ? "FAILED" : "all passed");
    return h_failures != 0;
}
