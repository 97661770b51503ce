/*
 * kv: the key-value service (kv/PROTOCOL.md) as a supervised seL4 program.  Its table (32
 * entries, 16 clients' exactly-once records) lives in the state store server
 * (core/kv_blobs.h, in_store.h), rebuilt from it at each start, so a crash loses nothing
 * that was acknowledged.  Requests arrive on the service endpoint, which outlives
 * incarnations.
 *
 * args[0] > 0: caps[args[0]] is a channel to logd (the default system): kv logs its start
 * there (info; warn when it is a restart).
 * args[1] > 0: caps[args[1]] is its channel to the state store (required: without it kv
 * does not start).
 */
#include <runtime/runtime.h>
#include <runtime/startup.h>
#include <runtime/serve.h>
#include <runtime/stdio.h>
#include "svcclient/core/released.h"
#include "kv/protocol/messages.h"
#include "kv/server/in_store.h"
#include "kv/protocol/errors.h"
#include "store/protocol/errors.h"
#include "logd/client.h"

static struct kv_request req;
static struct kv_reply rep;
static uint64_t mr[seL4_MsgMaxLength];
static struct kvb tab;
static struct kvb_write wr;

/* A decoded request: the store takes the request's blobs (one transaction) before kv's
 * copy changes or anyone hears of it. */
static void handle_decoded(seL4_Word badge)
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

/* Decodes the message (its registers copied to mr by runtime_serve) and handles it;
 * returns the reply's info. */
static seL4_MessageInfo_t handle(void *ctx, runtime_request_t *rq)
{
    (void)ctx;
    seL4_MessageInfo_t info = rq->info;
    int err = kv_decode_request(svc_request_label(seL4_MessageInfo_get_label(info)), mr, rq->n,
                                (unsigned)seL4_MessageInfo_get_extraCaps(info), &req);
    if (err != KV_OK) return seL4_MessageInfo_new((seL4_Word)err, 0, 0, 0);
    handle_decoded(rq->badge);
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

int main(void)
{
    const runtime_startup_t *su = runtime_startup();
    if (su->nargs < 2 || su->args[1] == 0 || su->caps_start + su->args[1] >= su->caps_end) {
        printf("kv: no channel to the state store (args[1]): not started\n");
        return 1;
    }
    int err = load_from_store(su, su->caps_start + su->args[1]);
    if (su->nargs > 0 && su->args[0] > 0 && su->caps_start + su->args[0] < su->caps_end) {
        static struct svc_conn logd;
        static char line[LOGD_MSG_MAX + 1];
        logdc_init(&logd, su->caps_start + su->args[0]);
        snprintf(line, sizeof(line), "gen %lu up%s: %s", (unsigned long)su->generation,
                 su->restarted ? " (restarted, data kept)" : "", kv_err_name(err));
        (void)logdc_write(&logd, su->restarted ? LOGD_LEVEL_WARN : LOGD_LEVEL_INFO, line); /* best effort */
    }
    if (err != KV_OK) return 1; /* the RS restarts it; blobs that disagree stay so: see README */
    const runtime_serve_t serve = { .handle = handle, .mr = mr, .recovery_name = "kv" };
    (void)runtime_serve(NULL, &serve);
    return 1;
}
