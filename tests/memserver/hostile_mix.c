/*
 * test-ms-hostile scenario 7: several ms-hostile clients at once, each sending a seeded
 * random mix of valid and forged requests (hostile_gen.c) and checking every reply.
 * Two clients run above the server's priority (their requests queue up on the endpoint
 * and are served alternately), two at its priority (time slices), one below.  At the
 * end every client is destroyed and the server's free pages, slots, ASIDs and metadata
 * heap must be back at their starting values, as the kernel must confirm (VERIFY_FREE).
 */
#include "tests/memserver/hostile_root.h"

#define MIX_CLIENTS 5
#define MIX_REQUESTS 2400 /* per client */
#ifndef MIX_SEED
#define MIX_SEED 7000 /* CMake: -DMS_HOSTILE_SEED=N to try other mixes */
#endif
#define ASID_PROBE_MAX 64

static const seL4_Word mix_prio[MIX_CLIENTS] = { SERVER_PRIO + 20, SERVER_PRIO + 10, SERVER_PRIO, SERVER_PRIO,
                                                 SERVER_PRIO - 10 };
/* Lowered quotas for some (0 = the server's default): QUOTA errors happen too. */
static const seL4_Word mix_pages[MIX_CLIENTS] = { 3000, 0, 1500, 0, 6000 };
static const seL4_Word mix_slots[MIX_CLIENTS] = { 900, 0, 300, 0, 4000 };

/* How many address spaces can be created now (ASIDs left), then destroys them again. */
static unsigned asid_probe(void)
{
    seL4_CPtr c = h_client(CLIENT_BADGE_ROOT);
    uint32_t h[ASID_PROBE_MAX];
    unsigned n = 0;
    while (n < ASID_PROBE_MAX && msc_as_create(c, &h[n]) == MS_OK) n++;
    for (unsigned i = 0; i < n; i++) (void)msc_as_destroy(c, h[i]);
    return n;
}

struct totals { uint64_t s[9]; unsigned asids; };

static void snapshot(struct totals *t)
{
    t->asids = asid_probe();
    (void)msc_stats(h_admin(), t->s);
}

void scenario_random_mix(void)
{
    struct totals t0, t1;
    snapshot(&t0);
    seL4_Word badge[MIX_CLIENTS];
    for (unsigned i = 0; i < MIX_CLIENTS; i++) {
        badge[i] = 0x701 + i;
        if (mix_pages[i]) (void)msc_quota_set(h_admin(), badge[i], mix_pages[i], mix_slots[i]);
    }
    unsigned started = 0;
    for (unsigned i = 0; i < MIX_CLIENTS; i++) {
        seL4_Word args[HA_NARGS] = { HM_MIX, MIX_SEED + i, MIX_REQUESTS, badge[i], mix_pages[i], mix_slots[i] };
        if (h_spawn(badge[i], h_notification(), h_notification(), args, mix_prio[i])) started++;
    }
    h_check(started == MIX_CLIENTS, "start 5 hostile clients");
    /* Each client sends RESULT then exits, or faults. */
    seL4_Word calls[MIX_CLIENTS] = { 0 }, touches[MIX_CLIENTS] = { 0 }, bad[MIX_CLIENTS] = { 0 };
    seL4_Word status[MIX_CLIENTS] = { 0 }, faulted[MIX_CLIENTS] = { 0 };
    for (unsigned done = 0; done < started;) {
        seL4_Word from = 0, mr[3] = { 0 };
        seL4_Word label = h_wait_child(&from, mr, 3);
        if (from < badge[0] || from >= badge[0] + MIX_CLIENTS) continue;
        unsigned i = (unsigned)(from - badge[0]);
        if (label == HMSG_RESULT) {
            calls[i] = mr[0], touches[i] = mr[1], bad[i] = mr[2];
            continue;
        }
        if (label == PROGRAM_EXIT_LABEL) status[i] = mr[0];
        else faulted[i] = label, status[i] = mr[1]; /* a fault: MR1 is the address for VM faults */
        done++;
    }
    uint64_t total = 0;
    for (unsigned i = 0; i < MIX_CLIENTS; i++) {
        total += calls[i];
        /* (How many touches a client made depends on how the clients interleaved, which
         * differs between sel4-sim and a real machine: printed only on failure.) */
        printf("  client %u (priority %lu): %lu requests, %lu replies not allowed%s\n", i,
               (unsigned long)mix_prio[i], (unsigned long)calls[i], (unsigned long)bad[i],
               faulted[i] ? ", then it FAULTED" : "");
        if (bad[i] || faulted[i]) printf("  (client %u: %lu memory touches)\n", i, (unsigned long)touches[i]);
        if (faulted[i]) printf("  (client %u: fault %lu at %#lx)\n", i, (unsigned long)faulted[i], (unsigned long)status[i]);
    }
    printf("  (%lu requests in all)\n", (unsigned long)total);
    int all_ok = 1;
    for (unsigned i = 0; i < MIX_CLIENTS; i++) all_ok &= !bad[i] && !faulted[i] && calls[i] == MIX_REQUESTS;
    h_check(all_ok, "every reply was one the protocol allows, and no client faulted");
    h_check(total >= 10000, "at least 10000 requests");
    h_alive("the server is alive");
    for (unsigned i = 0; i < MIX_CLIENTS; i++)
        h_check_err(msc_client_destroy(h_admin(), badge[i]), MS_OK, "destroy a client");
    snapshot(&t1);
    printf("  (free pages %lu -> %lu, slots %lu -> %lu, ASIDs %u -> %u, heap %lu -> %lu)\n", (unsigned long)t0.s[4],
           (unsigned long)t1.s[4], (unsigned long)t0.s[5], (unsigned long)t1.s[5], t0.asids, t1.asids,
           (unsigned long)t0.s[6], (unsigned long)t1.s[6]);
    h_check(t1.s[4] == t0.s[4], "free pages are back at their starting value");
    h_check(t1.s[5] == t0.s[5], "free slots are back at their starting value");
    h_check(t1.asids == t0.asids, "ASIDs are back at their starting value");
    h_check(t1.s[6] == t0.s[6], "the metadata heap is back at its starting value");
    uint64_t checked = 0, not_empty = 1;
    h_check_err(msc_verify_free(h_admin(), &checked, &not_empty), MS_OK, "VERIFY_FREE");
    h_check(checked > 0 && not_empty == 0, "the kernel agrees: every chunk the server counts as free is empty");
}
