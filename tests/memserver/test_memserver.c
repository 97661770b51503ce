/*
 * test-memserver: a root task that starts the memory server with a share of its
 * untyped memory, then runs ms-client programs against it:
 *   - the main tests (demand paging of 64 MiB, splits, copy-on-write, bad input, quota
 *     and out-of-memory, 2 MiB frames);
 *   - a write to read-only memory, which must be reported to us (the supervisor);
 *   - two processes sharing an object (and the root task as a third);
 * and finally checks that the server's free memory and slots are back where they were.
 */
#include <runtime/programs.h>
#include <runtime/startup.h>
#include <runtime/alloc.h>
#include <runtime/cspace.h>
#include "common.h"

#define SERVER_PRIO 200
#define CLIENT_PRIO 100

static seL4_CPtr ep_server, ep_root, ntfn, cli, admin;

static seL4_CPtr mint(seL4_CPtr ep, seL4_Word badge)
{
    seL4_CPtr slot = alloc_slot();
    int err = seL4_CNode_Mint(seL4_CapInitThreadCNode, slot, seL4_WordBits, seL4_CapInitThreadCNode, ep,
                              seL4_WordBits, seL4_AllRights, badge);
    return err ? seL4_CapNull : slot;
}

/* A device untyped for a physical-memory test: QEMU's VGA framebuffer BAR (RAM-like)
 * if there is one, else any device untyped of 4 KiB .. 16 MiB above 1 MiB. */
static seL4_CPtr pick_device(seL4_Word *bits, seL4_Word *paddr)
{
    seL4_BootInfo *bi = runtime_bootinfo();
    seL4_CPtr best = seL4_CapNull;
    for (seL4_Word i = 0; bi && i < bi->untyped.end - bi->untyped.start; i++) {
        const seL4_UntypedDesc *d = &bi->untypedList[i];
        if (!d->isDevice || d->sizeBits < 12 || d->sizeBits > 24 || d->paddr < 0x100000) continue;
        int vga = d->paddr >= 0xFD000000ull && d->paddr < 0xFE000000ull;
        if (best && !vga) continue;
        best = bi->untyped.start + i;
        *bits = d->sizeBits;
        *paddr = d->paddr;
        if (vga) break;
    }
    return best;
}

static int spawn_client(seL4_Word mode, seL4_Word arg1, seL4_Word badge, spawned_t *out)
{
    seL4_CPtr caps[3] = { cli, admin, ntfn };
    seL4_Word args[2] = { mode, arg1 };
    spawn_args_t a = {
        .name = "ms-client", .fault_ep = ep_root, .fault_badge = badge, .priority = CLIENT_PRIO,
        .caps = caps, .ncaps = 3, .args = args, .nargs = 2,
    };
    return spawn_program(&a, out);
}

/* Waits for a message from a child on ep_root; returns its label. */
static seL4_Word wait_child(seL4_Word *badge, seL4_Word *mr0, seL4_Word *mr1)
{
    seL4_MessageInfo_t info = seL4_Recv(ep_root, badge);
    *mr0 = seL4_GetMR(0);
    *mr1 = seL4_GetMR(1);
    return seL4_MessageInfo_get_label(info);
}

int main(void)
{
    printf("test-memserver: start\n");
    ep_server = alloc_object(seL4_EndpointObject, 0);
    ep_root = alloc_object(seL4_EndpointObject, 0);
    ntfn = alloc_object(seL4_NotificationObject, 0);
    seL4_CPtr ut[2] = { alloc_object(seL4_UntypedObject, 26), alloc_object(seL4_UntypedObject, 25) };
    t_check(ep_server && ep_root && ntfn && ut[0] && ut[1], "objects for the test (96 MiB for the server)");

    seL4_Word dev_bits = 0, dev_paddr = 0;
    seL4_CPtr dev = pick_device(&dev_bits, &dev_paddr);
    seL4_CPtr caps[5] = { ep_server, seL4_CapInitThreadASIDPool, ut[0], ut[1], dev };
    seL4_Word args[6] = { 2, 26 | (25 << 8), dev ? dev_bits : 0, dev_paddr, 1u << 15, 256 };
    spawn_args_t sa = {
        .name = "memserver", .fault_ep = ep_root, .fault_badge = 0xDEAD, .priority = SERVER_PRIO,
        .caps = caps, .ncaps = dev ? 5 : 4, .args = args, .nargs = 6, .cnode_bits = 16,
    };
    spawned_t server;
    t_check(spawn_program(&sa, &server) == seL4_NoError, "start the memory server");
    cli = mint(ep_server, 1);
    admin = mint(ep_server, MS_ADMIN_BADGE | 1);
    uint64_t version = 0, s0[9], s1[9];
    t_check_err(msc_hello(cli, &version), MS_OK, "hello");
    t_check(version == MS_PROTOCOL_VERSION, "protocol version 1");
    t_check_err(msc_stats(admin, s0), MS_OK, "stats before");
    printf("server: %lu free pages, %lu free slots\n", (unsigned long)s0[4], (unsigned long)s0[5]);

    seL4_Word badge, m0, m1;
    spawned_t child;
    /* 1: the main tests. */
    t_check(spawn_client(MODE_MAIN, 0, 0x101, &child) == seL4_NoError, "spawn ms-client (main tests)");
    seL4_Word label = wait_child(&badge, &m0, &m1);
    t_check(label == PROGRAM_EXIT_LABEL && badge == 0x101 && m0 == 0, "main tests passed in the client");

    /* 2: a write to read-only memory is reported to the supervisor. */
    t_check(spawn_client(MODE_FAULT, 0, 0x102, &child) == seL4_NoError, "spawn ms-client (fault)");
    label = wait_child(&badge, &m0, &m1);
    t_check(label == MSG_AS_HANDLE, "the client told us its address space");
    uint32_t fault_as = (uint32_t)m0;
    uint64_t fault_va = m1;
    seL4_Word bits;
    seL4_Wait(ntfn, &bits);
    struct ms_fault_info f;
    t_check_err(msc_fault_get(cli, fault_as, &f), MS_OK, "collect the fault report");
    printf("fault report: kind %u addr %#lx code %#lx rights %u\n", f.kind, (unsigned long)f.addr,
           (unsigned long)f.code, f.rights);
    t_check(f.kind == MS_FAULT_WRITE_RO && f.addr == fault_va && f.rights == MS_R,
            "write to read-only memory reported, decoded");
    t_check_err(msc_fault_get(cli, fault_as, &f), MS_ERR_NO_FAULT, "only one report");
    seL4_TCB_Suspend(child.tcb);
    t_check_err(msc_as_destroy(cli, fault_as), MS_OK, "destroy the faulted client's address space");

    /* 3: two processes share an object; the root task maps it too. */
    uint32_t obj;
    t_check_err(msc_obj_create(cli, MS_OBJ_ANON, 16 * PAGE, 0, 0, &obj), MS_OK, "create a shared object");
    t_check(spawn_client(MODE_SHARE_WRITE, obj, 0x103, &child) == seL4_NoError, "spawn the writer");
    label = wait_child(&badge, &m0, &m1);
    t_check(label == PROGRAM_EXIT_LABEL && m0 == 0, "writer done");
    t_check(spawn_client(MODE_SHARE_READ, obj, 0x104, &child) == seL4_NoError, "spawn the reader");
    label = wait_child(&badge, &m0, &m1);
    t_check(label == PROGRAM_EXIT_LABEL && m0 == 0, "reader saw the writer's data");
    uint32_t root_as;
    uint64_t va;
    t_check_err(msc_as_adopt(cli, seL4_CapInitThreadVSpace, &root_as), MS_OK, "the root task adopts its VSpace");
    t_check_err(msc_map(cli, root_as, 0, 16 * PAGE, obj, 0, MS_R, MS_MAP_POPULATE, &va), MS_OK,
                "map the shared object, populated");
    int ok = 1;
    for (int i = 0; i < 16; i++) ok &= *(volatile uint64_t *)(va + i * PAGE) == 0xB000u + (uint64_t)i;
    t_check(ok, "the root task sees the reader's writes");
    if (dev) {
        /* 4: physical memory, mapped twice (as a driver would share a device buffer). */
        uint32_t phys;
        uint64_t p1, p2;
        t_check_err(msc_obj_create(cli, MS_OBJ_PHYS, 2 * PAGE, dev_paddr, 0, &phys), MS_OK, "physical memory object");
        t_check_err(msc_map(cli, root_as, 0, 2 * PAGE, phys, 0, MS_RW, MS_MAP_POPULATE, &p1), MS_OK, "map it");
        t_check_err(msc_map(cli, root_as, 0, 2 * PAGE, phys, 0, MS_R, MS_MAP_POPULATE, &p2), MS_OK, "map it again");
        struct ms_query_result pq;
        t_check_err(msc_query(cli, root_as, p2, &pq), MS_OK, "query");
        t_check(pq.kind == MS_KIND_PHYS && pq.obj == phys && pq.present, "query: physical, present");
        volatile uint64_t *w1 = (volatile uint64_t *)(p1 + PAGE), *w2 = (volatile uint64_t *)(p2 + PAGE);
        uint64_t old = *w1; /* whatever the firmware left there; put back below */
        *w1 = 0x1234567890ull;
        t_check(*w2 == *w1, "both mappings show the same physical memory");
        *w1 = old;
        t_check_err(msc_obj_create(cli, MS_OBJ_PHYS, PAGE, 0x1000, 0, &phys), MS_ERR_RANGE, "no device untyped there");
        t_check_err(msc_obj_close(cli, phys), MS_OK, "close it (still mapped)");
    } else {
        printf("skip: no device untyped for the physical-memory test\n");
    }
    t_check_err(msc_as_destroy(cli, root_as), MS_OK, "give the root task's mappings back");
    t_check_err(msc_obj_close(cli, obj), MS_OK, "close the object");

    /* 4: a client dies; its supervisor tells the server, which frees all it had. */
    seL4_CPtr cli2 = mint(ep_server, 2);
    uint32_t as2, obj2;
    t_check_err(msc_as_create(cli2, &as2), MS_OK, "a second client creates an address space");
    t_check_err(msc_obj_create(cli2, MS_OBJ_ANON, 8 * PAGE, 0, 0, &obj2), MS_OK, "and an object");
    t_check_err(msc_map(cli2, as2, 0, 4 * MiB, 0, 0, MS_RW, MS_MAP_POPULATE, &va), MS_OK, "and maps 4 MiB");
    t_check_err(msc_map(cli2, as2, 0, 8 * PAGE, obj2, 0, MS_RW, MS_MAP_POPULATE, &va), MS_OK, "and the object");
    t_check_err(msc_as_destroy(cli, as2), MS_ERR_NOT_OWNER, "another client cannot destroy it");
    t_check_err(msc_client_destroy(cli, 2), MS_ERR_DENIED, "only the administrator declares a client dead");
    t_check_err(msc_client_destroy(admin, 2), MS_OK, "the client died");
    t_check_err(msc_as_destroy(cli2, as2), MS_ERR_BAD_HANDLE, "its address space is gone");

    /* Everything back? */
    t_check_err(msc_stats(admin, s1), MS_OK, "stats after");
    printf("server: %lu free pages, %lu free slots, %lu faults fixed, %lu reported\n", (unsigned long)s1[4],
           (unsigned long)s1[5], (unsigned long)s1[1], (unsigned long)s1[2]);
    t_check(s1[4] == s0[4], "free memory equals the initial value");
    t_check(s1[5] == s0[5], "free slots equal the initial value");
    uint64_t checked = 0, not_empty = 1;
    t_check_err(msc_verify_free(admin, &checked, &not_empty), MS_OK, "ask the kernel about the free memory");
    printf("kernel: %lu of %lu untyped chunks not empty\n", (unsigned long)not_empty, (unsigned long)checked);
    t_check(checked > 0 && not_empty == 0, "the kernel agrees: every chunk the server counts as free is empty");
    struct ms_quota_info q;
    t_check_err(msc_quota_get(cli, &q), MS_OK, "quota");
    t_check(q.pages_used == 0 && q.slots_used == 0, "the client is charged nothing");
    printf("test-memserver: %d passed, %d failed\n", t_passes, t_failures);
    return t_failures;
}
