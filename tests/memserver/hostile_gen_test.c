/*
 * Host test of the hostile clients' generator and reply checker (hostile_gen.c), under
 * ASan/UBSan.  A fake server answers every request with a reply the protocol allows
 * (a random code of the request's set, results consistent with the model); the checker
 * must accept all of them, must reject a reply outside the set, and the model must
 * stay consistent (regions of a space never overlap).  Forged requests whose defect is
 * purely syntactic must get exactly their expected code from the protocol decoder.
 */
#include <stdio.h>
#include <string.h>
#include "tests/memserver/hostile_gen.h"
#include "memserver/protocol/errors.h"
#include "memserver/protocol/messages.h"

#define SEEDS 40u
#define STEPS 20000u

static int failures;
static uint64_t bump, handles, decode_checked;

static void fail(unsigned seed, unsigned step, const struct hg_req *r, const char *why)
{
    if (failures++ < 20)
        printf("FAIL seed %u step %u (%s, label %#llx): %s\n", seed, step, r && r->name ? r->name : "-",
               r ? (unsigned long long)r->label : 0ull, why);
}

static uint64_t pick_code(uint64_t expect, uint64_t x)
{
    unsigned n = 0, codes[64];
    for (unsigned e = 0; e < 64; e++)
        if (expect & HG_E(e)) codes[n++] = e;
    return codes[x % n];
}

/* A 2 MiB-aligned address with 64 GiB free around it in space a (the model's view). */
static uint64_t free_va(const struct hg_as *a)
{
    for (unsigned k = 0; k < 128; k++) {
        uint64_t va = 0x0000400000000000ull + ((bump + k) % 128) * (1ull << 37);
        int used = 0;
        for (unsigned i = 0; i < a->nreg; i++)
            used |= a->reg[i].va < va + (1ull << 36) && va - (1ull << 36) < a->reg[i].va + a->reg[i].size;
        if (!used) {
            bump += k + 1;
            return va;
        }
    }
    return 0;
}

/* Results of a successful reply, consistent with the request and the model. */
static unsigned fake_results(const struct hg_state *s, const struct hg_req *r, uint64_t *res)
{
    memset(res, 0, HG_MAX_MRS * sizeof(*res));
    switch (MS_LABEL_OP(r->label)) {
    case MS_OP_HELLO: res[0] = MS_PROTOCOL_VERSION; return 2;
    case MS_OP_AS_CREATE:
    case MS_OP_AS_ADOPT:
    case MS_OP_AS_FORK:
    case MS_OP_OBJ_CREATE:
        handles++;
        res[0] = (handles % 0x7FFF + 1) << 16 | (handles % 200 + 1);
        return 1;
    case MS_OP_MAP:
        res[0] = (r->mr[6] & MS_MAP_FIXED) ? r->mr[1] : free_va(&s->as[r->as_i]);
        return 1;
    case MS_OP_CLONE: res[0] = free_va(&s->as[r->obj_i]); return 1;
    case MS_OP_QUERY: {
        const struct hg_region *x = &s->as[r->as_i].reg[r->reg_i];
        res[0] = x->va;
        res[1] = x->size;
        res[4] = (uint64_t)(x->guard ? MS_KIND_GUARD : MS_KIND_PRIVATE) << 8 | 1ull << 16;
        return 5;
    }
    case MS_OP_FAULT_GET: res[0] = MS_FAULT_UNMAPPED; return 6;
    case MS_OP_QUOTA_GET:
        res[1] = s->quota_pages ? s->quota_pages : 100;
        res[3] = s->quota_slots ? s->quota_slots : 100;
        return 4;
    default: return 0;
    }
}

static int model_consistent(const struct hg_state *s)
{
    for (unsigned i = 0; i < HG_MAX_AS; i++) {
        const struct hg_as *a = &s->as[i];
        if (!a->live) continue;
        if (a->nreg > HG_MAX_REG) return 0;
        for (unsigned p = 0; p < a->nreg; p++)
            for (unsigned q = p + 1; q < a->nreg; q++)
                if (a->reg[p].va < a->reg[q].va + a->reg[q].size && a->reg[q].va < a->reg[p].va + a->reg[p].size)
                    return 0;
    }
    return 1;
}

/* Codes the decoder alone decides (no server state involved). */
static int syntactic(uint64_t expect)
{
    static const unsigned codes[] = { MS_ERR_BAD_REQUEST, MS_ERR_VERSION,    MS_ERR_UNALIGNED,
                                      MS_ERR_NON_CANONICAL, MS_ERR_KERNEL_HALF, MS_ERR_ZERO_LENGTH,
                                      MS_ERR_BAD_RIGHTS,  MS_ERR_WX,         MS_ERR_BAD_FLAGS,
                                      MS_ERR_BAD_HANDLE };
    for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (expect == HG_E(codes[i])) return 1;
    return 0;
}

static void check_decoder(unsigned seed, unsigned step, const struct hg_req *r)
{
    if (r->action != HG_CALL || !syntactic(r->expect)) return;
    /* PAGE_CAP's rights and mapping errors depend on the region: only alignment is syntax. */
    if (MS_LABEL_OP(r->label) == MS_OP_PAGE_CAP && r->expect != HG_E(MS_ERR_UNALIGNED)) return;
    uint64_t mr[MS_MAX_MRS + 4] = { 0 };
    for (unsigned i = 0; i < r->n && i < MS_MAX_MRS + 4; i++) mr[i] = r->mr[i];
    struct ms_request out;
    int err = ms_decode_request(r->label, mr, r->n, r->cap ? 1 : 0, &out);
    decode_checked++;
    if (!(r->expect & HG_E(err))) fail(seed, step, r, "the decoder gives another code for this single defect");
}

static void run_seed(unsigned seed)
{
    struct hg_state s;
    hg_init(&s, seed, 0x700 + seed);
    if (seed & 1) s.quota_pages = 3000, s.quota_slots = 900;
    uint64_t x = seed * 7919u + 1;
    for (unsigned step = 0; step < STEPS; step++) {
        struct hg_req r;
        hg_next(&s, &r);
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        if (r.n > HG_MAX_MRS || r.label >> 52) fail(seed, step, &r, "request does not fit a message");
        if (r.action != HG_CALL) continue;
        if (!r.expect) {
            fail(seed, step, &r, "no reply allowed at all");
            continue;
        }
        check_decoder(seed, step, &r);
        /* A reply outside the set must be caught. */
        if (!(r.expect & HG_E(MS_ERR_KERNEL)) && !hg_reply(&s, &r, MS_ERR_KERNEL, 0, 0, 0))
            fail(seed, step, &r, "MS_ERR_KERNEL accepted");
        uint64_t code = pick_code(r.expect, x >> 33), res[HG_MAX_MRS];
        unsigned nres = code == MS_OK ? fake_results(&s, &r, res) : 0;
        const char *why = hg_reply(&s, &r, code, res, nres, code == MS_OK && r.recv ? 1 : 0);
        if (why) fail(seed, step, &r, why);
        if (!model_consistent(&s)) fail(seed, step, &r, "model regions overlap");
    }
}

int main(void)
{
    for (unsigned seed = 1; seed <= SEEDS; seed++) run_seed(seed);
    printf("hostile_gen_test: %u seeds x %u steps, %llu forged requests checked against the decoder\n", SEEDS,
           STEPS, (unsigned long long)decode_checked);
    if (decode_checked < 1000) fail(0, 0, 0, "too few decoder checks");
    printf("hostile_gen_test: %d failures\n", failures);
    return failures ? 1 : 0;
}
