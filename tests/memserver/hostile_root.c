/*
 * test-ms-hostile: a root task that attacks the memory server the way hostile clients
 * would and checks that it behaves as memserver/PROTOCOL.md says (scenarios: see the
 * table below and hostile_root.h).
 *
 * Each scenario runs in a driver thread of this task.  The main thread is the memory
 * server's fault handler: if the server dies (a fault, e.g. the trap of a failed
 * internal check), the running scenario fails, the server's untyped memory is revoked
 * and a fresh server is started for the next scenario.  Prints one verdict line per
 * scenario and "hostile: N passed, M failed"; the exit status is 1 if any failed.
 */
#include <runtime/startup.h>
#include <runtime/alloc.h>
#include <runtime/thread.h>
#include <runtime/vspace.h>
#include "tests/memserver/hostile_root.h"

#define DRIVER_PRIO 150
#define DRIVER_STACK_PAGES 16
#define DRIVER_BADGE 0xD0ul
#define SERVER_BADGE 0x5E0000ul /* | instance number */
#define HMSG_DONE 0x444F4E45ul
#define SERVER_RAM_BITS0 25
#define SERVER_RAM_BITS1 24
#define SERVER_ASIDS 48
#define DEFAULT_QUOTA_PAGES (1u << 14)
#define MAX_CLIENT_CAPS 64
#define MAX_KIDS 16
#define HEALTH_BADGE 0x7F0

struct scenario {
    const char *id, *name;
    void (*run)(void);
};

static const struct scenario scenarios[] = {
    { "1a", "AS_ADOPT of the same PML4 twice", scenario_adopt_twice },
    { "1b", "AS_ADOPT of a PML4 the server manages (AS_CREATE + AS_VSPACE)", scenario_adopt_managed },
    { "2a", "MAP POPULATE of 4 KiB at 0x7FFFFFFFF000", scenario_user_top_4k },
    { "2b", "MAP POPULATE of 2 MiB at 0x7FFFFFE00000", scenario_user_top_2m },
    { "3", "quota lowered below current use", scenario_quota_lowered },
    { "4", "a cap sent through a fault endpoint", scenario_cap_through_fault_ep },
    { "5", "a stale fault endpoint after handle reuse", scenario_stale_fault_ep },
    { "6a", "badge exactly MS_ADMIN_BADGE (client 0)", scenario_admin_badge },
    { "6b", "CLIENT_DESTROY without the administrator bit", scenario_client_destroy_0 },
    { "6c", "non-FIXED MAP of 2^47 - 4 KiB", scenario_map_no_space },
    { "6d", "PHYS object over device memory another client owns", scenario_phys_owned },
    { "6e", "instruction fetch from a not-present page mapped R", scenario_exec_nx },
    { "7", "seeded random mix from several clients at once", scenario_random_mix },
};
#define NSCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

static seL4_CPtr ep_mon, ep_child, drv_ep, drv_tcb, drv_ipc_frame, ut[2], dev;
static seL4_Word dev_bits, dev_paddr;
static void *drv_stack, *drv_ipc;
static seL4_CPtr ep_server, server_tcb;
static unsigned instance;
static struct client_cap { seL4_Word badge; seL4_CPtr slot; unsigned instance; } client_caps[MAX_CLIENT_CAPS];
static seL4_CPtr kids[MAX_KIDS];
static unsigned nkids;
static int cur_pass, cur_fail;
static uint64_t base_stats[9]; /* STATS of the current server when it started */
static unsigned base_instance = ~0u;

/* ---- checks ---- */

int h_check(int ok, const char *what)
{
    printf("  %s %s\n", ok ? "ok" : "FAIL", what);
    if (ok) cur_pass++;
    else cur_fail++;
    return ok;
}

int h_check_err(int got, int want, const char *what)
{
    if (got != want) printf("  (%s: got %s, want %s)\n", what, ms_err_name(got), ms_err_name(want));
    return h_check(got == want, what);
}

int h_alive(const char *when)
{
    uint64_t v = 0;
    int err = msc_hello(h_client(CLIENT_BADGE_ROOT), &v);
    return h_check(err == MS_OK && v == MS_PROTOCOL_VERSION, when);
}

/* ---- resources ---- */

static seL4_CPtr mint(seL4_CPtr slot, seL4_CPtr ep, seL4_Word badge);

seL4_CPtr h_slot(void) { return alloc_slot(); }

/* Badged, so that a signal sets a bit (a signal with badge 0 changes no bit). */
seL4_CPtr h_notification(void)
{
    seL4_CPtr n = alloc_object(seL4_NotificationObject, 0);
    return n ? mint(alloc_slot(), n, 1) : seL4_CapNull;
}

seL4_CPtr h_spare_pml4(void)
{
    seL4_CPtr p = alloc_object(seL4_X64_PML4Object, 0);
    if (p && seL4_X86_ASIDPool_Assign(seL4_CapInitThreadASIDPool, p) != seL4_NoError) return seL4_CapNull;
    return p;
}

static seL4_CPtr mint(seL4_CPtr slot, seL4_CPtr ep, seL4_Word badge)
{
    int err = seL4_CNode_Mint(seL4_CapInitThreadCNode, slot, seL4_WordBits, seL4_CapInitThreadCNode, ep,
                              seL4_WordBits, seL4_AllRights, badge);
    return err ? seL4_CapNull : slot;
}

seL4_CPtr h_client(seL4_Word badge)
{
    struct client_cap *free_c = 0;
    for (unsigned i = 0; i < MAX_CLIENT_CAPS; i++) {
        struct client_cap *c = &client_caps[i];
        if (c->slot && c->badge == badge) {
            if (c->instance == instance) return c->slot;
            free_c = c;
            break;
        }
        if (!c->slot && !free_c) free_c = c;
    }
    if (!free_c) return seL4_CapNull;
    if (free_c->slot) (void)seL4_CNode_Delete(seL4_CapInitThreadCNode, free_c->slot, seL4_WordBits);
    else free_c->slot = alloc_slot();
    free_c->badge = badge;
    free_c->instance = instance;
    return mint(free_c->slot, ep_server, badge);
}

seL4_CPtr h_admin(void) { return h_client(MS_ADMIN_BADGE | CLIENT_BADGE_ROOT); }

int h_have_device(seL4_Word *paddr)
{
    *paddr = dev_paddr;
    return dev != seL4_CapNull;
}

/* A device untyped for the PHYS scenario: QEMU's VGA framebuffer (RAM-like) if there is
 * one, else any device untyped of 4 KiB .. 16 MiB above 1 MiB. */
static void pick_device(void)
{
    seL4_BootInfo *bi = runtime_bootinfo();
    for (seL4_Word i = 0; bi && i < bi->untyped.end - bi->untyped.start; i++) {
        const seL4_UntypedDesc *d = &bi->untypedList[i];
        if (!d->isDevice || d->sizeBits < 12 || d->sizeBits > 24 || d->paddr < 0x100000) continue;
        int vga = d->paddr >= 0xFD000000ull && d->paddr < 0xFE000000ull;
        if (dev && !vga) continue;
        dev = bi->untyped.start + i;
        dev_bits = d->sizeBits;
        dev_paddr = d->paddr;
        if (vga) break;
    }
}

/* ---- children ---- */

seL4_CPtr h_spawn(seL4_Word badge, seL4_CPtr ntfn, seL4_CPtr go, const seL4_Word *args, seL4_Word prio)
{
    seL4_CPtr caps[HC_NCAPS] = { h_client(badge), ntfn, go };
    spawn_args_t a = {
        .name = "ms-hostile", .fault_ep = ep_child, .fault_badge = badge, .priority = prio,
        .caps = caps, .ncaps = HC_NCAPS, .args = args, .nargs = HA_NARGS,
    };
    spawned_t out;
    if (nkids == MAX_KIDS || spawn_program(&a, &out) != seL4_NoError) return seL4_CapNull;
    kids[nkids++] = out.tcb;
    return out.tcb;
}

seL4_Word h_wait_child(seL4_Word *badge, seL4_Word *mr, unsigned nmr)
{
    seL4_MessageInfo_t info = seL4_Recv(ep_child, badge);
    for (unsigned i = 0; i < nmr; i++) mr[i] = seL4_GetMR((int)i);
    return seL4_MessageInfo_get_label(info);
}

/* ---- the server ---- */

static int server_start(void)
{
    ep_server = alloc_object(seL4_EndpointObject, 0);
    seL4_CPtr caps[5] = { ep_server, seL4_CapInitThreadASIDPool, ut[0], ut[1], dev };
    seL4_Word args[6] = { 2, SERVER_RAM_BITS0 | (SERVER_RAM_BITS1 << 8), dev ? dev_bits : 0, dev_paddr,
                          DEFAULT_QUOTA_PAGES, SERVER_ASIDS };
    spawn_args_t sa = {
        .name = "memserver", .fault_ep = ep_mon, .fault_badge = SERVER_BADGE | instance,
        .priority = SERVER_PRIO, .caps = caps, .ncaps = dev ? 5 : 4, .args = args, .nargs = 6, .cnode_bits = 16,
    };
    spawned_t s;
    if (!ep_server || spawn_program(&sa, &s) != seL4_NoError) return 0;
    server_tcb = s.tcb;
    return 1;
}

/* The server died: stop it, take back everything it made, start a fresh one. */
static int server_restart(void)
{
    (void)seL4_TCB_Suspend(server_tcb);
    for (int i = 0; i < 2; i++) (void)seL4_CNode_Revoke(seL4_CapInitThreadCNode, ut[i], seL4_WordBits);
    if (dev) (void)seL4_CNode_Revoke(seL4_CapInitThreadCNode, dev, seL4_WordBits);
    instance++;
    printf("  (a fresh memory server is started for the next scenario)\n");
    return server_start();
}

/* ---- running scenarios ---- */

/* After a scenario every client it used is destroyed: the server must be as it was
 * when it started (free pages, slots, metadata heap) and still take caps in. */
static int healthy(void)
{
    seL4_CPtr c = h_client(HEALTH_BADGE);
    uint32_t h = 0;
    uint64_t s[9] = { 0 };
    int caps_ok = msc_as_adopt(c, h_spare_pml4(), &h) == MS_OK && msc_as_destroy(c, h) == MS_OK;
    int stats_ok = msc_client_destroy(h_admin(), HEALTH_BADGE) == MS_OK && msc_stats(h_admin(), s) == MS_OK;
    int same = stats_ok && s[4] == base_stats[4] && s[5] == base_stats[5] && s[6] == base_stats[6];
    if (!caps_ok) printf("  (a new client cannot adopt a PML4: cap transfer is broken)\n");
    if (stats_ok && !same)
        printf("  (free pages %lu, slots %lu, heap %lu; at the server's start %lu, %lu, %lu)\n", (unsigned long)s[4],
               (unsigned long)s[5], (unsigned long)s[6], (unsigned long)base_stats[4], (unsigned long)base_stats[5],
               (unsigned long)base_stats[6]);
    return h_check(caps_ok && same, "afterwards the server is as it started (caps in work; pages, slots, heap free)");
}

static void driver_entry(void *arg)
{
    const struct scenario *sc = arg;
    if (base_instance != instance) {
        (void)msc_stats(h_admin(), base_stats);
        base_instance = instance;
    }
    sc->run();
    seL4_SetMR(0, (seL4_Word)healthy());
    seL4_Send(drv_ep, seL4_MessageInfo_new(HMSG_DONE, 0, 0, 1));
}

/* Runs one scenario; returns 1 if it passed. */
static int run(const struct scenario *sc)
{
    printf("scenario %s: %s\n", sc->id, sc->name);
    cur_pass = cur_fail = 0;
    nkids = 0;
    thread_t t;
    seL4_Error err = thread_start(&t, drv_tcb, driver_entry, (void *)sc,
                                  (char *)drv_stack + DRIVER_STACK_PAGES * PAGE, drv_ipc, drv_ipc_frame, drv_ep,
                                  DRIVER_PRIO);
    int restart_ok = 1;
    while (err == seL4_NoError) {
        seL4_Word badge = 0;
        seL4_MessageInfo_t info = seL4_Recv(ep_mon, &badge);
        seL4_Word label = seL4_MessageInfo_get_label(info);
        if (badge == DRIVER_BADGE) {
            if (label != HMSG_DONE) h_check(0, "the driver thread faulted");
            if (label != HMSG_DONE || !seL4_GetMR(0)) {
                (void)seL4_TCB_Suspend(drv_tcb);
                for (unsigned i = 0; i < nkids; i++) (void)seL4_TCB_Suspend(kids[i]);
                restart_ok = server_restart();
            }
            break;
        }
        if (badge == (SERVER_BADGE | instance)) {
            printf("  FAIL the memory server died (fault %lu at ip %#lx)\n", (unsigned long)label,
                   (unsigned long)seL4_GetMR(0));
            cur_fail++;
            (void)seL4_TCB_Suspend(drv_tcb);
            for (unsigned i = 0; i < nkids; i++) (void)seL4_TCB_Suspend(kids[i]);
            restart_ok = server_restart();
            break;
        }
    }
    if (err != seL4_NoError) h_check(0, "start the driver thread");
    (void)seL4_TCB_Suspend(drv_tcb);
    for (unsigned i = 0; i < nkids; i++) (void)seL4_TCB_Suspend(kids[i]);
    int passed = cur_fail == 0;
    printf("scenario %s: %s (%d checks passed, %d failed)\n", sc->id, passed ? "PASS" : "FAIL", cur_pass,
           cur_fail);
    if (!restart_ok) printf("test-ms-hostile: could not start a fresh memory server\n");
    return passed ? (restart_ok ? 1 : -1) : (restart_ok ? 0 : -1);
}

int main(void)
{
    printf("test-ms-hostile: start\n");
    ep_mon = alloc_object(seL4_EndpointObject, 0);
    ep_child = alloc_object(seL4_EndpointObject, 0);
    ut[0] = alloc_object(seL4_UntypedObject, SERVER_RAM_BITS0);
    ut[1] = alloc_object(seL4_UntypedObject, SERVER_RAM_BITS1);
    drv_tcb = alloc_object(seL4_TCBObject, 0);
    drv_ep = ep_mon ? mint(alloc_slot(), ep_mon, DRIVER_BADGE) : seL4_CapNull;
    drv_stack = vspace_alloc_pages(DRIVER_STACK_PAGES, NULL);
    drv_ipc = vspace_alloc_pages(1, &drv_ipc_frame);
    pick_device();
    if (!ep_mon || !ep_child || !ut[0] || !ut[1] || !drv_tcb || !drv_ep || !drv_stack || !drv_ipc || !server_start()) {
        printf("test-ms-hostile: setting up failed\nhostile: 0 passed, 1 failed\n");
        return 1;
    }
    seL4_DebugNameThread(drv_tcb, "hostile-driver");
    int passed = 0, failed = 0;
    for (unsigned i = 0; i < NSCENARIOS; i++) {
        int r = run(&scenarios[i]);
        if (r > 0) passed++;
        else failed++;
        if (r < 0) {
            failed += (int)(NSCENARIOS - i - 1); /* not run */
            break;
        }
    }
    printf("hostile: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
