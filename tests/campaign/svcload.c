/*
 * The campaign workload for the services of the default system (svcload.h).  Every
 * request goes through the client libraries (svcclient's retry loop: a call released
 * because its service died is sent again, DEDUPED ones with the same sequence number),
 * except the malformed ones, which are raw seL4_Calls on the channel (a Call without
 * the restartable label bit is resumed by the RS when its service dies: sent again).
 */
#include <runtime/runtime.h>
#include <runtime/stdio.h>
#include <runtime/string.h>
#include "svcload.h"
#include "kv/client/kv_client.h"
#include "kv/protocol/errors.h"
#include "names/client/names_client.h"
#include "names/protocol/errors.h"
#include "svcclient/core/released.h"
#include "logd/client.h"
#include "logd/protocol.h"

static struct svcload_result res;
static struct namesc names;
static struct kvc kv;
static struct svc_conn logd;
static seL4_CPtr store_cap, console_cap;
static uint64_t kv_gen;

/* kv's appended key: acknowledged length and the byte it starts with. */
#define APPEND_KEY "cw"
#define PUT_KEY "cwp"
#define APPEND_MAX 200u
static uint32_t alen;
static uint8_t first, next;
static uint8_t buf[KV_VALUE_MAX];

/* logd: the acknowledged WRITEs since the last reset (numbers lo .. hi-1). */
#define LOG_WINDOW 32u
static uint64_t log_next, log_base;
static uint8_t log_acked[LOG_WINDOW]; /* by number % LOG_WINDOW: 1 acknowledged */

static void resolve(bool first_time)
{
    seL4_CPtr slot = 0;
    uint64_t gen = 0;
    res.lookups++;
    int err = first_time ? namesc_lookup(&names, "kv", &gen, &slot)
                         : namesc_lookup_if_newer(&names, "kv", kv_gen, &gen, &slot);
    if (err == NAMES_OK) {
        kv_gen = gen;
        kv.conn.cap = slot;
    } else if (err != NAMES_ERR_NOT_NEWER && err != NAMES_ERR_UNBOUND) {
        res.lookup_errors++;
        if (res.lookup_errors <= 3) printf("campaign: error answer: names LOOKUP kv: %d\n", err);
    }
}

static void kv_resolve(struct svc_conn *c)
{
    (void)c;
    resolve(false);
}

void svcload_init(seL4_CPtr names_cap, seL4_CPtr store, seL4_CPtr logd_cap, seL4_CPtr console)
{
    namesc_init(&names, names_cap);
    kvc_init(&kv, 0);
    kv.conn.resolve = kv_resolve;
    logdc_init(&logd, logd_cap);
    store_cap = store;
    console_cap = console;
    for (unsigned k = 0; k < 1000 && kv_gen == 0; k++) resolve(true);
}

void svcload_reset(void)
{
    alen = 0;
    first = next;
    log_base = log_next;
    memset(log_acked, 0, sizeof(log_acked));
}

/* KV_ERR_INTERNAL (the store refused or did not answer a write: nothing changed) and
 * KV_ERR_BUSY are transient (kv/PROTOCOL.md): the request is sent again, a few times. */
#define KV_TRIES 8u
static bool kv_transient(int err)
{
    if (err != KV_ERR_INTERNAL && err != KV_ERR_BUSY) return false;
    res.kv_transient++;
    return true;
}

static void kv_error(const char *what, int err)
{
    res.kv_errors++;
    if (res.kv_errors <= 3) printf("campaign: error answer: kv %s: %d\n", what, err);
}

/* The appended bytes read back (byte i is first + i), then the key deleted. */
static void verify_and_delete(void)
{
    uint32_t len = 0;
    int err = kvc_get(&kv, APPEND_KEY, buf, &len);
    if (alen == 0 && err == KV_ERR_NOT_FOUND) return;
    if (err != KV_OK && err != KV_ERR_NOT_FOUND) {
        kv_error("GET", err); /* no answer to judge by */
    } else if (err != KV_OK || len != alen) {
        printf("campaign: FAIL kv %s: GET %d, length %u, acknowledged %u\n", APPEND_KEY, err, len, alen);
        res.kv_lost++;
    } else {
        for (uint32_t i = 0; i < len; i++) {
            if (buf[i] != (uint8_t)(first + i)) {
                printf("campaign: FAIL kv %s: byte %u is %u, want %u\n", APPEND_KEY, i, buf[i], (uint8_t)(first + i));
                res.kv_lost++;
                break;
            }
        }
    }
    err = kvc_delete(&kv, APPEND_KEY);
    if (err != KV_OK && err != KV_ERR_NOT_FOUND) kv_error("DELETE", err);
    alen = 0;
    first = next;
}

static void kv_step(uint64_t round)
{
    if (alen == APPEND_MAX) verify_and_delete();
    uint8_t b = next++;
    uint64_t len = 0;
    int err = KV_ERR_INTERNAL;
    for (unsigned t = 0; t < KV_TRIES && (t == 0 || kv_transient(err)); t++) {
        err = kvc_append(&kv, APPEND_KEY, &b, 1, &len);
    }
    res.kv_ops++;
    if (err != KV_OK) {
        kv_error("APPEND", err);
        alen = 0; /* unknown now: start a new key */
        (void)kvc_delete(&kv, APPEND_KEY);
        first = next;
    } else if (len == (uint64_t)alen + 1) {
        alen++;
    } else if (len > (uint64_t)alen + 1) {
        res.kv_duplicated += len - alen - 1;
        alen = (uint32_t)len;
    } else {
        res.kv_lost += alen + 1 - len;
        alen = (uint32_t)len;
    }
    for (unsigned t = 0; t < KV_TRIES && (t == 0 || kv_transient(err)); t++) {
        err = kvc_put(&kv, PUT_KEY, (const uint8_t *)&round, sizeof(round), NULL);
    }
    res.kv_ops++;
    if (err != KV_OK) {
        kv_error("PUT", err);
        return;
    }
    uint64_t got = 0;
    uint32_t vlen = 0;
    err = kvc_get(&kv, PUT_KEY, buf, &vlen);
    if (err == KV_OK && vlen == sizeof(got)) memcpy(&got, buf, sizeof(got));
    if (err != KV_OK && err != KV_ERR_NOT_FOUND) {
        kv_error("GET", err);
    } else if (err != KV_OK || vlen != sizeof(got) || got != round) {
        printf("campaign: FAIL kv %s: acknowledged PUT of %lu not visible (%d)\n", PUT_KEY, (unsigned long)round, err);
        res.kv_lost++;
    }
}

static void log_step(void)
{
    char text[24];
    uint64_t n = log_next++;
    snprintf(text, sizeof(text), "cw %lu", (unsigned long)n);
    int err = logdc_write(&logd, LOGD_LEVEL_INFO, text);
    log_acked[n % LOG_WINDOW] = 0;
    if (err == LOGD_OK) {
        res.log_acked++;
        log_acked[n % LOG_WINDOW] = 1;
    } else if (err == LOGDC_ERR(SVC_ERR_IN_DOUBT)) {
        res.log_in_doubt++; /* WRITE is UNSAFE: in the ring once or not at all */
    } else {
        res.log_errors++;
        if (res.log_errors <= 3) printf("campaign: error answer: logd WRITE: %d\n", err);
    }
}

void svcload_step(uint64_t round)
{
    resolve(false);
    kv_step(round);
    log_step();
}

/* ---- malformed requests ---- */

void svcload_hostile(uint64_t k)
{
    seL4_CPtr targets[5] = { names.conn.cap, store_cap, logd.cap, kv.conn.cap, console_cap };
    seL4_CPtr cap = targets[k % 5];
    uint64_t fault = (k / 5) % 3;
    /* unknown labels (no protocol has them), with no, some or the most registers */
    seL4_Word label = fault == 0 ? 0xfffffu : fault == 1 ? 0x7777u : 0xabcdeu;
    seL4_Word len = fault == 0 ? 0 : fault == 1 ? 3 : seL4_MsgMaxLength;
    res.hostile++;
    for (unsigned attempt = 0; attempt < 8; attempt++) {
        for (seL4_Word i = 0; i < len; i++) seL4_SetMR((int)i, 0xbad0000u + i + k);
        seL4_MessageInfo_t info = seL4_Call(cap, seL4_MessageInfo_new(label, 0, 0, len));
        seL4_Word got = seL4_MessageInfo_get_label(info);
        if (got == SVC_REPLY_RESTARTED) continue; /* released: its service died, again */
        if (got != 0) {
            res.refused++;
            return;
        }
        res.garbled++; /* accepted, or a corrupted incarnation's nonsense: again */
    }
    printf("campaign: FAIL a malformed request (label 0x%lx, %lu words) to cap %lu accepted\n", (unsigned long)label,
           (unsigned long)len, (unsigned long)cap);
}

/* ---- the end ---- */

static void log_check(void)
{
    uint8_t seen[LOG_WINDOW];
    memset(seen, 0, sizeof(seen));
    uint64_t lo = log_next > LOG_WINDOW + log_base ? log_next - LOG_WINDOW : log_base;
    struct logd_filter f = { .min_level = LOGD_LEVEL_INFO, .max_level = LOGD_LEVEL_INFO, .sender = "cworker" };
    uint64_t before = 0;
    for (unsigned i = 0; i < LOGD_RING_RECORDS; i++) {
        struct logd_record r;
        int err = logdc_query(&logd, before, &f, &r);
        if (err == LOGD_ERR_NOT_FOUND) break;
        if (err != LOGD_OK) {
            res.log_errors++;
            printf("campaign: error answer: logd QUERY: %d\n", err);
            break;
        }
        before = r.seq;
        if (r.text[0] != 'c' || r.text[1] != 'w' || r.text[2] != ' ') continue;
        uint64_t n = 0;
        for (const char *p = r.text + 3; *p >= '0' && *p <= '9'; p++) n = n * 10 + (uint64_t)(*p - '0');
        if (n < lo || n >= log_next) continue;
        if (seen[n % LOG_WINDOW]) res.log_duplicated++;
        seen[n % LOG_WINDOW] = 1;
    }
    for (uint64_t n = lo; n < log_next; n++) {
        res.log_checked++;
        if (log_acked[n % LOG_WINDOW] && !seen[n % LOG_WINDOW]) {
            printf("campaign: FAIL logd: acknowledged record cw %lu not in the ring\n", (unsigned long)n);
            res.log_lost++;
        }
    }
}

void svcload_finish(void)
{
    verify_and_delete();
    log_check();
}

const struct svcload_result *svcload_result(void) { return &res; }
seL4_CPtr svcload_kv_cap(void) { return kv.conn.cap; }
uint64_t svcload_kv_gen(void) { return kv_gen; }
