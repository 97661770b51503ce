/*
 * kv: the key-value service (kv/PROTOCOL.md) as a supervised seL4 program.  Its table and
 * exactly-once records live in the arena the RS maps at RS_ARENA_VADDR into every
 * incarnation (rs/protocol/service_arena.h), so a crash loses nothing that was committed:
 * the next incarnation attaches (replaying or discarding the last transaction) and goes
 * on.  Requests arrive on the service endpoint, which outlives incarnations.
 *
 * args[0] > 0: caps[args[0]] is a channel to logd (the default system): kv logs its start
 * there (info; warn when it is a restart).
 * args[1] > 0: caps[args[1]] is a channel to the state store: the table (32 entries, 16
 * clients' exactly-once records) lives in the store server instead (core/kv_blobs.h,
 * in_store.h), rebuilt from it at each start; the RS's arena is then not used.
 */
#include <runtime/runtime.h>
#include <runtime/startup.h>
#include <runtime/service.h>
#include <runtime/stdio.h>
#include <runtime/tsc.h>
#include "svcclient/core/released.h"
#include "kv/core/kv.h"
#include "kv/server/in_store.h"
#include "kv/protocol/errors.h"
#include "store/protocol/errors.h"
#include "logd/client.h"
#include "rs/protocol/service_arena.h"

#define KV_ENTRIES 128u
#define KV_CLIENTS 32u
#define KV_LOG_BYTES 1024u

static struct arena arena;
static struct kv table;
static struct kv_request req;
static struct kv_reply rep;
static uint64_t mr[seL4_MsgMaxLength];
static bool in_store;
static struct kvb tab;
static struct kvb_write wr;

/* Attaches to the arena (formatting it the first time) and the table in it. */
static int attach(void)
{
    void *base = (void *)RS_ARENA_VADDR;
    int err = arena_attach(&arena, base, RS_ARENA_SIZE, NULL, NULL);
    if (err == ARENA_ERR_NOT_FORMATTED) {
        err = arena_format(&arena, base, RS_ARENA_SIZE, KV_LOG_BYTES, NULL, NULL);
    }
    if (err != ARENA_OK) {
        printf("kv: arena: %s\n", arena_err_name(err));
        return KV_ERR_CORRUPT;
    }
    return kv_attach(&table, &arena, KV_ENTRIES, KV_CLIENTS);
}

/* A decoded request with the table in the store server: the store takes the request's
 * blobs (one transaction) before kv's copy changes or anyone hears of it. */
static void handle_in_store(seL4_Word badge)
{
    kvb_handle(&tab, badge, &req, &rep, &wr);
    int confirmed = 1;
    int serr = wr.n > 0 ? kv_store_write(&wr, &confirmed) : STORE_OK;
    if (serr == KV_STORE_NO_ANSWER) {
        /* The store may or may not hold the blobs: kv's copy cannot be trusted.  Exit
         * without answering; the next incarnation loads what the store holds, and the
         * client's call is released and repeated (its record answers it). */
        printf("kv: the store did not answer; restarting to reload the table\n");
        runtime_exit(3);
    }
    /* The answer is checked against what the store holds: the digests of the entries as
     * committed (looked up afresh by the store) must be those of the blobs sent, or both
     * blobs are read back.  A store corrupted between its check of the request and its
     * answer may have committed other bytes, under another owner, or nothing, and
     * answered either way (campaign seed 7 run 24: a PUT2 answered STORE_OK went to a
     * made-up owner). */
    int verdict = confirmed ? KV_OK : kv_store_held(&tab, &wr);
    if (verdict == KV_ERR_CORRUPT) {
        printf("kv: the store's answer (%d) and the blobs it holds disagree; restarting to reload\n", serr);
        runtime_exit(3);
    }
    if (verdict != KV_OK || kvb_apply(&tab, &wr) != KV_OK) {
        rep.err = KV_ERR_INTERNAL;
        rep.mrs = 0;
    }
}

/* Decodes the message in the IPC buffer and handles it; returns the reply's info. */
static seL4_MessageInfo_t handle(seL4_MessageInfo_t info, seL4_Word badge)
{
    unsigned n = (unsigned)seL4_MessageInfo_get_length(info);
    if (n > seL4_MsgMaxLength) n = seL4_MsgMaxLength;
    for (unsigned k = 0; k < n; k++) mr[k] = seL4_GetMR((int)k);
    int err = kv_decode_request(svc_request_label(seL4_MessageInfo_get_label(info)), mr, n,
                                (unsigned)seL4_MessageInfo_get_extraCaps(info), &req);
    if (err != KV_OK) return seL4_MessageInfo_new((seL4_Word)err, 0, 0, 0);
    if (in_store) {
        handle_in_store(badge);
    } else {
        kv_handle(&table, badge, &req, &rep);
    }
    unsigned out = rep.mrs <= KV_MAX_MRS ? rep.mrs : KV_MAX_MRS;
    for (unsigned k = 0; k < out; k++) seL4_SetMR((int)k, rep.mr[k]);
    return seL4_MessageInfo_new((seL4_Word)rep.err, 0, 0, out);
}

/* The table from the store server: the start-up line says what came back. */
static int load_from_store(const runtime_startup_t *su, seL4_CPtr cap)
{
    unsigned refused = 0, store_errors = 0, entries = 0, records = 0;
    int err = kvb_init(&tab, KVB_ENTRIES_MAX, KVB_CLIENTS_MAX);
    if (err == KV_OK) err = kv_store_load(cap, &tab, &refused, &store_errors);
    for (uint32_t i = 0; i < tab.n; i++) entries += tab.e[i].klen != 0;
    for (uint32_t i = 0; i < tab.clients; i++) records += tab.c[i].badge != 0;
    printf("kv: gen %lu up%s: %s (store: %u entries, %u records, %u blobs refused, %u store errors)\n",
           (unsigned long)su->generation, su->restarted ? " (restarted)" : "", kv_err_name(err), entries, records,
           refused, store_errors);
    return err;
}

/* One message: false for a notification (nothing to answer), else the reply in *reply.
 * Not inlined, and the receive loop of main keeps nothing but pointers and its flag in
 * registers across its system call: a register corrupted while it waits there (most of
 * a service's time) then faults or changes nothing, where a kept constant (the label
 * mask, the notification bits) would turn every later request into an error for the
 * rest of the incarnation's life -- a service that answers heartbeats and refuses
 * everything (campaign seed 1 run 3: r13, the label mask, corrupted). */
static __attribute__((noinline)) bool serve(seL4_MessageInfo_t info, seL4_Word badge, seL4_MessageInfo_t *reply)
{
    if (runtime_service_is_notification(badge)) return false;
    *reply = handle(info, badge);
    return true;
}

int main(void)
{
    const runtime_startup_t *su = runtime_startup();
    in_store = su->nargs > 1 && su->args[1] > 0 && su->caps_start + su->args[1] < su->caps_end;
    int err = KV_OK;
    if (in_store) {
        err = load_from_store(su, su->caps_start + su->args[1]);
    } else {
        err = attach();
        printf("kv: gen %lu up%s: %s (arena %s)\n", (unsigned long)su->generation, su->restarted ? " (restarted)" : "",
               kv_err_name(err),
               arena.replayed ? "replayed a committed transaction" : arena.discarded ? "dropped an uncommitted one" : "clean");
    }
    if (su->nargs > 0 && su->args[0] > 0 && su->caps_start + su->args[0] < su->caps_end) {
        static struct svc_conn logd;
        static char line[LOGD_MSG_MAX + 1];
        logdc_init(&logd, su->caps_start + su->args[0]);
        snprintf(line, sizeof(line), "gen %lu up%s: %s", (unsigned long)su->generation,
                 su->restarted ? " (restarted, data kept)" : "", kv_err_name(err));
        (void)logdc_write(&logd, su->restarted ? LOGD_LEVEL_WARN : LOGD_LEVEL_INFO, line); /* best effort */
    }
    if (err != KV_OK) return 1; /* the RS restarts it; a corrupt arena stays corrupt: see README */
    bool served = false;
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = runtime_service_recv(&badge);
    for (;;) {
        seL4_MessageInfo_t reply;
        if (!serve(info, badge, &reply)) {
            info = runtime_service_recv(&badge);
            continue;
        }
        if (su->restarted && !served) {
            /* make demo measures a recovery up to here (tools/demo.py) */
            served = true;
            printf("kv: gen %lu: first request served (t=%lu)\n", (unsigned long)su->generation,
                   (unsigned long)runtime_tsc());
        }
        info = runtime_service_reply_recv(reply, &badge);
    }
}
