/*
 * storetest: the state store under its own crashes (test-survive-store).  Caps: [1] its
 * channel to the store (badge = its owner id), then the RS control cap and the exit port.
 * args[0]: crashes.
 *   1. GET_INCARNATION: the store asked the RS: our generation, not restarted;
 *   2. PUT 10 entries; the store crashed `crashes` times; after each, every entry reads
 *      back as last acknowledged and one entry is replaced (PUT is idempotent: a call
 *      released by the RS is sent again by svc_call);
 *   3. the RS itself restarted (ABORT), then the store crashed: the new RS found the
 *      store's arena again, every entry is there;
 *   4. QUOTA_GET: 10 entries in use of RS_STORE_ENTRIES; the rest fit, one more is over
 *      the quota.
 */
#include "tests/survive/controller.h"
#include "rs/server/rs.h"
#include "rs/server/survive.h"
#include "svcclient/client/svc_call.h"
#include "store/protocol/op_kinds.h"
#include "store/protocol/messages.h"
#include "store/protocol/errors.h"
#include <runtime/string.h>

static struct svc_conn conn;
static struct store_request q;
static struct svc_msg in, out;

static int call(uint32_t op, const char *name, uint64_t value)
{
    memset(&q, 0, sizeof(q));
    q.op = op;
    if (name) memcpy(q.name.s, name, strlen(name));
    if (op == STORE_OP_PUT) {
        q.len = 8;
        memcpy(q.value, &value, 8);
    }
    in.n = store_encode_request(&q, &in.label, in.mr);
    int err = svc_call_op(&conn, &store_op_table, op, 0, &in, &out);
    return err == SVC_OK ? (int)out.label : SVC_CLIENT_ERR(err);
}

static uint64_t got(void)
{
    uint64_t v = 0;
    if (out.n >= 2 && out.mr[0] == 8) v = out.mr[1];
    return v;
}

int main(void)
{
    const runtime_startup_t *su = controller_start("storetest");
    uint64_t crashes = su->nargs > 0 ? su->args[0] : 50;
    memset(&conn, 0, sizeof(conn));
    conn.cap = su->caps_start + 1;
    conn.max_attempts = 64;
    uint32_t si = 99, me = 99;
    t_check_err(rsc_find(ctl, "store", &si), RS_OK, "FIND store");
    t_check_err(rsc_find(ctl, "storetest", &me), RS_OK, "FIND storetest");
    t_check(call(STORE_OP_GET_INCARNATION, NULL, 0) == STORE_OK && out.mr[0] == 1 && out.mr[2] == 0,
            "GET_INCARNATION: generation 1, not restarted (from the RS)");
    static const char *const names[10] = { "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9" };
    uint64_t val[10];
    unsigned bad = 0;
    for (unsigned k = 0; k < 10; k++) {
        val[k] = 1000 + k;
        bad += call(STORE_OP_PUT, names[k], val[k]) != STORE_OK;
    }
    t_check(bad == 0, "PUT 10 entries");
    uint64_t lost = 0;
    for (uint64_t c = 0; c < crashes; c++) {
        bad += rsc_crash(ctl, si) != RS_OK;
        for (unsigned k = 0; k < 10; k++) {
            if (call(STORE_OP_GET, names[k], 0) != STORE_OK || got() != val[k]) lost++;
        }
        unsigned k = (unsigned)(c % 10);
        val[k] = c;
        bad += call(STORE_OP_PUT, names[k], val[k]) != STORE_OK;
    }
    printf("%lu crashes of the store: %lu entries lost or wrong, %lu calls released\n", (unsigned long)crashes,
           (unsigned long)lost, (unsigned long)conn.restarted);
    t_check(bad == 0, "every crash and PUT answered");
    t_check(lost == 0, "every acknowledged entry read back after every crash");
    struct rs_list_entry e;
    t_check(rsc_list(ctl, si, &e) == RS_OK && e.generation == crashes + 1, "the store was restarted that often");
    /* a new RS finds the store's arena again (in its live address space) */
    t_check_err(rsc_abort(ctl, RS_ABORT_NOW), RS_OK, "ABORT: the RS faults, the guardian starts a new one");
    t_check_err(rsc_crash(ctl, si), RS_OK, "CRASH the store under the new RS");
    lost = 0;
    for (unsigned k = 0; k < 10; k++) {
        if (call(STORE_OP_GET, names[k], 0) != STORE_OK || got() != val[k]) lost++;
    }
    t_check(lost == 0, "every entry kept across an RS restart and a store crash");
    t_check(call(STORE_OP_QUOTA_GET, NULL, 0) == STORE_OK && out.mr[0] == 10 && out.mr[1] == RS_STORE_ENTRIES,
            "QUOTA_GET: 10 of RS_STORE_ENTRIES entries");
    bad = 0;
    char n[8];
    for (unsigned k = 0; k < RS_STORE_ENTRIES - 10; k++) {
        snprintf(n, sizeof(n), "x%u", k);
        bad += call(STORE_OP_PUT, n, k) != STORE_OK;
    }
    t_check(bad == 0, "the rest of the quota fits");
    snprintf(n, sizeof(n), "x%u", RS_STORE_ENTRIES - 10);
    t_check(call(STORE_OP_PUT, n, 0) == STORE_ERR_QUOTA, "one more is over the quota");
    controller_finish();
}
