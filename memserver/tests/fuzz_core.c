/*
 * libFuzzer harness for the bookkeeping core: the input is a sequence of requests of
 * three clients, memory accesses, fault messages with genuine, stale and forged
 * badges, and injected metadata-allocation failures, on small address spaces.
 * Traps if the fake kernel sees a rule broken, if a refused request changed anything,
 * if a fault through a badge that names no live space of its owner changed anything,
 * if any request or fault changed another client's use, or if destroying everything
 * does not give back all memory and slots.
 */
#define H_SLOTS (1u << 13) /* small: each input builds a new fake kernel */
#include "harness.h"

#define BASE 0x0000200000000000ull
#define NPAGES 1024u
#define NCLIENT 3u
#define NAS 2u
#define NSTALE 4u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct harness h;

struct world {
    struct ms_client *c[NCLIENT];
    uint32_t as[NCLIENT][NAS], obj[NCLIENT];
    uint64_t stale[NSTALE]; /* fault badges of destroyed spaces */
    unsigned nstale;
};

struct snap { struct h_snap h; struct ms_quota q[NCLIENT]; };

static struct snap take(const struct world *w)
{
    struct snap s;
    memset(&s, 0, sizeof(s));
    s.h = h_snap(&h, 0);
    for (unsigned i = 0; i < NCLIENT; i++) s.q[i] = w->c[i]->quota;
    return s;
}

static int same_quota(const struct snap *a, const struct snap *b, unsigned except)
{
    for (unsigned i = 0; i < NCLIENT; i++)
        if (i != except && memcmp(&a->q[i], &b->q[i], sizeof(a->q[i]))) return 0;
    return 1;
}

/* A fault badge: the genuine one of (ci, ai), another client's space named with ci's
 * index, a stale one, or random bits. */
static uint64_t pick_badge(const struct world *w, unsigned ci, unsigned ai, uint8_t how, uint8_t r, int *genuine)
{
    uint64_t b = h_badge(&h, w->as[ci][ai]);
    *genuine = 0;
    switch (how % 4) {
    case 0:
        *genuine = b != 0;
        return b;
    case 1: { /* a space of client ci+1, claimed for client ci */
        uint64_t o = h_badge(&h, w->as[(ci + 1) % NCLIENT][ai]);
        return (o & ~(0x3Full << MS_FAULT_CLIENT_SHIFT)) | ((uint64_t)(w->c[ci] - h.s.clients) << MS_FAULT_CLIENT_SHIFT);
    }
    case 2: return w->nstale ? w->stale[r % w->nstale] : 0;
    default: return MS_FAULT_BADGE | ((uint64_t)r << 32) | ((uint64_t)r << 16) | (r & 0x7u);
    }
}

/* One fault message; traps if a non-genuine badge changed anything. */
static void fault(struct world *w, unsigned ci, const uint8_t *b, uint64_t va)
{
    int genuine;
    uint64_t badge = pick_badge(w, ci, (b[0] >> 2) % NAS, b[6], b[7], &genuine);
    struct snap before = take(w);
    uint64_t faults = h.s.stats.faults_reported + h.s.stats.faults_fixed;
    if (b[1] & 0x80) (void)ms_other_fault(&h.s, badge, 3, va);
    else (void)ms_vm_fault(&h.s, badge, va, b[5] & 1 ? va : 0x401000, b[4] & 0x17);
    struct snap after = take(w);
    if (!genuine && (!same_quota(&before, &after, NCLIENT) || h.s.stats.faults_reported + h.s.stats.faults_fixed != faults))
        __builtin_trap();
    if (genuine && !same_quota(&before, &after, ci)) __builtin_trap();
}

static int request(struct world *w, unsigned ci, const uint8_t *b)
{
    struct ms_client *c = w->c[ci];
    uint32_t *as = &w->as[ci][(b[0] >> 2) % NAS], obj = w->obj[ci];
    uint32_t page = (uint32_t)(b[2] | b[3] << 8) % NPAGES, len = 1 + (uint32_t)(b[4] | (b[5] & 3) << 8) % 600;
    uint32_t rights = (uint32_t[]){ MS_R, MS_RW, MS_RX, 7 }[b[6] & 3], flags = (b[6] >> 2) & 15;
    uint64_t va = BASE + (uint64_t)page * 4096, out, v = b[7];
    switch (b[1] % 14) {
    case 0: {
        struct ms_req_map m = { *as, 0, rights, flags | MS_MAP_FIXED, va, (uint64_t)len * 4096, 0 };
        return ms_map(&h.s, c, &m, &out);
    }
    case 1: {
        struct ms_req_map m = { *as, obj, rights, flags | MS_MAP_FIXED, va, (uint64_t)(len % 32 + 1) * 4096, 0 };
        return ms_map(&h.s, c, &m, &out);
    }
    case 2: return ms_unmap(&h.s, c, *as, va, (uint64_t)len * 4096);
    case 3: return ms_protect(&h.s, c, *as, va, (uint64_t)len * 4096, rights);
    case 4: {
        uint32_t *other = &w->as[ci][((b[0] >> 2) + 1) % NAS];
        struct ms_req_clone cl = { *as, *other ? *other : *as, MS_CLONE_FIXED, va, (uint64_t)len * 4096,
                                   BASE + (uint64_t)((page * 7) % NPAGES) * 4096 };
        return ms_clone(&h.s, c, &cl, &out);
    }
    case 5: {
        uint32_t *other = &w->as[ci][((b[0] >> 2) + 1) % NAS];
        return *other ? 0 : ms_as_fork(&h.s, c, *as, 0, other);
    }
    case 6:
        h.heap_fail_in = 0;
        (void)h_access(&h, *as, va, b[7] & 1, &v);
        return 0;
    case 7:
        if (!(b[7] & 1)) return 0;
        h.heap_fail_in = 0;
        if (w->nstale < NSTALE) w->stale[w->nstale++] = h_badge(&h, *as);
        else w->stale[b[7] % NSTALE] = h_badge(&h, *as);
        (void)ms_as_destroy(&h.s, c, *as);
        *as = 0;
        return 0;
    case 8: ms_client_set_quota(&h.s, ci + 1, (uint64_t)len * 4, 4000); return 0;
    case 9: {
        uint64_t words[2] = { va, ~va };
        struct ms_req_obj_write wr = { obj, 1 + (b[7] & 15), (uint64_t)(b[4] | b[5] << 8) * 3, words };
        return ms_obj_write(&h.s, c, &wr);
    }
    case 10: return ms_page_cap(&h.s, c, *as, va, 10);
    case 11:
    case 12:
        h.heap_fail_in = 0;
        fault(w, ci, b, va);
        return 0;
    default: {
        struct ms_query_result q;
        return ms_query(&h.s, c, *as, va, &q);
    }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct world w;
    memset(&w, 0, sizeof(w));
    h_failures = 0;
    h_init(&h, 23, 16);
    for (unsigned i = 0; i < NCLIENT; i++) {
        w.c[i] = ms_client_get(&h.s, i + 1, 1);
        ms_client_set_quota(&h.s, i + 1, 1500, 4000);
        struct ms_req_obj_create oc = { MS_OBJ_ANON, 0, 32 * 4096, 0 };
        if (ms_as_create(&h.s, w.c[i], 0, &w.as[i][0]) || ms_obj_create(&h.s, w.c[i], &oc, &w.obj[i])) __builtin_trap();
    }
    for (size_t at = 0; at + 8 <= size; at += 8) {
        const uint8_t *b = data + at;
        unsigned ci = b[0] % NCLIENT;
        uint32_t *as = &w.as[ci][(b[0] >> 2) % NAS];
        if (!*as && ms_as_create(&h.s, w.c[ci], 0, as)) continue;
        struct snap before = take(&w);
        h.heap_fail_in = (b[7] & 0xF0) == 0xF0 ? 1 + (b[7] & 7) : 0;
        int err = request(&w, ci, b);
        h.heap_fail_in = 0;
        struct snap after = take(&w);
        if (err && !(h_snap_eq(before.h, after.h) && same_quota(&before, &after, NCLIENT))) __builtin_trap();
        if (!same_quota(&before, &after, ci)) __builtin_trap(); /* nobody else pays */
        if (h.fk.violations) __builtin_trap();
    }
    for (unsigned i = 0; i < NCLIENT; i++) ms_client_destroy(&h.s, i + 1);
    (void)fk_ops(&h.fk).delete_cap(h.fk.cap ? &h.fk : 0, 10); /* the reply slot of PAGE_CAP */
    h_check_all_free(&h);
    ms_fini(&h.s);
    fk_fini(&h.fk);
    if (h_failures) __builtin_trap();
    return 0;
}
