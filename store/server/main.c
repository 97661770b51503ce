/*
 * store: the state store (store/PROTOCOL.md) as a supervised seL4 program.  Its data lives
 * in the arena the RS maps at RS_ARENA_VADDR into every incarnation, so it survives the
 * store's own crashes (the arena's redo log: a crash leaves each request applied or not).
 *
 * Owners and their incarnations come from the RS, pulled (the RS never calls a service):
 * a request from an owner the store does not know, and every GET_INCARNATION, first asks
 * the RS (RS_OWNER_GET on the query cap, rs/server/survive.h) for the owner's generation
 * and quota, applied as the RS's OWNER_SET and OWNER_START.  Admin requests on the
 * endpoint itself are refused (no cap carries STORE_ADMIN_BADGE in this system).
 */
#include <runtime/runtime.h>
#include <runtime/startup.h>
#include <runtime/serve.h>
#include <runtime/stdio.h>
#include "svcclient/core/released.h"
#include <runtime/string.h>
#include "store/core/store.h"
#include "store/protocol/errors.h"
#include "rs/protocol/service_arena.h"
#include "rs/server/survive.h"

#define STORE_LOG_BYTES 2048u

static struct arena arena;
static struct store st;
static struct store_request req, admin;
static struct store_reply rep, arep;
static uint64_t mr[seL4_MsgMaxLength];
static seL4_CPtr rs_cap;

static int attach(void)
{
    void *base = (void *)RS_ARENA_VADDR;
    int err = arena_attach(&arena, base, RS_ARENA_SIZE, NULL, NULL);
    if (err == ARENA_ERR_NOT_FORMATTED) err = arena_format(&arena, base, RS_ARENA_SIZE, STORE_LOG_BYTES, NULL, NULL);
    if (err != ARENA_OK) {
        printf("store: arena: %s\n", arena_err_name(err));
        return STORE_ERR_CORRUPT;
    }
    err = store_attach(&st, &arena, 0, arena_data_size(&arena));
    if (err != STORE_ERR_CORRUPT) return err;
    /* Damage a corrupted incarnation committed (e.g. an entry of an owner id that a
     * corrupted register made up): those records are dropped and reported, the rest is
     * kept (store_repair). */
    static struct store_damage damage;
    err = store_repair(&st, &damage);
    printf("store: the arena failed validation: dropped %u owner records and %u entries (%s)\n", damage.owners,
           damage.entries, store_err_name(err));
    return err != STORE_OK ? err : store_attach(&st, &arena, 0, arena_data_size(&arena));
}

/* The RS's truth about `owner`, applied as its admin requests. */
static void sync_owner(uint64_t owner)
{
    seL4_SetMR(0, owner);
    seL4_MessageInfo_t r = seL4_Call(rs_cap, seL4_MessageInfo_new(RS_OWNER_GET, 0, 0, 1));
    if (seL4_MessageInfo_get_label(r) != 0 || seL4_MessageInfo_get_length(r) != 3) return;
    uint64_t gen = seL4_GetMR(0), entries = seL4_GetMR(1), bytes = seL4_GetMR(2);
    memset(&admin, 0, sizeof(admin));
    admin.op = STORE_OP_OWNER_SET;
    admin.owner = owner;
    admin.max_entries = entries;
    admin.max_bytes = bytes;
    store_handle(&st, STORE_ADMIN_BADGE, &admin, &arep);
    admin.op = STORE_OP_OWNER_START;
    admin.generation = gen;
    store_handle(&st, STORE_ADMIN_BADGE, &admin, &arep); /* STALE if known: fine */
}

/* Decodes the message (its registers copied to mr by runtime_serve) and handles it;
 * returns the reply's info. */
static seL4_MessageInfo_t handle(void *ctx, runtime_request_t *rq)
{
    (void)ctx;
    seL4_MessageInfo_t info = rq->info;
    seL4_Word badge = rq->badge;
    unsigned n = rq->n;
    int err = store_decode_request(svc_request_label(seL4_MessageInfo_get_label(info)), mr, n,
                                   (unsigned)seL4_MessageInfo_get_extraCaps(info), &req);
    if (err != STORE_OK) return seL4_MessageInfo_new((seL4_Word)err, 0, 0, 0);
    if (STORE_OWNER_OK(badge) && req.op == STORE_OP_GET_INCARNATION) sync_owner(badge);
    store_handle(&st, badge, &req, &rep);
    if (rep.err == STORE_ERR_UNKNOWN_OWNER && STORE_OWNER_OK(badge)) {
        sync_owner(badge);
        store_handle(&st, badge, &req, &rep);
    }
    store_digests(&st, badge, &req, &rep);
    unsigned out = rep.mrs <= STORE_MAX_MRS ? rep.mrs : STORE_MAX_MRS;
    for (unsigned k = 0; k < out; k++) seL4_SetMR((int)k, rep.mr[k]);
    return seL4_MessageInfo_new((seL4_Word)rep.err, 0, 0, out);
}

int main(void)
{
    const runtime_startup_t *su = runtime_startup();
    rs_cap = su->caps_end - 1;
    int err = attach();
    printf("store: gen %lu up%s: %s (arena %s)\n", (unsigned long)su->generation,
           su->restarted ? " (restarted)" : "", store_err_name(err),
           arena.replayed ? "replayed a committed transaction" : arena.discarded ? "dropped an uncommitted one" : "clean");
    if (err != STORE_OK) return 1;
    const runtime_serve_t serve = { .handle = handle, .mr = mr, .recovery_name = "store" };
    (void)runtime_serve(NULL, &serve);
    return 1;
}
