/*
 * survtest: the controller of the survive system tests (a supervised service).  Caps:
 * [1] its channel to kv, then the RS control cap and the exit port (0xF4), with which it
 * ends the run: status = the number of failed checks.
 * args: [0] crashes of kv, [1] kvload clients to wait for, [2] warm-up crashes, [3] the
 * least number of calls the RS must have released (the clients count them).
 *
 *   1. warm-up crashes, STOP kv, AUDIT (memory server free pages/slots; its untyped
 *      empty), START kv;
 *   2. PUT "go": the kvload clients start their workload;
 *   3. CRASH kv `crashes` times (each time waiting until a new incarnation answers, and
 *      letting the clients run a varying while in between);
 *   4. PUT "stop", wait for every client's result "r<n>": 0 lost, 0 duplicated;
 *   5. the data survived: LIST shows the restarts; STOP kv; AUDIT: the same free pages
 *      and slots as in 1 (plus survtest's own use), untyped empty.
 */
#include "tests/survive/controller.h"
#include "rs/server/rs.h"
#include "memserver/client/memserver_client.h"
#include "kv/client/kv_client.h"
#include "survive.h"
#include <runtime/string.h>

static const runtime_startup_t *su;
static struct kvc kv;

/* Pages charged to every service (LIST), for the balance. */
static uint64_t charged(void)
{
    uint64_t sum = 0;
    struct rs_list_entry e;
    for (uint32_t i = 0; rsc_list(ctl, i, &e) == RS_OK; i++) {
        printf("  %.16s: %lu pages\n", e.name, (unsigned long)e.pages_used);
        sum += e.pages_used;
    }
    return sum;
}

static void measure(uint32_t f, struct rs_audit *a, struct ms_quota_info *q, const char *what)
{
    char line[64];
    snprintf(line, sizeof(line), "AUDIT %s", what);
    t_check_err(rsc_audit(ctl, f, a), RS_OK, line);
    snprintf(line, sizeof(line), "own quota %s", what);
    t_check(msc_quota_get(su->memserver_ep, q) == MS_OK, line);
    q->pages_used = charged(); /* every service's pages, survtest's included */
    printf("%s: memory server %lu free pages, %lu free slots; services use %lu pages, survtest %lu slots\n", what,
           (unsigned long)a->free_pages, (unsigned long)a->free_slots, (unsigned long)q->pages_used,
           (unsigned long)q->slots_used);
}

/* CRASH kv and wait until a new incarnation answers; false if that did not happen. */
static bool crash_once(uint32_t idx, uint64_t k)
{
    int err = rsc_crash(ctl, idx);
    uint64_t v = 0;
    int herr = kvc_hello(&kv, &v);
    /* let the clients work, and vary where the next crash hits them: 1..8 more calls,
     * each queued behind the clients' calls (kv answers in arrival order) */
    static uint8_t buf[KV_VALUE_MAX];
    uint32_t len = 0;
    for (uint64_t y = 0; y <= k % 8; y++) (void)kvc_get(&kv, "go", buf, &len);
    return err == RS_OK && herr == KV_OK && v == KV_PROTOCOL_VERSION;
}

static bool crash_loop(uint32_t idx, uint64_t n)
{
    uint64_t bad = 0;
    for (uint64_t k = 0; k < n; k++) bad += !crash_once(idx, k);
    if (bad) printf("  %lu of %lu crashes not followed by an answer\n", (unsigned long)bad, (unsigned long)n);
    return bad == 0;
}

static void collect(unsigned clients, struct survive_result *sum)
{
    memset(sum, 0, sizeof(*sum));
    for (unsigned c = 1; c <= clients; c++) {
        char key[8];
        snprintf(key, sizeof(key), "r%u", c);
        static uint8_t buf[KV_VALUE_MAX];
        uint32_t len = 0;
        int err;
        while ((err = kvc_get(&kv, key, buf, &len)) == KV_ERR_NOT_FOUND) seL4_Yield();
        struct survive_result r;
        memset(&r, 0, sizeof(r));
        if (err == KV_OK && len == sizeof(r)) memcpy(&r, buf, sizeof(r));
        char line[96];
        snprintf(line, sizeof(line), "client %u reported its result", c);
        t_check(err == KV_OK && len == sizeof(r), line);
        /* ops, released and in-doubt counts depend on timing: "~N" (tools/test-qemu.sh masks it) */
        printf("client %u: ~%lu ops, ~%lu calls released by the RS, ~%lu UNSAFE in doubt, %lu lost, %lu duplicated, %lu errors\n",
               c, (unsigned long)r.ops, (unsigned long)r.restarted, (unsigned long)r.in_doubt,
               (unsigned long)r.lost, (unsigned long)r.duplicated, (unsigned long)r.errors);
        sum->ops += r.ops;
        sum->lost += r.lost;
        sum->duplicated += r.duplicated;
        sum->restarted += r.restarted;
        sum->in_doubt += r.in_doubt;
        sum->errors += r.errors;
    }
}

int main(void)
{
    su = controller_start("survtest");
    kvc_init(&kv, su->caps_start + 1);
    uint64_t crashes = su->nargs > 0 ? su->args[0] : 1000;
    unsigned clients = su->nargs > 1 ? (unsigned)su->args[1] : 2;
    uint64_t warmup = su->nargs > 2 ? su->args[2] : 20;
    uint64_t min_released = su->nargs > 3 ? su->args[3] : 1;
    uint32_t idx = 99;
    t_check_err(rsc_find(ctl, "kv", &idx), RS_OK, "FIND kv");
    uint64_t v = 0;
    t_check(kvc_hello(&kv, &v) == KV_OK && v == KV_PROTOCOL_VERSION, "kv answers HELLO");

    struct rs_audit a0, a1;
    struct ms_quota_info q0, q1;
    /* Warm-up: every path of the clients (they rehearse before waiting for "go"), of kv
     * and of the RS's restart is run before the first measurement; while kv is stopped
     * the clients wait in their calls, so nothing moves during the measurement. */
    t_check(crash_loop(idx, warmup), "warm-up crashes: a new incarnation answers after each");
    /* the clients have rehearsed (they write "w<n>") before the measurement */
    for (unsigned c = 1; c <= clients; c++) {
        char key[8];
        static uint8_t buf[KV_VALUE_MAX];
        uint32_t len = 0;
        snprintf(key, sizeof(key), "w%u", c);
        while (kvc_get(&kv, key, buf, &len) == KV_ERR_NOT_FOUND) seL4_Yield();
    }
    t_check_err(rsc_stop(ctl, idx), RS_OK, "warm-up: STOP kv");
    /* the first AUDIT and LISTs leave something behind once (as in test-rs-churn, see
     * rs/README.md "Known issues"): measure once in the warm-up */
    measure(idx, &a0, &q0, "warm-up");
    t_check_err(rsc_start(ctl, idx), RS_OK, "warm-up: START kv");
    t_check(kvc_put(&kv, "x", (const uint8_t *)"1", 1, NULL) == KV_OK, "warm-up: PUT");
    t_check_err(rsc_stop(ctl, idx), RS_OK, "STOP kv");
    measure(idx, &a0, &q0, "before");
    t_check_err(rsc_start(ctl, idx), RS_OK, "START kv");

    t_check(kvc_put(&kv, "go", (const uint8_t *)"1", 1, NULL) == KV_OK, "PUT go: the clients start");
    t_check(crash_loop(idx, crashes), "every crash: a new incarnation answers");
    printf("%lu crashes of kv under load\n", (unsigned long)crashes);
    t_check(kvc_put(&kv, "stop", (const uint8_t *)"1", 1, NULL) == KV_OK, "PUT stop");
    struct survive_result sum;
    collect(clients, &sum);
    printf("all clients: ~%lu ops, ~%lu released calls, ~%lu in doubt\n", (unsigned long)sum.ops,
           (unsigned long)sum.restarted, (unsigned long)sum.in_doubt);
    printf("kv.requests_lost %lu\nkv.requests_duplicated %lu\n", (unsigned long)sum.lost,
           (unsigned long)sum.duplicated);
    t_check(sum.lost == 0, "0 acknowledged requests lost");
    t_check(sum.duplicated == 0, "0 acknowledged requests applied twice");
    t_check(sum.errors == 0, "no request failed");
    t_check(sum.ops > crashes, "the clients made progress");
    t_check(sum.restarted >= min_released, "the RS released clients blocked in calls to the dead kv");
    struct rs_list_entry e;
    t_check_err(rsc_list(ctl, idx, &e), RS_OK, "LIST kv");
    printf("kv: generation %lu, %lu restarts\n", (unsigned long)e.generation, (unsigned long)e.restarts);

    t_check_err(rsc_stop(ctl, idx), RS_OK, "STOP kv");
    t_check_err(rsc_audit(ctl, idx, &a1), RS_OK, "AUDIT after");
    t_check(msc_quota_get(su->memserver_ep, &q1) == MS_OK, "own quota after");
    q1.pages_used = charged();
    printf("after: memory server %lu free pages, %lu free slots; services use %lu pages, survtest %lu slots\n",
           (unsigned long)a1.free_pages, (unsigned long)a1.free_slots, (unsigned long)q1.pages_used,
           (unsigned long)q1.slots_used);
    t_check(a1.free_pages + q1.pages_used == a0.free_pages + q0.pages_used &&
                a1.free_slots + q1.slots_used == a0.free_slots + q0.slots_used,
            "memory-server free pages and slots back to their values before");
    t_check(a1.untyped_empty == 1 && a1.chunks_not_empty == 0, "the kernel: kv's untyped is empty again");
    controller_finish();
}
