/*
 * test-ms-hostile scenarios 2, 3 and 6: limits and smaller deviations.  The top of the
 * user address space (the kernel maps nothing at or above 0x7FFFFFFFF000), quotas
 * lowered below what a client already uses, the administrator badge and bit, the
 * no-space answer for huge mappings, ownership of device memory, and instruction
 * fetches from memory mapped without execute rights.
 */
#include "tests/memserver/hostile_root.h"

#define USER_TOP_PAGE 0x00007FFFFFFFF000ull
#define TOP_2M 0x00007FFFFFE00000ull

/* A mapping just below the user top must work; one that reaches it must be refused
 * (MS_ERR_KERNEL_HALF) and must leave the server able to unmap and destroy. */
static void user_top(seL4_Word badge, uint64_t good_va, uint64_t bad_va, uint64_t size, const char *bad_what)
{
    seL4_CPtr c = h_client(badge);
    uint32_t h = 0;
    uint64_t va;
    struct ms_query_result q;
    h_check_err(msc_as_create(c, &h), MS_OK, "create an address space");
    h_check_err(msc_map(c, h, good_va, size, 0, 0, MS_RW, MS_MAP_FIXED | MS_MAP_POPULATE, &va), MS_OK,
                "populate the highest block below the user top");
    h_check(msc_query(c, h, good_va, &q) == MS_OK && q.present, "it is present");
    h_check_err(msc_unmap(c, h, good_va, size), MS_OK, "unmap it");
    int err = msc_map(c, h, bad_va, size, 0, 0, MS_RW, MS_MAP_FIXED | MS_MAP_POPULATE, &va);
    h_check_err(err, MS_ERR_KERNEL_HALF, bad_what);
    if (err == MS_OK) {
        err = msc_query(c, h, bad_va, &q);
        printf("  (query says: %s, present %u)\n", ms_err_name(err), err ? 0 : q.present);
        printf("  (unmap: %s)\n", ms_err_name(msc_unmap(c, h, bad_va, size)));
        h_alive("the server is alive after the unmap");
    }
    h_check_err(msc_as_destroy(c, h), MS_OK, "destroy the address space");
    h_alive("the server is alive after the destroy");
    h_check_err(msc_client_destroy(h_admin(), badge), MS_OK, "the client is destroyed");
}

void scenario_user_top_4k(void)
{
    user_top(0x311, USER_TOP_PAGE - PAGE, USER_TOP_PAGE, PAGE, "populating 4 KiB at 0x7FFFFFFFF000 is refused");
}

void scenario_user_top_2m(void)
{
    user_top(0x312, TOP_2M - 2 * MiB, TOP_2M, 2 * MiB, "populating 2 MiB at 0x7FFFFFE00000 is refused");
}

void scenario_quota_lowered(void)
{
    const seL4_Word badge = 0x321;
    seL4_CPtr c = h_client(badge), admin = h_admin(), ntfn = h_notification(), go = h_notification();
    seL4_Word args[HA_NARGS] = { HM_TOUCH, 0, 0, badge, 0, 0 };
    h_check(h_spawn(badge, ntfn, go, args, SERVER_PRIO - 10) != seL4_CapNull, "start a client");
    seL4_Word from = 0, mr[2] = { 0 };
    seL4_Word label = h_wait_child(&from, mr, 2);
    uint32_t as = (uint32_t)mr[0];
    uint64_t va = mr[1], got;
    if (!h_check(label == HMSG_READY && from == badge && as, "it adopted its VSpace and populated 16 pages")) return;
    struct ms_quota_info q0 = { 0 }, q1 = { 0 }, q2 = { 0 };
    h_check_err(msc_quota_get(c, &q0), MS_OK, "quota before");
    printf("  (the client uses %lu pages, %lu slots)\n", (unsigned long)q0.pages_used, (unsigned long)q0.slots_used);
    h_check_err(msc_quota_set(admin, badge, 1, 1), MS_OK, "lower its quota to 1 page and 1 slot");
    h_check_err(msc_as_create(c, &as), MS_ERR_QUOTA, "AS_CREATE: over quota");
    as = (uint32_t)mr[0];
    h_check_err(msc_map(c, as, HOSTILE_VA + 64 * MiB, 4 * PAGE, 0, 0, MS_RW, MS_MAP_FIXED | MS_MAP_POPULATE, &got),
                MS_ERR_QUOTA, "MAP POPULATE of 4 pages: over quota");
    h_check_err(msc_map(c, as, HOSTILE_VA + 128 * MiB, 2 * MiB, 0, 0, MS_RW, MS_MAP_FIXED | MS_MAP_POPULATE, &got),
                MS_ERR_QUOTA, "MAP POPULATE of 2 MiB: over quota");
    uint32_t h;
    h_check_err(msc_as_adopt(c, h_spare_pml4(), &h), MS_ERR_QUOTA, "AS_ADOPT: over quota");
    h_check_err(msc_as_fork(c, as, &h), MS_ERR_QUOTA, "AS_FORK: over quota");
    uint32_t obj = 0;
    h_check_err(msc_obj_create(c, MS_OBJ_ANON, 4 * PAGE, 0, 0, &obj), MS_OK, "OBJ_CREATE (charges nothing)");
    h_check_err(msc_map(c, as, HOSTILE_VA + 192 * MiB, 4 * PAGE, obj, 0, MS_RW, MS_MAP_FIXED | MS_MAP_POPULATE, &got),
                MS_ERR_QUOTA, "MAP POPULATE of the object: over quota");
    h_check_err(msc_obj_close(c, obj), MS_OK, "close the object");
    h_check_err(msc_quota_get(c, &q1), MS_OK, "quota after");
    printf("  (the client uses %lu pages, %lu slots; limits %lu, %lu)\n", (unsigned long)q1.pages_used,
           (unsigned long)q1.slots_used, (unsigned long)q1.pages_limit, (unsigned long)q1.slots_limit);
    h_check(q1.pages_used == q0.pages_used && q1.slots_used == q0.slots_used, "the refused requests charged nothing");
    h_check(q1.pages_limit == 1 && q1.slots_limit == 1, "the limits are the lowered ones");
    /* A demand fault cannot be populated either: reported, not filled. */
    seL4_Signal(go);
    seL4_Word bits;
    seL4_Wait(ntfn, &bits);
    struct ms_fault_info f = { 0 };
    int err = msc_fault_get(c, as, &f);
    printf("  (fault report: %s kind %u addr %#lx)\n", ms_err_name(err), f.kind, (unsigned long)f.addr);
    h_check(err == MS_OK && f.kind == MS_FAULT_QUOTA && f.addr == va, "a write to a new page is reported as MS_FAULT_QUOTA");
    h_check_err(msc_quota_get(c, &q2), MS_OK, "quota at the end");
    h_check(q2.pages_used == q0.pages_used && q2.slots_used == q0.slots_used, "the fault charged nothing");
    h_check_err(msc_client_destroy(admin, badge), MS_OK, "the client is destroyed");
}

void scenario_admin_badge(void)
{
    seL4_CPtr c = h_client(MS_ADMIN_BADGE);
    uint64_t v, s[9];
    uint32_t h;
    struct ms_quota_info q;
    h_check_err(msc_hello(c, &v), MS_ERR_DENIED, "HELLO with badge MS_ADMIN_BADGE is refused");
    h_check_err(msc_quota_get(c, &q), MS_ERR_DENIED, "QUOTA_GET is refused");
    h_check_err(msc_as_create(c, &h), MS_ERR_DENIED, "AS_CREATE is refused");
    h_check_err(msc_stats(c, s), MS_ERR_DENIED, "STATS is refused");
    h_alive("the server is alive");
}

void scenario_client_destroy_0(void)
{
    const seL4_Word badge = 0x331, victim = 0x332;
    seL4_CPtr c = h_client(badge), v = h_client(victim);
    uint32_t hv = 0;
    h_check_err(msc_as_create(v, &hv), MS_OK, "another client creates an address space");
    h_check_err(msc_client_destroy(c, 0), MS_ERR_DENIED, "CLIENT_DESTROY(0) without admin: MS_ERR_DENIED");
    h_check_err(msc_client_destroy(c, victim), MS_ERR_DENIED, "CLIENT_DESTROY(other) without admin: MS_ERR_DENIED");
    h_check_err(msc_client_destroy(c, badge), MS_ERR_DENIED, "CLIENT_DESTROY(self) without admin: MS_ERR_DENIED");
    struct ms_query_result q;
    h_check_err(msc_query(v, hv, 0, &q), MS_ERR_NOT_MAPPED, "the other client's space still exists");
    h_check_err(msc_client_destroy(h_admin(), victim), MS_OK, "the administrator destroys it");
    h_check_err(msc_client_destroy(h_admin(), badge), MS_OK, "and the first client");
}

void scenario_map_no_space(void)
{
    const seL4_Word badge = 0x341;
    seL4_CPtr c = h_client(badge);
    uint32_t h = 0, ha = 0;
    uint64_t va;
    const uint64_t size = (1ull << 47) - PAGE;
    h_check_err(msc_as_create(c, &h), MS_OK, "create an address space");
    h_check_err(msc_map(c, h, 0, size, 0, 0, MS_RW, 0, &va), MS_ERR_NO_SPACE, "MAP of 2^47 - 4 KiB: no space");
    h_check_err(msc_as_adopt(c, h_spare_pml4(), &ha), MS_OK, "adopt a PML4");
    h_check_err(msc_map(c, ha, 0, size, 0, 0, MS_RW, 0, &va), MS_ERR_NO_SPACE, "the same in the adopted space");
    h_check_err(msc_map(c, h, 0, 1ull << 47, 0, 0, MS_RW, 0, &va), MS_ERR_KERNEL_HALF, "MAP of 2^47: kernel half");
    h_check_err(msc_client_destroy(h_admin(), badge), MS_OK, "the client is destroyed");
}

void scenario_phys_owned(void)
{
    const seL4_Word bp = 0x361, bq = 0x362;
    seL4_Word paddr;
    if (!h_have_device(&paddr)) {
        printf("  (skip: no device untyped)\n");
        return;
    }
    seL4_CPtr p = h_client(bp), q = h_client(bq);
    uint32_t op = 0, oq = 0;
    h_check_err(msc_obj_create(p, MS_OBJ_PHYS, 2 * PAGE, paddr, 0, &op), MS_OK, "client P: PHYS object, 2 pages");
    h_check_err(msc_obj_create(q, MS_OBJ_PHYS, PAGE, paddr + PAGE, 0, &oq), MS_ERR_BUSY,
                "client Q: PHYS over P's second page is refused");
    h_check_err(msc_obj_create(q, MS_OBJ_PHYS, 4 * PAGE, paddr, 0, &oq), MS_ERR_BUSY,
                "client Q: PHYS over all of P's range is refused");
    h_alive("the server is alive");
    h_check_err(msc_client_destroy(h_admin(), bp), MS_OK, "client P is destroyed");
    h_check_err(msc_client_destroy(h_admin(), bq), MS_OK, "client Q is destroyed");
}

void scenario_exec_nx(void)
{
    const seL4_Word badge = 0x371;
    seL4_CPtr c = h_client(badge), ntfn = h_notification(), go = h_notification();
    seL4_Word args[HA_NARGS] = { HM_EXEC, 0, 0, badge, 0, 0 };
    h_check(h_spawn(badge, ntfn, go, args, SERVER_PRIO - 10) != seL4_CapNull, "start a client");
    seL4_Word from = 0, mr[2] = { 0 };
    seL4_Word label = h_wait_child(&from, mr, 2);
    uint32_t as = (uint32_t)mr[0];
    uint64_t va = mr[1];
    if (!h_check(label == HMSG_READY && from == badge && as, "it mapped a page R (not populated)")) return;
    seL4_Signal(go);
    seL4_Word bits;
    seL4_Wait(ntfn, &bits);
    struct ms_fault_info f = { 0 };
    int err = msc_fault_get(c, as, &f);
    printf("  (fault report: %s kind %u addr %#lx)\n", ms_err_name(err), f.kind, (unsigned long)f.addr);
    h_check(err == MS_OK && f.kind == MS_FAULT_EXEC_NX && f.addr == va,
            "the jump into the page is reported as MS_FAULT_EXEC_NX");
    struct ms_query_result q;
    h_check(msc_query(c, as, va, &q) == MS_OK && !q.present, "the page was not filled");
    h_check_err(msc_client_destroy(h_admin(), badge), MS_OK, "the client is destroyed");
}
