/*
 * test-ms-hostile scenarios 1, 4 and 5: who an address space or a fault endpoint
 * belongs to.  A PML4 is managed by at most one address space; a cap sent through a
 * fault endpoint must not break cap transfer for other clients; an old fault endpoint
 * must never reach another client's space, however often handles are reused.
 */
#include "tests/memserver/hostile_root.h"

#define ROOT_CNODE seL4_CapInitThreadCNode
/* The handle's index repeats with a new generation on every reuse; enough cycles to go
 * round a 15-bit generation counter (plus a margin). */
#define REUSE_CYCLES 32800u

static uint64_t free_pages_slots(uint64_t *slots)
{
    uint64_t s[9] = { 0 };
    (void)msc_stats(h_admin(), s);
    *slots = s[5];
    return s[4];
}

static void check_back(uint64_t pages0, uint64_t slots0)
{
    uint64_t slots1, pages1 = free_pages_slots(&slots1);
    printf("  (free pages %lu -> %lu, free slots %lu -> %lu)\n", (unsigned long)pages0, (unsigned long)pages1,
           (unsigned long)slots0, (unsigned long)slots1);
    h_check(pages1 == pages0 && slots1 == slots0, "free pages and slots are back at their starting values");
}

/* Populates 4 pages at `va` through a handle whose adoption should have been refused. */
static void populate_duplicate(seL4_CPtr c, uint32_t h, const char *which)
{
    uint64_t got;
    int err = msc_map(c, h, TEST_BASE, 4 * PAGE, 0, 0, MS_RW, MS_MAP_FIXED | MS_MAP_POPULATE, &got);
    printf("  (populate the same range through the %s handle: %s)\n", which, ms_err_name(err));
}

static void destroy_duplicate(seL4_CPtr c, uint32_t h, const char *which)
{
    printf("  (destroy the %s handle's space: %s)\n", which, ms_err_name(msc_as_destroy(c, h)));
    h_alive("the server is alive after that");
}

void scenario_adopt_twice(void)
{
    const seL4_Word badge = 0x301;
    seL4_CPtr c = h_client(badge), pml4 = h_spare_pml4(), copy = h_slot();
    h_check(pml4 && !seL4_CNode_Copy(ROOT_CNODE, copy, seL4_WordBits, ROOT_CNODE, pml4, seL4_WordBits, seL4_AllRights),
            "a PML4 with an ASID, and a second cap to it");
    uint64_t slots0, pages0 = free_pages_slots(&slots0);
    uint32_t a1 = 0, a2 = 0, a3 = 0;
    uint64_t va;
    h_check_err(msc_as_adopt(c, pml4, &a1), MS_OK, "adopt the PML4");
    int e2 = msc_as_adopt(c, pml4, &a2);
    h_check_err(e2, MS_ERR_BUSY, "adopt the same PML4 cap again: busy");
    int e3 = msc_as_adopt(c, copy, &a3);
    h_check_err(e3, MS_ERR_BUSY, "adopt another cap to the same PML4: busy");
    h_check_err(msc_map(c, a1, TEST_BASE, 4 * PAGE, 0, 0, MS_RW, MS_MAP_FIXED | MS_MAP_POPULATE, &va), MS_OK,
                "populate 4 pages through the first handle");
    if (!e2) populate_duplicate(c, a2, "second");
    if (!e3) populate_duplicate(c, a3, "third");
    h_check_err(msc_as_destroy(c, a1), MS_OK, "destroy the first handle's space");
    h_alive("the server is alive after the destroy");
    if (!e2) destroy_duplicate(c, a2, "second");
    if (!e3) destroy_duplicate(c, a3, "third");
    check_back(pages0, slots0);
    h_check_err(msc_client_destroy(h_admin(), badge), MS_OK, "the client is destroyed");
}

void scenario_adopt_managed(void)
{
    const seL4_Word badge = 0x302;
    seL4_CPtr c = h_client(badge), vspace = h_slot();
    uint64_t slots0, pages0 = free_pages_slots(&slots0);
    uint32_t h = 0, h2 = 0;
    uint64_t va;
    h_check_err(msc_as_create(c, &h), MS_OK, "create an address space");
    h_check_err(msc_as_vspace(c, h, ROOT_CNODE, vspace), MS_OK, "get its PML4 (AS_VSPACE)");
    int e = msc_as_adopt(c, vspace, &h2);
    h_check_err(e, MS_ERR_BUSY, "adopt the PML4 of a space the server manages: busy");
    h_check_err(msc_map(c, h, TEST_BASE, 4 * PAGE, 0, 0, MS_RW, MS_MAP_FIXED | MS_MAP_POPULATE, &va), MS_OK,
                "populate 4 pages through the created space's handle");
    if (!e) populate_duplicate(c, h2, "adopted");
    h_check_err(msc_as_destroy(c, h), MS_OK, "destroy the created space");
    h_alive("the server is alive after the destroy");
    if (!e) destroy_duplicate(c, h2, "adopted");
    check_back(pages0, slots0);
    h_check_err(msc_client_destroy(h_admin(), badge), MS_OK, "the client is destroyed");
}

void scenario_cap_through_fault_ep(void)
{
    const seL4_Word ba = 0x401, bb = 0x402;
    seL4_CPtr a = h_client(ba), b = h_client(bb), fault_ep = h_slot();
    uint32_t ha = 0, hb = 0;
    h_check_err(msc_as_create(a, &ha), MS_OK, "client A creates an address space");
    h_check_err(msc_as_fault_ep(a, ha, ROOT_CNODE, fault_ep), MS_OK, "and gets its fault endpoint");
    /* A "fault" message of A's that carries a notification cap. */
    seL4_SetMR(0, 0x1234);
    seL4_SetCap(0, h_notification());
    seL4_Send(fault_ep, seL4_MessageInfo_new(seL4_Fault_UnknownSyscall, 0, 1, 1));
    h_alive("the server answers after the message with a cap");
    struct ms_fault_info f = { 0 };
    int err = msc_fault_get(a, ha, &f);
    h_check(err == MS_OK && f.kind == MS_FAULT_OTHER && f.code == seL4_Fault_UnknownSyscall,
            "the message was recorded as A's fault (MS_FAULT_OTHER, unknown syscall)");
    h_check_err(msc_as_adopt(b, h_spare_pml4(), &hb), MS_OK, "client B can still adopt a PML4 (cap in)");
    h_check_err(msc_as_set_notify(b, hb, h_notification()), MS_OK, "and set a notification (cap in)");
    /* The same through A's ordinary endpoint: a request that takes no cap. */
    uint64_t v;
    seL4_SetCap(0, h_notification());
    seL4_MessageInfo_t info = seL4_Call(a, seL4_MessageInfo_new(MS_LABEL(MS_OP_HELLO), 0, 1, 0));
    h_check_err((int)seL4_MessageInfo_get_label(info), MS_ERR_BAD_CAP, "HELLO with a cap is refused");
    h_check_err(msc_as_set_notify(b, hb, h_notification()), MS_OK, "B sets a notification again");
    h_check_err(msc_hello(b, &v), MS_OK, "B is served");
    h_check_err(msc_as_destroy(a, ha), MS_OK, "A's space is destroyed");
    h_check_err(msc_as_destroy(b, hb), MS_OK, "B's space is destroyed");
    h_check_err(msc_client_destroy(h_admin(), ba), MS_OK, "client A is destroyed");
    h_check_err(msc_client_destroy(h_admin(), bb), MS_OK, "client B is destroyed");
}

/* Does `slot` hold a cap?  (Copying from an empty slot fails; works on any kernel.) */
static int slot_live(seL4_CPtr slot)
{
    seL4_CPtr tmp = h_slot();
    int err = seL4_CNode_Copy(ROOT_CNODE, tmp, seL4_WordBits, ROOT_CNODE, slot, seL4_WordBits, seL4_AllRights);
    if (!err) (void)seL4_CNode_Delete(ROOT_CNODE, tmp, seL4_WordBits);
    return err == seL4_NoError;
}

static void send_fake_faults(seL4_CPtr ep, uint64_t va)
{
    /* A write to a page of the victim's mapping (would be populated and charged). */
    seL4_SetMR(seL4_VMFault_IP, 0x401000);
    seL4_SetMR(seL4_VMFault_Addr, va + PAGE);
    seL4_SetMR(seL4_VMFault_PrefetchFault, 0);
    seL4_SetMR(seL4_VMFault_FSR, 6);
    seL4_Send(ep, seL4_MessageInfo_new(seL4_Fault_VMFault, 0, 0, seL4_VMFault_Length));
    /* A fault outside every mapping (would be recorded and signalled). */
    seL4_SetMR(seL4_VMFault_IP, 0x401000);
    seL4_SetMR(seL4_VMFault_Addr, va + 64 * MiB);
    seL4_SetMR(seL4_VMFault_PrefetchFault, 0);
    seL4_SetMR(seL4_VMFault_FSR, 4);
    seL4_Send(ep, seL4_MessageInfo_new(seL4_Fault_VMFault, 0, 0, seL4_VMFault_Length));
    /* Not a VM fault. */
    seL4_SetMR(0, 0x401000);
    seL4_Send(ep, seL4_MessageInfo_new(seL4_Fault_UserException, 0, 0, 1));
}

void scenario_stale_fault_ep(void)
{
    const seL4_Word ba = 0x501, bb = 0x502;
    seL4_CPtr a = h_client(ba), b = h_client(bb), stale = h_slot(), stale_copy = h_slot(), ntfn = h_notification();
    seL4_CPtr pml4 = h_spare_pml4();
    uint32_t ha = 0, hb = 0;
    h_check_err(msc_as_create(a, &ha), MS_OK, "client A creates an address space");
    h_check_err(msc_as_fault_ep(a, ha, ROOT_CNODE, stale), MS_OK, "and keeps its fault endpoint");
    h_check(!seL4_CNode_Copy(ROOT_CNODE, stale_copy, seL4_WordBits, ROOT_CNODE, stale, seL4_WordBits, seL4_AllRights),
            "and a copy of it");
    h_check_err(msc_as_destroy(a, ha), MS_OK, "A's space is destroyed");
    /* Client B adopts and destroys until its space gets A's old handle (or the bound),
     * and keeps the last one.  Pointless if no cap to A's endpoint is left. */
    int usable = slot_live(stale) || slot_live(stale_copy);
    unsigned cycles = 0;
    int err;
    for (;;) {
        if ((err = msc_as_adopt(b, pml4, &hb)) || hb == ha || !usable || ++cycles >= REUSE_CYCLES) break;
        if ((err = msc_as_destroy(b, hb))) break;
    }
    h_check_err(err, MS_OK, "client B adopts (and destroys) a space");
    if (usable) printf("  (%u cycles; B's space %s A's old handle)\n", cycles, hb == ha ? "got" : "did not get");
    else printf("  (A's fault endpoint and its copy were revoked with the space: no reuse cycles needed)\n");
    uint64_t va;
    struct ms_quota_info q0 = { 0 }, q1 = { 0 };
    h_check_err(msc_as_set_notify(b, hb, ntfn), MS_OK, "B sets its supervisor's notification");
    h_check_err(msc_map(b, hb, TEST_BASE, 16 * PAGE, 0, 0, MS_RW, MS_MAP_FIXED, &va), MS_OK, "B maps 16 pages");
    h_check_err(msc_quota_get(b, &q0), MS_OK, "B's quota before");
    if (slot_live(stale)) send_fake_faults(stale, TEST_BASE);
    else printf("  (A's fault endpoint was revoked with its space)\n");
    if (slot_live(stale_copy)) send_fake_faults(stale_copy, TEST_BASE);
    else printf("  (and so was the copy)\n");
    h_alive("the server is alive (and has read every message sent before)");
    h_check_err(msc_quota_get(b, &q1), MS_OK, "B's quota after");
    h_check(q1.pages_used == q0.pages_used && q1.slots_used == q0.slots_used, "nothing was charged to B");
    struct ms_fault_info f;
    h_check_err(msc_fault_get(b, hb, &f), MS_ERR_NO_FAULT, "no fault is recorded in B's space");
    struct ms_query_result q;
    h_check(msc_query(b, hb, TEST_BASE + PAGE, &q) == MS_OK && !q.present, "B's page was not filled");
    seL4_Word bits = 0;
    seL4_Poll(ntfn, &bits);
    h_check(bits == 0, "B's supervisor was not signalled");
    h_check_err(msc_as_destroy(b, hb), MS_OK, "B's space is destroyed");
    h_check_err(msc_client_destroy(h_admin(), ba), MS_OK, "client A is destroyed");
    h_check_err(msc_client_destroy(h_admin(), bb), MS_OK, "client B is destroyed");
}
