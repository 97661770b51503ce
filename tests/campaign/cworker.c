/*
 * cworker: the campaign's client workload and measuring instrument (README.md,
 * "Fault-injection campaign").  A supervised service of the campaign system (caps: [0]
 * its memory-server cap, [1] the counter's endpoint, [2..6] its channels to names, the
 * store, logd, the console (its output goes through the console driver) and the timer,
 * then the RS control cap and the exit port 0xF4).  While sel4-sim injects faults into any
 * service or the RS, it:
 *   - for args[0] ms of virtual time (rdtsc / 10^6), sends numbered COUNTER_ADD
 *     requests, one at a time, and resends the
 *     outstanding one when a new counter incarnation announces itself (COUNTER_UP);
 *     every number must be acknowledged exactly once (lost / duplicated otherwise);
 *     with about args[3] instructions of computation between requests;
 *   - every args[1]-th request sends a malformed one first (a hostile client), which
 *     must be refused with COUNTER_ERR;
 *   - each round also drives kv (through the name service), logd and, every args[1]-th,
 *     sends a malformed request to names, the store, logd, kv or the console (svcload.c)
 *     and a hostile one to one of them, the timer, the RS or the memory server: caps
 *     where none are expected, forged fault messages, guessed ids and handles, stale
 *     generations (hostile.c);
 *   - every args[2]-th request asks the RS for every service's LIST entry (a new
 *     generation is a restart) and times the control calls (an RS restart shows as a
 *     slow one);
 *   - measures the memory server's free pages and slots and the kernel's view (AUDIT of
 *     every stopped service) before and after.
 * Times are rdtsc, which sel4-sim counts in user instructions (virtual time).  Results
 * are "campaign:" lines on the console; tools/campaign.py reads them.
 */
#include <runtime/runtime.h>
#include <runtime/service.h>
#include <runtime/startup.h>
#include <runtime/stdio.h>
#include <runtime/string.h>
#include "counter.h"
#include "hostile.h"
#include "svcload.h"
#include "memserver/client/memserver_client.h"
#include "rs/client/rs_client.h"
#include "rs/core/policy.h" /* enum rs_svc_state */

/* sel4-sim's virtual time: 10^9 instructions a second (rdtsc counts instructions). */
#define INSNS_PER_MS 1000000ull

static const runtime_startup_t *su;
static seL4_CPtr counter_ep, ctl, exit_port;
static uint64_t failures;

/* The services, in start order (stopped in the reverse order).  Each is watched through
 * the RS's LIST, the counter also through its answers. */
enum { W_TIMER, W_CONSOLE, W_STORE, W_NAMES, W_LOGD, W_KV, W_COUNTER, NWATCH };
static const char *const watch_name[NWATCH] = { "timer", "console", "store", "names", "logd", "kv", "counter" };
static uint32_t watch_idx[NWATCH];
#define counter_idx (watch_idx[W_COUNTER])

/* While the console is stopped (measure) nothing can be printed: failures wait. */
static bool console_down;
static const char *pending[4];
static unsigned npending;

#define WARMUP_ROUNDS 2u

static uint64_t now(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static void check(int ok, const char *what)
{
    if (!ok) {
        failures++;
        if (!console_down) {
            printf("campaign: FAIL %s\n", what);
        } else if (npending < 4) {
            pending[npending++] = what;
        }
    }
}

/* ---- the counter: numbered requests, answers on our own endpoint ---- */

struct counter_state {
    uint64_t gen;            /* generation of the incarnation that answered last */
    uint64_t last_answer;    /* time of the last answer */
    uint64_t acked, lost, duplicated, repeats, resent, garbled;
    uint64_t hostile, rejected;
};
static struct counter_state cs;

static seL4_MessageInfo_t wait_answer(seL4_Word *badge)
{
    return seL4_Recv(su->service_ep, badge);
}

/* A new incarnation answered: its recovery time is measured from the previous
 * incarnation's last answer. */
static bool measuring; /* the workload runs: generation changes are restarts */
/* Restarts seen per service (generations gained), printed once more after the workload:
 * a "restart" line printed while the console is being crashed may be lost with it. */
static uint64_t restarts_seen[NWATCH];

static void note_generation(uint64_t gen, uint64_t t)
{
    if (measuring && cs.gen != 0 && gen > cs.gen) restarts_seen[W_COUNTER] += gen - cs.gen;
    if (measuring && cs.gen != 0 && gen != cs.gen) {
        printf("campaign: restart counter gen %lu from %lu recovery %lu at %lu\n", (unsigned long)gen,
               (unsigned long)cs.gen, (unsigned long)(t - cs.last_answer), (unsigned long)t);
    }
    cs.gen = gen;
    cs.last_answer = t;
}

/* Sends ADD(seq) until it is acknowledged; resends after COUNTER_UP. */
static void add(uint64_t seq)
{
    for (unsigned attempt = 0; attempt < 64; attempt++) {
        seL4_SetMR(0, seq);
        seL4_SetMR(1, COUNTER_MAGIC);
        seL4_Send(counter_ep, seL4_MessageInfo_new(COUNTER_ADD, 0, 0, COUNTER_ADD_WORDS));
        for (unsigned k = 0; k < 64; k++) {
            seL4_Word badge = 0;
            seL4_MessageInfo_t info = wait_answer(&badge);
            seL4_Word label = seL4_MessageInfo_get_label(info);
            uint64_t t = now();
            if (label == COUNTER_UP) {
                cs.resent++;
                break; /* resend: the request may have died with the old incarnation */
            }
            if (label != COUNTER_ACK || seL4_MessageInfo_get_length(info) != COUNTER_ACK_WORDS) {
                /* a corrupted incarnation may answer nonsense: send the request again
                 * (the counter answers a repeated number without applying it twice) */
                cs.garbled++;
                break;
            }
            uint64_t got = seL4_GetMR(0);
            note_generation(seL4_GetMR(1), t);
            if (got == seq) {
                cs.acked++;
                return;
            }
            if (got < seq && seL4_GetMR(3) == 0) {
                cs.duplicated++; /* an earlier number applied and acknowledged again */
            } else if (got < seq) {
                cs.repeats++;    /* answered again, not applied again (the service says) */
            } else {
                cs.garbled++;    /* a number not sent yet: nonsense, send again */
                break;
            }
        }
    }
    cs.lost++;
}

/* A hostile request (kind k): must be refused with COUNTER_ERR. */
static void hostile(uint64_t k, uint64_t seq)
{
    seL4_Word label = COUNTER_ADD, len = COUNTER_ADD_WORDS;
    seL4_SetMR(0, seq);
    seL4_SetMR(1, COUNTER_MAGIC);
    seL4_Word caps = 0;
    switch (k % 7) {
    case 0: label = 0xfffff; break;          /* unknown label */
    case 1: len = 0; break;                  /* too short */
    case 2: len = seL4_MsgMaxLength; break;  /* too long */
    case 3: seL4_SetMR(0, 0); break;         /* sequence number 0 */
    case 4: seL4_SetMR(1, ~COUNTER_MAGIC); break;
    case 5: caps = 1; break;                 /* its own cap to the counter (unwrapped) */
    default: label = seL4_Fault_VMFault; len = seL4_VMFault_Length; break; /* a forged fault */
    }
    cs.hostile++;
    for (unsigned attempt = 0; attempt < 64; attempt++) {
        if (caps != 0) seL4_SetCap(0, counter_ep);
        seL4_Send(counter_ep, seL4_MessageInfo_new(label, 0, caps, len));
        seL4_Word badge = 0;
        seL4_MessageInfo_t info = wait_answer(&badge);
        if (seL4_MessageInfo_get_label(info) == COUNTER_ERR) {
            cs.rejected++;
            return;
        }
        if (seL4_MessageInfo_get_label(info) == COUNTER_ACK) {
            check(0, "counter: a malformed request acknowledged");
            return;
        }
        if (seL4_MessageInfo_get_label(info) != COUNTER_UP) {
            cs.garbled++; /* a corrupted incarnation's nonsense: send it again */
        }
        /* restarted meanwhile: send it again (MRs were overwritten by COUNTER_UP) */
        seL4_SetMR(0, k % 7 == 3 ? 0 : seq);
        seL4_SetMR(1, k % 7 == 4 ? ~COUNTER_MAGIC : COUNTER_MAGIC);
    }
}

/* ---- the RS and the timer ---- */

#define SLOWEST 16u
static uint64_t slow_len[SLOWEST], slow_at[SLOWEST];
static uint64_t watch_gen[NWATCH], watch_seen_at[NWATCH];

static void note_call(uint64_t len, uint64_t at)
{
    unsigned min = 0;
    for (unsigned i = 1; i < SLOWEST; i++) {
        if (slow_len[i] < slow_len[min]) min = i;
    }
    if (len > slow_len[min]) {
        slow_len[min] = len;
        slow_at[min] = at;
    }
}

/* Returns false while service w is not running (between incarnations).  A new
 * generation is a restart: recovery from the last LIST that showed the old one. */
static bool poll_service(unsigned w)
{
    struct rs_list_entry e;
    uint64_t t0 = now();
    int err = rsc_list(ctl, watch_idx[w], &e);
    uint64_t t1 = now();
    note_call(t1 - t0, t1);
    if (err != RS_OK) {
        check(0, "LIST");
        return true;
    }
    if (e.state != RS_SVC_RUNNING) return false;
    if (measuring && watch_gen[w] != 0 && e.generation > watch_gen[w]) restarts_seen[w] += e.generation - watch_gen[w];
    if (measuring && watch_gen[w] != 0 && e.generation != watch_gen[w]) {
        printf("campaign: restart %s gen %lu from %lu recovery %lu at %lu\n", watch_name[w], (unsigned long)e.generation,
               (unsigned long)watch_gen[w], (unsigned long)(t1 - watch_seen_at[w]), (unsigned long)t1);
    }
    watch_gen[w] = e.generation;
    watch_seen_at[w] = t1;
    return true;
}

/* Every service but the counter (its answers show its restarts); true if all run. */
static bool poll_services(void)
{
    bool all = true;
    for (unsigned w = 0; w < W_COUNTER; w++) {
        if (!poll_service(w)) all = false;
    }
    return all;
}

/* Between requests the client computes for a while (about `insns` instructions, no
 * system calls): virtual time passes at the simulator's full speed, so a run spans
 * several timer ticks and heartbeat periods without a huge number of IPCs. */
static void think(uint64_t insns)
{
    for (volatile uint64_t k = 0; k < insns / 4; k++) {
    }
}

/* ---- resources ---- */

struct balance {
    uint64_t free_pages, free_slots, own_pages, own_slots, untyped_empty, not_empty;
};

/* Starts the first n services of the start order (NWATCH: all). */
static void start_all(unsigned n)
{
    for (unsigned w = 0; w < n; w++) check(rsc_start(ctl, watch_idx[w]) == RS_OK, "START");
}

/* Stops every service and asks for the kernel's and the memory server's view (AUDIT
 * of each), plus our own use of the memory server; then starts the first `restart` of
 * them again (at least the console: nothing is printed while it is stopped).  The
 * store starts empty. */
static void measure(struct balance *b, const char *what, unsigned restart)
{
    struct rs_audit a[NWATCH];
    struct ms_quota_info q = { 0 };
    memset(a, 0, sizeof(a));
    fflush_console();
    console_down = true;
    for (unsigned w = NWATCH; w-- > 0;) check(rsc_stop(ctl, watch_idx[w]) == RS_OK, "STOP");
    for (unsigned w = 0; w < NWATCH; w++) check(rsc_audit(ctl, watch_idx[w], &a[w]) == RS_OK, "AUDIT");
    check(msc_quota_get(su->memserver_ep, &q) == MS_OK, "own quota");
    start_all(restart);
    console_down = false;
    for (unsigned k = 0; k < npending; k++) printf("campaign: FAIL %s\n", pending[k]);
    npending = 0;
    b->free_pages = a[NWATCH - 1].free_pages;
    b->free_slots = a[NWATCH - 1].free_slots;
    b->own_pages = q.pages_used;
    b->own_slots = q.slots_used;
    b->untyped_empty = 0;
    b->not_empty = 0;
    for (unsigned w = 0; w < NWATCH; w++) {
        b->untyped_empty += a[w].untyped_empty;
        b->not_empty += a[w].chunks_not_empty;
    }
    svcload_reset();
    printf("campaign: measure %s free_pages %lu free_slots %lu own_pages %lu own_slots %lu untyped_empty %lu "
           "chunks_not_empty %lu\n",
           what, (unsigned long)b->free_pages, (unsigned long)b->free_slots, (unsigned long)b->own_pages,
           (unsigned long)b->own_slots, (unsigned long)b->untyped_empty, (unsigned long)b->not_empty);
}

static _Noreturn void finish(void)
{
    fflush_console();
    seL4_X86_IOPort_Out8(exit_port, 0xf4, (seL4_Uint8)(failures > 100 ? 100 : failures));
    for (;;) seL4_TCB_Suspend(RUNTIME_CAP_TCB);
}

int main(void)
{
    su = runtime_startup();
    counter_ep = su->caps_start + 1;
    ctl = su->caps_start + 7;
    exit_port = su->caps_start + 8;
    uint64_t duration = (su->nargs > 0 ? su->args[0] : 50) * INSNS_PER_MS;
    uint64_t hostile_every = su->nargs > 1 ? su->args[1] : 0;
    uint64_t poll_every = su->nargs > 2 ? su->args[2] : 1;
    uint64_t think_insns = su->nargs > 3 ? su->args[3] : 0;
    for (unsigned w = 0; w < NWATCH; w++) check(rsc_find(ctl, watch_name[w], &watch_idx[w]) == RS_OK, "FIND");
    if (failures != 0) finish();
    svcload_init(su->caps_start + 2, su->caps_start + 3, su->caps_start + 4, su->caps_start + 5);
    struct hostile_caps hc = { .ep = { [H_NAMES] = su->caps_start + 2, [H_STORE] = su->caps_start + 3,
                                       [H_LOGD] = su->caps_start + 4, [H_CONSOLE] = su->caps_start + 5,
                                       [H_TIMER] = su->caps_start + 6, [H_RS] = ctl,
                                       [H_MS] = su->memserver_ep },
                               .scratch = su->empty_start };
    hostile_init(&hc);

    /* Warm-up: the memory server reuses an untyped chunk only once it is empty
     * (seL4's untyped watermark), so its free-page count settles only after some
     * starts, stops and crashes (tests/rs churn does the same).  Each round stops and
     * starts every service; measured (seed-free run): free pages constant from the
     * first measure on, free slots from the second. */
    uint64_t seq = 0;
    for (unsigned r = 0; r < WARMUP_ROUNDS; r++) {
        for (unsigned w = 0; w < NWATCH; w++) (void)rsc_restart(ctl, watch_idx[w]);
        add(++seq);
        svcload_step(seq);
        (void)rsc_crash(ctl, counter_idx);
        (void)rsc_crash(ctl, watch_idx[W_KV]);
        add(++seq);
        svcload_step(seq);
        svcload_hostile(r);
        for (uint64_t p = 0; p < 4u * H_TARGETS; p++) hostile_probe(p, svcload_kv_cap(), svcload_kv_gen());
        /* The RS's receive slot: a service it stopped left its slots empty, and a cap sent
         * to the RS now must not land where the next start receives that service's caps
         * from the memory server. */
        struct rs_list_entry e0, e1;
        check(rsc_list(ctl, counter_idx, &e0) == RS_OK && rsc_stop(ctl, counter_idx) == RS_OK, "STOP counter");
        hostile_foreign_cap(H_RS, ctl);
        check(rsc_start(ctl, counter_idx) == RS_OK, "START counter after a cap sent to the RS");
        add(++seq);
        check(rsc_list(ctl, counter_idx, &e1) == RS_OK && e1.generation == e0.generation + 1,
              "the counter started at once after a cap sent to the RS (one new generation, no failed start)");
        struct balance b;
        measure(&b, "warm-up", NWATCH);
        add(++seq);
        svcload_step(seq);
    }
    struct balance before, after;
    measure(&before, "before", NWATCH);
    /* The generations the workload starts with (a fault may come before the first
     * round's answers): the counter's from an answer, the others' from LIST. */
    add(++seq);
    for (unsigned k = 0; k < 100 && !poll_services(); k++) think(INSNS_PER_MS);
    measuring = true;
    uint64_t start = now();
    printf("campaign: workload start at %lu\n", (unsigned long)start);

    uint64_t n = 0;
    for (uint64_t i = 0; now() - start < duration; i++) {
        n++;
        think(think_insns);
        if (hostile_every != 0 && i % hostile_every == hostile_every - 1) hostile(i / hostile_every, seq + 1);
        if (hostile_every != 0 && i % hostile_every == hostile_every / 2) svcload_hostile(i / hostile_every);
        if (hostile_every != 0 && i % hostile_every == hostile_every / 4) {
            hostile_probe(i / hostile_every, svcload_kv_cap(), svcload_kv_gen());
        }
        add(++seq);
        svcload_step(seq);
        if (poll_every != 0 && i % poll_every == 0) (void)poll_services();
    }
    /* A service restarted during the last requests (a hung timer starves this client, so
     * its restart often comes at the very end): one more look, until all run. */
    for (unsigned k = 0; poll_every != 0 && k < 100 && !poll_services(); k++) think(INSNS_PER_MS);
    svcload_finish();
    (void)poll_services();
    measuring = false;
    printf("campaign: workload end at %lu\n", (unsigned long)now());
    /* The end: only the timer and the console run again (to print the results). */
    measure(&after, "after", W_CONSOLE + 1);
    for (unsigned i = 0; i < SLOWEST; i++) {
        if (slow_len[i] != 0) {
            printf("campaign: rs-call %lu at %lu\n", (unsigned long)slow_len[i], (unsigned long)slow_at[i]);
        }
    }
    int64_t dpages = (int64_t)(before.free_pages + before.own_pages) - (int64_t)(after.free_pages + after.own_pages);
    int64_t dslots = (int64_t)(before.free_slots + before.own_slots) - (int64_t)(after.free_slots + after.own_slots);
    const struct svcload_result *sv = svcload_result();
    const struct hostile_result *hp = hostile_result();
    uint64_t lost = cs.lost + sv->kv_lost + sv->log_lost;
    uint64_t duplicated = cs.duplicated + sv->kv_duplicated + sv->log_duplicated;
    uint64_t requests = n + sv->kv_ops + sv->lookups + sv->log_acked + sv->log_in_doubt + sv->log_errors;
    printf("campaign: restarts");
    for (unsigned w = 0; w < NWATCH; w++) printf(" %s %lu", watch_name[w], (unsigned long)restarts_seen[w]);
    printf("\n");
    printf("campaign: result requests %lu acked %lu lost %lu duplicated %lu repeats %lu resent %lu garbled %lu ",
           (unsigned long)requests, (unsigned long)cs.acked, (unsigned long)lost, (unsigned long)duplicated,
           (unsigned long)cs.repeats, (unsigned long)cs.resent, (unsigned long)(cs.garbled + sv->garbled + hp->garbled));
    printf("hostile %lu rejected %lu pages_leaked %ld slots_leaked %ld untyped_not_empty %lu chunks_not_empty %lu ",
           (unsigned long)(cs.hostile + sv->hostile + hp->sent),
           (unsigned long)(cs.rejected + sv->refused + hp->sent - hp->failed), (long)dpages,
           (long)dslots, (unsigned long)(NWATCH - after.untyped_empty), (unsigned long)after.not_empty);
    printf("counter_requests %lu kv_ops %lu kv_lost %lu kv_duplicated %lu kv_errors %lu lookups %lu lookup_errors %lu "
           "log_acked %lu log_in_doubt %lu log_errors %lu log_lost %lu log_duplicated %lu log_checked %lu\n",
           (unsigned long)n, (unsigned long)sv->kv_ops, (unsigned long)sv->kv_lost, (unsigned long)sv->kv_duplicated,
           (unsigned long)sv->kv_errors, (unsigned long)sv->lookups, (unsigned long)sv->lookup_errors,
           (unsigned long)sv->log_acked, (unsigned long)sv->log_in_doubt, (unsigned long)sv->log_errors,
           (unsigned long)sv->log_lost, (unsigned long)sv->log_duplicated, (unsigned long)sv->log_checked);
    check(lost == 0 && duplicated == 0, "every request acknowledged exactly once");
    /* Error answers to valid requests (kv_errors, lookup_errors, log_errors) are judged
     * by tools/campaign.py: a corrupted incarnation may give a few, nothing else may. */
    check(dpages == 0 && dslots == 0, "memory-server pages and slots balance");
    check(after.untyped_empty == NWATCH && after.not_empty == 0, "the kernel: untyped and free chunks empty");
    check(cs.rejected + sv->refused == cs.hostile + sv->hostile && hp->failed == 0,
          "every malformed or hostile request refused as documented");
    printf("campaign: done failures %lu\n", (unsigned long)failures);
    /* Nothing runs at the end but this client: the memory server deletes the frames it
     * retyped ahead (64 at a time) when an address space dies, so the kernel's objects
     * at the end of the run (sel4-sim's statistics) compare exactly with a fault-free
     * run's.  A failure here shows in the exit status only. */
    fflush_console();
    console_down = true;
    check(rsc_stop(ctl, watch_idx[W_CONSOLE]) == RS_OK, "STOP console");
    check(rsc_stop(ctl, watch_idx[W_TIMER]) == RS_OK, "STOP timer");
    finish();
}
