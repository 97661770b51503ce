/* OBJ_WRITE against the fake kernel: bytes land where asked, pages are populated and
 * charged like a first touch, and every refusal changes nothing. */
#include "harness.h"

#define BASE 0x0000100000000000ull

static struct ms_req_obj_write wr(uint32_t obj, uint64_t off, uint32_t n, const uint64_t *words)
{
    struct ms_req_obj_write w = { obj, n, off, words };
    return w;
}

/* Packs bytes into message-register words as the client library does. */
static void pack(const uint8_t *b, uint32_t n, uint64_t *words)
{
    memset(words, 0, ((n + 7) / 8) * 8);
    for (uint32_t i = 0; i < n; i++) words[i / 8] |= (uint64_t)b[i] << (8 * (i % 8));
}

static uint8_t byte_at(struct harness *h, uint32_t as, uint64_t va)
{
    uint64_t v = 0;
    CHECK_ERR(h_read(h, as, va & ~7ull, &v), 0);
    return (uint8_t)(v >> (8 * (va & 7)));
}

static void test_write_and_map(void)
{
    struct harness h;
    h_init(&h, 24, 8);
    struct ms_client *c = ms_client_get(&h.s, 1, 1);
    uint32_t as, obj;
    CHECK_ERR(ms_as_create(&h.s, c, 0, &as), MS_OK);
    struct ms_req_obj_create oc = { MS_OBJ_ANON, 0, 4 * 4096, 0 };
    CHECK_ERR(ms_obj_create(&h.s, c, &oc, &obj), MS_OK);
    uint64_t pages0 = c->quota.pages_used, slots0 = c->quota.slots_used;

    /* A write across the page 0 / page 1 boundary at an odd offset. */
    uint8_t bytes[MS_WRITE_MAX];
    uint64_t words[MS_MAX_MRS];
    for (uint32_t i = 0; i < MS_WRITE_MAX; i++) bytes[i] = (uint8_t)(i * 7 + 1);
    pack(bytes, MS_WRITE_MAX, words);
    struct ms_req_obj_write w = wr(obj, 4096 - 333, MS_WRITE_MAX, words);
    CHECK_ERR(ms_obj_write(&h.s, c, &w), MS_OK);
    CHECK_EQ(c->quota.pages_used, pages0 + 2); /* two pages populated, charged */
    CHECK_EQ(c->quota.slots_used, slots0 + 2);
    /* Overwrite 5 bytes in page 1 (already populated: no new charge). */
    uint8_t five[5] = { 0xA1, 0xA2, 0xA3, 0xA4, 0xA5 };
    pack(five, 5, words);
    w = wr(obj, 4096 + 100, 5, words);
    CHECK_ERR(ms_obj_write(&h.s, c, &w), MS_OK);
    CHECK_EQ(c->quota.pages_used, pages0 + 2);
    for (uint32_t i = 0; i < 5; i++) bytes[333 + 100 + i] = five[i];

    /* What a mapping of the object reads. */
    uint64_t va;
    struct ms_req_map m = { as, obj, MS_R, MS_MAP_FIXED, BASE, 4 * 4096, 0 };
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    int same = 1;
    for (uint32_t i = 0; i < MS_WRITE_MAX; i++) same &= byte_at(&h, as, BASE + 4096 - 333 + i) == bytes[i];
    CHECK(same);
    CHECK_EQ(byte_at(&h, as, BASE + 4096 - 334), 0); /* the bytes around are still zero */
    CHECK_EQ(byte_at(&h, as, BASE + 4096 - 333 + MS_WRITE_MAX), 0);
    /* A write to a mapped page is seen through the mapping at once. */
    uint8_t one = 0x5E;
    pack(&one, 1, words);
    w = wr(obj, 4096 + 8, 1, words);
    CHECK_ERR(ms_obj_write(&h.s, c, &w), MS_OK);
    CHECK_EQ(byte_at(&h, as, BASE + 4096 + 8), 0x5E);
    /* Last byte of the object. */
    w = wr(obj, 4 * 4096 - 1, 1, words);
    CHECK_ERR(ms_obj_write(&h.s, c, &w), MS_OK);
    CHECK_EQ(byte_at(&h, as, BASE + 4 * 4096 - 1), 0x5E);

    CHECK_ERR(ms_as_destroy(&h.s, c, as), MS_OK);
    CHECK_ERR(ms_obj_close(&h.s, c, obj), MS_OK);
    CHECK_EQ(c->quota.pages_used, 0);
    CHECK_EQ(c->quota.slots_used, 0);
    h_check_all_free(&h);
    ms_fini(&h.s);
    fk_fini(&h.fk);
}

static void test_write_refused(void)
{
    struct harness h;
    h_init(&h, 24, 8);
    struct ms_client *c = ms_client_get(&h.s, 1, 1), *other = ms_client_get(&h.s, 2, 1);
    uint32_t obj, phys, theirs;
    struct ms_req_obj_create oc = { MS_OBJ_ANON, 0, 2 * 4096, 0 };
    CHECK_ERR(ms_obj_create(&h.s, c, &oc, &obj), MS_OK);
    CHECK_ERR(ms_obj_create(&h.s, other, &oc, &theirs), MS_OK);
    struct ms_req_obj_create pc = { MS_OBJ_PHYS, 0, 4096, 0xFEB00000ull };
    CHECK_ERR(ms_obj_create(&h.s, c, &pc, &phys), MS_OK);
    uint64_t words[2] = { 0x1122334455667788ull, 0x99 };
    struct { struct ms_req_obj_write w; int err; } cases[] = {
        { wr(obj, 2 * 4096 - 8, 9, words), MS_ERR_RANGE },      /* one byte past the end */
        { wr(obj, 2 * 4096, 1, words), MS_ERR_RANGE },
        { wr(obj, ~0ull - 3, 9, words), MS_ERR_RANGE },         /* offset + nbytes wraps */
        { wr(obj, 0, 0, words), MS_ERR_ZERO_LENGTH },
        { wr(obj, 0, MS_WRITE_MAX + 1, words), MS_ERR_BAD_REQUEST },
        { wr(phys, 0, 8, words), MS_ERR_BAD_FLAGS },            /* device memory */
        { wr(theirs, 0, 8, words), MS_ERR_NOT_OWNER },
        { wr(obj + 0x10000, 0, 8, words), MS_ERR_BAD_HANDLE },  /* stale generation */
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct h_snap before = h_snap(&h, c);
        CHECK_ERR(ms_obj_write(&h.s, c, &cases[i].w), cases[i].err);
        CHECK(h_snap_eq(before, h_snap(&h, c)));
    }
    /* Quota: one page left, the write needs two -> refused, nothing charged. */
    ms_client_set_quota(&h.s, 1, c->quota.pages_used + 1, 1000);
    struct ms_req_obj_write two = wr(obj, 4096 - 4, 9, words);
    struct h_snap before = h_snap(&h, c);
    CHECK_ERR(ms_obj_write(&h.s, c, &two), MS_ERR_QUOTA);
    CHECK(h_snap_eq(before, h_snap(&h, c)));
    struct ms_req_obj_write one = wr(obj, 8, 8, words);
    CHECK_ERR(ms_obj_write(&h.s, c, &one), MS_OK);
    /* The kernel refuses the write into the new frame: rolled back, MS_ERR_KERNEL. */
    ms_client_set_quota(&h.s, 1, 1000, 1000);
    h.fk.fail_write_page = 1;
    struct ms_req_obj_write fresh = wr(obj, 4096, 8, words);
    uint64_t pages = c->quota.pages_used;
    uint32_t free_slots = ms_free_slots(&h.s);
    CHECK_ERR(ms_obj_write(&h.s, c, &fresh), MS_ERR_KERNEL);
    /* (The frame made and deleted again leaves its chunk's watermark where the kernel's
     * is: free pages come back when the chunk is empty.) */
    CHECK_EQ(c->quota.pages_used, pages);
    CHECK_EQ(ms_free_slots(&h.s), free_slots);
    CHECK_EQ(MS_E_KIND(h.s.obj[(obj & 0xFFFF) - 1]->page[1]), MS_E_NONE);
    h.fk.fail_write_page = 0;
    ms_client_destroy(&h.s, 1);
    ms_client_destroy(&h.s, 2);
    h_check_all_free(&h);
    ms_fini(&h.s);
    fk_fini(&h.fk);
}

int main(void)
{
    test_write_and_map();
    test_write_refused();
    printf("memserver_obj_write_test: %s\n", h_failures ? "FAILED" : "all passed");
    return h_failures != 0;
}
