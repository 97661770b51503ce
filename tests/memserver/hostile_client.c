/*
 * ms-hostile: a client of the memory server that behaves as a hostile program would
 * (test-ms-hostile).  Modes (hostile.h): a seeded random mix of valid and forged
 * requests, each reply checked against PROTOCOL.md (hostile_gen.c); or one access that
 * faults to the server after the supervisor has set the stage.
 */
#include <runtime/startup.h>
#include <runtime/cspace.h>
#include "tests/memserver/common.h"
#include "tests/memserver/hostile.h"
#include "tests/memserver/hostile_gen.h"

#define MAX_REPORTS 4

static const runtime_startup_t *st;
static seL4_CPtr cli, slot_fault_ep, slot_vspace, slot_scratch, slot_own_fault, slot_page_cap;
static uint64_t badge;

/* Does `slot` hold a cap?  (Copying from an empty slot fails; works on any kernel.) */
static int slot_live(seL4_CPtr slot)
{
    int err = seL4_CNode_Copy(PROGRAM_SLOT_CNODE, slot_scratch, seL4_WordBits, PROGRAM_SLOT_CNODE, slot,
                              seL4_WordBits, seL4_AllRights);
    if (!err) (void)seL4_CNode_Delete(PROGRAM_SLOT_CNODE, slot_scratch, seL4_WordBits);
    return err == seL4_NoError;
}

static seL4_CPtr cap_slot(unsigned cap)
{
    switch (cap) {
    case HG_CAP_NTFN: return st->caps_start + HC_NTFN;
    case HG_CAP_SELF_VSPACE: return PROGRAM_SLOT_VSPACE;
    case HG_CAP_RECV_VSPACE: return slot_vspace;
    case HG_CAP_TCB: return PROGRAM_SLOT_TCB;
    case HG_CAP_CLIENT_EP: return cli;
    case HG_CAP_FAULT_EP: return slot_fault_ep;
    default: return seL4_CapNull;
    }
}

static void report(uint64_t i, const struct hg_req *r, const char *why, uint64_t err)
{
    printf("  client %#lx request %lu (%s, label %#lx, %u registers): %s: got %s\n", (unsigned long)badge,
           (unsigned long)i, r->name, (unsigned long)r->label, r->n, why, ms_err_name((int)err));
}

/* Sends one request; returns NULL or why its reply is wrong. */
static const char *do_call(struct hg_state *s, const struct hg_req *r, uint64_t *err)
{
    if (r->recv) {
        seL4_CPtr to = r->recv == HG_RECV_FAULT_EP ? slot_fault_ep
                       : r->recv == HG_RECV_VSPACE ? slot_vspace
                                                   : slot_page_cap;
        (void)seL4_CNode_Delete(PROGRAM_SLOT_CNODE, to, seL4_WordBits);
        seL4_SetCapReceivePath(PROGRAM_SLOT_CNODE, to, seL4_WordBits);
    }
    for (unsigned i = 0; i < r->n; i++) seL4_SetMR((int)i, r->mr[i]);
    if (r->cap) seL4_SetCap(0, cap_slot(r->cap));
    seL4_MessageInfo_t info = seL4_Call(cli, seL4_MessageInfo_new(r->label, 0, r->cap ? 1 : 0, r->n));
    uint64_t res[HG_MAX_MRS] = { 0 };
    unsigned nres = (unsigned)seL4_MessageInfo_get_length(info);
    for (unsigned i = 0; i < nres && i < HG_MAX_MRS; i++) res[i] = seL4_GetMR((int)i);
    *err = seL4_MessageInfo_get_label(info);
    const char *why = hg_reply(s, r, *err, res, nres, (unsigned)seL4_MessageInfo_get_extraCaps(info));
    if (why) /* the reply's registers, for the report */
        printf("  (reply: %u registers: %#lx %#lx %#lx %#lx %#lx)\n", nres, (unsigned long)res[0],
               (unsigned long)res[1], (unsigned long)res[2], (unsigned long)res[3], (unsigned long)res[4]);
    return why;
}

static int mix(void)
{
    struct hg_state s;
    hg_init(&s, st->args[HA_SEED], badge);
    s.quota_pages = st->args[HA_QUOTA_PAGES];
    s.quota_slots = st->args[HA_QUOTA_SLOTS];
    uint64_t calls = 0, touches = 0, bad = 0, n = st->args[HA_REQUESTS];
    for (uint64_t i = 0; calls < n && i < 8 * n; i++) {
        struct hg_req r;
        hg_next(&s, &r);
        /* A cap the server may have revoked: look before using it (a send with an empty
         * cap slot would fault us, not test the server). */
        unsigned need = r.action == HG_FAKE_FAULT ? HG_CAP_FAULT_EP : r.cap;
        if ((need == HG_CAP_FAULT_EP || need == HG_CAP_RECV_VSPACE) && !slot_live(cap_slot(need))) {
            hg_cap_gone(&s, need);
            continue;
        }
        if (r.action == HG_TOUCH) {
            volatile uint64_t *p = (volatile uint64_t *)r.va;
            uint64_t v = r.va ^ (badge << 32) ^ i;
            if (r.write) *p = v;
            uint64_t got = *p;
            if (r.write && got != v) {
                if (bad++ < MAX_REPORTS) report(i, &r, "memory does not keep what was written", 0);
            }
            touches++;
            continue;
        }
        calls++;
        if (r.action == HG_FAKE_FAULT) {
            for (unsigned k = 0; k < r.n; k++) seL4_SetMR((int)k, r.mr[k]);
            if (r.cap) seL4_SetCap(0, cap_slot(r.cap));
            seL4_Send(slot_fault_ep, seL4_MessageInfo_new(r.label, 0, r.cap ? 1 : 0, r.n));
            continue;
        }
        uint64_t err = 0;
        const char *why = do_call(&s, &r, &err);
        if (why && bad++ < MAX_REPORTS) report(i, &r, why, err);
        if (s.pagecap_gone) {
            /* The page PAGE_CAP named was unmapped or made copy-on-write: the copy we
             * hold must have been revoked (else it keeps the old frame alive). */
            if (slot_live(slot_page_cap) && bad++ < MAX_REPORTS) report(i, &r, "a PAGE_CAP copy outlived its page", 0);
            (void)seL4_CNode_Delete(PROGRAM_SLOT_CNODE, slot_page_cap, seL4_WordBits);
            hg_pagecap_seen(&s);
        }
    }
    seL4_SetMR(0, calls);
    seL4_SetMR(1, touches);
    seL4_SetMR(2, bad);
    seL4_Send(PROGRAM_SLOT_FAULT_EP, seL4_MessageInfo_new(HMSG_RESULT, 0, 0, 3));
    return bad ? 1 : 0;
}

/* Adopts the own VSpace, sends its faults to the server, maps the test page(s). */
static uint32_t stage(uint64_t *va)
{
    uint32_t as = 0;
    uint64_t got;
    if (msc_as_adopt(cli, PROGRAM_SLOT_VSPACE, &as)) return 0;
    if (msc_as_fault_ep(cli, as, PROGRAM_SLOT_CNODE, slot_own_fault)) return 0;
    if (seL4_TCB_SetSpace(PROGRAM_SLOT_TCB, slot_own_fault, PROGRAM_SLOT_CNODE,
                          cspace_one_level_guard(st->cnode_size_bits), PROGRAM_SLOT_VSPACE, 0))
        return 0;
    if (msc_as_set_notify(cli, as, st->caps_start + HC_NTFN)) return 0;
    *va = HOSTILE_VA + 2 * MiB;
    if (st->args[HA_MODE] == HM_EXEC)
        return msc_map(cli, as, *va, PAGE, 0, 0, MS_R, MS_MAP_FIXED, &got) ? 0 : as;
    /* HM_TOUCH: use some memory first, then leave one page for the touch. */
    if (msc_map(cli, as, HOSTILE_VA, 16 * PAGE, 0, 0, MS_RW, MS_MAP_FIXED | MS_MAP_POPULATE, &got)) return 0;
    return msc_map(cli, as, *va, PAGE, 0, 0, MS_RW, MS_MAP_FIXED, &got) ? 0 : as;
}

static int access_test(void)
{
    uint64_t va = 0;
    uint32_t as = stage(&va);
    seL4_SetMR(0, as);
    seL4_SetMR(1, va);
    seL4_Send(PROGRAM_SLOT_FAULT_EP, seL4_MessageInfo_new(HMSG_READY, 0, 0, 2));
    if (!as) return 1;
    seL4_Word bits;
    seL4_Wait(st->caps_start + HC_GO, &bits);
    if (st->args[HA_MODE] == HM_EXEC) {
        /* Jump to the page (eax = 0: if the server fills it with zeros anyway, the zero
         * bytes "add %al,(%rax)" fault at address 0 and that is reported instead). */
        __asm__ volatile("xor %%eax, %%eax\n\tjmp *%0" : : "r"(va) : "rax", "memory");
    } else {
        *(volatile uint64_t *)va = 1;
    }
    /* The access went through: wake the supervisor, who waits for a fault report. */
    seL4_Signal(st->caps_start + HC_NTFN);
    seL4_Send(PROGRAM_SLOT_FAULT_EP, seL4_MessageInfo_new(HMSG_TOUCHED, 0, 0, 0));
    return 1;
}

int main(void)
{
    st = runtime_startup();
    if (!st || st->caps_end - st->caps_start < HC_NCAPS || st->nargs < HA_NARGS ||
        st->empty_end - st->empty_start < 5)
        return 99;
    cli = st->caps_start + HC_CLI;
    badge = st->args[HA_BADGE];
    slot_fault_ep = st->empty_start;
    slot_vspace = st->empty_start + 1;
    slot_scratch = st->empty_start + 2;
    slot_own_fault = st->empty_start + 3;
    slot_page_cap = st->empty_start + 4;
    switch (st->args[HA_MODE]) {
    case HM_MIX: return mix();
    case HM_EXEC:
    case HM_TOUCH: return access_test();
    default: return 98;
    }
}
