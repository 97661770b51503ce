/* libFuzzer harness: a random manifest (groups with random strategies and intensities,
 * services with random restart types, backoffs, heartbeats and dependencies) and a
 * random stream of events at random times.  Checked after every event:
 *  - at most RS_POLICY_MAX_ACTIONS actions;
 *  - never more than one incarnation of a service: START only when none is live (and
 *    with the next generation), KILL only of the live one; live states match that;
 *  - a service once seen STOPPED, EXITED or FAILED is not started again except by
 *    START_REQ/RESTART_REQ for it;
 *  - next_wakeup is later than the event's time;
 *  - no busy loop: an automatic restart comes at least the smallest first-backoff of its
 *    group after the KILL that ended the previous incarnation. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "rs/core/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(c) do { if (!(c)) __builtin_trap(); } while (0)

struct input {
    const uint8_t *p;
    size_t n;
};

static unsigned byte(struct input *in)
{
    if (in->n == 0) return 0;
    in->n--;
    return *in->p++;
}

static size_t make_manifest(struct input *in, char *buf, size_t cap, unsigned *nsvc)
{
    static const char *const strat[] = { "one_for_one", "rest_for_one", "one_for_all" };
    static const char *const restart[] = { "permanent", "transient", "temporary" };
    size_t n = 0;
    unsigned ngroups = 1 + byte(in) % 3;
    *nsvc = 1 + byte(in) % 8;
    for (unsigned g = 0; g < ngroups; g++)
        n += (size_t)snprintf(buf + n, cap - n, "group g%u strategy=%s intensity=%u/%ums\n", g, strat[byte(in) % 3],
                              byte(in) % 6, 1 + byte(in) * 8);
    for (unsigned s = 0; s < *nsvc; s++) {
        unsigned first = 1 + byte(in) % 50, hb = byte(in);
        n += (size_t)snprintf(buf + n, cap - n,
                              "service s%u\n image = x\n group = g%u\n restart = %s\n backoff = %ums %ums\n"
                              " stable = %ums\n",
                              s, byte(in) % ngroups, restart[byte(in) % 3], first, first + byte(in) * 4,
                              1 + byte(in) * 4);
        if (hb & 1) n += (size_t)snprintf(buf + n, cap - n, " heartbeat = %ums %ums\n", 2 + hb, 1 + hb / 2);
        if (s > 0 && (byte(in) & 1)) n += (size_t)snprintf(buf + n, cap - n, " depends = s%u\n", byte(in) % s);
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct rs_manifest m;
    static struct rs_policy p;
    static struct rs_action acts[RS_POLICY_MAX_ACTIONS + 16];
    static char text[4096];
    struct input in = { data, size };
    struct rs_manifest_error err;
    unsigned nsvc;
    size_t len = make_manifest(&in, text, sizeof(text), &nsvc);
    REQUIRE(rs_manifest_parse(text, len, &m, &err) == 0);
    rs_policy_init(&p, &m);

    uint32_t live[RS_MAX_SERVICES] = { 0 }, gen[RS_MAX_SERVICES] = { 0 };
    uint64_t killed_at[RS_MAX_SERVICES] = { 0 };
    bool down[RS_MAX_SERVICES] = { false }; /* seen STOPPED/EXITED/FAILED since its last request */
    uint32_t group_first[RS_MAX_GROUPS];
    for (unsigned g = 0; g < RS_MAX_GROUPS; g++) group_first[g] = UINT32_MAX;
    for (unsigned s = 0; s < nsvc; s++) {
        uint32_t g = m.service[s].group;
        if (m.service[s].backoff_first_ms < group_first[g]) group_first[g] = m.service[s].backoff_first_ms;
    }

    uint64_t now = (uint64_t)byte(&in) << 8;
    struct rs_event ev = { RS_EV_TICK, 0, 0, now, 0, "fuzz" };
    bool booted = false;
    for (unsigned step = 0; step < 400 && (in.n > 0 || !booted); step++) {
        int n;
        if (!booted) {
            n = rs_policy_boot(&p, now, acts, sizeof(acts) / sizeof(acts[0]));
            booted = true;
        } else {
            unsigned op = byte(&in), svc = byte(&in) % nsvc, g = byte(&in), dt = byte(&in);
            uint64_t wake = rs_policy_next_wakeup(&p);
            if ((dt & 0xC0) == 0xC0 && wake != RS_NEVER)
                now = wake;
            else
                now += dt & 0x3F;
            ev.kind = (uint8_t)(op % RS_EV_KIND_COUNT);
            ev.svc = (uint8_t)svc;
            ev.generation = (g & 3) == 0 ? 0 : (g & 3) == 1 ? p.svc[svc].generation : g >> 2;
            ev.now = now;
            ev.status = (int64_t)(op >> 4) - 2;
            n = rs_policy_event(&p, &ev, acts, sizeof(acts) / sizeof(acts[0]));
        }
        REQUIRE(n >= 0 && n <= (int)RS_POLICY_MAX_ACTIONS);
        bool requested = booted && step > 0 && (ev.kind == RS_EV_START_REQ || ev.kind == RS_EV_RESTART_REQ);
        for (int k = 0; k < n; k++) {
            const struct rs_action *a = &acts[k];
            REQUIRE(a->kind < RS_ACT_KIND_COUNT && memchr(a->log, 0, sizeof(a->log)) != NULL);
            if (a->kind == RS_ACT_GIVE_UP || a->kind == RS_ACT_ESCALATE) {
                REQUIRE(a->group < m.ngroups);
                continue;
            }
            REQUIRE(a->svc < nsvc);
            unsigned s = a->svc;
            if (a->kind == RS_ACT_START) {
                REQUIRE(live[s] == 0 && a->generation == gen[s] + 1);
                if (step > 0 && !(requested && ev.svc == s)) {
                    REQUIRE(!down[s]);
                    REQUIRE(p.now - killed_at[s] >= group_first[m.service[s].group]);
                }
                live[s] = gen[s] = a->generation;
            } else if (a->kind == RS_ACT_KILL) {
                REQUIRE(live[s] != 0 && a->generation == live[s]);
                REQUIRE(a->reason < RS_KILL_REASON_COUNT);
                if (a->reason == RS_KILL_STOP_REQ || a->reason == RS_KILL_GIVE_UP) REQUIRE(a->final);
                if (a->reason == RS_KILL_STRATEGY || a->reason == RS_KILL_RESTART_REQ) REQUIRE(!a->final);
                live[s] = 0;
                killed_at[s] = p.now;
            } else if (a->kind == RS_ACT_PING) {
                REQUIRE(live[s] == a->generation && p.svc[s].state == RS_SVC_RUNNING);
            }
        }
        for (unsigned s = 0; s < nsvc; s++) {
            bool is_live = p.svc[s].state == RS_SVC_STARTING || p.svc[s].state == RS_SVC_RUNNING;
            REQUIRE(is_live == (live[s] != 0));
            REQUIRE(p.svc[s].generation == gen[s]);
            if (requested && ev.svc == s) down[s] = false;
            if (p.svc[s].state == RS_SVC_STOPPED || p.svc[s].state == RS_SVC_EXITED || p.svc[s].state == RS_SVC_FAILED)
                down[s] = true;
        }
        REQUIRE(p.now == RS_NEVER || rs_policy_next_wakeup(&p) > p.now);
    }
    return 0;
}
