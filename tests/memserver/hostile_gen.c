/*
 * The hostile clients' request generator and reply checker (see hostile_gen.h).
 * Valid requests are built from the model of what the client owns; forged ones take a
 * valid request and give it exactly one defect.
 */
#include "tests/memserver/hostile_gen.h"
#include "memserver/protocol/errors.h"
#include "memserver/protocol/messages.h"

#define MiB (1024ull * 1024ull)
#define TiB (1024ull * 1024ull * 1024ull * 1024ull)
#define RES (HG_E(MS_ERR_QUOTA) | HG_E(MS_ERR_NO_MEMORY) | HG_E(MS_ERR_NO_SLOTS))
/* FIXED mappings go here; nothing is ever mapped in the far window. */
#define FIXED_BASE 0x0000100000000000ull
#define FAR_BASE 0x0000600000000000ull

enum what {
    W_HELLO, W_AS_CREATE, W_ADOPT_SELF, W_ADOPT_DUP, W_AS_DESTROY, W_FORK, W_FAULT_EP, W_VSPACE,
    W_SET_NOTIFY, W_OBJ_CREATE, W_OBJ_CLOSE, W_MAP, W_MAP_FIXED, W_UNMAP, W_UNMAP_FAR, W_PROTECT,
    W_PROTECT_HOLE, W_QUERY, W_QUERY_FAR, W_CLONE, W_FAULT_GET, W_QUOTA_GET, W_TOUCH, W_FAKE_FAULT,
    W_FORGE_LABEL, W_FORGE_VERSION, W_FORGE_LEN, W_FORGE_CAP, W_FORGE_NOCAP, W_FORGE_CAPTYPE,
    W_FORGE_HANDLE, W_GUESS, W_FORGE_MAP, W_FORGE_OBJ, W_ADMIN, W_HUGE, W_OBJ_WRITE, W_FORGE_WRITE,
    W_PAGE_CAP, W_FORGE_PAGE_CAP, W_COUNT
};

/* Relative weights: about 60 % valid requests (and touches), 40 % forged. */
static const uint8_t weight[W_COUNT] = {
    [W_HELLO] = 2, [W_AS_CREATE] = 5, [W_ADOPT_SELF] = 3, [W_ADOPT_DUP] = 2, [W_AS_DESTROY] = 3,
    [W_FORK] = 2, [W_FAULT_EP] = 3, [W_VSPACE] = 2, [W_SET_NOTIFY] = 3, [W_OBJ_CREATE] = 4,
    [W_OBJ_CLOSE] = 2, [W_MAP] = 10, [W_MAP_FIXED] = 6, [W_UNMAP] = 6, [W_UNMAP_FAR] = 2,
    [W_PROTECT] = 4, [W_PROTECT_HOLE] = 1, [W_QUERY] = 4, [W_QUERY_FAR] = 2, [W_CLONE] = 3,
    [W_FAULT_GET] = 3, [W_QUOTA_GET] = 3, [W_TOUCH] = 8, [W_FAKE_FAULT] = 4, [W_FORGE_LABEL] = 3,
    [W_FORGE_VERSION] = 3, [W_FORGE_LEN] = 4, [W_FORGE_CAP] = 3, [W_FORGE_NOCAP] = 2,
    [W_FORGE_CAPTYPE] = 3, [W_FORGE_HANDLE] = 3, [W_GUESS] = 5, [W_FORGE_MAP] = 8, [W_FORGE_OBJ] = 3,
    [W_ADMIN] = 3, [W_HUGE] = 2, [W_OBJ_WRITE] = 3, [W_FORGE_WRITE] = 2, [W_PAGE_CAP] = 3,
    [W_FORGE_PAGE_CAP] = 2,
};

static uint64_t rnd(struct hg_state *s)
{
    uint64_t x = s->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    s->rng = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static uint64_t below(struct hg_state *s, uint64_t n) { return n ? rnd(s) % n : 0; }

void hg_init(struct hg_state *s, uint64_t seed, uint64_t badge)
{
    struct hg_state z = { 0 };
    *s = z;
    s->rng = seed * 0x9E3779B97F4A7C15ull + 0x1234567ull;
    if (!s->rng) s->rng = 1;
    s->badge = badge;
}

/* ---- the model ---- */

static int as_pick(struct hg_state *s, int need_free_regions)
{
    unsigned start = (unsigned)below(s, HG_MAX_AS);
    for (unsigned k = 0; k < HG_MAX_AS; k++) {
        unsigned i = (start + k) % HG_MAX_AS;
        if (s->as[i].live && (!need_free_regions || s->as[i].nreg + 3 <= HG_MAX_REG)) return (int)i;
    }
    return -1;
}

static int as_free_slot(const struct hg_state *s)
{
    for (unsigned i = 0; i < HG_MAX_AS; i++)
        if (!s->as[i].live) return (int)i;
    return -1;
}

static int self_index(const struct hg_state *s)
{
    for (unsigned i = 0; i < HG_MAX_AS; i++)
        if (s->as[i].live && s->as[i].self) return (int)i;
    return -1;
}

static int obj_pick(struct hg_state *s)
{
    unsigned start = (unsigned)below(s, HG_MAX_OBJ);
    for (unsigned k = 0; k < HG_MAX_OBJ; k++) {
        unsigned i = (start + k) % HG_MAX_OBJ;
        if (s->obj[i].live) return (int)i;
    }
    return -1;
}

/* A region of space a (guard pages too if guards_ok). */
static int reg_pick(struct hg_state *s, const struct hg_as *a, int guards_ok)
{
    if (!a->nreg) return -1;
    unsigned start = (unsigned)below(s, a->nreg);
    for (unsigned k = 0; k < a->nreg; k++) {
        unsigned i = (start + k) % a->nreg;
        if (guards_ok || !a->reg[i].guard) return (int)i;
    }
    return -1;
}

static int overlaps(const struct hg_as *a, uint64_t va, uint64_t end)
{
    for (unsigned i = 0; i < a->nreg; i++)
        if (a->reg[i].va < end && va < a->reg[i].va + a->reg[i].size) return 1;
    return 0;
}

static void reg_add(struct hg_as *a, const struct hg_region *r)
{
    if (a->nreg < HG_MAX_REG) a->reg[a->nreg++] = *r;
}

static void reg_remove(struct hg_as *a, unsigned i)
{
    a->reg[i] = a->reg[--a->nreg];
}

/* Address-space and object handles are separate name spaces (the same number can be
 * both); a guess must be neither of ours. */
static int as_mine(const struct hg_state *s, uint32_t h)
{
    for (unsigned i = 0; i < HG_MAX_AS; i++)
        if (s->as[i].live && s->as[i].handle == h) return 1;
    return 0;
}

static int obj_mine(const struct hg_state *s, uint32_t h)
{
    for (unsigned i = 0; i < HG_MAX_OBJ; i++)
        if (s->obj[i].live && s->obj[i].handle == h) return 1;
    return 0;
}

static int handle_mine(const struct hg_state *s, uint32_t h) { return as_mine(s, h) || obj_mine(s, h); }

static void bury(struct hg_state *s, uint32_t h)
{
    s->dead[s->ndead % 8] = h;
    s->ndead++;
}

/* A well-formed handle that is not one of ours: a dead one of ours, or a guess. */
static uint32_t guess_handle(struct hg_state *s)
{
    for (int tries = 0; tries < 8; tries++) {
        uint32_t h = (s->ndead && below(s, 2)) ? s->dead[below(s, s->ndead < 8 ? s->ndead : 8)]
                                               : (uint32_t)(((1 + below(s, 4)) << 16) | (1 + below(s, 96)));
        if (!handle_mine(s, h)) return h;
    }
    return 0x7FFF0000u | 0xFFF0u; /* index far beyond every table */
}

/* ---- building requests ---- */

static void call(struct hg_req *r, unsigned op, unsigned n, uint64_t expect, const char *name)
{
    r->action = HG_CALL;
    r->label = MS_LABEL(op);
    r->n = n;
    r->expect = expect;
    r->name = name;
}

static uint64_t map_flags(struct hg_state *s, uint64_t *expect)
{
    uint64_t f = 0;
    if (below(s, 2)) f |= MS_MAP_POPULATE;
    if (below(s, 3) == 0) f |= MS_MAP_GUARD;
    if ((f & MS_MAP_POPULATE) && below(s, 4) == 0) f |= MS_MAP_4K;
    *expect = HG_E(MS_OK) | HG_E(MS_ERR_NO_MEMORY) | HG_E(MS_ERR_NO_SLOTS);
    if (f & MS_MAP_POPULATE) *expect |= HG_E(MS_ERR_QUOTA);
    return f;
}

static const uint64_t rights_ok[3] = { MS_R, MS_RW, MS_RX };

/* MAP arguments for space a: private memory or one of our objects. */
static void map_args(struct hg_state *s, struct hg_req *r, const struct hg_as *a, uint64_t *expect)
{
    uint64_t size = (1 + below(s, 16)) * HG_PAGE, off = 0;
    uint32_t obj = 0;
    int o = below(s, 3) == 0 ? obj_pick(s) : -1;
    if (o >= 0) {
        obj = s->obj[o].handle;
        uint64_t pages = 1 + below(s, s->obj[o].pages);
        off = below(s, s->obj[o].pages - pages + 1) * HG_PAGE;
        size = pages * HG_PAGE;
    } else if (below(s, 8) == 0) {
        size = below(s, 2) ? 2 * MiB : 4 * MiB + 2 * HG_PAGE;
    }
    r->mr[0] = a->handle;
    r->mr[1] = 0;
    r->mr[2] = size;
    r->mr[3] = obj;
    r->mr[4] = off;
    r->mr[5] = rights_ok[below(s, 3)];
    r->mr[6] = map_flags(s, expect);
}

static void gen_map(struct hg_state *s, struct hg_req *r, int fixed)
{
    int a = as_pick(s, 1);
    if (a < 0) {
        call(r, MS_OP_HELLO, 0, HG_E(MS_OK), "hello");
        r->what = W_HELLO;
        return;
    }
    uint64_t expect;
    map_args(s, r, &s->as[a], &expect);
    r->as_i = (unsigned)a;
    if (fixed) {
        uint64_t g = (r->mr[6] & MS_MAP_GUARD) ? HG_PAGE : 0;
        uint64_t va = FIXED_BASE + below(s, 64) * 2 * MiB + (below(s, 2) ? 0 : below(s, 512) * HG_PAGE);
        r->mr[1] = va;
        r->mr[6] |= MS_MAP_FIXED;
        r->model_hit = overlaps(&s->as[a], va - g, va + r->mr[2] + g);
        if (r->model_hit) expect = HG_E(MS_ERR_OVERLAP);
    } else {
        expect |= HG_E(MS_ERR_NO_SPACE);
    }
    call(r, MS_OP_MAP, 7, expect, fixed ? "map fixed" : "map");
}

static void gen_forge_map(struct hg_state *s, struct hg_req *r)
{
    int a = as_pick(s, 0);
    if (a < 0) {
        call(r, MS_OP_MAP, 7, HG_E(MS_ERR_BAD_HANDLE), "map: handle 0");
        r->mr[2] = HG_PAGE;
        r->mr[5] = MS_RW;
        return;
    }
    uint64_t expect;
    map_args(s, r, &s->as[a], &expect);
    r->mr[6] &= ~(uint64_t)MS_MAP_POPULATE; /* the defect alone decides */
    r->mr[6] |= MS_MAP_FIXED;
    r->mr[1] = FAR_BASE + below(s, 1024) * HG_PAGE;
    switch (below(s, 14)) {
    case 0: r->mr[1] += 8 << below(s, 9); call(r, MS_OP_MAP, 7, HG_E(MS_ERR_UNALIGNED), "map: unaligned address"); break;
    case 1: r->mr[2] += 1 + below(s, 4095); call(r, MS_OP_MAP, 7, HG_E(MS_ERR_UNALIGNED), "map: unaligned size"); break;
    case 2: r->mr[2] = 0; call(r, MS_OP_MAP, 7, HG_E(MS_ERR_ZERO_LENGTH), "map: size 0"); break;
    case 3: {
        static const uint64_t bad[6] = { 0, 2, 4, 8, 9, 255 };
        r->mr[5] = bad[below(s, 6)];
        call(r, MS_OP_MAP, 7, HG_E(MS_ERR_BAD_RIGHTS), "map: bad rights");
        break;
    }
    case 4: r->mr[5] = 6 + below(s, 2); call(r, MS_OP_MAP, 7, HG_E(MS_ERR_WX), "map: write+execute"); break;
    case 5: r->mr[6] |= 16ull << below(s, 40); call(r, MS_OP_MAP, 7, HG_E(MS_ERR_BAD_FLAGS), "map: unknown flag"); break;
    case 6:
        r->mr[1] = 0x0000800000000000ull + below(s, 0xFFFF000000000000ull / HG_PAGE) * HG_PAGE;
        call(r, MS_OP_MAP, 7, HG_E(MS_ERR_NON_CANONICAL), "map: non-canonical address");
        break;
    case 7:
        r->mr[1] = 0xFFFF800000000000ull + below(s, 1ull << 35) * HG_PAGE;
        call(r, MS_OP_MAP, 7, HG_E(MS_ERR_KERNEL_HALF), "map: kernel-half address");
        break;
    case 8: {
        uint64_t k = 1 + below(s, 8);
        r->mr[1] = 0x0000800000000000ull - k * HG_PAGE;
        r->mr[2] = (k + 1 + below(s, 4)) * HG_PAGE;
        r->mr[3] = 0, r->mr[4] = 0;
        call(r, MS_OP_MAP, 7, HG_E(MS_ERR_KERNEL_HALF), "map: range into the kernel half");
        break;
    }
    case 9:
        r->mr[3] = 0;
        r->mr[4] = (1 + below(s, 8)) * HG_PAGE;
        call(r, MS_OP_MAP, 7, HG_E(MS_ERR_RANGE), "map: offset into private memory");
        break;
    case 10:
        if (r->mr[3]) {
            r->mr[4] |= 0x10;
            call(r, MS_OP_MAP, 7, HG_E(MS_ERR_UNALIGNED), "map: unaligned offset");
        } else {
            /* Without FIXED: a size of 2^47 or more is larger than the user half. */
            r->mr[6] &= ~(uint64_t)MS_MAP_FIXED;
            r->mr[2] = (1ull << 47) + below(s, 1ull << 35) * HG_PAGE;
            call(r, MS_OP_MAP, 7, HG_E(MS_ERR_KERNEL_HALF), "map: size 2^47 or more");
        }
        break;
    case 11: {
        int o = obj_pick(s);
        if (o < 0) {
            call(r, MS_OP_MAP, 7, HG_E(MS_ERR_BAD_HANDLE), "map: object handle 0x10000");
            r->mr[3] = 0x10000;
            r->mr[4] = 0;
            break;
        }
        r->mr[3] = s->obj[o].handle;
        r->mr[4] = below(s, 2) ? s->obj[o].pages * HG_PAGE : 0;
        r->mr[2] = (s->obj[o].pages + 1 - r->mr[4] / HG_PAGE) * HG_PAGE;
        call(r, MS_OP_MAP, 7, HG_E(MS_ERR_RANGE), "map: beyond the object");
        break;
    }
    case 12:
        if (s->as[a].floor) {
            r->mr[1] = HG_ADOPT_FLOOR - (1 + below(s, 1024)) * 2 * MiB;
            r->mr[2] = HG_PAGE;
            r->mr[3] = 0, r->mr[4] = 0;
            r->mr[6] &= ~(uint64_t)MS_MAP_GUARD;
            call(r, MS_OP_MAP, 7, HG_E(MS_ERR_RANGE), "map: below an adopted space's floor");
            break;
        }
        __attribute__((fallthrough)); /* a created space has no floor */
    default:
        /* The last page below the kernel half: the kernel maps nothing there. */
        r->mr[1] = HG_USER_TOP;
        r->mr[2] = HG_PAGE;
        r->mr[3] = 0, r->mr[4] = 0;
        r->mr[6] &= ~(uint64_t)MS_MAP_GUARD;
        call(r, MS_OP_MAP, 7, HG_E(MS_ERR_KERNEL_HALF), "map: the page at 0x7FFFFFFFF000");
        break;
    }
    r->mr[0] = s->as[a].handle;
}

static void gen_forge_obj(struct hg_state *s, struct hg_req *r)
{
    r->mr[0] = MS_OBJ_ANON;
    r->mr[1] = (1 + below(s, 8)) * HG_PAGE;
    r->mr[2] = 0;
    r->mr[3] = 0;
    switch (below(s, 8)) {
    case 0: r->mr[0] = 2 + below(s, 100); call(r, MS_OP_OBJ_CREATE, 4, HG_E(MS_ERR_BAD_FLAGS), "object: bad kind"); break;
    case 1: r->mr[2] = (1 + below(s, 1000)) * HG_PAGE; call(r, MS_OP_OBJ_CREATE, 4, HG_E(MS_ERR_BAD_FLAGS), "object: anonymous with an address"); break;
    case 2: r->mr[3] = 1 + below(s, 7); call(r, MS_OP_OBJ_CREATE, 4, HG_E(MS_ERR_BAD_FLAGS), "object: anonymous with flags"); break;
    case 3: r->mr[1] = 0; call(r, MS_OP_OBJ_CREATE, 4, HG_E(MS_ERR_ZERO_LENGTH), "object: size 0"); break;
    case 4: r->mr[1] |= 1 + below(s, 4095); call(r, MS_OP_OBJ_CREATE, 4, HG_E(MS_ERR_UNALIGNED), "object: unaligned size"); break;
    case 5: r->mr[1] = (1ull << 47) + below(s, 1ull << 40) * HG_PAGE; call(r, MS_OP_OBJ_CREATE, 4, HG_E(MS_ERR_KERNEL_HALF), "object: size 2^47 or more"); break;
    case 6: r->mr[1] = 2 * TiB; call(r, MS_OP_OBJ_CREATE, 4, HG_E(MS_ERR_NO_MEMORY), "object: 2 TiB"); break;
    default:
        r->mr[0] = MS_OBJ_PHYS;
        r->mr[1] = HG_PAGE;
        r->mr[2] = 0x1000;
        call(r, MS_OP_OBJ_CREATE, 4, HG_E(MS_ERR_RANGE), "object: physical memory that is no device");
        break;
    }
}

/* A valid request with no cap, no reply cap and no effect on the model. */
static void gen_harmless(struct hg_state *s, struct hg_req *r)
{
    int a = as_pick(s, 0);
    switch (below(s, a < 0 ? 2 : 4)) {
    case 0: call(r, MS_OP_HELLO, 0, HG_E(MS_OK), "hello"); break;
    case 1: call(r, MS_OP_QUOTA_GET, 0, HG_E(MS_OK), "quota get"); break;
    case 2:
        call(r, MS_OP_QUERY, 2, HG_E(MS_ERR_NOT_MAPPED), "query far");
        r->mr[0] = s->as[a].handle;
        r->mr[1] = FAR_BASE + below(s, 1ull << 30) * HG_PAGE;
        break;
    default:
        /* (Under heap pressure even an unmap of nothing may be refused: reserving the
         * region splits it might need comes first.) */
        call(r, MS_OP_UNMAP, 3, HG_E(MS_OK) | RES, "unmap far");
        r->mr[0] = s->as[a].handle;
        r->mr[1] = FAR_BASE + below(s, 1ull << 30) * HG_PAGE;
        r->mr[2] = (1 + below(s, 64)) * HG_PAGE;
        break;
    }
}

static void gen_forged_envelope(struct hg_state *s, struct hg_req *r, unsigned w)
{
    switch (w) {
    case W_FORGE_LABEL: {
        unsigned n = (unsigned)below(s, 4);
        if (below(s, 2)) {
            uint64_t op = below(s, 2) ? 0 : 0x40 + below(s, 0xFC0);
            call(r, 0, n, HG_E(MS_ERR_BAD_REQUEST), "garbage operation");
            r->label = MS_LABEL(0) | op;
        } else {
            call(r, MS_OP_HELLO, n, HG_E(MS_ERR_BAD_REQUEST), "label bits above 19");
            r->label |= 1ull << (20 + below(s, 30));
        }
        for (unsigned i = 0; i < n; i++) r->mr[i] = rnd(s);
        break;
    }
    case W_FORGE_VERSION: {
        gen_harmless(s, r);
        uint64_t v = below(s, 2) ? 0 : 2 + below(s, 254);
        r->label = (v << 12) | MS_LABEL_OP(r->label);
        r->expect = HG_E(MS_ERR_VERSION);
        r->name = "wrong protocol version";
        break;
    }
    case W_FORGE_LEN: {
        gen_harmless(s, r);
        unsigned n = r->n;
        while (n == r->n) n = (unsigned)below(s, HG_MAX_MRS);
        for (unsigned i = r->n; i < n; i++) r->mr[i] = rnd(s);
        r->n = n;
        r->expect = HG_E(MS_ERR_BAD_REQUEST);
        r->name = "wrong number of registers";
        break;
    }
    case W_FORGE_CAP: {
        static const unsigned caps[4] = { HG_CAP_NTFN, HG_CAP_TCB, HG_CAP_CLIENT_EP, HG_CAP_SELF_VSPACE };
        gen_harmless(s, r);
        r->cap = caps[below(s, 4)];
        r->expect = HG_E(MS_ERR_BAD_CAP);
        r->name = "a cap the request does not take";
        break;
    }
    case W_FORGE_NOCAP: {
        int a = as_pick(s, 0);
        if (a >= 0 && below(s, 2)) {
            call(r, MS_OP_AS_SET_NOTIFY, 1, HG_E(MS_ERR_BAD_CAP), "set notify without a cap");
            r->mr[0] = s->as[a].handle;
        } else {
            call(r, MS_OP_AS_ADOPT, 0, HG_E(MS_ERR_BAD_CAP), "adopt without a cap");
        }
        break;
    }
    default: { /* W_FORGE_CAPTYPE */
        static const unsigned not_pml4[4] = { HG_CAP_NTFN, HG_CAP_TCB, HG_CAP_CLIENT_EP, HG_CAP_FAULT_EP };
        static const unsigned not_ntfn[4] = { HG_CAP_SELF_VSPACE, HG_CAP_TCB, HG_CAP_CLIENT_EP, HG_CAP_FAULT_EP };
        int a = as_pick(s, 0);
        if (a >= 0 && below(s, 2)) {
            call(r, MS_OP_AS_SET_NOTIFY, 1, HG_E(MS_ERR_BAD_CAP), "set notify with a cap of the wrong type");
            r->mr[0] = s->as[a].handle;
            r->cap = not_ntfn[below(s, 4)];
        } else {
            call(r, MS_OP_AS_ADOPT, 0, HG_E(MS_ERR_BAD_CAP), "adopt a cap of the wrong type");
            r->cap = not_pml4[below(s, 4)];
        }
        if (r->cap == HG_CAP_FAULT_EP && !s->fault_ep_as) r->cap = HG_CAP_CLIENT_EP;
        break;
    }
    }
}

static void gen_bad_handle(struct hg_state *s, struct hg_req *r, unsigned w)
{
    static const unsigned ops[7] = { MS_OP_AS_DESTROY, MS_OP_AS_FORK,  MS_OP_OBJ_CLOSE, MS_OP_FAULT_GET,
                                     MS_OP_QUERY,      MS_OP_UNMAP,    MS_OP_MAP };
    unsigned op = ops[below(s, 7)];
    uint64_t h;
    uint64_t expect;
    if (w == W_FORGE_HANDLE) {
        switch (below(s, 3)) { /* 0, index 0, more than 32 bits */
        case 0: h = 0; break;
        case 1: h = (1 + below(s, 0x7FFF)) << 16; break;
        default: h = ((1 + below(s, 0xFFFF)) << 32) | (1 + below(s, 255)); break;
        }
        expect = HG_E(MS_ERR_BAD_HANDLE);
    } else {
        h = guess_handle(s);
        expect = HG_E(MS_ERR_BAD_HANDLE) | HG_E(MS_ERR_NOT_OWNER);
    }
    const char *name = w == W_FORGE_HANDLE ? "malformed handle" : "someone else's (or a dead) handle";
    switch (op) {
    case MS_OP_QUERY:
        call(r, op, 2, expect, name);
        r->mr[1] = FAR_BASE;
        break;
    case MS_OP_UNMAP:
        call(r, op, 3, expect, name);
        r->mr[1] = FAR_BASE;
        r->mr[2] = HG_PAGE;
        break;
    case MS_OP_MAP: {
        int a = as_pick(s, 0);
        call(r, op, 7, expect, name);
        r->mr[1] = 0;
        r->mr[2] = HG_PAGE;
        r->mr[5] = MS_RW;
        if (a >= 0 && below(s, 2)) { /* our space, their object */
            r->mr[0] = s->as[a].handle;
            r->mr[3] = h ? h : 0x10000;
            return;
        }
        break;
    }
    default:
        call(r, op, 1, expect, name);
        break;
    }
    r->mr[0] = h;
}

static void gen_admin(struct hg_state *s, struct hg_req *r)
{
    uint64_t other = 1 + below(s, 0x1000);
    switch (below(s, 5)) {
    case 0:
        call(r, MS_OP_QUOTA_SET, 3, HG_E(MS_ERR_DENIED), "quota set without admin");
        r->mr[0] = below(s, 2) ? s->badge : other;
        r->mr[1] = 1ull << 40;
        r->mr[2] = 1ull << 40;
        break;
    case 1: call(r, MS_OP_STATS, 0, HG_E(MS_ERR_DENIED), "stats without admin"); break;
    case 2: call(r, MS_OP_VERIFY_FREE, 0, HG_E(MS_ERR_DENIED), "verify free without admin"); break;
    case 3:
        call(r, MS_OP_CLIENT_DESTROY, 1, HG_E(MS_ERR_DENIED), "client destroy without admin");
        r->mr[0] = below(s, 2) ? s->badge : other;
        break;
    default:
        call(r, MS_OP_CLIENT_DESTROY, 1, HG_E(MS_ERR_DENIED), "client destroy(0) without admin");
        r->mr[0] = 0;
        break;
    }
}

static void gen_huge(struct hg_state *s, struct hg_req *r)
{
    int a = as_pick(s, 1);
    if (a < 0) {
        gen_forge_obj(s, r);
        return;
    }
    uint64_t size;
    uint64_t expect = HG_E(MS_ERR_NO_MEMORY) | HG_E(MS_ERR_NO_SPACE);
    const char *name = "map: more than 1 TiB";
    switch (below(s, 3)) {
    case 0: size = (1ull << 47) - HG_PAGE; expect = HG_E(MS_ERR_NO_SPACE), name = "map: 2^47 - 4 KiB"; break;
    case 1: size = 2 * TiB + below(s, 100 * TiB / HG_PAGE) * HG_PAGE; break;
    default: size = 64ull << 30, expect |= HG_E(MS_OK), name = "map: 64 GiB"; break;
    }
    call(r, MS_OP_MAP, 7, expect, name);
    r->mr[0] = s->as[a].handle;
    r->mr[1] = 0;
    r->mr[2] = size;
    r->mr[3] = 0;
    r->mr[4] = 0;
    r->mr[5] = MS_RW;
    r->mr[6] = 0;
    r->as_i = (unsigned)a;
}

static void gen_fake_fault(struct hg_state *s, struct hg_req *r)
{
    r->action = HG_FAKE_FAULT;
    r->name = "fake fault";
    r->expect = 0;
    unsigned kind = (unsigned)below(s, 10);
    if (kind < 6) {
        r->label = 5; /* seL4_Fault_VMFault */
        r->n = 4;
        r->mr[0] = rnd(s);
        r->mr[1] = rnd(s);
        for (unsigned i = 0; i < HG_MAX_AS; i++) {
            const struct hg_as *a = &s->as[i];
            if (a->live && a->handle == s->fault_ep_as && a->nreg && below(s, 4)) {
                const struct hg_region *g = &a->reg[below(s, a->nreg)];
                r->mr[1] = g->va + below(s, g->size / HG_PAGE) * HG_PAGE + below(s, 4096);
            }
        }
        r->mr[2] = below(s, 2);
        static const uint64_t fsr[6] = { 4, 5, 6, 7, 0x14, 0x15 };
        r->mr[3] = below(s, 4) ? fsr[below(s, 6)] : rnd(s);
    } else {
        static const uint64_t labels[4] = { 1, 2, 3, 6 };
        r->label = kind < 9 ? labels[below(s, 4)] : below(s, 1ull << 20);
        r->n = (unsigned)below(s, HG_MAX_MRS);
        for (unsigned i = 0; i < r->n; i++) r->mr[i] = rnd(s);
    }
    if (below(s, 8) == 0) r->cap = HG_CAP_NTFN; /* a cap through a fault endpoint */
}

/* OBJ_WRITE of up to (HG_MAX_MRS - 3) * 8 bytes into one of our objects. */
static int gen_obj_write(struct hg_state *s, struct hg_req *r, int forged)
{
    int o = obj_pick(s);
    if (o < 0) return 0;
    uint64_t size = (uint64_t)s->obj[o].pages * HG_PAGE, max = (HG_MAX_MRS - MS_WRITE_HEADER) * 8;
    uint64_t nbytes = 1 + below(s, max), off = below(s, size - nbytes + 1);
    r->mr[0] = s->obj[o].handle;
    r->mr[1] = off;
    r->mr[2] = nbytes;
    unsigned n = MS_WRITE_HEADER + (unsigned)((nbytes + 7) / 8);
    for (unsigned i = MS_WRITE_HEADER; i < n; i++) r->mr[i] = rnd(s);
    if (!forged) {
        call(r, MS_OP_OBJ_WRITE, n, HG_E(MS_OK) | RES, "object write");
        return 1;
    }
    switch (below(s, 4)) {
    case 0:
        r->mr[1] = size - nbytes + 1 + below(s, 3 * HG_PAGE);
        call(r, MS_OP_OBJ_WRITE, n, HG_E(MS_ERR_RANGE), "object write beyond the end");
        break;
    case 1: call(r, MS_OP_OBJ_WRITE, n - 1, HG_E(MS_ERR_BAD_REQUEST), "object write: too few data registers"); break;
    case 2:
        r->mr[2] = 0;
        call(r, MS_OP_OBJ_WRITE, MS_WRITE_HEADER, HG_E(MS_ERR_ZERO_LENGTH), "object write of 0 bytes");
        break;
    default:
        r->mr[2] = MS_WRITE_MAX + 1 + below(s, 1ull << 40);
        call(r, MS_OP_OBJ_WRITE, n, HG_E(MS_ERR_BAD_REQUEST), "object write of too many bytes");
        break;
    }
    return 1;
}

/* PAGE_CAP of a page in an RW region (valid) or of a page where the protocol refuses. */
static int gen_page_cap(struct hg_state *s, struct hg_req *r, int forged)
{
    int a = as_pick(s, 0), g;
    if (a < 0 || (g = reg_pick(s, &s->as[a], forged)) < 0) return 0;
    const struct hg_region *x = &s->as[a].reg[g];
    r->as_i = (unsigned)a;
    r->reg_i = (unsigned)g;
    r->mr[0] = s->as[a].handle;
    r->mr[1] = x->va + below(s, x->size / HG_PAGE) * HG_PAGE;
    if (!forged) {
        if (x->rights != MS_RW) return 0;
        call(r, MS_OP_PAGE_CAP, 2, HG_E(MS_OK) | RES, "page cap");
        r->recv = HG_RECV_PAGE_CAP;
        return 1;
    }
    if (x->guard) {
        call(r, MS_OP_PAGE_CAP, 2, HG_E(MS_ERR_NOT_MAPPED), "page cap of a guard page");
    } else if (x->rights != MS_RW) {
        call(r, MS_OP_PAGE_CAP, 2, HG_E(MS_ERR_BAD_RIGHTS), "page cap of a page mapped without W");
    } else if (below(s, 2)) {
        r->mr[1] = FAR_BASE + below(s, 1ull << 30) * HG_PAGE;
        call(r, MS_OP_PAGE_CAP, 2, HG_E(MS_ERR_NOT_MAPPED), "page cap where nothing is mapped");
    } else {
        r->mr[1] |= 8ull << below(s, 9);
        call(r, MS_OP_PAGE_CAP, 2, HG_E(MS_ERR_UNALIGNED), "page cap of an unaligned address");
    }
    r->recv = HG_RECV_PAGE_CAP; /* in case it is (wrongly) granted */
    return 1;
}

/* Valid requests on the client's own things.  Returns 0 if the model has nothing for
 * this kind of request (the caller picks another). */
static int gen_valid(struct hg_state *s, struct hg_req *r, unsigned w)
{
    int a, o, g;
    switch (w) {
    case W_HELLO: call(r, MS_OP_HELLO, 0, HG_E(MS_OK), "hello"); return 1;
    case W_QUOTA_GET: call(r, MS_OP_QUOTA_GET, 0, HG_E(MS_OK), "quota get"); return 1;
    case W_AS_CREATE:
        if (as_free_slot(s) < 0) return 0;
        call(r, MS_OP_AS_CREATE, 0, HG_E(MS_OK) | RES | HG_E(MS_ERR_NO_ASID) | HG_E(MS_ERR_BUSY), "as create");
        return 1;
    case W_ADOPT_SELF:
        if (self_index(s) >= 0 || as_free_slot(s) < 0) return 0;
        call(r, MS_OP_AS_ADOPT, 0, HG_E(MS_OK) | RES | HG_E(MS_ERR_NO_ASID) | HG_E(MS_ERR_BUSY), "adopt own vspace");
        r->cap = HG_CAP_SELF_VSPACE;
        return 1;
    case W_ADOPT_DUP:
        /* A PML4 the server already manages: MS_ERR_BUSY (one space per PML4), found
         * when the server's PDPT does not fit; a client over its quota (or a server out
         * of memory or slots) is refused before it gets that far. */
        if (self_index(s) >= 0 && below(s, 2)) {
            call(r, MS_OP_AS_ADOPT, 0, HG_E(MS_ERR_BUSY) | RES, "adopt own vspace twice");
            r->cap = HG_CAP_SELF_VSPACE;
            return 1;
        }
        if (!s->vspace_as) return 0;
        for (unsigned i = 0; i < HG_MAX_AS; i++) {
            if (s->as[i].live && s->as[i].handle == s->vspace_as) {
                call(r, MS_OP_AS_ADOPT, 0, HG_E(MS_ERR_BUSY) | RES, "adopt a pml4 the server manages");
                r->cap = HG_CAP_RECV_VSPACE;
                return 1;
            }
        }
        return 0;
    case W_AS_DESTROY:
        if ((a = as_pick(s, 0)) < 0) return 0;
        call(r, MS_OP_AS_DESTROY, 1, HG_E(MS_OK), "as destroy");
        r->mr[0] = s->as[a].handle;
        r->as_i = (unsigned)a;
        return 1;
    case W_FORK:
        if ((a = as_pick(s, 0)) < 0 || as_free_slot(s) < 0) return 0;
        call(r, MS_OP_AS_FORK, 1,
             HG_E(MS_OK) | RES | HG_E(MS_ERR_NO_ASID) | HG_E(MS_ERR_BUSY) | HG_E(MS_ERR_TOO_DEEP), "fork");
        r->mr[0] = s->as[a].handle;
        r->as_i = (unsigned)a;
        return 1;
    case W_FAULT_EP:
    case W_VSPACE:
        if ((a = as_pick(s, 0)) < 0) return 0;
        /* The server's own fault endpoint of a space costs a slot at the first request. */
        call(r, w == W_FAULT_EP ? MS_OP_AS_FAULT_EP : MS_OP_AS_VSPACE, 1,
             w == W_FAULT_EP ? HG_E(MS_OK) | HG_E(MS_ERR_QUOTA) | HG_E(MS_ERR_NO_SLOTS) : HG_E(MS_OK),
             w == W_FAULT_EP ? "fault ep" : "vspace");
        r->mr[0] = s->as[a].handle;
        r->recv = w == W_FAULT_EP ? HG_RECV_FAULT_EP : HG_RECV_VSPACE;
        r->as_i = (unsigned)a;
        return 1;
    case W_SET_NOTIFY:
        if ((a = as_pick(s, 0)) < 0) return 0;
        call(r, MS_OP_AS_SET_NOTIFY, 1, HG_E(MS_OK) | HG_E(MS_ERR_QUOTA) | HG_E(MS_ERR_NO_SLOTS), "set notify");
        r->mr[0] = s->as[a].handle;
        r->cap = HG_CAP_NTFN;
        return 1;
    case W_OBJ_CREATE:
        for (o = 0; o < (int)HG_MAX_OBJ && s->obj[o].live; o++) {}
        if (o == (int)HG_MAX_OBJ) return 0;
        call(r, MS_OP_OBJ_CREATE, 4, HG_E(MS_OK) | HG_E(MS_ERR_NO_MEMORY) | HG_E(MS_ERR_BUSY), "object create");
        r->mr[0] = MS_OBJ_ANON;
        r->mr[1] = (1 + below(s, 32)) * HG_PAGE;
        r->obj_i = (unsigned)o;
        return 1;
    case W_OBJ_CLOSE:
        if ((o = obj_pick(s)) < 0) return 0;
        call(r, MS_OP_OBJ_CLOSE, 1, HG_E(MS_OK), "object close");
        r->mr[0] = s->obj[o].handle;
        r->obj_i = (unsigned)o;
        return 1;
    case W_MAP:
    case W_MAP_FIXED:
        gen_map(s, r, w == W_MAP_FIXED);
        return 1;
    case W_UNMAP:
    case W_PROTECT:
    case W_PROTECT_HOLE:
    case W_QUERY:
        if ((a = as_pick(s, 0)) < 0 || (g = reg_pick(s, &s->as[a], w != W_PROTECT)) < 0) return 0;
        {
            const struct hg_region *x = &s->as[a].reg[g];
            r->as_i = (unsigned)a;
            r->reg_i = (unsigned)g;
            r->mr[0] = s->as[a].handle;
            r->mr[1] = x->va;
            r->mr[2] = x->size;
            if (w == W_UNMAP) call(r, MS_OP_UNMAP, 3, HG_E(MS_OK) | RES, "unmap");
            if (w == W_PROTECT) {
                call(r, MS_OP_PROTECT, 4, HG_E(MS_OK) | RES, "protect");
                r->mr[3] = rights_ok[below(s, 3)];
            }
            if (w == W_PROTECT_HOLE) {
                /* Over a guard page, or running off the region's end into a hole. */
                call(r, MS_OP_PROTECT, 4, HG_E(MS_ERR_NOT_MAPPED), "protect a guard page or hole");
                r->mr[3] = MS_RW;
                if (!x->guard) {
                    r->mr[2] = x->size + HG_PAGE;
                    if (overlaps(&s->as[a], x->va + x->size, x->va + x->size + HG_PAGE)) return 0;
                }
            }
            if (w == W_QUERY) {
                call(r, MS_OP_QUERY, 2, HG_E(MS_OK), "query");
                r->mr[1] = x->va + below(s, x->size);
            }
        }
        return 1;
    case W_QUERY_FAR:
    case W_UNMAP_FAR:
        if (as_pick(s, 0) < 0) return 0;
        do gen_harmless(s, r);
        while (r->n < 2);
        return 1;
    case W_CLONE:
        if ((a = as_pick(s, 0)) < 0 || (g = reg_pick(s, &s->as[a], 0)) < 0) return 0;
        {
            int d = as_pick(s, 1);
            if (d < 0) return 0;
            call(r, MS_OP_CLONE, 6, HG_E(MS_OK) | RES | HG_E(MS_ERR_NO_SPACE) | HG_E(MS_ERR_TOO_DEEP), "clone");
            r->mr[0] = s->as[a].handle;
            r->mr[1] = s->as[a].reg[g].va;
            r->mr[2] = s->as[a].reg[g].size;
            r->mr[3] = s->as[d].handle;
            r->as_i = (unsigned)a;
            r->reg_i = (unsigned)g;
            r->obj_i = (unsigned)d;
        }
        return 1;
    case W_FAULT_GET:
        if ((a = as_pick(s, 0)) < 0) return 0;
        call(r, MS_OP_FAULT_GET, 1, HG_E(MS_OK) | HG_E(MS_ERR_NO_FAULT), "fault get");
        r->mr[0] = s->as[a].handle;
        return 1;
    case W_TOUCH: {
        if ((a = self_index(s)) < 0 || (g = reg_pick(s, &s->as[a], 0)) < 0) return 0;
        const struct hg_region *x = &s->as[a].reg[g];
        if (!x->populated) return 0;
        r->action = HG_TOUCH;
        r->name = "touch";
        r->va = x->va + below(s, x->size / 8) * 8;
        r->write = x->rights == MS_RW && !x->cow && below(s, 2);
        return 1;
    }
    case W_FAKE_FAULT:
        if (!s->fault_ep_as) return 0;
        gen_fake_fault(s, r);
        return 1;
    case W_OBJ_WRITE:
    case W_FORGE_WRITE: return gen_obj_write(s, r, w == W_FORGE_WRITE);
    case W_PAGE_CAP:
    case W_FORGE_PAGE_CAP: return gen_page_cap(s, r, w == W_FORGE_PAGE_CAP);
    default:
        return 0;
    }
}

void hg_next(struct hg_state *s, struct hg_req *r)
{
    for (int tries = 0; tries < 64; tries++) {
        struct hg_req z = { 0 };
        *r = z;
        unsigned total = 0;
        for (unsigned w = 0; w < W_COUNT; w++) total += weight[w];
        unsigned pick = (unsigned)below(s, total), w = 0;
        while (pick >= weight[w]) pick -= weight[w++];
        r->what = w;
        switch (w) {
        case W_FORGE_LABEL:
        case W_FORGE_VERSION:
        case W_FORGE_LEN:
        case W_FORGE_CAP:
        case W_FORGE_NOCAP:
        case W_FORGE_CAPTYPE: gen_forged_envelope(s, r, w); return;
        case W_FORGE_HANDLE:
        case W_GUESS: gen_bad_handle(s, r, w); return;
        case W_FORGE_MAP: gen_forge_map(s, r); return;
        case W_FORGE_OBJ: gen_forge_obj(s, r); return;
        case W_ADMIN: gen_admin(s, r); return;
        case W_HUGE: gen_huge(s, r); return;
        default:
            if (gen_valid(s, r, w)) return;
            break;
        }
    }
    struct hg_req z = { 0 };
    *r = z;
    r->what = W_HELLO;
    call(r, MS_OP_HELLO, 0, HG_E(MS_OK), "hello");
}

/* ---- checking replies ---- */

static int handle_form_ok(uint64_t h) { return h && h <= 0xFFFFFFFFu && (h & 0xFFFFu); }

static const char *new_space(struct hg_state *s, const struct hg_req *r, const uint64_t *res)
{
    int i = as_free_slot(s);
    if (!handle_form_ok(res[0])) return "malformed handle returned";
    if (as_mine(s, (uint32_t)res[0])) return "handle returned twice";
    if (i < 0) return 0;
    struct hg_as *a = &s->as[i];
    struct hg_as z = { 0 };
    *a = z;
    a->handle = (uint32_t)res[0];
    a->live = 1;
    if (r->what == W_ADOPT_SELF) {
        a->self = 1;
        a->floor = HG_ADOPT_FLOOR;
    }
    if (r->what == W_FORK) {
        struct hg_as *src = &s->as[r->as_i];
        for (unsigned k = 0; k < src->nreg; k++) {
            if (!src->reg[k].obj && !src->reg[k].guard) src->reg[k].cow = 1;
            a->reg[k] = src->reg[k];
            a->reg[k].populated = 0;
        }
        a->nreg = src->nreg;
    }
    return 0;
}

static const char *mapped(struct hg_state *s, const struct hg_req *r, uint64_t va)
{
    struct hg_as *a = &s->as[r->as_i];
    uint64_t size = r->mr[2], g = (r->mr[6] & MS_MAP_GUARD) ? HG_PAGE : 0;
    if (va & (HG_PAGE - 1)) return "map returned an unaligned address";
    if ((r->mr[6] & MS_MAP_FIXED) && va != r->mr[1]) return "fixed map elsewhere";
    if (va < a->floor + g || va > HG_USER_TOP || size + g > HG_USER_TOP - va)
        return "map returned an address outside the user range";
    if (!r->mr[3] && size >= 2 * MiB && !(r->mr[6] & MS_MAP_FIXED) && (va & (2 * MiB - 1)))
        return "private map of 2 MiB or more not 2 MiB aligned";
    if (!(r->mr[6] & MS_MAP_FIXED) && va < HG_ADOPT_FLOOR + g) return "map without FIXED below 512 GiB";
    if (overlaps(a, va - g, va + size + g)) return "map over an existing mapping";
    struct hg_region x = { va, size, 0, (r->mr[6] & MS_MAP_POPULATE) != 0, (uint8_t)r->mr[5], 0, (uint32_t)r->mr[3] };
    reg_add(a, &x);
    if (g) {
        struct hg_region lo = { va - g, g, 1, 0, 0, 0, 0 }, hi = { va + size, g, 1, 0, 0, 0, 0 };
        reg_add(a, &lo);
        reg_add(a, &hi);
    }
    return 0;
}

static const char *cloned(struct hg_state *s, const struct hg_req *r, uint64_t va)
{
    struct hg_region *src = &s->as[r->as_i].reg[r->reg_i];
    struct hg_as *d = &s->as[r->obj_i];
    uint64_t size = r->mr[2];
    if (va & (2 * MiB - 1)) return "clone not 2 MiB aligned";
    if (va < d->floor || va > HG_USER_TOP || size > HG_USER_TOP - va) return "clone outside the user range";
    if (overlaps(d, va, va + size)) return "clone over an existing mapping";
    struct hg_region x = *src;
    x.va = va;
    x.populated = 0;
    x.cow = !x.obj;
    if (!src->obj) src->cow = 1;
    reg_add(d, &x);
    return 0;
}

static unsigned results_of(uint64_t label)
{
    switch (MS_LABEL_OP(label)) {
    case MS_OP_HELLO: return 2;
    case MS_OP_AS_CREATE:
    case MS_OP_AS_FORK:
    case MS_OP_AS_ADOPT:
    case MS_OP_OBJ_CREATE:
    case MS_OP_MAP:
    case MS_OP_CLONE: return 1;
    case MS_OP_QUERY: return 5;
    case MS_OP_FAULT_GET: return 6;
    case MS_OP_QUOTA_GET: return 4;
    case MS_OP_STATS: return 9;
    case MS_OP_VERIFY_FREE: return 2;
    default: return 0;
    }
}

/* The page cap held is of a private page in [va, va + size) of space h: it must go. */
static void pagecap_revoked(struct hg_state *s, uint32_t h, uint64_t va, uint64_t size)
{
    if (s->pagecap_as == h && s->pagecap_va >= va && s->pagecap_va - va < size) s->pagecap_gone = 1;
}

static const char *ok_reply(struct hg_state *s, const struct hg_req *r, const uint64_t *res, unsigned caps)
{
    unsigned want_caps = r->recv ? 1u : 0u;
    if (caps != want_caps) return want_caps ? "no cap in the reply" : "a cap in the reply";
    struct hg_as *a = &s->as[r->as_i];
    switch (r->what) {
    case W_HELLO: return res[0] == MS_PROTOCOL_VERSION ? 0 : "hello: wrong version";
    case W_QUOTA_GET:
        if (res[0] > res[1] || res[2] > res[3]) return "quota: used above the limit";
        if (s->quota_pages && (res[1] != s->quota_pages || res[3] != s->quota_slots)) return "quota: limits changed";
        return 0;
    case W_AS_CREATE:
    case W_ADOPT_SELF: return new_space(s, r, res);
    case W_FORK:
        pagecap_revoked(s, a->handle, 0, HG_USER_TOP);
        return new_space(s, r, res);
    case W_AS_DESTROY:
        pagecap_revoked(s, a->handle, 0, HG_USER_TOP);
        bury(s, a->handle);
        if (s->vspace_as == a->handle && !a->self) s->vspace_as = 0;
        a->live = 0;
        return 0;
    case W_FAULT_EP: s->fault_ep_as = a->handle; return 0;
    case W_VSPACE: s->vspace_as = a->self ? 0 : a->handle; return 0;
    case W_OBJ_CREATE:
        if (!handle_form_ok(res[0])) return "malformed object handle";
        if (obj_mine(s, (uint32_t)res[0])) return "object handle returned twice";
        s->obj[r->obj_i].handle = (uint32_t)res[0];
        s->obj[r->obj_i].pages = (uint32_t)(r->mr[1] / HG_PAGE);
        s->obj[r->obj_i].live = 1;
        return 0;
    case W_OBJ_CLOSE:
        bury(s, s->obj[r->obj_i].handle);
        s->obj[r->obj_i].live = 0;
        return 0;
    case W_MAP:
    case W_MAP_FIXED:
    case W_HUGE: return mapped(s, r, res[0]);
    case W_UNMAP:
        pagecap_revoked(s, a->handle, a->reg[r->reg_i].va, a->reg[r->reg_i].size);
        reg_remove(a, r->reg_i);
        return 0;
    case W_PAGE_CAP: {
        const struct hg_region *x = &a->reg[r->reg_i];
        /* Only private pages: a shared object's frame (and so the cap) outlives a mapping. */
        s->pagecap_as = x->obj ? 0 : a->handle;
        s->pagecap_va = r->mr[1];
        s->pagecap_gone = 0;
        return 0;
    }
    case W_PROTECT: a->reg[r->reg_i].rights = (uint8_t)r->mr[3]; return 0;
    case W_QUERY: {
        const struct hg_region *x = &a->reg[r->reg_i];
        uint64_t addr = r->mr[1], present = (res[4] >> 16) & 1, kind = (res[4] >> 8) & 0xFF;
        if (res[0] > addr || addr - res[0] >= res[1]) return "query: region does not hold the address";
        if ((kind == MS_KIND_GUARD) != (x->guard != 0)) return "query: guard page or not";
        if (x->populated && !x->guard && !present) return "query: populated page not present";
        return 0;
    }
    case W_CLONE:
        if (!a->reg[r->reg_i].obj) pagecap_revoked(s, a->handle, r->mr[1], r->mr[2]);
        return cloned(s, r, res[0]);
    case W_FAULT_GET: return res[0] >= MS_FAULT_UNMAPPED && res[0] <= MS_FAULT_OTHER ? 0 : "fault get: bad kind";
    default: return 0;
    }
}

const char *hg_reply(struct hg_state *s, const struct hg_req *r, uint64_t err, const uint64_t *res, unsigned nres,
                     unsigned caps)
{
    if (r->action != HG_CALL) return 0;
    if (err >= 64 || !(r->expect & HG_E(err))) return "unexpected error code";
    if (err != MS_OK) return nres || caps ? "an error reply with results" : 0;
    if (nres != results_of(r->label)) return "wrong number of results";
    return ok_reply(s, r, res, caps);
}

void hg_pagecap_seen(struct hg_state *s)
{
    s->pagecap_as = 0;
    s->pagecap_gone = 0;
}

void hg_cap_gone(struct hg_state *s, unsigned cap)
{
    if (cap == HG_CAP_RECV_VSPACE) s->vspace_as = 0;
    if (cap == HG_CAP_FAULT_EP) s->fault_ep_as = 0;
}
