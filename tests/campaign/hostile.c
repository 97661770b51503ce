/*
 * The campaign's hostile client (hostile.h).  Every probe is a raw seL4_Call (a call
 * released because its service died comes back as SVC_REPLY_RESTARTED and is sent
 * again) whose answer must be one of the documented ones; anything else is counted
 * garbled and sent again (a register-corrupted incarnation may answer nonsense before
 * it dies), and a probe that never gets a documented answer is a failure.
 */
#include <runtime/runtime.h>
#include <runtime/stdio.h>
#include <runtime/string.h>
#include "hostile.h"
#include "drivers/serial/console_protocol.h"
#include "drivers/timer/timer.h"
#include "kv/protocol/errors.h"
#include "kv/protocol/messages.h"
#include "logd/protocol.h"
#include "memserver/client/memserver_client.h"
#include "memserver/protocol/errors.h"
#include "memserver/protocol/messages.h"
#include "names/protocol/errors.h"
#include "names/protocol/messages.h"
#include "rs/client/rs_client.h"
#include "rs/core/policy.h" /* enum rs_svc_state */
#include "rs/protocol/rs_protocol.h"
#include "store/protocol/errors.h"
#include "store/protocol/messages.h"
#include "svcclient/core/released.h"

static struct hostile_caps caps;
static struct hostile_result res;
static const char *const tname[H_TARGETS] = { "names", "store", "logd", "kv", "console", "timer", "rs", "memserver" };

void hostile_init(const struct hostile_caps *c) { caps = *c; }
const struct hostile_result *hostile_result(void) { return &res; }

struct msg {
    seL4_Word label;
    unsigned n;
    seL4_Word mr[seL4_MsgMaxLength];
};

/* Up to 4 documented answers (labels) of a probe. */
struct want {
    unsigned n;
    seL4_Word label[4];
};

/* Sends m (with `cap` as its one extra cap unless 0) until it is answered with one of
 * the labels in w; returns that label, or SVC_REPLY_RESTARTED after 8 other answers. */
static seL4_Word probe(seL4_CPtr ep, const struct msg *m, seL4_CPtr cap, const struct want *w, const char *what)
{
    res.sent++;
    seL4_Word got = SVC_REPLY_RESTARTED;
    for (unsigned attempt = 0; attempt < 8; attempt++) {
        for (unsigned i = 0; i < m->n; i++) seL4_SetMR((int)i, m->mr[i]);
        if (cap != 0) seL4_SetCap(0, cap);
        seL4_MessageInfo_t info = seL4_Call(ep, seL4_MessageInfo_new(m->label, 0, cap != 0, m->n));
        got = seL4_MessageInfo_get_label(info);
        if (got == SVC_REPLY_RESTARTED) continue; /* released: its service died, again */
        for (unsigned k = 0; k < w->n; k++) {
            if (got == w->label[k]) return got;
        }
        res.garbled++;
    }
    res.failed++;
    printf("campaign: FAIL hostile %s: answered %lu (label 0x%lx, %u words%s)\n", what, (unsigned long)got,
           (unsigned long)m->label, m->n, cap != 0 ? ", a cap" : "");
    return SVC_REPLY_RESTARTED;
}

/* ---- a valid request that changes nothing, and its error for "caps attached" ---- */

/* A request of that protocol as its client library encodes it (with its check word). */
static void store_msg(const struct store_request *r, struct msg *m)
{
    uint64_t label = 0;
    memset(m, 0, sizeof(*m));
    m->n = store_encode_request(r, &label, m->mr);
    m->label = label;
}

static void kv_msg(const struct kv_request *r, struct msg *m)
{
    uint64_t label = 0;
    memset(m, 0, sizeof(*m));
    m->n = kv_encode_request(r, &label, m->mr);
    m->label = label;
}

static void rs_msg(const struct rs_request *r, struct msg *m)
{
    uint64_t label = 0;
    memset(m, 0, sizeof(*m));
    m->n = rs_encode_request(r, &label, m->mr);
    m->label = label;
}

static void hello(enum hostile_target t, struct msg *m)
{
    memset(m, 0, sizeof(*m));
    switch (t) {
    case H_NAMES: m->label = NAMES_LABEL(NAMES_OP_HELLO); break;
    case H_STORE: {
        const struct store_request r = { .op = STORE_OP_HELLO };
        store_msg(&r, m);
        break;
    }
    case H_LOGD: m->label = LOGD_LABEL(LOGD_OP_HELLO); break;
    case H_KV: {
        const struct kv_request r = { .op = KV_OP_HELLO };
        kv_msg(&r, m);
        break;
    }
    case H_CONSOLE: m->label = CONSOLE_SYNC; break;
    case H_TIMER: m->label = TIMER_OP_NOW; break;
    case H_RS: { /* LIST 0 */
        const struct rs_request r = { .op = RS_OP_LIST, .index = 0 };
        rs_msg(&r, m);
        break;
    }
    default: {
        struct ms_request r;
        memset(&r, 0, sizeof(r));
        r.op = MS_OP_HELLO;
        uint64_t label = 0;
        m->n = ms_encode_request(&r, &label, m->mr);
        m->label = label;
        break;
    }
    }
}

static const seL4_Word bad_cap[H_TARGETS] = { NAMES_ERR_BAD_CAP,       STORE_ERR_BAD_CAP, LOGD_ERR_BAD_CAP,
                                              KV_ERR_BAD_CAP,          CONSOLE_ERR_BAD_REQUEST,
                                              seL4_IllegalOperation,   RS_ERR_BAD_REQUEST, MS_ERR_BAD_CAP };

/* The error for a label of another protocol (a fault label has no version bits). */
static void foreign_label(enum hostile_target t, struct want *w)
{
    w->n = 1;
    if (t == H_CONSOLE) {
        w->label[0] = CONSOLE_ERR_BAD_REQUEST;
    } else if (t == H_TIMER) {
        w->label[0] = seL4_IllegalOperation;
    } else {
        /* *_ERR_BAD_REQUEST or *_ERR_VERSION (a label without version bits): names, the
         * store, logd, kv, the RS and the memory server all number them 1, 2 */
        w->n = 2;
        w->label[0] = 1;
        w->label[1] = 2;
    }
}

/* ---- the probes ---- */

/* Its own cap to that very endpoint: the kernel unwraps it (extraCaps 1, nothing in a
 * slot), so the server sees a cap and must refuse the request. */
static void own_cap(enum hostile_target t, seL4_CPtr ep)
{
    struct msg m;
    hello(t, &m);
    struct want w = { 1, { bad_cap[t] } };
    (void)probe(ep, &m, ep, &w, tname[t]);
}

/* The name service's next cap transfer from the RS: a LOOKUP of a name it may not know
 * yet (a new incarnation learns each name, with the RS's cap, on its first LOOKUP).  Its
 * receive slot still holding a cap would make that UNKNOWN_NAME. */
static void names_lookup(seL4_CPtr ep, uint64_t k)
{
    static const char *const names[6] = { "store", "logd", "counter", "console", "timer", "names" };
    struct names_request q;
    memset(&q, 0, sizeof(q));
    q.op = NAMES_OP_LOOKUP;
    memcpy(q.name.s, names[k % 6], strlen(names[k % 6]));
    struct msg m;
    memset(&m, 0, sizeof(m));
    uint64_t label = 0;
    m.n = names_encode_request(&q, &label, m.mr);
    m.label = label;
    /* UNKNOWN_NAME is the answer for a name the service never saw bound: one whose
     * service is down (a fault target) while this incarnation learns names.  It is a
     * failure only while the RS says the service runs. */
    struct want w = { 3, { NAMES_OK, NAMES_ERR_UNBOUND, NAMES_ERR_UNKNOWN_NAME } };
    uint32_t idx = 0;
    bool known = rsc_find(caps.ep[H_RS], names[k % 6], &idx) == RS_OK;
    seL4_Word got = NAMES_ERR_UNKNOWN_NAME;
    for (unsigned attempt = 0; attempt < 8 && got == NAMES_ERR_UNKNOWN_NAME; attempt++) {
        seL4_SetCapReceivePath(PROGRAM_SLOT_CNODE, caps.scratch, seL4_WordBits);
        got = probe(ep, &m, 0, &w, "names (LOOKUP after a foreign cap)");
        seL4_SetCapReceivePath(seL4_CapNull, 0, 0);
        (void)seL4_CNode_Delete(PROGRAM_SLOT_CNODE, caps.scratch, seL4_WordBits);
        struct rs_list_entry e;
        if (got == NAMES_ERR_UNKNOWN_NAME && (!known || rsc_list(caps.ep[H_RS], idx, &e) != RS_OK ||
                                              e.state != RS_SVC_RUNNING)) {
            return; /* not running now: not bound is right */
        }
    }
    if (got == NAMES_ERR_UNKNOWN_NAME) {
        res.failed++;
        printf("campaign: FAIL hostile names: %s runs, LOOKUP after a foreign cap: UNKNOWN_NAME\n", names[k % 6]);
    }
}

/* A cap to something else: it lands in the server's receive slot if it left one open
 * (then it must refuse the request and empty the slot), else the kernel drops it and
 * the request is an ordinary one.  Then the same request without a cap must work, and
 * the name service must still take the RS's caps. */
static void foreign_cap(enum hostile_target t, seL4_CPtr ep, uint64_t k)
{
    struct msg m;
    hello(t, &m);
    seL4_CPtr other = caps.ep[t == H_CONSOLE ? H_NAMES : H_CONSOLE];
    struct want w = { 2, { bad_cap[t], 0 } };
    (void)probe(ep, &m, other, &w, tname[t]);
    struct want ok = { 1, { 0 } };
    (void)probe(ep, &m, 0, &ok, tname[t]);
    if (t == H_NAMES) names_lookup(ep, k);
}

/* A message in the layout of a kernel fault message (label and registers). */
static void fault_message(uint64_t k, struct msg *m)
{
    static const seL4_Word labels[4] = { seL4_Fault_VMFault, seL4_Fault_CapFault, seL4_Fault_UnknownSyscall,
                                         seL4_Fault_UserException };
    /* the cap fault's registers: up to its last one (libsel4 names no length for it) */
    static const unsigned lengths[4] = { seL4_VMFault_Length, seL4_CapFault_GuardMismatch_BitsFound + 1u,
                                         seL4_UnknownSyscall_Length,
                                         seL4_UserException_Length };
    memset(m, 0, sizeof(*m));
    m->label = labels[k % 4];
    m->n = lengths[k % 4];
    /* VMFault: ip, addr, prefetch, fsr; the others start with an ip too */
    m->mr[0] = 0x401000u + k;
    if (m->n > 1) m->mr[1] = 0x10u + 8u * k;
    if (m->n > 3) m->mr[3] = 6u; /* user write */
}

static void forged_fault(enum hostile_target t, seL4_CPtr ep, uint64_t k)
{
    struct msg m;
    fault_message(k, &m);
    struct want w;
    foreign_label(t, &w);
    (void)probe(ep, &m, 0, &w, tname[t]);
}

static const char kv_name[16] = "kv";

static void pack_name(struct svc_name *n) { memcpy(n->s, kv_name, sizeof(kv_name)); }

/* Stale or future generations and client-side BIND/UNBIND at the name service. */
static void names_guess(seL4_CPtr ep, uint64_t k, uint64_t kv_gen)
{
    struct names_request q;
    memset(&q, 0, sizeof(q));
    pack_name(&q.name);
    struct want w = { 2, { NAMES_ERR_STALE, NAMES_ERR_UNBOUND } };
    switch (k % 4) {
    case 0: q.op = NAMES_OP_LOOKUP_IF_NEWER; q.generation = kv_gen + 1000u; break; /* from the future */
    case 1: q.op = NAMES_OP_CHECK; q.generation = 1; break;                         /* long gone */
    case 2: q.op = NAMES_OP_BIND; q.generation = kv_gen + 1000u; w = (struct want){ 1, { NAMES_ERR_DENIED } }; break;
    default: q.op = NAMES_OP_UNBIND; w = (struct want){ 1, { NAMES_ERR_DENIED } }; break;
    }
    struct msg m;
    memset(&m, 0, sizeof(m));
    uint64_t label = 0;
    m.n = names_encode_request(&q, &label, m.mr);
    m.label = label;
    (void)probe(ep, &m, 0, &w, "names (generation)");
}

/* The store's owner ids are badges: the supervisor's requests from a client's badge. */
static void store_guess(seL4_CPtr ep, uint64_t k)
{
    struct store_request r;
    memset(&r, 0, sizeof(r));
    r.owner = 1u + k % 8u;
    r.op = (k & 1) ? STORE_OP_OWNER_FORGET : STORE_OP_OWNER_START;
    r.generation = 1;
    struct msg m;
    store_msg(&r, &m);
    struct want w = { 1, { STORE_ERR_DENIED } };
    (void)probe(ep, &m, 0, &w, "store (owner)");
}

/* logd: renaming another client is the supervisor's. */
static void logd_guess(seL4_CPtr ep, uint64_t k)
{
    struct msg m;
    memset(&m, 0, sizeof(m));
    m.label = LOGD_LABEL(LOGD_OP_NAME_SET);
    m.n = 3;
    m.mr[0] = k % 8u;
    memcpy(&m.mr[1], "evil", 4);
    struct want w = { 1, { LOGD_ERR_DENIED } };
    (void)probe(ep, &m, 0, &w, "logd (name)");
}

/* kv: a replayed old sequence number (the client's own id is its badge) must not be
 * applied: DELETE of the key the workload appends to, with seq 1. */
static void kv_guess(seL4_CPtr ep)
{
    struct kv_request r;
    memset(&r, 0, sizeof(r));
    r.op = KV_OP_DELETE;
    r.seq = 1;
    r.klen = 2;
    memcpy(r.key, "cw", 2);
    struct msg m;
    kv_msg(&r, &m);
    struct want w = { 1, { KV_ERR_STALE_SEQ } };
    (void)probe(ep, &m, 0, &w, "kv (stale seq)");
}

/* RS control: indexes of no service. */
static void rs_guess(seL4_CPtr ep, uint64_t k)
{
    struct msg m;
    const struct rs_request r = { .op = (k & 1) ? RS_OP_CRASH : RS_OP_STOP, .index = (uint32_t)(200u + k % 50u) };
    rs_msg(&r, &m);
    struct want w = { 1, { RS_ERR_UNKNOWN_SERVICE } }; /* rs/PROTOCOL.md: an index beyond */
    (void)probe(ep, &m, 0, &w, "rs (index)");
}

/* The memory server: an address space of our own, forged faults on its fault endpoint
 * (recorded for that space, nobody else's), and handles guessed next to it. */
static void ms_guess(seL4_CPtr ms, uint64_t k)
{
    uint32_t as = 0;
    int err = msc_as_create(ms, &as);
    if (err == MS_ERR_QUOTA) return;
    int ep_err = err == MS_OK ? msc_as_fault_ep(ms, as, PROGRAM_SLOT_CNODE, caps.scratch) : MS_OK;
    if (err != MS_OK || ep_err != MS_OK) {
        res.failed++;
        printf("campaign: FAIL hostile memserver: AS_CREATE %d, AS_FAULT_EP %d\n", err, ep_err);
        if (err == MS_OK) (void)msc_as_destroy(ms, as);
        return;
    }
    res.sent += 2;
    struct msg vm, other;
    fault_message(0, &vm);
    vm.mr[seL4_VMFault_Addr] = 0x10000u + 0x1000u * (k % 16u); /* nothing mapped there */
    fault_message(2, &other);
    seL4_Word *pairs[2] = { vm.mr, other.mr };
    const struct msg *ms_[2] = { &vm, &other };
    for (unsigned i = 0; i < 2; i++) {
        for (unsigned j = 0; j < ms_[i]->n; j++) seL4_SetMR((int)j, pairs[i][j]);
        seL4_Send(caps.scratch, seL4_MessageInfo_new(ms_[i]->label, 0, 0, ms_[i]->n)); /* no reply: a Send */
    }
    struct ms_fault_info f;
    int e1 = msc_fault_get(ms, as, &f);
    bool ok = e1 == MS_OK && f.kind == MS_FAULT_UNMAPPED && f.addr == vm.mr[seL4_VMFault_Addr];
    int e2 = msc_fault_get(ms, as, &f);
    ok = ok && e2 == MS_OK && f.kind == MS_FAULT_OTHER && f.code == seL4_Fault_UnknownSyscall;
    ok = ok && msc_fault_get(ms, as, &f) == MS_ERR_NO_FAULT;
    /* a stale generation of our own handle, and the indexes around it */
    ok = ok && msc_fault_get(ms, as + 0x10000u, &f) == MS_ERR_BAD_HANDLE;
    for (uint32_t d = 1; d <= 4 && ok; d++) {
        int g = msc_fault_get(ms, (as & 0xffff0000u) | (((as & 0xffffu) + d) & 0xffffu), &f);
        ok = g == MS_ERR_BAD_HANDLE || g == MS_ERR_NOT_OWNER;
    }
    err = msc_as_destroy(ms, as);
    (void)seL4_CNode_Delete(PROGRAM_SLOT_CNODE, caps.scratch, seL4_WordBits);
    if (!ok || err != MS_OK) {
        res.failed++;
        printf("campaign: FAIL hostile memserver: forged faults / guessed handles (%d %d, destroy %d)\n", e1, e2, err);
    }
}

static void guess(enum hostile_target t, seL4_CPtr ep, uint64_t k, uint64_t kv_gen)
{
    switch (t) {
    case H_NAMES: names_guess(ep, k, kv_gen); break;
    case H_STORE: store_guess(ep, k); break;
    case H_LOGD: logd_guess(ep, k); break;
    case H_KV: kv_guess(ep); break;
    case H_RS: rs_guess(ep, k); break;
    case H_MS: ms_guess(ep, k); break;
    default: forged_fault(t, ep, k + 1); break; /* console, timer: nothing to guess */
    }
}

void hostile_probe(uint64_t k, seL4_CPtr kv_cap, uint64_t kv_gen)
{
    enum hostile_target t = (enum hostile_target)(k % H_TARGETS);
    seL4_CPtr ep = t == H_KV ? kv_cap : caps.ep[t];
    if (ep == 0) return;
    uint64_t round = k / H_TARGETS;
    switch (round % 4) {
    case 0: own_cap(t, ep); break;
    case 1: foreign_cap(t, ep, round / 4); break;
    case 2: forged_fault(t, ep, round / 4); break;
    default: guess(t, ep, round / 4, kv_gen); break;
    }
}

void hostile_foreign_cap(enum hostile_target t, seL4_CPtr ep) { foreign_cap(t, ep, 0); }
