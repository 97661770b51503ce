/*
 * kvload: a client that keeps the kv service busy while it crashes, and checks that no
 * acknowledged change is lost and none is applied twice.  Caps: [1] its channel to kv
 * (badge = its client id).  args[0]: its number (keys "a<n>", "p<n>", "u<n>").
 *
 * Waits for the key "go", then loops until the key "stop" exists:
 *   APPEND 1 byte to "a<n>" (exactly-once): the new length must be the acknowledged length
 *     + 1; +2 or more is a duplicate, +0 a lost change.  At 200 bytes the content is read
 *     back (byte i must be i's counter) and the key deleted (a GET must then miss).  An
 *     APPEND or DELETE answered with an error may or may not have been applied: the key is
 *     read back before the next change and must hold one of the two states
 *     (kv/client/append_check.h).
 *   PUT "p<n>" = the counter, GET it back: an acknowledged PUT must be visible.
 *   every 8th op an APPEND without sequence number to "u<n>": interrupted by a crash it
 *     comes back IN_DOUBT (counted; the length is read back to go on).
 * Then writes "r<n>" = {ops, lost, duplicated, restarted calls, in doubt, other errors}
 * and stays.
 *
 * args[2] > 0 (the default system, system/default.manifest): no rehearsal and no "go" or
 * "stop": exactly args[2] operations, then its summary line and exit 0.
 */
#include <runtime/runtime.h>
#include <runtime/startup.h>
#include <runtime/stdio.h>
#include <runtime/string.h>
#include "kv/client/kv_client.h"
#include "kv/client/append_check.h"
#include "names/client/names_client.h"
#include <stdbool.h>
#include "survive.h"

static struct kvc kv;
static struct namesc names;
static bool use_names;
static uint64_t kv_gen;

/* Through the name service: the cap to kv (same endpoint at every generation). */
static void resolve(bool first)
{
    seL4_CPtr slot = 0;
    uint64_t gen = 0;
    int err = first ? namesc_lookup(&names, "kv", &gen, &slot) : namesc_lookup_if_newer(&names, "kv", kv_gen, &gen, &slot);
    if (err == NAMES_OK) {
        kv_gen = gen;
        kv.conn.cap = slot;
    } else if (err != NAMES_ERR_NOT_NEWER && err != NAMES_ERR_UNBOUND) {
        printf("kvload: LOOKUP kv: %d\n", err);
    }
}
static struct survive_result res;
static char akey[8], pkey[8], ukey[8], rkey[8];
static uint8_t buf[KV_VALUE_MAX];

static void key(char *k, char c, unsigned n) { snprintf(k, 8, "%c%u", c, n); }

static bool exists(const char *k)
{
    uint32_t len = 0;
    return kvc_get(&kv, k, buf, &len) == KV_OK;
}

static void error(const char *what, int err)
{
    res.errors++;
    if (res.errors <= 5) printf("kvload: %s: %d\n", what, err);
}

/* What akey may hold (kv/client/append_check.h): acknowledged bytes, and what an error
 * answer left open (applied or not: read back before the next change). */
static struct kvac ak;
#define APPEND_FULL 200u

/* Reads akey back and checks it against what the outcomes allow; true if its state is
 * known again. */
static bool read_back(void)
{
    uint32_t len = 0, was = ak.len;
    int err = kvc_get(&kv, akey, buf, &len);
    if (err != KV_OK && err != KV_ERR_NOT_FOUND) {
        error("GET", err);
        return false;
    }
    if (kvac_read(&ak, err == KV_OK, buf, len) != 0) {
        printf("kvload: %s: GET %d, length %u, acknowledged %u from %u\n", akey, err, len, was, ak.first);
    }
    return true;
}

static void delete_key(void)
{
    bool damaged = ak.state == KVAC_DAMAGED;
    int err = kvc_delete(&kv, akey);
    if (err == KV_OK || (err == KV_ERR_NOT_FOUND && damaged)) {
        kvac_deleted(&ak);
        if (err == KV_OK && exists(akey)) {
            res.duplicated++;
            printf("kvload: %s still there after an acknowledged DELETE\n", akey);
        }
    } else {
        error("DELETE", err); /* NOT_FOUND of acknowledged bytes: read back next time */
        if (err != KV_ERR_NOT_FOUND) kvac_delete_unknown(&ak);
    }
}

/* One step on akey: read back what an unknown outcome left; when full (or damaged) read
 * it back and delete it; else APPEND the next byte. */
static void append_step(void)
{
    if (!kvac_settled(&ak) && !read_back()) return;
    if (ak.state == KVAC_DAMAGED || ak.len == APPEND_FULL) {
        if (ak.state != KVAC_DAMAGED && !read_back()) return;
        delete_key();
        return;
    }
    uint8_t b = kvac_next(&ak);
    uint64_t len = 0;
    int err = kvc_append(&kv, akey, &b, 1, &len);
    if (err == KV_OK) {
        kvac_appended(&ak, len);
    } else {
        error("APPEND", err);
        kvac_append_unknown(&ak);
    }
}

/* The last look at akey (a few tries while kv answers errors), then it is deleted. */
static void finish_key(void)
{
    for (unsigned k = 0; k < 8 && !read_back(); k++) {
    }
    if (ak.len > 0 || ak.state == KVAC_DAMAGED) delete_key();
}

/* akey's findings into res. */
static void take_counts(void)
{
    res.lost += ak.lost;
    res.duplicated += ak.duplicated;
    ak.lost = ak.duplicated = 0;
}

static void put_and_check(uint64_t counter)
{
    uint8_t v[8];
    memcpy(v, &counter, 8);
    uint64_t created = 0;
    int err = kvc_put(&kv, pkey, v, 8, &created);
    if (err != KV_OK) {
        error("PUT", err);
        return;
    }
    uint32_t len = 0;
    err = kvc_get(&kv, pkey, buf, &len);
    if (err != KV_OK || len != 8 || memcmp(buf, v, 8) != 0) {
        res.lost++;
        printf("kvload: %s: acknowledged PUT of %lu not visible (%d)\n", pkey, (unsigned long)counter, err);
    }
}

static void unsafe_append(void)
{
    uint8_t b = 'u';
    uint64_t len = 0;
    int err = kvc_append_unsafe(&kv, ukey, &b, 1, &len);
    if (err == KVC_ERR(SVC_ERR_IN_DOUBT)) {
        res.in_doubt++;
    } else if (err == KV_ERR_TOO_BIG) {
        if (kvc_delete(&kv, ukey) != KV_OK) error("DELETE u", err);
    } else if (err != KV_OK) {
        error("APPEND u", err);
    }
}

/* Operation number op of the workload: a step on the appended key "a<n>" (append_step),
 * a PUT read back, every 8th op an UNSAFE append. */
static void one_op(uint64_t op)
{
    if (use_names) resolve(false);
    append_step();
    put_and_check(op);
    if (op % 8 == 0) unsafe_append();
    res.ops = op;
}

/* timing: the ops, released and in-doubt counts depend on timing (the loop of main runs
 * until "stop"): printed as "~N", which tools/test-qemu.sh masks when it compares outputs. */
static void report(unsigned n, int err, bool timing)
{
    res.restarted = kv.conn.restarted + names.conn.restarted;
    res.attempts = kv.conn.attempts + names.conn.attempts;
    const char *t = timing ? "~" : "";
    printf("kvload %u: %s%lu ops, %s%lu released calls, %s%lu in doubt, lost %lu, duplicated %lu (%d)\n", n, t,
           (unsigned long)res.ops, t, (unsigned long)res.restarted, t, (unsigned long)res.in_doubt,
           (unsigned long)res.lost, (unsigned long)res.duplicated, err);
}

/* The default system's workload: `ops` operations, checked as in the loop of main. */
static int run_bounded(unsigned n, uint64_t ops)
{
    (void)kvc_delete(&kv, akey); /* left by an earlier incarnation of this client */
    kvac_reset(&ak, 0);
    for (uint64_t op = 1; op <= ops; op++) one_op(op);
    finish_key();
    take_counts();
    report(n, KV_OK, false);
    return res.lost == 0 && res.duplicated == 0 ? 0 : 1;
}

int main(void)
{
    const runtime_startup_t *su = runtime_startup();
    unsigned n = su->nargs > 0 ? (unsigned)su->args[0] : 0;
    key(akey, 'a', n);
    key(pkey, 'p', n);
    key(ukey, 'u', n);
    key(rkey, 'r', n);
    use_names = su->nargs > 1 && su->args[1] == 1;
    uint64_t bounded = su->nargs > 2 ? su->args[2] : 0;
    kvc_init(&kv, su->caps_start + 1);
    if (use_names) {
        namesc_init(&names, su->caps_start + 1);
        while (kv_gen == 0) resolve(true);
    }
    if (bounded > 0) return run_bounded(n, bounded);
    /* Rehearsal: every path once, so that the memory this program uses does not grow
     * later (the test compares the memory server's counts before and after). */
    kvac_reset(&ak, 0);
    for (unsigned r = 0; r <= APPEND_FULL; r++) append_step();
    finish_key();
    take_counts();
    put_and_check(0);
    unsafe_append();
    (void)kvc_delete(&kv, ukey);
    /* a loss or duplicate seen in the rehearsal counts (the controllers crash kv during
     * it, but stop it only after "w<n>"); the other counts start again at "go" */
    struct survive_result rehearsal = res;
    memset(&res, 0, sizeof(res));
    res.lost = rehearsal.lost;
    res.duplicated = rehearsal.duplicated;
    res.errors = rehearsal.errors;
    (void)kvc_put(&kv, rkey, (const uint8_t *)&res, sizeof(res), NULL);
    (void)kvc_delete(&kv, rkey);
    char ready[8];
    key(ready, 'w', n);
    while (!exists("go") && kvc_put(&kv, ready, (const uint8_t *)"1", 1, NULL) != KV_OK) seL4_Yield();
    printf("kvload %u: ready\n", n);
    while (!exists("go")) seL4_Yield();
    (void)kvc_delete(&kv, akey); /* a fresh start */
    kvac_reset(&ak, kvac_next(&ak));
    for (uint64_t op = 1;; op++) {
        if (op % 16 == 0 && exists("stop")) break;
        one_op(op);
    }
    finish_key();
    take_counts();
    res.restarted = kv.conn.restarted + names.conn.restarted;
    res.attempts = kv.conn.attempts + names.conn.attempts;
    int err = kvc_put(&kv, rkey, (const uint8_t *)&res, sizeof(res), NULL);
    report(n, err, true);
    /* Stay (waiting in calls to kv) so that the test's final measurement sees the same
     * processes as its first one. */
    for (;;) (void)exists("never");
}
