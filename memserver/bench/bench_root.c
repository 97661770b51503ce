/*
 * Root task of the memory-server benchmark images (bench.sh runs them).  One image per
 * phase and page count (compile definitions BENCH_PHASE = 1 fault, 2 map4k, 3 map2m,
 * 8 fault2m (no baseline),
 * and BENCH_PAGES): sel4-sim writes its per-thread counters only at exit, so each
 * measured piece of work runs in an image of its own, and an image with BENCH_PAGES = 0
 * (the same programs doing the same set-up and no work) is subtracted.
 *
 * The image starts the memory server (thread "memserver") exactly as test-memserver
 * does, lets one client ("ms-bench-client") do the phase's work through the server,
 * then runs the kernel-only baseline of the same work ("bl-fault-handler" serving the
 * faults of "bl-toucher", or "bl-mapper").  Each program prints "bench ..." lines.
 */
#include <runtime/programs.h>
#include <runtime/startup.h>
#include <runtime/alloc.h>
#include <runtime/cspace.h>
#include "memserver/protocol/messages.h"
#include "memserver/bench/bench.h"

#ifndef BENCH_PHASE
#error "BENCH_PHASE must be defined"
#endif
#ifndef BENCH_PAGES
#error "BENCH_PAGES must be defined"
#endif

#define SERVER_PRIO 200
#define CLIENT_PRIO 100
#define MAPPER_BADGE 0x203

static seL4_CPtr ep_report;

static void need(int ok, const char *what)
{
    if (!ok) {
        printf("bench-memserver: %s failed\n", what);
        runtime_exit(1);
    }
}

static seL4_CPtr mint(seL4_CPtr ep, seL4_Word badge)
{
    seL4_CPtr slot = alloc_slot();
    int err = seL4_CNode_Mint(seL4_CapInitThreadCNode, slot, seL4_WordBits, seL4_CapInitThreadCNode, ep,
                              seL4_WordBits, seL4_AllRights, badge);
    return err ? seL4_CapNull : slot;
}

/* Waits for `n` BENCH_DONE messages (or a child's exit or fault); 0 if all said 0. */
static int wait_done(int n)
{
    int bad = 0;
    for (int i = 0; i < n; i++) {
        seL4_Word badge;
        seL4_MessageInfo_t info = seL4_Recv(ep_report, &badge);
        if (seL4_MessageInfo_get_label(info) != BENCH_DONE_LABEL || seL4_GetMR(0) != 0) {
            printf("bench-memserver: child %#lx ended with label %#lx, status %lu\n", (unsigned long)badge,
                   (unsigned long)seL4_MessageInfo_get_label(info), (unsigned long)seL4_GetMR(0));
            bad = 1;
        } else if (badge == MAPPER_BADGE) {
            const char *phase = BENCH_PHASE == BENCH_SERVER_MAP4K ? "map4k" : "map2m";
            printf("bench baseline.%s.pages %lu\n", phase, (unsigned long)BENCH_PAGES);
            printf("bench baseline.%s.tsc %lu\n", phase, (unsigned long)seL4_GetMR(1));
            printf("bench baseline.%s.large_frames %lu\n", phase, (unsigned long)seL4_GetMR(2));
        }
    }
    return bad;
}

/* A child program: its thread name, the embedded program, fault endpoint and badge. */
struct child { const char *name, *program; seL4_CPtr fault_ep; seL4_Word badge, prio; };

static void spawn(const struct child *ch, const seL4_CPtr *caps, unsigned ncaps, seL4_Word mode, unsigned cnode_bits,
                  spawned_t *out)
{
    seL4_Word args[2] = { mode, BENCH_PAGES };
    spawn_args_t a = {
        .name = ch->name, .fault_ep = ch->fault_ep, .fault_badge = ch->badge, .priority = ch->prio,
        .caps = caps, .ncaps = ncaps, .args = args, .nargs = 2, .cnode_bits = cnode_bits,
    };
    need(program_lookup(ch->program, &a.image, &a.image_size), ch->program);
    need(spawn_program(&a, out) == seL4_NoError, ch->name);
}

int main(void)
{
    printf("bench-memserver: phase %d, %lu pages\n", BENCH_PHASE, (unsigned long)BENCH_PAGES);
    seL4_CPtr ep_server = alloc_object(seL4_EndpointObject, 0);
    ep_report = alloc_object(seL4_EndpointObject, 0);
    seL4_CPtr ep_bl = alloc_object(seL4_EndpointObject, 0);
    seL4_CPtr ut[2] = { alloc_object(seL4_UntypedObject, 26), alloc_object(seL4_UntypedObject, 25) };
    seL4_CPtr bl_frames = alloc_object(seL4_UntypedObject, 26), bl_tables = alloc_object(seL4_UntypedObject, 20);
    need(ep_server && ep_report && ep_bl && ut[0] && ut[1] && bl_frames && bl_tables, "objects");

    /* The memory server, as test-memserver starts it (96 MiB, no device memory). */
    seL4_CPtr caps[5] = { ep_server, seL4_CapInitThreadASIDPool, ut[0], ut[1] };
    seL4_Word args[6] = { 2, 26 | (25 << 8), 0, 0, 1u << 15, 256 };
    spawn_args_t sa = {
        .name = "memserver", .fault_ep = ep_report, .fault_badge = 0xDEAD, .priority = SERVER_PRIO,
        .caps = caps, .ncaps = 4, .args = args, .nargs = 6, .cnode_bits = 16,
    };
    spawned_t server, client, toucher, baseline;
    need(spawn_program(&sa, &server) == seL4_NoError, "start the memory server");
    seL4_CPtr cli = mint(ep_server, 1), admin = mint(ep_server, MS_ADMIN_BADGE | 1);
    need(cli && admin, "mint");
    /* Each child reports on its own badged copy of ep_report (same badge as its fault
     * endpoint cap): 0x101 the client, 0x201 bl-toucher, 0x202 bl-fault-handler,
     * MAPPER_BADGE bl-mapper. */

    /* The server's client. */
    seL4_CPtr ccaps[3] = { cli, admin, mint(ep_report, 0x101) };
    const struct child c_client = { "ms-bench-client", "ms-bench-client", ep_report, 0x101, CLIENT_PRIO };
    spawn(&c_client, ccaps, 3, BENCH_PHASE, 0, &client);
    int bad = wait_done(1);

    /* The baseline. */
    seL4_CPtr bcaps[5] = { mint(ep_report, MAPPER_BADGE), bl_frames, bl_tables, ep_bl, 0 };
    if (BENCH_PHASE == BENCH_SERVER_FAULT2M) {
        /* (only the 2 MiB frames used are reported: no baseline) */
    } else if (BENCH_PHASE == BENCH_SERVER_FAULT) {
        ccaps[2] = mint(ep_report, 0x201);
        bcaps[0] = mint(ep_report, 0x202);
        const struct child c_toucher = { "bl-toucher", "ms-bench-client", ep_bl, 0x201, CLIENT_PRIO };
        const struct child c_handler = { "bl-fault-handler", "ms-baseline", ep_report, 0x202, SERVER_PRIO };
        spawn(&c_toucher, ccaps, 3, BENCH_BASE_TOUCH, 0, &toucher);
        bcaps[4] = toucher.vspace;
        spawn(&c_handler, bcaps, 5, BENCH_BASE_FAULT, 16, &baseline);
        bad |= wait_done(2);
    } else {
        const struct child c_mapper = { "bl-mapper", "ms-baseline", ep_report, MAPPER_BADGE, CLIENT_PRIO };
        spawn(&c_mapper, bcaps, 3, BENCH_PHASE == BENCH_SERVER_MAP4K ? BENCH_BASE_MAP4K : BENCH_BASE_MAP2M, 16,
              &baseline);
        bad |= wait_done(1);
    }
    printf("bench-memserver: %s\n", bad ? "FAILED" : "done");
    return bad;
}
