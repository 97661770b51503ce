/* PAGE_CAP against the fake kernel: the cap handed out names the frame mapped at the
 * address, and every copy of it (the client's, a TCB's) is revoked when the page is
 * unmapped, replaced by copy-on-write, or its space destroyed, so that no copy keeps a
 * frame alive after the server freed it (h_check_all_free: untyped without children). */
#include "harness.h"
#include "memserver/core/core.h"

#define MiB (1ull << 20)
#define BASE 0x0000100000000000ull
#define OUT 10u    /* the server's reply slot */
#define CLIENT 20u /* where the client received it */
#define TCB 21u    /* the copy a TCB keeps as its IPC buffer */

static ms_slot_t mapped_frame(struct harness *h, uint32_t handle, uint64_t va)
{
    struct ms_as *as;
    if (ms_as_lookup(&h->s, 0, handle, &as)) return 0;
    struct ms_region *r = ms_regions_at(as, va);
    if (!r || !r->obj) return 0;
    uint64_t i = (va - r->start) >> MS_PAGE_BITS;
    int large;
    return ms_region_mapped(r, i, &large);
}

/* The client receives the cap and gives a copy to a TCB. */
static void hand_out(struct harness *h)
{
    struct ms_kernel_ops k = fk_ops(&h->fk);
    CHECK_EQ(k.delete_cap(k.ctx, CLIENT), 0);
    CHECK_EQ(k.delete_cap(k.ctx, TCB), 0);
    CHECK_EQ(k.copy_cap(k.ctx, CLIENT, OUT), 0);
    CHECK_EQ(k.copy_cap(k.ctx, TCB, CLIENT), 0);
}

static int copies_alive(struct harness *h)
{
    return (fk_cap_at(&h->fk, OUT)->obj != 0) + (fk_cap_at(&h->fk, CLIENT)->obj != 0) +
           (fk_cap_at(&h->fk, TCB)->obj != 0);
}

static struct ms_req_map anon(uint32_t as, uint64_t va, uint64_t size, uint32_t rights, uint32_t flags)
{
    struct ms_req_map m = { as, 0, rights, flags | MS_MAP_FIXED, va, size, 0 };
    return m;
}

static void test_private_unmap_destroy(void)
{
    struct harness h;
    h_init(&h, 24, 8);
    struct ms_client *c = ms_client_get(&h.s, 1, 1);
    uint32_t as;
    uint64_t va;
    CHECK_ERR(ms_as_create(&h.s, c, 0, &as), MS_OK);
    struct ms_req_map m = anon(as, BASE, 8 * 4096, MS_RW, 0);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    uint64_t pages0 = c->quota.pages_used;
    /* Not present yet: populated (zero page + its PT/PD/PDPT), charged. */
    CHECK_ERR(ms_page_cap(&h.s, c, as, BASE + 4096, OUT), MS_OK);
    CHECK_EQ(c->quota.pages_used, pages0 + 4);
    CHECK(fk_same_object(&h.fk, OUT, mapped_frame(&h, as, BASE + 4096)));
    hand_out(&h);
    /* The client's copy is the page the space sees. */
    CHECK_ERR(h_write(&h, as, BASE + 4096, 0xBEEF), 0);
    CHECK(fk_same_object(&h.fk, TCB, mapped_frame(&h, as, BASE + 4096)));
    /* Unmapping the page revokes every copy. */
    CHECK_ERR(ms_unmap(&h.s, c, as, BASE + 4096, 4096), MS_OK);
    CHECK_EQ(copies_alive(&h), 0);
    /* A present page: nothing new charged; AS_DESTROY revokes. */
    CHECK_ERR(h_write(&h, as, BASE, 1), 0);
    uint64_t pages1 = c->quota.pages_used;
    CHECK_ERR(ms_page_cap(&h.s, c, as, BASE, OUT), MS_OK);
    CHECK_EQ(c->quota.pages_used, pages1);
    hand_out(&h);
    CHECK_EQ(copies_alive(&h), 3);
    CHECK_ERR(ms_as_destroy(&h.s, c, as), MS_OK);
    CHECK_EQ(copies_alive(&h), 0);
    CHECK_EQ(c->quota.pages_used, 0);
    h_check_all_free(&h);
    ms_fini(&h.s);
    fk_fini(&h.fk);
}

static void test_cow_replaces(void)
{
    struct harness h;
    h_init(&h, 24, 8);
    struct ms_client *c = ms_client_get(&h.s, 1, 1);
    uint32_t as;
    uint64_t va, v = 0;
    CHECK_ERR(ms_as_create(&h.s, c, 0, &as), MS_OK);
    struct ms_req_map m = anon(as, BASE, 4 * 4096, MS_RW, 0);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    CHECK_ERR(h_write(&h, as, BASE, 41), 0);
    CHECK_ERR(ms_page_cap(&h.s, c, as, BASE, OUT), MS_OK);
    hand_out(&h);
    /* Cloning shares the frame read-only: the IPC-buffer copies must go. */
    struct ms_req_clone cl = { as, as, MS_CLONE_FIXED, BASE, 4 * 4096, BASE + 64 * MiB };
    CHECK_ERR(ms_clone(&h.s, c, &cl, &va), MS_OK);
    CHECK_EQ(copies_alive(&h), 0);
    CHECK_ERR(h_read(&h, as, BASE + 64 * MiB, &v), 0);
    CHECK_EQ(v, 41);
    /* PAGE_CAP on the shared copy-on-write page breaks it first: the clone keeps 41. */
    CHECK_ERR(ms_page_cap(&h.s, c, as, BASE + 64 * MiB, OUT), MS_OK);
    CHECK(fk_same_object(&h.fk, OUT, mapped_frame(&h, as, BASE + 64 * MiB)));
    CHECK(!fk_same_object(&h.fk, OUT, mapped_frame(&h, as, BASE)));
    hand_out(&h);
    CHECK_ERR(h_write(&h, as, BASE + 64 * MiB, 42), 0);
    CHECK_ERR(h_read(&h, as, BASE, &v), 0);
    CHECK_EQ(v, 41);
    CHECK_ERR(ms_as_destroy(&h.s, c, as), MS_OK);
    CHECK_EQ(copies_alive(&h), 0);
    h_check_all_free(&h);
    ms_fini(&h.s);
    fk_fini(&h.fk);
}

static void test_large_and_shared(void)
{
    struct harness h;
    h_init(&h, 25, 8);
    struct ms_client *c = ms_client_get(&h.s, 1, 1);
    ms_client_set_quota(&h.s, 1, 1u << 16, 1u << 16);
    uint32_t as, obj;
    uint64_t va, v = 0;
    CHECK_ERR(ms_as_create(&h.s, c, 0, &as), MS_OK);
    struct ms_req_map m = anon(as, BASE, 2 * MiB, MS_RW, MS_MAP_POPULATE);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    CHECK_EQ(h.s.stats.large_frames_mapped, 1);
    CHECK_ERR(h_write(&h, as, BASE + 5 * 4096, 77), 0);
    /* A page inside a 2 MiB frame: demoted to 4 KiB frames, contents kept. */
    CHECK_ERR(ms_page_cap(&h.s, c, as, BASE + 5 * 4096, OUT), MS_OK);
    CHECK(fk_same_object(&h.fk, OUT, mapped_frame(&h, as, BASE + 5 * 4096)));
    CHECK_ERR(h_read(&h, as, BASE + 5 * 4096, &v), 0);
    CHECK_EQ(v, 77);
    hand_out(&h);
    CHECK_ERR(ms_unmap(&h.s, c, as, BASE, 2 * MiB), MS_OK);
    CHECK_EQ(copies_alive(&h), 0);
    /* A shared object: the copy lives as long as the object has the frame. */
    struct ms_req_obj_create oc = { MS_OBJ_ANON, 0, 4 * 4096, 0 };
    CHECK_ERR(ms_obj_create(&h.s, c, &oc, &obj), MS_OK);
    struct ms_req_map sm = { as, obj, MS_RW, MS_MAP_FIXED, BASE + 8 * MiB, 4 * 4096, 0 };
    CHECK_ERR(ms_map(&h.s, c, &sm, &va), MS_OK);
    CHECK_ERR(ms_page_cap(&h.s, c, as, BASE + 8 * MiB + 4096, OUT), MS_OK);
    CHECK(fk_same_object(&h.fk, OUT, mapped_frame(&h, as, BASE + 8 * MiB + 4096)));
    hand_out(&h);
    CHECK_ERR(ms_unmap(&h.s, c, as, BASE + 8 * MiB, 4 * 4096), MS_OK);
    CHECK_EQ(copies_alive(&h), 3); /* the object (its handle) still holds the frame */
    CHECK_ERR(ms_obj_close(&h.s, c, obj), MS_OK);
    CHECK_EQ(copies_alive(&h), 0);
    CHECK_ERR(ms_as_destroy(&h.s, c, as), MS_OK);
    h_check_all_free(&h);
    ms_fini(&h.s);
    fk_fini(&h.fk);
}

static void test_refused(void)
{
    struct harness h;
    h_init(&h, 24, 8);
    struct ms_client *c = ms_client_get(&h.s, 1, 1), *other = ms_client_get(&h.s, 2, 1);
    uint32_t as, theirs, phys;
    uint64_t va;
    CHECK_ERR(ms_as_create(&h.s, c, 0, &as), MS_OK);
    CHECK_ERR(ms_as_create(&h.s, other, 0, &theirs), MS_OK);
    struct ms_req_map ro = anon(as, BASE, 4096, MS_R, 0), rx = anon(as, BASE + 4096 * 4, 4096, MS_RX, 0);
    struct ms_req_map rw = anon(as, BASE + 4096 * 8, 4096, MS_RW, MS_MAP_GUARD);
    CHECK_ERR(ms_map(&h.s, c, &ro, &va), MS_OK);
    CHECK_ERR(ms_map(&h.s, c, &rx, &va), MS_OK);
    CHECK_ERR(ms_map(&h.s, c, &rw, &va), MS_OK);
    struct ms_req_obj_create pc = { MS_OBJ_PHYS, 0, 4096, 0xFEB00000ull };
    CHECK_ERR(ms_obj_create(&h.s, c, &pc, &phys), MS_OK);
    struct ms_req_map pm = { as, phys, MS_RW, MS_MAP_FIXED, BASE + 4096 * 16, 4096, 0 };
    CHECK_ERR(ms_map(&h.s, c, &pm, &va), MS_OK);
    struct { uint64_t va; uint32_t as; int err; } cases[] = {
        { BASE, as, MS_ERR_BAD_RIGHTS },                 /* R */
        { BASE + 4096 * 4, as, MS_ERR_BAD_RIGHTS },      /* RX */
        { BASE + 4096 * 7, as, MS_ERR_NOT_MAPPED },      /* guard page */
        { BASE + 4096 * 12, as, MS_ERR_NOT_MAPPED },     /* nothing */
        { BASE + 4096 * 16, as, MS_ERR_BAD_FLAGS },      /* device memory */
        { BASE + 4096 * 8 + 8, as, MS_ERR_UNALIGNED },
        { BASE, theirs, MS_ERR_NOT_OWNER },
        { BASE, as + 0x10000, MS_ERR_BAD_HANDLE },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct h_snap before = h_snap(&h, c);
        CHECK_ERR(ms_page_cap(&h.s, c, cases[i].as, cases[i].va, OUT), cases[i].err);
        CHECK(h_snap_eq(before, h_snap(&h, c)));
        CHECK_EQ(fk_cap_at(&h.fk, OUT)->obj != 0, 0);
    }
    /* No quota for the page: refused, nothing changed. */
    ms_client_set_quota(&h.s, 1, c->quota.pages_used, 1000);
    struct h_snap before = h_snap(&h, c);
    CHECK_ERR(ms_page_cap(&h.s, c, as, BASE + 4096 * 8, OUT), MS_ERR_QUOTA);
    CHECK(h_snap_eq(before, h_snap(&h, c)));
    ms_client_destroy(&h.s, 1);
    ms_client_destroy(&h.s, 2);
    h_check_all_free(&h);
    ms_fini(&h.s);
    fk_fini(&h.fk);
}

int main(void)
{
    test_private_unmap_destroy();
    test_cow_replaces();
    test_large_and_shared();
    test_refused();
    printf("memserver_page_cap_test: %s\n", h_failures ? "FAILED" : "all passed");
    return h_failures != 0;
}
