/* Untyped pool and frame reuse: 2 MiB frames retyped many per invocation from areas,
 * sub-chunks made and reclaimed, freed 4 KiB frames reused (zeroed) before fresh memory,
 * and everything back when the address space or the client dies. */
#include "harness.h"
#include "memserver/core/core.h"

#define MiB (1ull << 20)
#define BASE 0x0000100000000000ull
#define PG 4096ull

static struct ms_req_map anon(uint32_t as, uint64_t va, uint64_t size, uint32_t flags)
{
    struct ms_req_map m = { as, 0, MS_RW, flags | MS_MAP_FIXED, va, size, 0 };
    return m;
}

/* 8 frames of 2 MiB for a 16 MiB populate: one retype (an area of 32 MiB). */
static void test_large_run(void)
{
    struct harness h;
    h_init(&h, 25, 8);
    struct ms_client *c = ms_client_get(&h.s, 1, 1);
    ms_client_set_quota(&h.s, 1, 1u << 20, 1u << 20);
    uint32_t as;
    uint64_t va;
    CHECK_ERR(ms_as_create(&h.s, c, 0, &as), MS_OK);
    uint64_t retypes = h.fk.retypes;
    struct ms_req_map m = anon(as, BASE, 16 * MiB, MS_MAP_POPULATE);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    CHECK_EQ(h.s.stats.large_frames_mapped, 8);
    CHECK_EQ(h.fk.retypes - retypes, 1 + 2); /* the frames; the PD and PDPT of BASE */
    for (uint64_t off = 0; off < 16 * MiB; off += 2 * MiB + PG) CHECK_ERR(h_write(&h, as, BASE + off, off + 1), 0);
    /* Out of memory halfway through the pool: refused, nothing changed. */
    struct h_snap s0 = h_snap(&h, c);
    struct ms_req_map big = anon(as, BASE + 64 * MiB, 32 * MiB, MS_MAP_POPULATE);
    CHECK_ERR(ms_map(&h.s, c, &big, &va), MS_ERR_NO_MEMORY);
    CHECK(h_snap_eq(s0, h_snap(&h, c)));
    CHECK_ERR(ms_as_destroy(&h.s, c, as), MS_OK);
    h_check_all_free(&h);
    /* The area is empty again: 16 frames in one retype. */
    CHECK_ERR(ms_as_create(&h.s, c, 0, &as), MS_OK);
    retypes = h.fk.retypes;
    m = anon(as, BASE, 30 * MiB, MS_MAP_POPULATE);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    CHECK_EQ(h.fk.retypes - retypes, 1 + 2);
    CHECK_EQ(h.s.stats.large_frames_mapped, 8 + 15);
    ms_client_destroy(&h.s, 1);
    h_check_all_free(&h);
    ms_fini(&h.s);
    fk_fini(&h.fk);
}

/* Slots of the frames mapped at [va, va + n pages) of a private region. */
static void frames_at(struct harness *h, uint32_t as_handle, uint64_t va, uint32_t n, ms_slot_t *out)
{
    struct ms_as *as;
    CHECK_ERR(ms_as_lookup(&h->s, 0, as_handle, &as), MS_OK);
    for (uint32_t i = 0; i < n; i++) {
        struct ms_region *r = ms_regions_at(as, va + i * PG);
        out[i] = r ? MS_E_SLOT(*ms_region_entry(r, (va + i * PG - r->start) >> 12)) : 0;
    }
}

static int in(const ms_slot_t *set, uint32_t n, ms_slot_t x)
{
    for (uint32_t i = 0; i < n; i++)
        if (set[i] == x) return 1;
    return 0;
}

/* Freed 4 KiB frames come back (zeroed) before fresh memory, each once; destroying the
 * space (or the client) gives everything back. */
static void test_reuse(int by_client)
{
    struct harness h;
    h_init(&h, 24, 8);
    struct ms_client *c = ms_client_get(&h.s, 1, 1);
    uint32_t as;
    uint64_t va, v;
    CHECK_ERR(ms_as_create(&h.s, c, 0, &as), MS_OK);
    /* A keeps the chunk in use; B is written and unmapped. */
    struct ms_req_map a = anon(as, BASE, 64 * PG, MS_MAP_POPULATE | MS_MAP_4K);
    struct ms_req_map b = anon(as, BASE + 64 * PG, 64 * PG, MS_MAP_POPULATE | MS_MAP_4K);
    CHECK_ERR(ms_map(&h.s, c, &a, &va), MS_OK);
    uint64_t free0 = ms_free_pages(&h.s);
    CHECK_ERR(ms_map(&h.s, c, &b, &va), MS_OK);
    for (uint32_t i = 0; i < 64; i++) CHECK_ERR(h_write(&h, as, BASE + (64 + i) * PG + 8 * i, 0xDEAD0000 + i), 0);
    ms_slot_t freed[64], got[128];
    frames_at(&h, as, BASE + 64 * PG, 64, freed);
    CHECK_ERR(ms_unmap(&h.s, c, as, BASE + 64 * PG, 64 * PG), MS_OK);
    CHECK_EQ(h.s.slots.free4k_count, 64);
    CHECK_EQ(ms_free_pages(&h.s), free0); /* freed frames count as free memory */
    uint64_t fresh = h.s.pool.free_pages, large = h.s.pool.n_empty_large;
    /* C (populated) and D (faults) take the freed frames, zeroed; no fresh memory. */
    struct ms_req_map cm = anon(as, BASE + 128 * PG, 48 * PG, MS_MAP_POPULATE | MS_MAP_4K);
    struct ms_req_map dm = anon(as, BASE + 176 * PG, 16 * PG, MS_MAP_4K);
    CHECK_ERR(ms_map(&h.s, c, &cm, &va), MS_OK);
    CHECK_ERR(ms_map(&h.s, c, &dm, &va), MS_OK);
    for (uint32_t i = 0; i < 64; i++) {
        CHECK_ERR(h_read(&h, as, BASE + (128 + i) * PG + 8 * i, &v), 0);
        CHECK_EQ(v, 0);
    }
    CHECK_EQ(h.s.slots.free4k_count, 0);
    CHECK_EQ(h.s.stats.frames_reused, 64);
    CHECK_EQ(h.fk.page_zeroes, 64);
    CHECK_EQ(h.s.pool.free_pages, fresh);
    CHECK_EQ(h.s.pool.n_empty_large, large);
    /* Each freed frame handed out exactly once, none still on the free list. */
    frames_at(&h, as, BASE, 64, got);
    frames_at(&h, as, BASE + 128 * PG, 64, got + 64);
    for (uint32_t i = 0; i < 128; i++) CHECK(got[i] != 0 && !in(got, i, got[i]));
    for (uint32_t i = 0; i < 64; i++) CHECK(in(got + 64, 64, freed[i]));
    CHECK(!in(got, 64, freed[0]));
    /* The next page is fresh memory again. */
    struct ms_req_map em = anon(as, BASE + 256 * PG, PG, MS_MAP_POPULATE | MS_MAP_4K);
    CHECK_ERR(ms_map(&h.s, c, &em, &va), MS_OK);
    CHECK_EQ(h.s.stats.frames_reused, 64);
    /* Freed again, then the space dies: the free list is emptied, the chunks are empty. */
    CHECK_ERR(ms_unmap(&h.s, c, as, BASE + 128 * PG, 32 * PG), MS_OK);
    CHECK_EQ(h.s.slots.free4k_count, 32);
    if (by_client) ms_client_destroy(&h.s, 1);
    else CHECK_ERR(ms_as_destroy(&h.s, c, as), MS_OK);
    CHECK_EQ(h.s.slots.free4k_count, 0);
    CHECK_EQ(c->quota.pages_used, 0);
    h_check_all_free(&h);
    ms_fini(&h.s);
    fk_fini(&h.fk);
}

/* A freed frame never holds memory that could come back: the last frame in use of a
 * chunk takes the chunk's free frames with it, and the 2 MiB block is whole again. */
static void test_reclaim(void)
{
    struct harness h;
    h_init(&h, 22, 8); /* 4 MiB: 2 blocks */
    struct ms_client *c = ms_client_get(&h.s, 1, 1);
    uint32_t as;
    uint64_t va;
    CHECK_ERR(ms_as_create(&h.s, c, 0, &as), MS_OK);
    uint64_t large0 = h.s.pool.n_empty_large;
    struct ms_req_map a = anon(as, BASE, 256 * PG, MS_MAP_POPULATE | MS_MAP_4K);
    CHECK_ERR(ms_map(&h.s, c, &a, &va), MS_OK);
    CHECK_ERR(ms_unmap(&h.s, c, as, BASE, 255 * PG), MS_OK);
    CHECK_EQ(h.s.slots.free4k_count, 255);
    CHECK_ERR(ms_unmap(&h.s, c, as, BASE + 255 * PG, PG), MS_OK);
    /* The frames from the area's sub-chunk are deleted with it, the area is whole again;
     * those of the small untyped stay listed (the space's PML4 keeps it in use). */
    CHECK(h.s.slots.free4k_count > 0 && h.s.slots.free4k_count < 16);
    CHECK_EQ(h.s.pool.n_empty_large, large0);
    struct ms_req_map big = anon(as, BASE + 2 * MiB, 2 * MiB, MS_MAP_POPULATE);
    CHECK_ERR(ms_map(&h.s, c, &big, &va), MS_OK);
    CHECK_EQ(h.s.stats.large_frames_mapped, 1);
    ms_client_destroy(&h.s, 1);
    h_check_all_free(&h);
    ms_fini(&h.s);
    fk_fini(&h.fk);
}

int main(void)
{
    test_large_run();
    test_reuse(0);
    test_reuse(1);
    test_reclaim();
    if (h_failures) {
        printf("memserver_pool_test: %d failures\n", h_failures);
        return 1;
    }
    printf("memserver_pool_test: all passed\n");
    return 0;
}
