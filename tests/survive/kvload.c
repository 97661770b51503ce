/*
 * kvload: a client that keeps the kv service busy while it crashes, and checks that no
 * acknowledged change is lost and none is applied twice.  Caps: [1] its channel to kv
 * (badge = its client id).  args[0]: its number (keys "a<n>", "p<n>", "u<n>").
 *
 * Waits for the key "go", then loops until the key "stop" exists:
 *   APPEND 1 byte to "a<n>" (exactly-once): the new length must be the acknowledged length
 *     + 1; +2 or more is a duplicate, +0 a lost change.  At 200 bytes the content is read
 *     back (byte i must be i's counter) and the key deleted (a GET must then miss).
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

/* One APPEND of byte `b` to akey; alen: acknowledged length. */
static void append_one(uint32_t *alen, uint8_t b)
{
    uint64_t len = 0;
    int err = kvc_append(&kv, akey, &b, 1, &len);
    if (err != KV_OK) {
        error("APPEND", err);
        return;
    }
    if (len == *alen + 1) {
        *alen += 1;
    } else if (len > *alen + 1) {
        res.duplicated += len - *alen - 1;
        *alen = (uint32_t)len;
    } else {
        res.lost += *alen + 1 - len;
        *alen = (uint32_t)len;
    }
}

/* Reads akey back: byte i must be (first + i) & 0xff. */
static void verify_and_delete(uint32_t alen, uint8_t first)
{
    uint32_t len = 0;
    int err = kvc_get(&kv, akey, buf, &len);
    if (err != KV_OK || len != alen) {
        res.lost++;
        printf("kvload: %s: GET %d, length %u, acknowledged %u\n", akey, err, len, alen);
        return;
    }
    for (uint32_t i = 0; i < len; i++) {
        if (buf[i] != (uint8_t)(first + i)) {
            res.lost++;
            printf("kvload: %s: byte %u is %u, want %u\n", akey, i, buf[i], (uint8_t)(first + i));
            return;
        }
    }
    err = kvc_delete(&kv, akey);
    if (err != KV_OK) error("DELETE", err);
    if (exists(akey)) {
        res.duplicated++;
        printf("kvload: %s still there after an acknowledged DELETE\n", akey);
    }
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

/* Operation number op of the workload: at 200 bytes "a<n>" is read back and deleted, then
 * an APPEND (alen: its acknowledged length, first: the byte it starts with, next: the
 * next byte), a PUT read back, every 8th op an UNSAFE append. */
static void one_op(uint64_t op, uint32_t *alen, uint8_t *first, uint8_t *next)
{
    if (*alen == 200) {
        verify_and_delete(*alen, *first);
        *alen = 0;
        *first = *next;
    }
    if (use_names) resolve(false);
    append_one(alen, (*next)++);
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
    uint32_t alen = 0;
    uint8_t first = 0, next = 0;
    (void)kvc_delete(&kv, akey); /* left by an earlier incarnation of this client */
    for (uint64_t op = 1; op <= ops; op++) one_op(op, &alen, &first, &next);
    verify_and_delete(alen, first);
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
    uint32_t alen = 0;
    uint8_t first = 0, next = 0;
    for (unsigned r = 0; r < 200; r++) append_one(&alen, next++);
    verify_and_delete(alen, first);
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
    alen = 0;
    first = next;
    (void)kvc_delete(&kv, akey); /* a fresh start */
    for (uint64_t op = 1;; op++) {
        if (op % 16 == 0 && exists("stop")) break;
        one_op(op, &alen, &first, &next);
    }
    verify_and_delete(alen, first);
    res.restarted = kv.conn.restarted + names.conn.restarted;
    res.attempts = kv.conn.attempts + names.conn.attempts;
    int err = kvc_put(&kv, rkey, (const uint8_t *)&res, sizeof(res), NULL);
    report(n, err, true);
    /* Stay (waiting in calls to kv) so that the test's final measurement sees the same
     * processes as its first one. */
    for (;;) (void)exists("never");
}
