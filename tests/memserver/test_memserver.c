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

    seL4_CPtr caps[4] = { ep_server, seL4_CapInitThreadASIDPool, ut[0], ut[1] };
    seL4_Word args[6] = { 2, 26 | (25 << 8), 0, 0, 1u << 15, 256 };
    spawn_args_t sa = {
        .name = "memserver", .fault_ep = ep_root, .fault_badge = 0xDEAD, .priority = SERVER_PRIO,
        .caps = caps, .ncaps = 4, .args = args, .nargs = 6, .cnode_bits = 16,
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
    struct ms_quota_info q;
    t_check_err(msc_quota_get(cli, &q), MS_OK, "quota");
    t_check(q.pages_used == 0 && q.slots_used == 0, "the client is charged nothing");
    printf("test-memserver: %d passed, %d failed\n", t_passes, t_failures);
    return t_failures;
}
