/*
 * conf-threads: the seeded random part -- each round's threads, priorities, notification
 * bindings, badges and step scripts, all decided before any thread runs, so that the
 * generator's sequence does not depend on what the kernel does.
 */
#include "threads.h"
#include <runtime/string.h>

static uint64_t rng_state;

static seL4_Word rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

unsigned thr_pick(unsigned n) { return n ? (unsigned)(rnd() % n) : 0; }

static const char *const op_names[] = {
    "Send", "NBSend", "Call", "Recv", "NBRecv", "ReplyRecv", "Reply", "Signal", "Wait",
    "Poll", "Yield", "SetPriority", "Suspend", "Resume", "Compute", "CancelBadgedSends",
    "Unbind", "Destroy", "Fault", "Kill", "Bind", "DomainSet", "Regs", "SaveCaller",
    "SendReply", "End",
    "root runs at", "root Signal", "root NBSend", "root Yield", "root kick Signal",
    "root kick NBSend", "root kick NBRecv+Reply", "root kick Resume",
};
/* How often each script step is chosen (relative weights, OP_SEND..OP_COMPUTE), for a
 * thread of each role: mixed, server (mostly receives and replies), client (mostly sends
 * and calls). */
static const unsigned op_weight[3][N_SCRIPT_OPS] = {
    /* Send NBS Call Recv NBR RRcv Rply Sig Wait Poll Yld SetP Susp Res Comp CBS Unb Dstr Flt Kill Bind Dom Regs Save SRpl */
    {  8,   6,  8,   9,   5,  6,   5,   8,  5,   4,   8,  6,   3,   5,  4,   2,  1,  1,   2,  1,   1,   2,  2,   2,   2 },
    {  2,   2,  2,   14,  5,  16,  6,   6,  3,   3,   6,  4,   1,   3,  3,   1,  0,  0,   1,  0,   1,   1,  1,   4,   4 },
    {  10,  6,  16,  3,   4,  1,   1,   8,  3,   4,   8,  4,   2,   4,  4,   2,  1,  1,   2,  1,   1,   1,  2,   1,   1 },
};

const char *thr_op_name(unsigned op)
{
    return op < sizeof(op_names) / sizeof(op_names[0]) ? op_names[op] : "?";
}

const char *thr_ep_cap_name(unsigned cap)
{
    static const char *const names[THR_NEP_CAPS] = { "e0", "e0b", "e0n", "e1", "e1b", "e1n",
                                                     "e2", "e2b", "e2n" };
    return cap < THR_NEP_CAPS ? names[cap] : "e?";
}

const char *thr_ntfn_cap_name(unsigned cap)
{
    static const char *const names[THR_NNTFN_CAPS] = { "n0", "n0b", "n1", "n1b", "n2", "n2b" };
    return cap < THR_NNTFN_CAPS ? names[cap] : "n?";
}

static unsigned pick_op(unsigned role)
{
    const unsigned *w = op_weight[role % 3];
    unsigned total = 0;
    for (unsigned i = 0; i < N_SCRIPT_OPS; i++) total += w[i];
    unsigned r = thr_pick(total);
    for (unsigned i = 0; i < N_SCRIPT_OPS; i++) {
        if (r < w[i]) return i;
        r -= w[i];
    }
    return OP_YIELD;
}

/* An endpoint cap: endpoint 0 most often (more rendezvous), unbadged cap most often. */
static uint8_t pick_ep_cap(void)
{
    unsigned r = thr_pick(100), ep = r < 55 ? 0 : r < 85 ? 1 : 2;
    r = thr_pick(100);
    unsigned kind = r < 50 ? 0 : r < 80 ? 1 : 2;
    return (uint8_t)(ep * 3 + kind);
}

/* A notification thread `tid` may wait on: unbound, or bound to itself. */
static uint8_t pick_wait_cap(unsigned tid)
{
    unsigned start = thr_pick(THR_NNTFN);
    for (unsigned k = 0; k < THR_NNTFN; k++) {
        unsigned j = (start + k) % THR_NNTFN;
        bool bound_elsewhere = false;
        for (unsigned t = 0; t < g_round.nthr; t++)
            if (t != tid && g_round.thr[t].bound == (int)j) bound_elsewhere = true;
        if (!bound_elsewhere) return (uint8_t)(j * 2 + thr_pick(2));
    }
    return 4; /* notification 2 is never bound */
}

static void make_step(struct step *s, unsigned tid, unsigned role, const seL4_Word *prios)
{
    memset(s, 0, sizeof(*s));
    s->op = (uint8_t)pick_op(role);
    s->label = 0x10 + thr_pick(0xff0); /* never a fault label (1..7) */
    s->len = (uint8_t)(thr_pick(100) < 70 ? thr_pick(5) : thr_pick(THR_LOG_MRS + 1));
    if (thr_pick(100) < 25) { /* send caps: an endpoint cap (maybe unwrapped) or a notification cap */
        s->ncaps = (uint8_t)(1 + thr_pick(2));
        for (unsigned i = 0; i < s->ncaps; i++)
            s->caps[i] = (uint8_t)(thr_pick(2) ? pick_ep_cap() : THR_NEP_CAPS + thr_pick(THR_NNTFN_CAPS));
    }
    s->clear = thr_pick(100) < 70;
    switch (s->op) {
    case OP_SEND: case OP_NBSEND: case OP_CALL: case OP_RECV: case OP_NBRECV: case OP_REPLYRECV:
        s->cap = pick_ep_cap();
        break;
    case OP_SIGNAL:
        s->cap = (uint8_t)thr_pick(THR_NNTFN_CAPS);
        break;
    case OP_WAIT: case OP_POLL:
        s->cap = pick_wait_cap(tid);
        break;
    case OP_SETPRIO: {
        unsigned r = thr_pick(100);
        s->target = (uint8_t)(r < 40 ? tid : thr_pick(g_round.nthr));
        r = thr_pick(100);
        /* mostly the round's levels; 0 is below the root task's 1 (never runs again) */
        s->prio = r < 70 ? prios[thr_pick(3)] : r < 82 ? 60 : r < 94 ? 200 : r < 97 ? 255 : 0;
        break;
    }
    case OP_REGS:
        s->flags = (uint8_t)thr_pick(4);
        /* fall through */
    case OP_SUSPEND: case OP_RESUME: case OP_KILL:
        s->target = (uint8_t)((tid + 1 + thr_pick(g_round.nthr - 1)) % g_round.nthr);
        break;
    case OP_COMPUTE:
        s->prio = 1 + thr_pick(2000);
        break;
    case OP_CANCELBADGED: /* a badged cap (with or without grant) */
        s->cap = (uint8_t)(pick_ep_cap() / 3 * 3 + 1 + thr_pick(2));
        break;
    case OP_UNBIND: case OP_DOMAIN:
        s->target = (uint8_t)thr_pick(g_round.nthr);
        break;
    case OP_BIND:
        s->target = (uint8_t)thr_pick(g_round.nthr);
        s->cap = (uint8_t)(2 * thr_pick(2)); /* n0 or n1 */
        break;
    case OP_DESTROY:
        s->cap = (uint8_t)thr_pick(2);
        break;
    default:
        break;
    }
}

void thr_generate(unsigned seed)
{
    rng_state = 0x5eed0000ull + seed;
    memset(&g_round.thr, 0, sizeof(g_round.thr));
    g_round.nthr = 4 + thr_pick(THR_MAX - 3);
    /* Three distinct thread priorities of 80..120; the root task's middle priority lies
     * between them (or just above/below), never equal to one: sharing a ready queue with
     * threads, the root task's order would depend on where its time slice (consumed by
     * printing) ends, i.e. on wall-clock timer ticks (seen once in 500 QEMU rounds). */
    static const seL4_Word levels[5] = { 80, 90, 100, 110, 120 };
    seL4_Word prios[3];
    unsigned first = thr_pick(3);
    for (unsigned i = 0; i < 3; i++) prios[i] = levels[first + i];
    g_round.root_mid = prios[0] - 5 + 10 * thr_pick(4);
    for (unsigned t = 0; t < g_round.nthr; t++) {
        g_round.thr[t].id = t;
        g_round.thr[t].prio = prios[thr_pick(3)];
        g_round.thr[t].bound = -1;
        g_round.start_order[t] = t;
    }
    for (unsigned t = g_round.nthr - 1; t > 0; t--) {
        unsigned j = thr_pick(t + 1), tmp = g_round.start_order[t];
        g_round.start_order[t] = g_round.start_order[j];
        g_round.start_order[j] = tmp;
    }
    for (unsigned j = 0; j < 2; j++) { /* notifications 0 and 1 may be bound */
        unsigned t = thr_pick(g_round.nthr);
        if (thr_pick(2) && g_round.thr[t].bound < 0) g_round.thr[t].bound = (int)j;
    }
    for (unsigned i = 0; i < THR_NEP; i++) g_round.ep_badge[i] = 1 + thr_pick(0xff);
    for (unsigned i = 0; i < THR_NNTFN; i++) g_round.ntfn_badge[i] = 1ul << thr_pick(16);
    g_round.root_op = thr_pick(4);
    g_round.root_cap = thr_pick(64);
    for (unsigned t = 0; t < g_round.nthr; t++) {
        struct thr *th = &g_round.thr[t];
        th->role = thr_pick(3);
        /* fault handler: none, or e0, e0b, e1, e1n (no Grant/GrantReply: unusable), e2 */
        static const int fault_eps[6] = { -1, 0, 1, 3, 5, 6 };
        th->fault_ep = thr_pick(100) < 40 ? -1 : fault_eps[1 + thr_pick(5)];
        th->nsteps = 8 + thr_pick(THR_MAX_STEPS - 7);
        for (unsigned i = 0; i < th->nsteps; i++) make_step(&th->steps[i], t, th->role, prios);
    }
}
