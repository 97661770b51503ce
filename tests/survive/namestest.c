/*
 * namestest: the name service under restarts (test-survive-names).  Caps: [1] its channel
 * to the name service, then the RS control cap and the exit port.  kv is found through
 * the name service only.  args[0]: rounds of the load phase.
 *
 *   1. LOOKUP kv (then wait for the client's "w1": it has rehearsed): a cap badged with our client id and kv's generation; unknown names;
 *   2. kv restarted: the endpoint still works, LOOKUP_IF_NEWER gives generation + 1,
 *      CHECK of the old generation is STALE, of the new one OK, asking again NOT_NEWER;
 *   3. kv stopped: UNBOUND; started: bound again at a newer generation;
 *   4. the name service itself crashed 20 times: every LOOKUP is answered (by the next
 *      incarnation, which learns the bindings from the RS again), same kv generation;
 *   5. load: a kvload client that asks the name service before every kv request; name
 *      service and kv crashed in turn; 0 lost, 0 duplicated, calls to both released.
 */
#include "tests/survive/controller.h"
#include "rs/server/rs.h"
#include "kv/client/kv_client.h"
#include "names/client/names_client.h"
#include "survive.h"
#include "svcclient/core/released.h"
#include <runtime/string.h>

static struct namesc names;
static struct kvc kv;

static uint64_t rs_generation(uint32_t idx)
{
    struct rs_list_entry e;
    return rsc_list(ctl, idx, &e) == RS_OK ? e.generation : 0;
}

static int lookup_kv(uint64_t *gen)
{
    seL4_CPtr slot = 0;
    int err = namesc_lookup(&names, "kv", gen, &slot);
    if (err == NAMES_OK) kv.conn.cap = slot;
    return err;
}

static bool kv_answers(void)
{
    uint64_t v = 0;
    return kvc_hello(&kv, &v) == KV_OK && v == KV_PROTOCOL_VERSION;
}

int main(void)
{
    const runtime_startup_t *su = controller_start("namestest");
    uint64_t rounds = su->nargs > 0 ? su->args[0] : 100;
    namesc_init(&names, su->caps_start + 1);
    kvc_init(&kv, seL4_CapNull);
    uint32_t kvi = 99, ni = 99;
    t_check_err(rsc_find(ctl, "kv", &kvi), RS_OK, "FIND kv");
    t_check_err(rsc_find(ctl, "names", &ni), RS_OK, "FIND names");

    uint64_t g = 0, g2 = 0;
    seL4_CPtr slot = 0;
    int lerr = lookup_kv(&g);
    /* The client rehearses (appends, reads back) before it writes "w1": STOP kv below
     * empties kv, so it must not come before.  Waiting here (before any line is printed)
     * also puts the client's "ready" at the same place of the output on every kernel. */
    static uint8_t wbuf[KV_VALUE_MAX];
    uint32_t wlen = 0;
    while (lerr == NAMES_OK && kvc_get(&kv, "w1", wbuf, &wlen) == KV_ERR_NOT_FOUND) seL4_Yield();
    t_check(lerr == NAMES_OK && g == rs_generation(kvi), "LOOKUP kv: the RS's generation");
    t_check(kv.conn.cap == SVC_RESOLVED_SLOT(kvi), "the cap is kept in SVC_RESOLVED_SLOT(kv's index)");
    t_check(kv_answers(), "kv answers through the looked-up cap");
    t_check(namesc_lookup(&names, "nosuch", &g2, &slot) == NAMES_ERR_UNKNOWN_NAME, "LOOKUP nosuch: UNKNOWN_NAME");
    t_check(namesc_lookup(&names, "Bad!", &g2, &slot) == NAMES_ERR_BAD_NAME, "LOOKUP of an invalid name: BAD_NAME");

    t_check_err(rsc_crash(ctl, kvi), RS_OK, "CRASH kv");
    t_check(kv_answers(), "the same cap reaches the next incarnation");
    t_check(namesc_lookup_if_newer(&names, "kv", g, &g2, &slot) == NAMES_OK && g2 == g + 1,
            "LOOKUP_IF_NEWER: generation + 1");
    t_check(namesc_check(&names, "kv", g) == NAMES_ERR_STALE, "CHECK of the old generation: STALE");
    t_check(namesc_check(&names, "kv", g2) == NAMES_OK, "CHECK of the new one: OK");
    uint64_t g3 = 0;
    t_check(namesc_lookup_if_newer(&names, "kv", g2, &g3, &slot) == NAMES_ERR_NOT_NEWER, "asked again: NOT_NEWER");

    t_check_err(rsc_stop(ctl, kvi), RS_OK, "STOP kv");
    t_check(namesc_lookup(&names, "kv", &g3, &slot) == NAMES_ERR_UNBOUND, "LOOKUP of a stopped service: UNBOUND");
    t_check_err(rsc_start(ctl, kvi), RS_OK, "START kv");
    /* Both asked before either is printed: kv prints its start-up line before it serves
     * its first request, so the lines cannot interleave on any kernel. */
    bool rebound = lookup_kv(&g3) == NAMES_OK && g3 > g2;
    bool answers = kv_answers();
    t_check(rebound, "started again: bound at a newer generation");
    t_check(answers, "kv answers");

    uint64_t ng = rs_generation(ni);
    unsigned bad = 0;
    for (unsigned k = 0; k < 20; k++) {
        uint64_t gk = 0;
        bad += rsc_crash(ctl, ni) != RS_OK;
        bad += lookup_kv(&gk) != NAMES_OK || gk != g3;
    }
    t_check(bad == 0, "20 crashes of the name service: every LOOKUP answered, kv's generation unchanged");
    t_check(rs_generation(ni) == ng + 20, "the name service was restarted 20 times");

    t_check(kvc_put(&kv, "go", (const uint8_t *)"1", 1, NULL) == KV_OK, "PUT go: the client starts");
    bad = 0;
    for (uint64_t k = 0; k < rounds; k++) {
        uint64_t gk = 0;
        bad += rsc_crash(ctl, k % 2 ? kvi : ni) != RS_OK;
        bad += lookup_kv(&gk) != NAMES_OK;
        bad += !kv_answers();
        static uint8_t buf[KV_VALUE_MAX];
        uint32_t len = 0;
        for (uint64_t y = 0; y <= k % 4; y++) (void)kvc_get(&kv, "go", buf, &len);
    }
    t_check(bad == 0, "name service and kv crashed in turn: lookups and kv calls answered");
    t_check(kvc_put(&kv, "stop", (const uint8_t *)"1", 1, NULL) == KV_OK, "PUT stop");
    static uint8_t buf[KV_VALUE_MAX];
    uint32_t len = 0;
    int err;
    while ((err = kvc_get(&kv, "r1", buf, &len)) == KV_ERR_NOT_FOUND) seL4_Yield();
    struct survive_result r;
    memset(&r, 0, sizeof(r));
    if (err == KV_OK && len == sizeof(r)) memcpy(&r, buf, sizeof(r));
    /* ops and released calls depend on timing: "~N" (masked by tools/test-qemu.sh) */
    printf("client: ~%lu ops, ~%lu calls released by the RS, %lu lost, %lu duplicated, %lu errors\n",
           (unsigned long)r.ops, (unsigned long)r.restarted, (unsigned long)r.lost, (unsigned long)r.duplicated,
           (unsigned long)r.errors);
    t_check(err == KV_OK && r.lost == 0 && r.duplicated == 0 && r.errors == 0 && r.ops > 0,
            "the client: 0 lost, 0 duplicated, no errors");
    t_check(r.restarted > 0, "the client's calls were released by the RS");
    controller_finish();
}
