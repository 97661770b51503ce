/* Unit tests of the memory-server core against the fake kernel. */
#include "harness.h"
#include "memserver/core/core.h" /* ms_slot_* */

#define MiB (1ull << 20)
#define BASE 0x0000100000000000ull

static struct ms_req_map anon(uint32_t as, uint64_t va, uint64_t size, uint32_t rights, uint32_t flags)
{
    struct ms_req_map m = { as, 0, rights, flags, va, size, 0 };
    return m;
}

static void test_touch_64mib(void)
{
    struct harness h;
    h_init(&h, 27, 8);
    struct ms_client *c = ms_client_get(&h.s, 1, 1);
    ms_client_set_quota(&h.s, 1, 1u << 20, 1u << 20);
    uint32_t as;
    CHECK_ERR(ms_as_create(&h.s, c, 0, &as), MS_OK);
    uint64_t va;
    struct ms_req_map m = anon(as, 0, 64 * MiB, MS_RW, MS_MAP_4K);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    CHECK_EQ(va & (2 * MiB - 1), 0);
    uint64_t calls0 = h.s.stats.invocations;
    for (uint64_t off = 0; off < 64 * MiB; off += 4096) CHECK_ERR(h_write(&h, as, va + off, off ^ 0x5A5A), 0);
    uint64_t faults = (64 * MiB) >> 12;
    double per_fault = (double)(h.s.stats.invocations - calls0) / (double)faults;
    printf("touch 64 MiB: %.4f invocations per fault (+1 ReplyRecv in the server)\n", per_fault);
    CHECK(per_fault + 1.0 <= 2.05); /* frames retyped MS_SPARE_RUN at a time */
    for (uint64_t off = 0; off < 64 * MiB; off += 4096) {
        uint64_t v = 0;
        CHECK_ERR(h_read(&h, as, va + off, &v), 0);
        if (v != (off ^ 0x5A5A)) { CHECK_EQ(v, off ^ 0x5A5A); break; }
    }
    CHECK_EQ(c->quota.pages_used, 2 + faults + 32 + 1 + 1); /* PML4 + marking PDPT, frames, PTs, PD, PDPT */
    /* Metadata per page. */
    double meta = (double)h.s.heap_in_use / (double)faults;
    printf("metadata: %.2f bytes of heap per page (incl. fixed tables)\n", meta);
    CHECK_ERR(ms_as_destroy(&h.s, c, as), MS_OK);
    CHECK_EQ(c->quota.pages_used, 0);
    CHECK_EQ(c->quota.slots_used, 0);
    h_check_all_free(&h);
    ms_fini(&h.s);
    fk_fini(&h.fk);
}

static void test_populate_large(void)
{
    struct harness h;
    h_init(&h, 27, 8);
    struct ms_client *c = ms_client_get(&h.s, 1, 1);
    ms_client_set_quota(&h.s, 1, 1u << 20, 1u << 20);
    uint32_t as;
    CHECK_ERR(ms_as_create(&h.s, c, 0, &as), MS_OK);
    uint64_t va;
    struct ms_req_map m = anon(as, BASE + 1 * MiB, 8 * MiB, MS_RW, MS_MAP_FIXED | MS_MAP_POPULATE);
    uint64_t calls0 = h.s.stats.invocations;
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    /* 1 MiB head + 3 large frames + 1 MiB tail. */
    CHECK_EQ(h.s.stats.large_frames_mapped, 3);
    printf("populate 8 MiB at +1 MiB: %llu invocations\n", (unsigned long long)(h.s.stats.invocations - calls0));
    for (uint64_t off = 0; off < 8 * MiB; off += 4096) CHECK_ERR(h_write(&h, as, va + off, off + 7), 0);
    /* Only a 2 MiB frame's head entry is stored: its other pages are present all the
     * same, a write there is no fault, and once the frame is unmapped they are gone and
     * a touch fills a fresh 4 KiB page. */
    struct ms_query_result q;
    const uint64_t big = BASE + 2 * MiB, tail = big + 2 * MiB - 4096;
    CHECK_ERR(ms_query(&h.s, c, as, big + 4096, &q), MS_OK);
    CHECK_EQ(q.present, 1);
    CHECK_ERR(ms_query(&h.s, c, as, tail, &q), MS_OK);
    CHECK_EQ(q.present, 1);
    uint64_t fixed0 = h.s.stats.faults_fixed, used0 = c->quota.pages_used;
    CHECK_ERR(h_write(&h, as, tail, 5), 0);
    CHECK_EQ(h.s.stats.faults_fixed, fixed0);
    CHECK_ERR(ms_unmap(&h.s, c, as, big, 2 * MiB), MS_OK);
    CHECK_EQ(c->quota.pages_used, used0 - 512);
    CHECK_ERR(ms_query(&h.s, c, as, tail, &q), MS_ERR_NOT_MAPPED);
    struct ms_req_map m2 = anon(as, big, 2 * MiB, MS_RW, MS_MAP_FIXED | MS_MAP_4K);
    CHECK_ERR(ms_map(&h.s, c, &m2, &va), MS_OK);
    uint64_t got = 1;
    CHECK_ERR(h_read(&h, as, tail, &got), 0);
    CHECK_EQ(got, 0);
    CHECK_EQ(h.s.stats.faults_fixed, fixed0 + 1);
    va = BASE + 1 * MiB;
    for (uint64_t off = 0; off < 2 * MiB; off += 4096) CHECK_ERR(h_write(&h, as, big + off, big + off - va + 7), 0);
    /* Protect one page inside a 2 MiB frame: the frame is split, contents kept. */
    CHECK_ERR(ms_protect(&h.s, c, as, BASE + 4 * MiB + 8192, 4096, MS_R), MS_OK);
    for (uint64_t off = 0; off < 8 * MiB; off += 4096) {
        uint64_t v = 0;
        CHECK_ERR(h_read(&h, as, va + off, &v), 0);
        if (v != off + 7) { CHECK_EQ(v, off + 7); break; }
    }
    CHECK_ERR(h_write(&h, as, BASE + 4 * MiB + 8192, 1), MS_FAULT_WRITE_RO);
    CHECK_ERR(h_write(&h, as, BASE + 4 * MiB + 4096, 1), 0);
    CHECK_ERR(ms_as_destroy(&h.s, c, as), MS_OK);
    h_check_all_free(&h);
    ms_fini(&h.s);
    fk_fini(&h.fk);
}

static void test_populate_4k(void)
{
    struct harness h;
    h_init(&h, 27, 8);
    struct ms_client *c = ms_client_get(&h.s, 1, 1);
    ms_client_set_quota(&h.s, 1, 1u << 20, 1u << 20);
    uint32_t as;
    CHECK_ERR(ms_as_create(&h.s, c, 0, &as), MS_OK);
    uint64_t va, heap0 = ms_metadata_bytes(&h.s), calls0 = h.s.stats.invocations;
    struct ms_req_map m = anon(as, 0, 64 * MiB, MS_RW, MS_MAP_POPULATE | MS_MAP_4K);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    uint64_t pages = (64 * MiB) >> 12;
    uint64_t milli = (h.s.stats.invocations - calls0) * 1000 / pages;
    printf("map 64 MiB with 4 KiB frames: %llu.%03llu invocations per page\n", (unsigned long long)(milli / 1000),
           (unsigned long long)(milli % 1000));
    CHECK(milli <= 1010);
    CHECK_EQ(h.s.stats.large_frames_mapped, 0);
    /* Metadata (counted): heap grown by the mapping, the slot tables for the slots used. */
    uint64_t meta_milli = (ms_metadata_bytes(&h.s) - heap0) * 1000 / pages;
    printf("metadata: %llu.%03llu bytes per mapped page beyond the frame cap's slot\n",
           (unsigned long long)(meta_milli / 1000), (unsigned long long)(meta_milli % 1000));
    CHECK(meta_milli <= 16000);
    for (uint64_t off = 0; off < 64 * MiB; off += 4096) CHECK_ERR(h_write(&h, as, va + off, off), 0);
    CHECK_EQ(h.s.stats.faults_fixed, 0);
    CHECK_ERR(ms_as_destroy(&h.s, c, as), MS_OK);
    h_check_all_free(&h);
    ms_fini(&h.s);
    fk_fini(&h.fk);
}

static uint32_t count_regions(struct harness *h, uint32_t handle)
{
    struct ms_as *as;
    if (ms_as_lookup(&h->s, 0, handle, &as)) return 0;
    return as->regions.n;
}

static void test_split_merge(void)
{
    struct harness h;
    h_init(&h, 24, 8);
    /* A permanent server object from a reserved piece must not pin client memory. */
    ms_slot_t ut, perm = H_SLOTS - 1;
    CHECK_ERR(ms_reserve_untyped(&h.s, 14, &ut), MS_OK);
    CHECK_EQ(h.fk.violations, 0);
    struct ms_kernel_ops k = fk_ops(&h.fk);
    CHECK_EQ(k.retype(k.ctx, ut, MS_KOBJ_PT, 0, perm), 0);
    CHECK_EQ(ms_free_pages(&h.s), h.init_pages - 4);
    h.init_pages = ms_free_pages(&h.s);
    h.init_slots = ms_free_slots(&h.s);
    struct ms_client *c = ms_client_get(&h.s, 1, 1);
    uint32_t as;
    CHECK_ERR(ms_as_create(&h.s, c, 0, &as), MS_OK);
    uint64_t va;
    struct ms_req_map m = anon(as, BASE, 16 * 4096, MS_RW, MS_MAP_FIXED);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    for (int i = 0; i < 16; i++) CHECK_ERR(h_write(&h, as, BASE + i * 4096ull, 100 + i), 0);
    CHECK_ERR(ms_protect(&h.s, c, as, BASE + 4 * 4096, 4 * 4096, MS_R), MS_OK);
    CHECK_EQ(count_regions(&h, as), 3);
    CHECK_ERR(h_write(&h, as, BASE + 5 * 4096, 1), MS_FAULT_WRITE_RO);
    uint64_t v = 0;
    CHECK_ERR(h_read(&h, as, BASE + 5 * 4096, &v), 0);
    CHECK_EQ(v, 105);
    struct ms_query_result q;
    CHECK_ERR(ms_query(&h.s, c, as, BASE + 5 * 4096 + 12, &q), MS_OK);
    CHECK_EQ(q.start, BASE + 4 * 4096);
    CHECK_EQ(q.size, 4 * 4096);
    CHECK_EQ(q.rights, MS_R);
    CHECK_EQ(q.present, 1);
    CHECK_ERR(ms_protect(&h.s, c, as, BASE + 4 * 4096, 4 * 4096, MS_RW), MS_OK);
    CHECK_EQ(count_regions(&h, as), 1);
    CHECK_ERR(h_write(&h, as, BASE + 5 * 4096, 55), 0);
    CHECK_ERR(ms_unmap(&h.s, c, as, BASE + 6 * 4096, 2 * 4096), MS_OK);
    CHECK_EQ(count_regions(&h, as), 2);
    CHECK_ERR(h_read(&h, as, BASE + 6 * 4096, &v), MS_FAULT_UNMAPPED);
    CHECK_ERR(h_read(&h, as, BASE + 8 * 4096, &v), 0);
    CHECK_EQ(v, 108);
    CHECK_ERR(ms_query(&h.s, c, as, BASE + 7 * 4096, &q), MS_ERR_NOT_MAPPED);
    CHECK_ERR(ms_protect(&h.s, c, as, BASE, 16 * 4096, MS_R), MS_ERR_NOT_MAPPED);
    /* W^X: RX works, RWX is refused. */
    CHECK_ERR(ms_protect(&h.s, c, as, BASE, 4096, 7), MS_ERR_WX);
    CHECK_ERR(ms_protect(&h.s, c, as, BASE, 4096, MS_RX), MS_OK);
    CHECK_ERR(ms_unmap(&h.s, c, as, BASE, 16 * 4096), MS_OK);
    CHECK_EQ(count_regions(&h, as), 0);
    CHECK_ERR(ms_as_destroy(&h.s, c, as), MS_OK);
    h_check_all_free(&h);
    ms_fini(&h.s);
    fk_fini(&h.fk);
}

static void test_shared_and_guard(void)
{
    struct harness h;
    h_init(&h, 24, 8);
    struct ms_client *c = ms_client_get(&h.s, 1, 1);
    uint32_t a, b, obj;
    CHECK_ERR(ms_as_create(&h.s, c, 0, &a), MS_OK);
    CHECK_ERR(ms_as_create(&h.s, c, 0, &b), MS_OK);
    struct ms_req_obj_create oc = { MS_OBJ_ANON, 0, 8 * 4096, 0 };
    CHECK_ERR(ms_obj_create(&h.s, c, &oc, &obj), MS_OK);
    uint64_t va, vb;
    struct ms_req_map m = { a, obj, MS_RW, MS_MAP_GUARD, 0, 8 * 4096, 0 };
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    m.as = b;
    m.off = 4096;
    m.size = 4 * 4096;
    m.flags = MS_MAP_POPULATE;
    CHECK_ERR(ms_map(&h.s, c, &m, &vb), MS_OK);
    CHECK_ERR(h_write(&h, a, va + 4096, 42), 0);
    uint64_t v = 0;
    CHECK_ERR(h_read(&h, b, vb, &v), 0);
    CHECK_EQ(v, 42);
    CHECK_ERR(h_write(&h, b, vb + 4096, 43), 0);
    CHECK_ERR(h_read(&h, a, va + 2 * 4096, &v), 0);
    CHECK_EQ(v, 43);
    CHECK_ERR(h_read(&h, a, va - 4096, &v), MS_FAULT_GUARD);
    CHECK_ERR(h_read(&h, a, va + 8 * 4096, &v), MS_FAULT_GUARD);
    CHECK_EQ(ms_other_fault(&h.s, h_badge(&h, a), 3 /* user exception */, 0x401234), 1);
    struct ms_fault_info fi;
    CHECK_ERR(ms_fault_get(&h.s, c, a, &fi), MS_OK);
    CHECK(fi.kind == MS_FAULT_OTHER && fi.code == 3 && fi.ip == 0x401234);
    CHECK_ERR(ms_fault_get(&h.s, c, a, &fi), MS_ERR_NO_FAULT);
    CHECK_ERR(ms_obj_close(&h.s, c, obj), MS_OK); /* still mapped: stays alive */
    CHECK_ERR(h_read(&h, a, va + 4096, &v), 0);
    CHECK_EQ(v, 42);
    /* Physical memory. */
    struct ms_req_obj_create pc = { MS_OBJ_PHYS, MS_OBJ_UNCACHED, 2 * 4096, 0xFEB04000ull };
    uint32_t phys;
    CHECK_ERR(ms_obj_create(&h.s, c, &pc, &phys), MS_OK);
    struct ms_req_map pm = { a, phys, MS_RW, 0, 0, 2 * 4096, 0 };
    uint64_t vp, vp2;
    CHECK_ERR(ms_map(&h.s, c, &pm, &vp), MS_OK);
    pm.as = b;
    CHECK_ERR(ms_map(&h.s, c, &pm, &vp2), MS_OK);
    CHECK_ERR(h_write(&h, a, vp, 0xD00D), 0);
    CHECK_ERR(h_read(&h, b, vp2, &v), 0);
    CHECK_EQ(v, 0xD00D);
    pc.paddr = 0xFEC00000ull;
    CHECK_ERR(ms_obj_create(&h.s, c, &pc, &phys), MS_ERR_RANGE);
    CHECK_ERR(ms_as_destroy(&h.s, c, a), MS_OK);
    CHECK_ERR(ms_as_destroy(&h.s, c, b), MS_OK);
    ms_client_destroy(&h.s, 1);
    h_check_all_free(&h);
    ms_fini(&h.s);
    fk_fini(&h.fk);
}

static void test_cow(void)
{
    struct harness h;
    h_init(&h, 24, 8);
    struct ms_client *c = ms_client_get(&h.s, 1, 1);
    uint32_t a, b, d;
    CHECK_ERR(ms_as_create(&h.s, c, 0, &a), MS_OK);
    uint64_t va;
    struct ms_req_map m = anon(a, BASE, 8 * 4096, MS_RW, MS_MAP_FIXED);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    for (int i = 0; i < 6; i++) CHECK_ERR(h_write(&h, a, BASE + i * 4096ull, 10 + i), 0);
    CHECK_ERR(ms_as_fork(&h.s, c, a, 0, &b), MS_OK);
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        CHECK_ERR(h_read(&h, b, BASE + i * 4096ull, &v), 0);
        CHECK_EQ(v, i < 6 ? 10 + i : 0);
    }
    CHECK_ERR(h_write(&h, b, BASE, 99), 0);
    CHECK_ERR(h_write(&h, a, BASE + 4096, 77), 0);
    CHECK_ERR(h_read(&h, a, BASE, &v), 0);
    CHECK_EQ(v, 10);
    CHECK_ERR(h_read(&h, b, BASE, &v), 0);
    CHECK_EQ(v, 99);
    CHECK_ERR(h_read(&h, b, BASE + 4096, &v), 0);
    CHECK_EQ(v, 11);
    /* A second generation: fork the fork, then a region clone into a third space. */
    CHECK_ERR(ms_as_fork(&h.s, c, b, 0, &d), MS_OK);
    CHECK_ERR(h_write(&h, b, BASE + 2 * 4096, 1234), 0);
    CHECK_ERR(h_read(&h, d, BASE + 2 * 4096, &v), 0);
    CHECK_EQ(v, 12);
    CHECK_ERR(h_read(&h, d, BASE, &v), 0);
    CHECK_EQ(v, 99);
    struct ms_req_clone cl = { a, d, MS_CLONE_FIXED, BASE + 4096, 2 * 4096, BASE + 64 * 4096 };
    uint64_t dva;
    CHECK_ERR(ms_clone(&h.s, c, &cl, &dva), MS_OK);
    CHECK_ERR(h_read(&h, d, BASE + 64 * 4096, &v), 0);
    CHECK_EQ(v, 77);
    CHECK_ERR(h_write(&h, a, BASE + 4096, 78), 0);
    CHECK_ERR(h_read(&h, d, BASE + 64 * 4096, &v), 0);
    CHECK_EQ(v, 77);
    CHECK_EQ(count_regions(&h, a), 3);
    CHECK_ERR(ms_as_destroy(&h.s, c, a), MS_OK);
    CHECK_ERR(h_read(&h, d, BASE + 65 * 4096, &v), 0);
    CHECK_EQ(v, 12);
    CHECK_ERR(ms_as_destroy(&h.s, c, b), MS_OK);
    CHECK_ERR(h_read(&h, d, BASE + 3 * 4096, &v), 0);
    CHECK_EQ(v, 13);
    CHECK_ERR(ms_as_destroy(&h.s, c, d), MS_OK);
    h_check_all_free(&h);
    ms_fini(&h.s);
    fk_fini(&h.fk);
}

static void test_bad_input(void)
{
    struct harness h;
    h_init(&h, 22, 8);
    struct ms_client *c = ms_client_get(&h.s, 1, 1), *c2 = ms_client_get(&h.s, 2, 1);
    uint32_t as, as2;
    CHECK_ERR(ms_as_create(&h.s, c, 0, &as), MS_OK);
    CHECK_ERR(ms_as_create(&h.s, c2, 0, &as2), MS_OK);
    uint64_t va;
    struct ms_req_map m = anon(as, BASE, 4 * 4096, MS_RW, MS_MAP_FIXED);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    struct h_snap s0 = h_snap(&h, c);
    m = anon(as, BASE + 1, 4096, MS_RW, MS_MAP_FIXED);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_ERR_UNALIGNED);
    m = anon(as, BASE, 4097, MS_RW, MS_MAP_FIXED);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_ERR_UNALIGNED);
    m = anon(as, 0x0000900000000000ull, 4096, MS_RW, MS_MAP_FIXED);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_ERR_NON_CANONICAL);
    m = anon(as, 0x00007FFFFFFFF000ull, 8192, MS_RW, MS_MAP_FIXED);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_ERR_KERNEL_HALF);
    m = anon(as, 0xFFFFFFFF80000000ull, 4096, MS_RW, MS_MAP_FIXED);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_ERR_KERNEL_HALF);
    m = anon(as, BASE, 0, MS_RW, MS_MAP_FIXED);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_ERR_ZERO_LENGTH);
    m = anon(as, 0x0000400000000000ull, 1ull << 45, MS_RW, MS_MAP_FIXED);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_ERR_NO_MEMORY); /* page array too big */
    m = anon(as, BASE + 3 * 4096, 4096, MS_RW, MS_MAP_FIXED);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_ERR_OVERLAP);
    m = anon(as, BASE + 16 * 4096, 4096, 7, MS_MAP_FIXED);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_ERR_WX);
    m = anon(as, BASE + 16 * 4096, 4096, 2, MS_MAP_FIXED);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_ERR_BAD_RIGHTS);
    m = anon(as, BASE + 16 * 4096, 4096, MS_R, 64);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_ERR_BAD_FLAGS);
    m = anon(as2, BASE + 16 * 4096, 4096, MS_R, MS_MAP_FIXED);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_ERR_NOT_OWNER);
    m = anon(0x70001, BASE + 16 * 4096, 4096, MS_R, MS_MAP_FIXED);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_ERR_BAD_HANDLE);
    m = anon(as, BASE + 16 * 4096, 4096, MS_R, MS_MAP_FIXED);
    m.obj = 0x10005;
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_ERR_BAD_HANDLE);
    CHECK_ERR(ms_unmap(&h.s, c, as, BASE, 0), MS_ERR_ZERO_LENGTH);
    CHECK_ERR(ms_unmap(&h.s, c2, as, BASE, 4096), MS_ERR_NOT_OWNER);
    CHECK_ERR(ms_protect(&h.s, c, as, BASE + 4096, 8 * 4096, MS_R), MS_ERR_NOT_MAPPED);
    CHECK_ERR(ms_as_destroy(&h.s, c2, as), MS_ERR_NOT_OWNER);
    CHECK(h_snap_eq(s0, h_snap(&h, c)));
    CHECK_ERR(h_write(&h, as, BASE, 1), 0); /* now the page table exists */
    /* Quota: 2 pages left for this client. */
    ms_client_set_quota(&h.s, 1, c->quota.pages_used + 2, 1000);
    m = anon(as, BASE + 64 * 4096, 8 * 4096, MS_RW, MS_MAP_FIXED | MS_MAP_POPULATE);
    s0 = h_snap(&h, c);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_ERR_QUOTA);
    CHECK(h_snap_eq(s0, h_snap(&h, c)));
    m.flags = MS_MAP_FIXED;
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    CHECK_ERR(h_write(&h, as, BASE + 64 * 4096, 1), 0);
    CHECK_ERR(h_write(&h, as, BASE + 65 * 4096, 1), 0);
    CHECK_ERR(h_write(&h, as, BASE + 66 * 4096, 1), MS_FAULT_QUOTA);
    /* Out of memory: a client with a huge quota asks for more than the server has. */
    ms_client_set_quota(&h.s, 2, 1u << 30, 1u << 30);
    m = anon(as2, BASE, 8 * MiB, MS_RW, MS_MAP_FIXED | MS_MAP_POPULATE);
    struct h_snap s2 = h_snap(&h, c2);
    CHECK_ERR(ms_map(&h.s, c2, &m, &va), MS_ERR_NO_MEMORY);
    CHECK(h_snap_eq(s2, h_snap(&h, c2)));
    /* ... and the server keeps serving. */
    m.size = 1 * MiB;
    CHECK_ERR(ms_map(&h.s, c2, &m, &va), MS_OK);
    ms_client_destroy(&h.s, 1);
    ms_client_destroy(&h.s, 2);
    h_check_all_free(&h);
    ms_fini(&h.s);
    fk_fini(&h.fk);
}

/* Every heap allocation of an operation fails in turn: the operation reports
 * MS_ERR_NO_MEMORY and nothing changed, or it succeeds. */
static void test_heap_failures(void)
{
    struct harness h;
    h_init(&h, 24, 8);
    struct ms_client *c = ms_client_get(&h.s, 1, 1);
    uint32_t a, b = 0;
    CHECK_ERR(ms_as_create(&h.s, c, 0, &a), MS_OK);
    uint64_t va;
    struct ms_req_map m = anon(a, BASE, 64 * 4096, MS_RW, MS_MAP_FIXED | MS_MAP_POPULATE);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    for (int op = 0; op < 5; op++) {
        int ok = 0;
        for (long k = 1; k < 64 && !ok; k++) {
            struct h_snap s0 = h_snap(&h, c);
            h.heap_fail_in = k;
            int err;
            struct ms_req_clone cl = { a, a, MS_CLONE_FIXED, BASE + 4096, 8 * 4096, BASE + 256 * 4096 };
            switch (op) {
            case 0: err = ms_protect(&h.s, c, a, BASE + 8 * 4096, 4 * 4096, MS_R); break;
            case 1: err = ms_unmap(&h.s, c, a, BASE + 20 * 4096, 2 * 4096); break;
            case 2: err = ms_as_fork(&h.s, c, a, 0, &b); break;
            case 3: err = ms_clone(&h.s, c, &cl, &va); break;
            default: m = anon(a, BASE + 1024 * 4096, 4 * MiB, MS_RW, MS_MAP_FIXED | MS_MAP_POPULATE);
                     err = ms_map(&h.s, c, &m, &va); break;
            }
            h.heap_fail_in = 0;
            if (err == MS_OK) ok = 1;
            else {
                CHECK_ERR(err, MS_ERR_NO_MEMORY);
                CHECK(h_snap_eq(s0, h_snap(&h, c)));
            }
        }
        CHECK(ok);
    }
    uint64_t v;
    CHECK_ERR(h_read(&h, b, BASE + 4096, &v), 0);
    ms_client_destroy(&h.s, 1);
    h_check_all_free(&h);
    ms_fini(&h.s);
    fk_fini(&h.fk);
}

/* The short fault path (page table there, a frame retyped already) charges like the
 * long one, refuses over quota with nothing changed, and a quota that fits again works. */
static void test_fault_fast_path(void)
{
    struct harness h;
    h_init(&h, 24, 8);
    struct ms_client *c = ms_client_get(&h.s, 1, 1);
    uint32_t as;
    uint64_t va, v = 0;
    CHECK_ERR(ms_as_create(&h.s, c, 0, &as), MS_OK);
    struct ms_req_map m = anon(as, BASE, 16 * 4096, MS_RW, MS_MAP_FIXED);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    CHECK_ERR(h_write(&h, as, BASE, 1), 0); /* the long path: page table, spare run */
    uint64_t pages = c->quota.pages_used, slots = c->quota.slots_used, spare = h.s.spare_count;
    CHECK(spare > 0);
    CHECK_ERR(h_write(&h, as, BASE + 4096, 2), 0);
    CHECK_EQ(c->quota.pages_used, pages + 1);
    CHECK_EQ(c->quota.slots_used, slots + 1);
    CHECK_EQ(h.s.spare_count, spare - 1);
    ms_client_set_quota(&h.s, 1, c->quota.pages_used, 1u << 20);
    struct h_snap s0 = h_snap(&h, c);
    CHECK_ERR(h_write(&h, as, BASE + 2 * 4096, 3), MS_FAULT_QUOTA);
    CHECK(h_snap_eq(s0, h_snap(&h, c)));
    CHECK_EQ(h.s.spare_count, spare - 1);
    ms_client_set_quota(&h.s, 1, 1u << 20, c->quota.slots_used);
    CHECK_ERR(h_write(&h, as, BASE + 2 * 4096, 3), MS_FAULT_QUOTA);
    CHECK(h_snap_eq(s0, h_snap(&h, c)));
    ms_client_set_quota(&h.s, 1, 1u << 20, 1u << 20);
    CHECK_ERR(h_write(&h, as, BASE + 2 * 4096, 3), 0);
    CHECK_ERR(h_read(&h, as, BASE + 4096, &v), 0);
    CHECK_EQ(v, 2);
    CHECK_ERR(ms_as_destroy(&h.s, c, as), MS_OK);
    ms_client_destroy(&h.s, 1);
    h_check_all_free(&h);
    ms_fini(&h.s);
    fk_fini(&h.fk);
}

/* Large pages on demand: the first touch of an aligned 2 MiB block wholly inside the
 * region maps a 2 MiB frame; the partial blocks at the ends, a quota without room for
 * 512 pages and MS_MAP_4K regions get 4 KiB pages. */
static void test_fault_large(void)
{
    struct harness h;
    h_init(&h, 27, 8);
    struct ms_client *c = ms_client_get(&h.s, 1, 1);
    ms_client_set_quota(&h.s, 1, 1u << 20, 1u << 20);
    uint32_t as;
    uint64_t va, v = 0;
    CHECK_ERR(ms_as_create(&h.s, c, 0, &as), MS_OK);
    struct ms_req_map m = anon(as, BASE + 1 * MiB, 8 * MiB, MS_RW, MS_MAP_FIXED);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    uint64_t pages0 = c->quota.pages_used;
    for (uint64_t off = 0; off < 8 * MiB; off += 4096) CHECK_ERR(h_write(&h, as, va + off, off + 3), 0);
    /* 1 MiB head and tail in 4 KiB pages (256 faults each, one page table each), three
     * 2 MiB frames (one fault each); a PD for the space. */
    CHECK_EQ(h.s.stats.large_frames_mapped, 3);
    CHECK_EQ(h.s.stats.faults_fixed, 512 + 3);
    CHECK_EQ(c->quota.pages_used, pages0 + 2048 + 2 + 1 + 1);
    for (uint64_t off = 0; off < 8 * MiB; off += 4096) {
        CHECK_ERR(h_read(&h, as, va + off, &v), 0);
        if (v != off + 3) { CHECK_EQ(v, off + 3); break; }
    }
    /* Unmapping part of a 2 MiB frame splits it, the contents stay. */
    CHECK_ERR(ms_unmap(&h.s, c, as, BASE + 4 * MiB, 4096), MS_OK);
    CHECK_ERR(h_read(&h, as, BASE + 4 * MiB + 4096, &v), 0);
    CHECK_EQ(v, 3 * MiB + 4096 + 3);
    CHECK_ERR(ms_as_destroy(&h.s, c, as), MS_OK);
    /* Not enough quota for 512 pages: 4 KiB pages. */
    CHECK_ERR(ms_as_create(&h.s, c, 0, &as), MS_OK);
    m = anon(as, BASE, 4 * MiB, MS_RW, MS_MAP_FIXED);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    ms_client_set_quota(&h.s, 1, c->quota.pages_used + 100, 1u << 20);
    uint64_t large0 = h.s.stats.large_frames_mapped;
    CHECK_ERR(h_write(&h, as, BASE, 1), 0);
    CHECK_EQ(h.s.stats.large_frames_mapped, large0);
    ms_client_set_quota(&h.s, 1, 1u << 20, 1u << 20);
    /* A 4 KiB page in the first block already: that block stays 4 KiB, the next not. */
    CHECK_ERR(h_write(&h, as, BASE + 2 * MiB + 4096, 2), 0);
    CHECK_EQ(h.s.stats.large_frames_mapped, large0 + 1);
    CHECK_ERR(h_write(&h, as, BASE + 4096, 1), 0);
    CHECK_EQ(h.s.stats.large_frames_mapped, large0 + 1);
    /* MS_MAP_4K: never. */
    m = anon(as, BASE + 64 * MiB, 4 * MiB, MS_RW, MS_MAP_FIXED | MS_MAP_4K);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    CHECK_ERR(h_write(&h, as, BASE + 64 * MiB, 1), 0);
    CHECK_EQ(h.s.stats.large_frames_mapped, large0 + 1);
    CHECK_ERR(ms_as_destroy(&h.s, c, as), MS_OK);
    ms_client_destroy(&h.s, 1);
    h_check_all_free(&h);
    ms_fini(&h.s);
    fk_fini(&h.fk);
}

/* The first run of n free slots from the hint word on, bit by bit (the reference). */
static int64_t naive_run(const struct ms_slots *sl, uint32_t n)
{
    uint32_t run = 0;
    for (uint32_t i = sl->hint * 64u; i < sl->total; i++) {
        if ((sl->used[i / 64] >> (i % 64)) & 1u) run = 0;
        else if (++run == n) return (int64_t)(i + 1 - n);
    }
    return -1;
}

/* Runs of slots for batched retypes: the word-at-a-time search finds the same first run
 * as a bit-by-bit search, inside a word, across words and at the end of the table. */
static void test_slot_runs(void)
{
    struct harness h;
    h_init(&h, 27, 8);
    struct ms_slots *sl = &h.s.slots;
    uint32_t count0 = sl->count;
    ms_slot_t held[600];
    uint32_t nheld = 0;
    uint64_t x = 12345;
    for (uint32_t round = 0; round < 3000; round++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t r = (uint32_t)(x >> 33);
        if (r % 3 == 0 && nheld < 600) {
            ms_slot_t a = ms_slot_alloc(&h.s);
            if (a) held[nheld++] = a;
        } else if (r % 3 == 1 && nheld) {
            uint32_t k = (r >> 8) % nheld;
            ms_slot_free(&h.s, held[k]);
            held[k] = held[--nheld];
        } else {
            uint32_t n = 1 + (r >> 8) % 200;
            int64_t want = naive_run(sl, n);
            ms_slot_t at = 0;
            uint32_t got = ms_slot_alloc_run(&h.s, n, &at);
            if (want < 0) {
                CHECK_EQ(got, 0);
                continue;
            }
            CHECK_EQ(got, n);
            CHECK_EQ(at, sl->first + (uint64_t)want);
            for (uint32_t k = 0; k < got; k++) ms_slot_free(&h.s, at + k);
        }
    }
    while (nheld) ms_slot_free(&h.s, held[--nheld]);
    CHECK_EQ(sl->count, count0);
    ms_fini(&h.s);
    fk_fini(&h.fk);
}

/* Scenario 7 on QEMU (several clients; which one drains the pool depends on timing): a
 * fault needing a frame and a page table when exactly those 2 pages are left, with no
 * spare frames retyped.  Refilling the spare run must not take the page the page table
 * was promised (it used to take every free page of the chunk: MS_FAULT_KERNEL). */
static void fault_pool_nearly_empty(int shared)
{
    struct harness h;
    h_init(&h, 21, 8);
    struct ms_client *c = ms_client_get(&h.s, 1, 1);
    ms_client_set_quota(&h.s, 1, 1u << 20, 1u << 20);
    uint32_t as, obj = 0;
    uint64_t va, v = 0;
    CHECK_ERR(ms_as_create(&h.s, c, 0, &as), MS_OK);
    /* The region the fault is in (private, or a shared object's): its 2 MiB block has
     * no page table yet. */
    struct ms_req_map m = anon(as, BASE + 16 * MiB, 16 * 4096, MS_RW, MS_MAP_FIXED);
    if (shared) {
        struct ms_req_obj_create oc = { MS_OBJ_ANON, 0, 16 * 4096, 0 };
        CHECK_ERR(ms_obj_create(&h.s, c, &oc, &obj), MS_OK);
        m.obj = obj;
    }
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    CHECK_EQ(h.s.spare_count, 0);
    uint64_t at = BASE;
    for (unsigned i = 0; i < 4096 && h.s.pool.free_pages > 2; i++, at += 4096) {
        /* Pages populated one at a time until 2 pages are left. */
        struct ms_req_map one = anon(as, at, 4096, MS_RW, MS_MAP_FIXED | MS_MAP_POPULATE);
        CHECK_ERR(ms_map(&h.s, c, &one, &va), MS_OK);
    }
    CHECK_EQ(h.s.pool.free_pages, 2);
    CHECK_EQ(h.s.spare_count, 0);
    CHECK_ERR(h_read(&h, as, BASE + 16 * MiB, &v), 0);
    CHECK_EQ(v, 0);
    /* Nothing left: the next fault is refused as out of memory, not as a kernel error. */
    CHECK_ERR(h_read(&h, as, BASE + 16 * MiB + 4096, &v), MS_FAULT_NO_MEMORY);
    CHECK_ERR(ms_as_destroy(&h.s, c, as), MS_OK);
    if (shared) CHECK_ERR(ms_obj_close(&h.s, c, obj), MS_OK);
    ms_client_destroy(&h.s, 1);
    h_check_all_free(&h);
    ms_fini(&h.s);
    fk_fini(&h.fk);
}

static void test_fault_pool_nearly_empty(void)
{
    fault_pool_nearly_empty(0);
    fault_pool_nearly_empty(1);
}

int main(void)
{
    test_fault_pool_nearly_empty();
    test_slot_runs();
    test_touch_64mib();
    test_fault_large();
    test_fault_fast_path();
    test_populate_large();
    test_populate_4k();
    test_split_merge();
    test_shared_and_guard();
    test_cow();
    test_bad_input();
    test_heap_failures();
    if (h_failures) {
        printf("memserver_core_test: %d failures\n", h_failures);
        return 1;
    }
    printf("memserver_core_test: all passed\n");
    return 0;
}
