/*
 * demo: a deliberately faulty service for the default system.  It takes jobs from its
 * clients (label DEMO_JOB, MR0 the job number, sent one-way with seL4_Send so that a
 * client never waits for a reply from a demo that died) and, for each, rolls a
 * pseudo-random number from its seed (args[0]) and generation: now and then it crashes
 * (a write to address 0) or hangs (a loop that never answers a heartbeat again); the
 * reincarnation server restarts it either way.  args[1], args[2]: the chances of a crash
 * and of a hang, in percent (default 8 and 4).  args[3] > 0: caps[args[3]] is a channel to
 * logd, the system log: each failure on purpose is logged there first (warn).
 *
 * Its lines are what `make demo` (tools/demo.py) counts: "job N done" for each job it
 * finished (the first of an incarnation with the time, t = runtime_tsc()), "job N:
 * crashing / hanging on purpose (t=T)" for each job it failed.
 */
#include <runtime/runtime.h>
#include <runtime/service.h>
#include <runtime/stdio.h>
#include <runtime/tsc.h>
#include "logd/client.h"
#include "system/demo.h"

static uint64_t state;
static struct svc_conn logd;
static bool have_logd;

/* A notable event to logd (best effort: the demo is about to fail anyway). */
static void log_event(unsigned level, const char *what, uint64_t job)
{
    static char line[LOGD_MSG_MAX + 1];
    if (!have_logd) return;
    snprintf(line, sizeof(line), "job %lu: %s on purpose", (unsigned long)job, what);
    (void)logdc_write(&logd, level, line);
}

static uint64_t next_random(void)
{
    /* xorshift64 */
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

int main(void)
{
    const runtime_startup_t *su = runtime_startup();
    uint64_t seed = su->nargs > 0 ? su->args[0] : 1;
    uint64_t crash_pct = su->nargs > 1 ? su->args[1] : 8, hang_pct = su->nargs > 2 ? su->args[2] : 4;
    have_logd = su->nargs > 3 && su->args[3] > 0 && su->caps_start + su->args[3] < su->caps_end;
    if (have_logd) logdc_init(&logd, su->caps_start + su->args[3]);
    state = (seed ^ (su->generation * 0x9E3779B97F4A7C15ull)) | 1;
    printf("demo: gen %lu up (seed %lu)\n", (unsigned long)su->generation, (unsigned long)seed);
    uint64_t done = 0, sum = 0;
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = runtime_service_recv(&badge);
    for (;;) {
        seL4_Word job = seL4_MessageInfo_get_length(info) > 0 ? seL4_GetMR(0) : 0;
        if (seL4_MessageInfo_get_label(info) == DEMO_JOB) {
            uint64_t roll = next_random() % 100;
            if (roll < crash_pct) {
                printf("demo: job %lu: crashing on purpose (t=%lu)\n", (unsigned long)job, (unsigned long)runtime_tsc());
                log_event(LOGD_LEVEL_ERROR, "crashing", job);
                __asm__ volatile("movq %0, 0" : : "r"(job) : "memory"); /* a store to address 0 */
            } else if (roll < crash_pct + hang_pct) {
                printf("demo: job %lu: hanging on purpose (t=%lu)\n", (unsigned long)job, (unsigned long)runtime_tsc());
                log_event(LOGD_LEVEL_WARN, "hanging", job);
                for (;;) __asm__ volatile("pause");
            }
            for (uint64_t k = 0; k < 1000; k++) sum += (job * k) ^ (sum >> 3);
            done++;
            if (done == 1) {
                printf("demo: gen %lu: job %lu done (first, t=%lu)\n", (unsigned long)su->generation, (unsigned long)job,
                       (unsigned long)runtime_tsc());
            } else {
                printf("demo: gen %lu: job %lu done\n", (unsigned long)su->generation, (unsigned long)job);
            }
        }
        info = runtime_service_recv(&badge);
    }
}
