/*
 * One test per class of bug found by a hostile client (issue 8).  Each would have
 * failed against the server before the fix:
 *   - identity: one address space per PML4 (AS_ADOPT twice, or of a created space);
 *   - the user top: mappings the kernel refuses are refused in decode;
 *   - kernel refusals of acts are rolled back (MAP POPULATE) or reported (faults),
 *     a failed copy-on-write copy never yields a zero page;
 *   - fault endpoints: no Grant, revoked with their space, badges checked against the
 *     owner, handle slots retired before their generation wraps;
 *   - device memory claimed by one client; fetch faults on non-X memory reported;
 *     a size no hole can hold is MS_ERR_NO_SPACE.
 */
#include "harness.h"
#include "memserver/core/core.h"

#define MiB (1ull << 20)
#define BASE 0x0000100000000000ull
#define OUT 10u    /* the server's reply slot */
#define CLIENT 20u /* a client's copy of a cap */
#define UT 40u     /* an untyped of the client's own */

static void fini(struct harness *h)
{
    for (uint32_t i = 0; i < MS_MAX_CLIENTS; i++)
        if (h->s.clients[i].used) ms_client_destroy(&h->s, h->s.clients[i].badge);
    h_check_all_free(h);
    ms_fini(&h->s);
    fk_fini(&h->fk);
}

/* A PML4 with an ASID made by a client itself (in slot `slot`), handed to the server:
 * returns the server's copy (a core slot). */
static ms_slot_t client_pml4(struct harness *h, ms_slot_t slot, int with_asid)
{
    struct ms_kernel_ops k = fk_ops(&h->fk);
    if (!fk_cap_at(&h->fk, UT)->obj) fk_make_untyped(&h->fk, UT, 18, 0);
    CHECK_EQ(k.retype(k.ctx, UT, MS_KOBJ_PML4, 0, slot), 0);
    if (with_asid) CHECK_EQ(k.assign_asid(k.ctx, slot), 0);
    ms_slot_t copy = ms_take_slot(&h->s);
    if (k.copy_cap(k.ctx, copy, slot)) h->fk.violations--; /* (no ASID: the kernel refuses the copy) */
    return copy;
}

static void test_one_space_per_pml4(void)
{
    struct harness h;
    h_init(&h, 24, 8);
    struct ms_client *c = ms_client_get(&h.s, 1, 1);
    uint32_t a, b, created;
    ms_slot_t p1 = client_pml4(&h, 30, 1);
    CHECK_ERR(ms_as_adopt(&h.s, c, p1, &a), MS_OK);
    /* The same PML4 again: refused, nothing changed. */
    ms_slot_t p2 = ms_take_slot(&h.s);
    struct ms_kernel_ops k = fk_ops(&h.fk);
    CHECK_EQ(k.copy_cap(k.ctx, p2, 30), 0);
    struct h_snap s0 = h_snap(&h, c);
    CHECK_ERR(ms_as_adopt(&h.s, c, p2, &b), MS_ERR_BUSY);
    CHECK_EQ(h.fk.violations, 1); /* the kernel's DeleteFirst, which tells us */
    h.fk.violations = 0;
    CHECK_EQ(h_snap(&h, c).used_pages, s0.used_pages);
    CHECK_EQ(h_snap(&h, c).used_slots, s0.used_slots);
    /* The PML4 of a created space, through an AS_VSPACE copy: refused too. */
    CHECK_ERR(ms_as_create(&h.s, c, 0, &created), MS_OK);
    CHECK_ERR(ms_as_vspace(&h.s, c, created, OUT), MS_OK);
    ms_slot_t p3 = ms_take_slot(&h.s);
    CHECK_EQ(k.copy_cap(k.ctx, p3, OUT), 0);
    CHECK_ERR(ms_as_adopt(&h.s, c, p3, &b), MS_ERR_BUSY);
    h.fk.violations = 0;
    /* Not a PML4 (a frame cap), and a PML4 without an ASID: MS_ERR_BAD_CAP. */
    ms_slot_t frame = ms_take_slot(&h.s);
    CHECK_EQ(k.retype(k.ctx, UT, MS_KOBJ_FRAME_4K, 0, 31), 0);
    CHECK_EQ(k.copy_cap(k.ctx, frame, 31), 0);
    CHECK_ERR(ms_as_adopt(&h.s, c, frame, &b), MS_ERR_BAD_CAP);
    CHECK_EQ(k.retype(k.ctx, UT, MS_KOBJ_PML4, 0, 32), 0);
    h.fk.violations = 0;
    CHECK_ERR(ms_as_adopt(&h.s, c, 32, &b), MS_ERR_BAD_CAP); /* (the cap the client sent) */
    h.fk.violations = 0;
    const ms_slot_t refused[3] = { p2, p3, frame };
    for (unsigned i = 0; i < 3; i++) { /* the refused caps: the server's dispatch deletes them */
        CHECK_EQ(k.delete_cap(k.ctx, refused[i]), 0);
        ms_give_slot(&h.s, refused[i]);
    }
    /* Populate through the adopted space and destroy it: the server's records hold. */
    uint64_t va;
    struct ms_req_map m = { a, 0, MS_RW, MS_MAP_FIXED | MS_MAP_POPULATE, 0x0000010000000000ull, 4 * MiB, 0 };
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    CHECK_ERR(ms_as_destroy(&h.s, c, a), MS_OK);
    CHECK_ERR(ms_as_destroy(&h.s, c, created), MS_OK);
    CHECK_EQ(k.delete_cap(k.ctx, OUT), 0);
    for (ms_slot_t sl = 30; sl <= 32; sl++) CHECK_EQ(k.delete_cap(k.ctx, sl), 0);
    fini(&h);
}

static void test_user_top(void)
{
    struct harness h;
    h_init(&h, 24, 8);
    struct ms_client *c = ms_client_get(&h.s, 1, 1);
    uint32_t as;
    uint64_t va;
    CHECK_ERR(ms_as_create(&h.s, c, 0, &as), MS_OK);
    struct ms_req_map m = { as, 0, MS_RW, MS_MAP_FIXED | MS_MAP_POPULATE, 0x00007FFFFFFFF000ull, 4096, 0 };
    struct h_snap s0 = h_snap(&h, c);
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_ERR_KERNEL_HALF);
    m.va = 0x00007FFFFFE00000ull, m.size = 2 * MiB;
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_ERR_KERNEL_HALF);
    CHECK(h_snap_eq(s0, h_snap(&h, c)));
    /* The last page and the last 2 MiB block the kernel maps. */
    m.va = 0x00007FFFFFFFE000ull, m.size = 4096;
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    m.va = 0x00007FFFFFC00000ull, m.size = 2 * MiB;
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    CHECK_EQ(h.s.stats.large_frames_mapped, 1);
    CHECK_ERR(h_write(&h, as, 0x00007FFFFFFFE000ull, 5), 0);
    CHECK_ERR(ms_unmap(&h.s, c, as, 0x00007FFFFFC00000ull, 2 * MiB + 4096), MS_OK);
    CHECK_EQ(h.fk.violations, 0);
    /* Not even a hole search can hold 2^47 - 4 KiB: no space (not "no memory"). */
    struct ms_req_map big = { as, 0, MS_RW, 0, 0, (1ull << 47) - 4096, 0 };
    CHECK_ERR(ms_map(&h.s, c, &big, &va), MS_ERR_NO_SPACE);
    big.size = 1ull << 47; /* more than the whole user half */
    CHECK_ERR(ms_map(&h.s, c, &big, &va), MS_ERR_KERNEL_HALF);
    CHECK_ERR(ms_as_destroy(&h.s, c, as), MS_OK);
    fini(&h);
}

/* The client maps a structure of its own into its space (AS_VSPACE copy): the
 * server's populate there is refused by the kernel and rolled back. */
static void test_refused_populate_rolls_back(void)
{
    struct harness h;
    h_init(&h, 24, 8);
    struct ms_client *c = ms_client_get(&h.s, 1, 1);
    struct ms_kernel_ops k = fk_ops(&h.fk);
    uint32_t as, obj;
    uint64_t va;
    CHECK_ERR(ms_as_create(&h.s, c, 0, &as), MS_OK);
    CHECK_ERR(ms_as_vspace(&h.s, c, as, OUT), MS_OK);
    fk_make_untyped(&h.fk, UT, 18, 0);
    CHECK_EQ(k.retype(k.ctx, UT, MS_KOBJ_PD, 0, 33), 0);
    CHECK_EQ(k.retype(k.ctx, UT, MS_KOBJ_PDPT, 0, 34), 0);
    CHECK_EQ(k.map_table(k.ctx, MS_KOBJ_PDPT, 34, OUT, BASE), 0);
    CHECK_EQ(k.map_table(k.ctx, MS_KOBJ_PD, 33, OUT, BASE), 0); /* the server does not know it */
    struct ms_req_obj_create oc = { MS_OBJ_ANON, 0, 8 * 4096, 0 };
    CHECK_ERR(ms_obj_create(&h.s, c, &oc, &obj), MS_OK);
    struct ms_quota q0 = c->quota;
    uint32_t slots0 = ms_free_slots(&h.s);
    struct ms_req_map m = { as, 0, MS_RW, MS_MAP_FIXED | MS_MAP_POPULATE, BASE, 64 * 4096, 0 };
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_ERR_KERNEL);
    struct ms_req_map sm = { as, obj, MS_RW, MS_MAP_FIXED | MS_MAP_POPULATE, BASE + 8 * 4096, 8 * 4096, 0 };
    CHECK_ERR(ms_map(&h.s, c, &sm, &va), MS_ERR_KERNEL);
    h.fk.violations = 0;
    CHECK_EQ(c->quota.pages_used, q0.pages_used);
    CHECK_EQ(c->quota.slots_used, q0.slots_used);
    CHECK_EQ(ms_free_slots(&h.s), slots0);
    struct ms_query_result qr;
    CHECK_ERR(ms_query(&h.s, c, as, BASE, &qr), MS_ERR_NOT_MAPPED);
    CHECK_EQ(MS_E_KIND(h.s.obj[(obj & 0xFFFF) - 1]->page[0]), MS_E_NONE); /* no page left populated */
    /* A fault there is reported, not fixed, and leaves nothing behind. */
    m.flags = MS_MAP_FIXED;
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    CHECK_ERR(h_write(&h, as, BASE, 1), MS_FAULT_KERNEL);
    h.fk.violations = 0;
    CHECK_EQ(c->quota.pages_used, q0.pages_used);
    /* Elsewhere (another 512 GiB slot) the space works, and destroying it is clean. */
    CHECK_ERR(ms_unmap(&h.s, c, as, BASE, 64 * 4096), MS_OK);
    m.va = BASE + (1ull << 39), m.flags = MS_MAP_FIXED | MS_MAP_POPULATE;
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    CHECK_EQ(k.delete_cap(k.ctx, 33), 0);
    CHECK_EQ(k.delete_cap(k.ctx, 34), 0);
    CHECK_ERR(ms_as_destroy(&h.s, c, as), MS_OK);
    CHECK_EQ(fk_cap_at(&h.fk, OUT)->obj, 0); /* the AS_VSPACE copy was revoked */
    fini(&h);
}

static void test_cow_copy_refused(void)
{
    struct harness h;
    h_init(&h, 24, 8);
    struct ms_client *c = ms_client_get(&h.s, 1, 1);
    uint32_t as;
    uint64_t va, v = 0;
    CHECK_ERR(ms_as_create(&h.s, c, 0, &as), MS_OK);
    struct ms_req_map m = { as, 0, MS_RW, MS_MAP_FIXED, BASE, 2 * 4096, 0 };
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    CHECK_ERR(h_write(&h, as, BASE, 1234), 0);
    CHECK_ERR(h_write(&h, as, BASE + 4096, 5678), 0);
    struct ms_req_clone cl = { as, as, MS_CLONE_FIXED, BASE, 2 * 4096, BASE + 64 * MiB };
    CHECK_ERR(ms_clone(&h.s, c, &cl, &va), MS_OK);
    /* Write to the shared page (COW break) and first read-fill from the backing: the
     * copy is refused: reported, and the page keeps its contents afterwards. */
    uint64_t pages = c->quota.pages_used;
    h.fk.fail_copy_page = 1;
    CHECK_ERR(h_write(&h, as, BASE, 1), MS_FAULT_KERNEL);
    CHECK_EQ(c->quota.pages_used, pages);
    CHECK_ERR(h_read(&h, as, BASE, &v), 0);
    CHECK_EQ(v, 1234);
    h.fk.fail_copy_page = 1;
    CHECK_ERR(h_write(&h, as, BASE + 64 * MiB + 4096, 9), MS_FAULT_KERNEL);
    CHECK_ERR(h_read(&h, as, BASE + 64 * MiB + 4096, &v), 0);
    CHECK_EQ(v, 5678); /* never a zero page */
    CHECK_ERR(h_write(&h, as, BASE + 64 * MiB + 4096, 9), 0);
    CHECK_ERR(h_read(&h, as, BASE + 4096, &v), 0);
    CHECK_EQ(v, 5678);
    CHECK_ERR(ms_as_destroy(&h.s, c, as), MS_OK);
    fini(&h);
}

static void test_fault_endpoints(void)
{
    struct harness h;
    h_init(&h, 24, 8);
    struct ms_client *c = ms_client_get(&h.s, 1, 1), *d = ms_client_get(&h.s, 2, 1);
    struct ms_kernel_ops k = fk_ops(&h.fk);
    uint32_t a, b;
    uint64_t va;
    CHECK_ERR(ms_as_create(&h.s, c, 0, &a), MS_OK);
    CHECK_ERR(ms_as_fault_ep(&h.s, c, a, OUT), MS_OK);
    const struct fk_cap *ep = fk_cap_at(&h.fk, OUT);
    CHECK(ep->obj && !ep->grant && ep->badge == h_badge(&h, a));
    CHECK_EQ(k.copy_cap(k.ctx, CLIENT, OUT), 0); /* the client's, and its TCB's */
    uint64_t old_badge = h_badge(&h, a);
    CHECK_ERR(ms_as_destroy(&h.s, c, a), MS_OK);
    CHECK_EQ(fk_cap_at(&h.fk, OUT)->obj, 0);
    CHECK_EQ(fk_cap_at(&h.fk, CLIENT)->obj, 0);
    CHECK_EQ(h.fk.cancelled_badges, 1);
    /* Another client's space: a forged badge naming it with the wrong owner, and the
     * old badge after its slot was reused, reach nothing. */
    CHECK_ERR(ms_as_create(&h.s, d, 0, &b), MS_OK);
    struct ms_req_map m = { b, 0, MS_RW, MS_MAP_FIXED, BASE, 4096, 0 };
    CHECK_ERR(ms_map(&h.s, d, &m, &va), MS_OK);
    uint64_t forged = (h_badge(&h, b) & ~(0x3Full << MS_FAULT_CLIENT_SHIFT)) |
                      ((uint64_t)(c - h.s.clients) << MS_FAULT_CLIENT_SHIFT);
    uint64_t pages = d->quota.pages_used;
    CHECK_EQ(ms_vm_fault(&h.s, forged, BASE, 0x1000, 2), 1);
    CHECK_EQ(ms_vm_fault(&h.s, old_badge, BASE, 0x1000, 2), 1);
    CHECK_EQ(ms_vm_fault(&h.s, (uint32_t)h_badge(&h, b), BASE, 0x1000, 2), 1); /* no fault bit */
    CHECK_EQ(d->quota.pages_used, pages);
    struct ms_fault_info fi;
    CHECK_ERR(ms_fault_get(&h.s, d, b, &fi), MS_ERR_NO_FAULT);
    CHECK_EQ(ms_vm_fault(&h.s, h_badge(&h, b), BASE, 0x1000, 2), 0); /* the right one works */
    CHECK_ERR(ms_as_destroy(&h.s, d, b), MS_OK);
    /* A handle slot is retired before its generation wraps: handles never repeat. */
    uint32_t first = 0, h1 = 0, n = 0;
    CHECK_ERR(ms_as_create(&h.s, c, 0, &first), MS_OK);
    CHECK_ERR(ms_as_destroy(&h.s, c, first), MS_OK);
    for (n = 0; n < 70000; n++) {
        if (ms_as_create(&h.s, c, 0, &h1) != MS_OK) break;
        CHECK_ERR(ms_as_destroy(&h.s, c, h1), MS_OK);
        if ((h1 & 0xFFFF) != (first & 0xFFFF)) break;
        if (h1 == first) { CHECK(h1 != first); break; }
    }
    CHECK_EQ(h.s.as_gen[(first & 0xFFFF) - 1], MS_GEN_MAX); /* retired */
    CHECK((h1 & 0xFFFF) != (first & 0xFFFF));
    fini(&h);
}

static void test_device_and_fetch(void)
{
    struct harness h;
    h_init(&h, 24, 8);
    struct ms_client *c = ms_client_get(&h.s, 1, 1), *d = ms_client_get(&h.s, 2, 1);
    uint32_t o1, o2, o3, as;
    uint64_t va;
    struct ms_req_obj_create pc = { MS_OBJ_PHYS, 0, 2 * 4096, 0xFEB01000ull };
    CHECK_ERR(ms_obj_create(&h.s, c, &pc, &o1), MS_OK);
    struct ms_req_obj_create other = { MS_OBJ_PHYS, 0, 4096, 0xFEB02000ull };
    CHECK_ERR(ms_obj_create(&h.s, d, &other, &o2), MS_ERR_BUSY); /* overlaps c's */
    CHECK_ERR(ms_obj_create(&h.s, c, &other, &o3), MS_OK);       /* the owner may */
    other.paddr = 0xFEB03000ull;
    CHECK_ERR(ms_obj_create(&h.s, d, &other, &o2), MS_OK);       /* next to it: fine */
    CHECK_ERR(ms_obj_close(&h.s, c, o1), MS_OK);
    other.paddr = 0xFEB02000ull;
    CHECK_ERR(ms_obj_create(&h.s, d, &other, &o1), MS_ERR_BUSY); /* o3 still holds it */
    CHECK_ERR(ms_obj_close(&h.s, c, o3), MS_OK);
    CHECK_ERR(ms_obj_create(&h.s, d, &other, &o1), MS_OK);
    /* An instruction fetch from a not-present page mapped R: reported, not filled. */
    CHECK_ERR(ms_as_create(&h.s, c, 0, &as), MS_OK);
    struct ms_req_map m = { as, 0, MS_R, MS_MAP_FIXED, BASE, 2 * 4096, 0 };
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    CHECK_EQ(ms_vm_fault(&h.s, h_badge(&h, as), BASE + 0x10, BASE + 0x10, 4), 1);
    struct ms_fault_info fi;
    CHECK_ERR(ms_fault_get(&h.s, c, as, &fi), MS_OK);
    CHECK_EQ(fi.kind, MS_FAULT_EXEC_NX);
    CHECK_EQ(ms_vm_fault(&h.s, h_badge(&h, as), BASE + 4096, BASE + 4096 - 3, 4), 1); /* straddling */
    CHECK_ERR(ms_fault_get(&h.s, c, as, &fi), MS_OK);
    CHECK_EQ(fi.kind, MS_FAULT_EXEC_NX);
    CHECK_EQ(ms_vm_fault(&h.s, h_badge(&h, as), BASE + 0x10, 0x401000, 4), 0); /* a data read */
    m.va = BASE + 16 * 4096, m.rights = MS_RX;
    CHECK_ERR(ms_map(&h.s, c, &m, &va), MS_OK);
    CHECK_EQ(ms_vm_fault(&h.s, h_badge(&h, as), BASE + 16 * 4096, BASE + 16 * 4096, 4), 0);
    fini(&h);
}

int main(void)
{
    test_one_space_per_pml4();
    test_user_top();
    test_refused_populate_rolls_back();
    test_cow_copy_refused();
    test_fault_endpoints();
    test_device_and_fetch();
    printf("memserver_hardening_test: %s\n", h_failures ? "FAILED" : "all passed");
    return h_failures != 0;
}
