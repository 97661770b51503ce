/*
 * names: the name service (names/PROTOCOL.md) as a supervised seL4 program.
 *
 * Bindings come only from the RS, pulled: before it answers LOOKUP, LOOKUP_IF_NEWER,
 * CHECK or WAIT_BOUND for a name, the server asks the RS (RS_NAMES_GET on its RS cap,
 * rs/server/survive.h) whether that service runs, at which generation, and receives its
 * endpoint; the registry core then applies that as the RS's BIND (or UNBIND).  The RS
 * never calls the name service, so the supervisor cannot be blocked by it, and a new
 * incarnation of the name service starts empty and learns everything again on demand:
 * nothing needs to survive its crash.  Replies to LOOKUP carry a second result, the
 * service's index (where the client library keeps the cap, SVC_RESOLVED_SLOT).
 *
 * CSpace: registry entry i's endpoint in ENTRY_SLOT + i, caps received from the RS land
 * in RECV_SLOT (the receive path is open only during that Call: a client's cap is never
 * taken), caps minted for a reply in OUT_SLOT (deleted after the reply).
 */
#include <runtime/runtime.h>
#include <runtime/startup.h>
#include <runtime/serve.h>
#include <runtime/stdio.h>
#include "svcclient/core/released.h"
#include <runtime/string.h>
#include "names/core/registry.h"
#include "names/protocol/errors.h"
#include "rs/server/survive.h"

#define ENTRY_SLOT 64u
#define WAITER_SLOT 96u
#define RECV_SLOT 128u
#define OUT_SLOT 129u
#define SELF PROGRAM_SLOT_CNODE

static struct names_registry reg;
static seL4_CPtr rs_cap;
static uint64_t mr[seL4_MsgMaxLength];

static seL4_Error cnode_delete(seL4_Word slot) { return seL4_CNode_Delete(SELF, slot, seL4_WordBits); }

/* Carries out the cap part of a checked BIND/UNBIND from the RS; false if it failed. */
static bool carry_out_bind(const struct names_plan *p)
{
    seL4_Error err = seL4_NoError;
    if (p->delete_old) err = cnode_delete(p->slot);
    if (err == seL4_NoError && p->move_cap) {
        err = seL4_CNode_Move(SELF, p->slot, seL4_WordBits, SELF, RECV_SLOT, seL4_WordBits);
    }
    if (err != seL4_NoError) {
        printf("names: %s: cap operation failed (seL4 error %d)\n", p->name.s, (int)err);
        if (p->delete_old) names_cap_lost(&reg, p);
        return false;
    }
    names_apply(&reg, p);
    return true;
}

/* Asks the RS about `name` and brings the registry up to date.  *index: the service's
 * index (when known). */
static void sync(const struct svc_name *name, uint64_t *index)
{
    uint64_t packed[NAME_MRS];
    if (name_pack(name->s, packed) != 0) return;
    seL4_SetMR(0, packed[0]);
    seL4_SetMR(1, packed[1]);
    seL4_SetCapReceivePath(SELF, RECV_SLOT, seL4_WordBits);
    seL4_MessageInfo_t r = seL4_Call(rs_cap, seL4_MessageInfo_new(RS_NAMES_GET, 0, 0, NAME_MRS));
    /* Closed again at once: the IPC buffer's receive path stays set across receives, and
     * a client's cap sent with any request would land in RECV_SLOT, where the RS's next
     * cap could not (a full slot takes no cap: the kernel drops it).  Found by the
     * campaign's hostile client (tests/campaign/hostile.c). */
    seL4_SetCapReceivePath(seL4_CapNull, 0, 0);
    bool got_cap = seL4_MessageInfo_get_extraCaps(r) == 1;
    if (seL4_MessageInfo_get_label(r) != 0 || seL4_MessageInfo_get_length(r) != 3) {
        if (got_cap) (void)cnode_delete(RECV_SLOT);
        return; /* not a service of this system */
    }
    uint64_t state = seL4_GetMR(0), generation = seL4_GetMR(1);
    *index = seL4_GetMR(2);
    int e = names_find(&reg, name);
    struct names_request q = { .name = *name };
    if (state == RS_NAMES_RUNNING && got_cap &&
        (e < 0 || reg.e[e].state != NAMES_STATE_BOUND || reg.e[e].generation != generation)) {
        q.op = NAMES_OP_BIND;
        q.generation = generation;
        /* a cap only the first time or after an UNBIND; the endpoint never changes */
        q.ncaps = (e < 0 || !reg.e[e].has_cap) ? 1u : 0u;
    } else if (state == RS_NAMES_DOWN && e >= 0 && reg.e[e].state == NAMES_STATE_BOUND) {
        q.op = NAMES_OP_UNBIND;
    }
    struct names_plan p;
    if (q.op != 0 && names_check(&reg, NAMES_RS_BADGE, &q, &p) == NAMES_OK) (void)carry_out_bind(&p);
    if (got_cap) (void)cnode_delete(RECV_SLOT); /* still there unless it was moved */
}

static void drop_minted(void *ctx)
{
    (void)ctx;
    (void)cnode_delete(OUT_SLOT);
}

static seL4_MessageInfo_t error(int err) { return seL4_MessageInfo_new((seL4_Word)err, 0, 0, 0); }

/* Decodes the message (its registers copied to mr by runtime_serve) and handles it;
 * returns the reply's info. */
static seL4_MessageInfo_t handle(void *ctx, runtime_request_t *rq)
{
    (void)ctx;
    seL4_MessageInfo_t info = rq->info;
    seL4_Word badge = rq->badge;
    unsigned n = rq->n;
    struct names_request q;
    int err = names_decode_request(svc_request_label(seL4_MessageInfo_get_label(info)), mr, n,
                                   (unsigned)seL4_MessageInfo_get_extraCaps(info), &q);
    if (err != NAMES_OK) return error(err);
    if (q.op == NAMES_OP_BIND || q.op == NAMES_OP_UNBIND) return error(NAMES_ERR_DENIED); /* pulled, see above */
    uint64_t index = UINT64_MAX;
    bool lookup = q.op == NAMES_OP_LOOKUP || q.op == NAMES_OP_LOOKUP_IF_NEWER || q.op == NAMES_OP_WAIT_BOUND;
    if (lookup || q.op == NAMES_OP_CHECK) sync(&q.name, &index);
    /* WAIT_BOUND is answered like LOOKUP: bindings are pulled when asked for, so there
     * is no moment at which a parked caller would be released (a client polls). */
    if (q.op == NAMES_OP_WAIT_BOUND) q.op = NAMES_OP_LOOKUP;
    struct names_plan p;
    err = names_check(&reg, badge, &q, &p);
    if (err != NAMES_OK) return error(err);
    unsigned caps = 0;
    if (p.mint) {
        seL4_Error kerr = seL4_CNode_Mint(SELF, OUT_SLOT, seL4_WordBits, SELF, p.slot, seL4_WordBits,
                                          seL4_AllRights, p.mint_badge);
        if (kerr != seL4_NoError) return error(NAMES_ERR_KERNEL);
        seL4_SetCap(0, OUT_SLOT);
        caps = 1;
    }
    names_apply(&reg, &p);
    unsigned out = p.mrs <= NAMES_MAX_MRS ? p.mrs : NAMES_MAX_MRS;
    for (unsigned k = 0; k < out; k++) seL4_SetMR((int)k, p.mr[k]);
    if (lookup && out == 1) seL4_SetMR((int)out++, index); /* where the client keeps it */
    return seL4_MessageInfo_new(NAMES_OK, 0, caps, out);
}

int main(void)
{
    const runtime_startup_t *su = runtime_startup();
    rs_cap = su->caps_end - 1;
    names_init(&reg, ENTRY_SLOT, WAITER_SLOT);
    printf("names: gen %lu up%s\n", (unsigned long)su->generation, su->restarted ? " (restarted)" : "");
    /* A reply with the minted cap: reply, then drop our copy of it, then wait. */
    const runtime_serve_t serve = { .handle = handle, .after_cap_reply = drop_minted, .mr = mr };
    (void)runtime_serve(NULL, &serve);
    return 1;
}
