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
#include "kv/client/append_check.h"
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

/* kv's appended key: what it may hold (kv/client/append_check.h). */
#define APPEND_KEY "cw"
#define PUT_KEY "cwp"
#define APPEND_MAX 200u
static struct kvac ak;
static uint64_t put_lost;
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
    kvac_reset(&ak, kvac_next(&ak));
    log_base = log_next;
    memset(log_acked, 0, sizeof(log_acked));
}

/* A PUT may be sent again after KV_ERR_INTERNAL or KV_ERR_BUSY (kv/PROTOCOL.md): the same
 * value twice is the same state.  An APPEND is not: its outcome is read back instead. */
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

/* Reads the appended key back and checks it against what the outcomes allow; true if
 * the key's state is known again. */
static bool kv_read_back(void)
{
    uint32_t len = 0;
    uint32_t was = ak.len;
    int err = kvc_get(&kv, APPEND_KEY, buf, &len);
    if (err != KV_OK && err != KV_ERR_NOT_FOUND) {
        kv_error("GET", err); /* no answer to judge by: read again later */
        return false;
    }
    if (kvac_read(&ak, err == KV_OK, buf, len) != 0) {
        printf("campaign: FAIL kv %s: GET %d, length %u, acknowledged %u from %u\n", APPEND_KEY, err, len, was,
               ak.first);
    }
    return true;
}

/* The key deleted (full, or damaged). */
static void kv_delete_key(void)
{
    int err = kvc_delete(&kv, APPEND_KEY);
    if (err == KV_OK || (err == KV_ERR_NOT_FOUND && ak.state == KVAC_DAMAGED)) {
        kvac_deleted(&ak);
    } else if (err == KV_ERR_NOT_FOUND) {
        /* acknowledged bytes, and kv says there is no key: the next round reads it back
         * (absent: they were lost) and deletes again */
        kv_error("DELETE", err);
    } else {
        kv_error("DELETE", err);
        kvac_delete_unknown(&ak);
    }
}

/* One APPEND, when the key's state is known; full: read back and delete first. */
static void kv_append_step(void)
{
    if (!kvac_settled(&ak) && !kv_read_back()) return;
    if (ak.state == KVAC_DAMAGED || ak.len == APPEND_MAX) {
        if (ak.state != KVAC_DAMAGED && !kv_read_back()) return;
        kv_delete_key();
        if (!kvac_settled(&ak)) return;
    }
    uint8_t b = kvac_next(&ak);
    uint64_t len = 0;
    int err = kvc_append(&kv, APPEND_KEY, &b, 1, &len);
    res.kv_ops++;
    if (err == KV_OK) {
        kvac_appended(&ak, len);
    } else {
        kv_error("APPEND", err);
        kvac_append_unknown(&ak); /* applied or not: read back before the next one */
    }
}

static void kv_step(uint64_t round)
{
    kv_append_step();
    int err = KV_ERR_INTERNAL;
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
        put_lost++;
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
    /* the last look: the key holds what the outcomes allow (a few tries while a
     * corrupted kv answers errors) */
    for (unsigned k = 0; k < 8 && !kv_read_back(); k++) {
    }
    log_check();
}

const struct svcload_result *svcload_result(void)
{
    res.kv_lost = ak.lost + put_lost;
    res.kv_duplicated = ak.duplicated;
    return &res;
}

seL4_CPtr svcload_kv_cap(void) { return kv.conn.cap; }
uint64_t svcload_kv_gen(void) { return kv_gen; }
