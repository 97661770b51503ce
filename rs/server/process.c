/* Service processes: create, destroy, ping, fault injection (see process.h). */
#include "rs/server/process.h"
#include "rs/server/layout.h"
#include "rs/server/loader.h"
#include "rs/server/rs.h"
#include "rs/server/survive.h"
#include "memserver/client/memserver_client.h"
#include <runtime/runtime.h>
#include <runtime/startup.h>
#include <runtime/service.h>
#include <runtime/programs.h>
#include <runtime/cspace.h>
#include <runtime/string.h>
#include <runtime/stdio.h>

#define SELF RUNTIME_CAP_CNODE
#define SVC_CAPS_START PROGRAM_SLOT_FIRST_CAP
#define SVC_SLOT_MS PROGRAM_SLOT_FIRST_CAP /* caps[0]: its memory-server cap */

static seL4_Error retype(unsigned i, seL4_Word type, seL4_Word bits, unsigned k)
{
    return seL4_Untyped_Retype(RS_SVC_SLOT(i, RS_SVC_UNTYPED), type, bits, SELF, 0, 0, RS_SVC_SLOT(i, k), 1);
}

static seL4_Error mint(seL4_CPtr dest, seL4_CPtr src, seL4_Word badge)
{
    return seL4_CNode_Mint(SELF, dest, seL4_WordBits, SELF, src, seL4_WordBits, seL4_AllRights, badge);
}

static seL4_Error fail(const char *name, const char *what, seL4_Error err)
{
    if (err != seL4_NoError) {
        printf("rs: %s: %s failed (seL4 error %d)\n", name, what, (int)err);
    }
    return err;
}

static seL4_Error ms_fail(const char *name, const char *what, int err)
{
    if (err == MS_OK) {
        return seL4_NoError;
    }
    printf("rs: %s: %s failed (%s)\n", name, what, ms_err_name(err));
    return err == MS_ERR_QUOTA || err == MS_ERR_NO_MEMORY || err == MS_ERR_NO_SLOTS ? seL4_NotEnoughMemory
                                                                                   : seL4_IllegalOperation;
}

seL4_Error rs_process_setup(const struct rs_manifest *m, unsigned i)
{
    const struct rs_service *s = &m->service[i];
    seL4_Error err = seL4_Untyped_Retype(RS_SLOT_POOL, seL4_UntypedObject, s->untyped_bits, SELF, 0, 0,
                                         RS_SVC_SLOT(i, RS_SVC_UNTYPED), 1);
    if (err == seL4_NoError) {
        err = seL4_Untyped_Retype(RS_SLOT_POOL, seL4_EndpointObject, 0, SELF, 0, 0, RS_SVC_SLOT(i, RS_SVC_EP), 1);
    }
    if (err == seL4_NoError) err = mint(RS_SVC_SLOT(i, RS_SVC_MS), RS_SLOT_MS, RS_MS_BADGE(i));
    if (err == seL4_NoError) err = mint(RS_SVC_SLOT(i, RS_SVC_SUPERVISOR), RS_SLOT_EP, RS_BADGE_EXIT | i);
    if (err == seL4_NoError) err = mint(RS_SVC_SLOT(i, RS_SVC_ACK), RS_SLOT_NTFN, 1ull << i);
    if (err != seL4_NoError) {
        return fail(s->name, "set-up", err);
    }
    return ms_fail(s->name, "QUOTA_SET",
                   msc_quota_set(RS_SLOT_MS_ADMIN, RS_MS_BADGE(i), s->pages, (uint64_t)s->pages * 2u + 64u));
}

/* ---- the address space ---- */

static seL4_Error build_space(const struct rs_manifest *m, unsigned i, const elf_plan_t *plan,
                              const void *image, size_t size, const runtime_startup_t *su, uint32_t *as)
{
    const char *name = m->service[i].name;
    seL4_CPtr ms = RS_SVC_SLOT(i, RS_SVC_MS);
    int err = msc_as_create(ms, as);
    if (err != MS_OK) {
        *as = 0;
        return ms_fail(name, "AS_CREATE", err);
    }
    err = rs_loader_load(ms, *as, plan, image, size);
    if (err == MS_OK) err = rs_loader_page(ms, *as, PROGRAM_STARTUP_VADDR, su, sizeof(*su), MS_R);
    uint64_t va = 0;
    if (err == MS_OK) {
        err = msc_map(ms, *as, PROGRAM_IPC_BUFFER_VADDR, 4096, 0, 0, MS_RW, MS_MAP_FIXED | MS_MAP_POPULATE, &va);
    }
    if (err == MS_OK) err = msc_page_cap(ms, *as, PROGRAM_IPC_BUFFER_VADDR, SELF, RS_SVC_SLOT(i, RS_SVC_IPC));
    if (err == MS_OK) err = msc_as_vspace(ms, *as, SELF, RS_SVC_SLOT(i, RS_SVC_VSPACE));
    if (err == MS_OK) err = msc_as_fault_ep(ms, *as, SELF, RS_SVC_SLOT(i, RS_SVC_FAULT_EP));
    if (err == MS_OK) err = msc_as_set_notify(ms, *as, RS_SLOT_FAULT_NTFN);
    return ms_fail(name, "address space", err);
}

static void fill_startup(const struct rs_service *s, uint32_t generation, unsigned ncaps, runtime_startup_t *su)
{
    memset(su, 0, sizeof(*su));
    su->magic = RUNTIME_STARTUP_MAGIC;
    su->version = RUNTIME_STARTUP_VERSION;
    su->ipc_buffer = PROGRAM_IPC_BUFFER_VADDR;
    su->cnode_size_bits = RS_SERVICE_CNODE_BITS;
    su->fault_ep = PROGRAM_SLOT_FAULT_EP;
    su->caps_start = SVC_CAPS_START;
    su->caps_end = SVC_CAPS_START + ncaps;
    su->empty_start = su->caps_end;
    su->empty_end = (seL4_Word)1 << RS_SERVICE_CNODE_BITS;
    su->nargs = s->nargs;
    for (unsigned a = 0; a < s->nargs && a < RUNTIME_STARTUP_MAX_ARGS; a++) {
        su->args[a] = s->args[a];
    }
    for (size_t c = 0; c + 1 < RUNTIME_STARTUP_NAME_LEN && s->name[c] != '\0'; c++) {
        su->name[c] = s->name[c];
    }
    su->supervisor_ep = PROGRAM_SLOT_SUPERVISOR_EP;
    su->heartbeat_ack = PROGRAM_SLOT_HEARTBEAT_ACK;
    su->service_ep = PROGRAM_SLOT_SERVICE_EP;
    su->memserver_ep = SVC_SLOT_MS;
    su->generation = generation;
    su->restarted = generation > 1;
    /* Console output (runtime/stdio.c): the channel to the service named `console`. */
    for (unsigned c = 0; c < s->nchannels; c++) {
        if (strcmp(rs.m.service[s->channels[c]].name, RS_CONSOLE_SERVICE) == 0) {
            su->console_ep = SVC_SLOT_MS + 1 + c;
        }
    }
}

/* ---- the CSpace ---- */

static seL4_Error copy_in(unsigned i, seL4_Word dest, seL4_CPtr src, seL4_Word badge)
{
    seL4_CPtr cnode = RS_SVC_SLOT(i, RS_SVC_CNODE);
    if (badge == 0) {
        return seL4_CNode_Copy(cnode, dest, RS_SERVICE_CNODE_BITS, SELF, src, seL4_WordBits, seL4_AllRights);
    }
    return seL4_CNode_Mint(cnode, dest, RS_SERVICE_CNODE_BITS, SELF, src, seL4_WordBits, seL4_AllRights, badge);
}

/* The hardware cap the guardian gave for a grant, or null. */
static seL4_CPtr grant_cap(const struct rs_grant *g)
{
    if (g->kind == RS_GRANT_IRQ && g->first == 0) return RS_SLOT_IRQ0;
    if (g->kind == RS_GRANT_IRQ && g->first == 4) return RS_SLOT_IRQ4;
    if (g->kind == RS_GRANT_IOPORT && g->first == 0x3f8 && g->last == 0x3ff) return RS_SLOT_COM1;
    if (g->kind == RS_GRANT_IOPORT && g->first == 0x40 && g->last == 0x43) return RS_SLOT_PIT;
    if (g->kind == RS_GRANT_IOPORT && g->first == 0xf4 && g->last == 0xf4) return RS_SLOT_EXIT_PORT;
    if (g->kind == RS_GRANT_CONTROL) return RS_SLOT_CONTROL;
    return seL4_CapNull;
}

static seL4_Error fill_cspace(const struct rs_manifest *m, unsigned i)
{
    const struct rs_service *s = &m->service[i];
    seL4_CPtr cnode = RS_SVC_SLOT(i, RS_SVC_CNODE);
    seL4_Error err = copy_in(i, PROGRAM_SLOT_TCB, RS_SVC_SLOT(i, RS_SVC_TCB), 0);
    if (err == seL4_NoError) {
        err = seL4_CNode_Mint(cnode, PROGRAM_SLOT_CNODE, RS_SERVICE_CNODE_BITS, SELF, cnode, seL4_WordBits,
                              seL4_AllRights, cspace_one_level_guard(RS_SERVICE_CNODE_BITS));
    }
    if (err == seL4_NoError) err = copy_in(i, PROGRAM_SLOT_VSPACE, RS_SVC_SLOT(i, RS_SVC_VSPACE), 0);
    if (err == seL4_NoError) err = copy_in(i, PROGRAM_SLOT_SERVICE_EP, RS_SVC_SLOT(i, RS_SVC_EP), 0);
    if (err == seL4_NoError) err = copy_in(i, PROGRAM_SLOT_FAULT_EP, RS_SVC_SLOT(i, RS_SVC_FAULT_EP), 0);
    if (err == seL4_NoError) err = copy_in(i, PROGRAM_SLOT_SUPERVISOR_EP, RS_SVC_SLOT(i, RS_SVC_SUPERVISOR), 0);
    if (err == seL4_NoError) err = copy_in(i, PROGRAM_SLOT_HEARTBEAT_ACK, RS_SVC_SLOT(i, RS_SVC_ACK), 0);
    if (err == seL4_NoError) err = copy_in(i, SVC_SLOT_MS, RS_SVC_SLOT(i, RS_SVC_MS), 0);
    seL4_Word slot = SVC_SLOT_MS + 1;
    bool tick = false, irq = false;
    for (unsigned c = 0; err == seL4_NoError && c < s->nchannels; c++) {
        /* Badge: the client's service index + 1, so the server can tell clients apart. */
        err = copy_in(i, slot++, RS_SVC_SLOT(s->channels[c], RS_SVC_EP), (seL4_Word)i + 1);
    }
    for (unsigned g = 0; err == seL4_NoError && g < s->ngrants; g++) {
        seL4_CPtr cap = grant_cap(&s->grants[g]);
        err = cap == seL4_CapNull ? seL4_InvalidArgument : copy_in(i, slot++, cap, 0);
        /* The timer driver (irq:0) also gets the RS's TICK notification, after its grants. */
        if (err == seL4_NoError && cap == RS_SLOT_IRQ0) tick = true;
        if (err == seL4_NoError && s->grants[g].kind == RS_GRANT_IRQ) irq = true;
    }
    /* ... and its own bound notification badged RUNTIME_IRQ_BADGE, for the IRQ handler to
     * signal (drivers/timer/README.md): interrupts and pings then arrive on one object. */
    if (err == seL4_NoError && tick) err = copy_in(i, slot++, RS_SLOT_TICK_NTFN, 0);
    /* Any other driver holding an IRQ (the serial driver, irq:4) gets that cap too. */
    if (err == seL4_NoError && irq) err = copy_in(i, slot++, RS_SVC_SLOT(i, RS_SVC_HB), RUNTIME_IRQ_BADGE);
    if (err == seL4_NoError) err = rs_survive_fill_cspace(i, &slot);
    return fail(s->name, "CSpace", err);
}

unsigned rs_process_rs_caps(const struct rs_manifest *m, unsigned i, seL4_Word *slots, unsigned max)
{
    const struct rs_service *s = &m->service[i];
    unsigned n = 0;
    seL4_Word slot = SVC_SLOT_MS + 1 + s->nchannels; /* the first grant (fill_cspace) */
    bool tick = false, irq = false;
    for (unsigned g = 0; g < s->ngrants; g++, slot++) {
        if (grant_cap(&s->grants[g]) == RS_SLOT_CONTROL && n < max) slots[n++] = slot;
        tick = tick || grant_cap(&s->grants[g]) == RS_SLOT_IRQ0;
        irq = irq || s->grants[g].kind == RS_GRANT_IRQ;
    }
    slot += (tick ? 1u : 0u) + (irq ? 1u : 0u);
    if (rs_survive_extra_caps(i) != 0 && n < max) slots[n++] = slot; /* the query cap */
    return n;
}

static seL4_Error start_thread(const struct rs_service *s, unsigned i, seL4_Word entry)
{
    seL4_CPtr tcb = RS_SVC_SLOT(i, RS_SVC_TCB);
    seL4_Error err = seL4_TCB_Configure(tcb, PROGRAM_SLOT_FAULT_EP, RS_SVC_SLOT(i, RS_SVC_CNODE),
                                        cspace_one_level_guard(RS_SERVICE_CNODE_BITS),
                                        RS_SVC_SLOT(i, RS_SVC_VSPACE), 0, PROGRAM_IPC_BUFFER_VADDR,
                                        RS_SVC_SLOT(i, RS_SVC_IPC));
    if (err == seL4_NoError) err = seL4_TCB_SetSchedParams(tcb, RUNTIME_CAP_TCB, s->priority, s->priority);
    if (err == seL4_NoError) err = seL4_TCB_BindNotification(tcb, RS_SVC_SLOT(i, RS_SVC_HB));
    if (err == seL4_NoError) {
        seL4_DebugNameThread(tcb, s->name);
        seL4_UserContext regs;
        memset(&regs, 0, sizeof(regs));
        regs.rip = entry;
        regs.rdi = PROGRAM_STARTUP_VADDR;
        err = seL4_TCB_WriteRegisters(tcb, 1, 0, sizeof(regs) / sizeof(seL4_Word), &regs);
    }
    return fail(s->name, "thread", err);
}

seL4_Error rs_process_start(const struct rs_manifest *m, unsigned i, uint32_t generation, uint32_t *as)
{
    const struct rs_service *s = &m->service[i];
    const void *image = NULL;
    size_t size = 0;
    static elf_plan_t plan;
    static runtime_startup_t su;
    *as = 0;
    if (!program_lookup(s->image, &image, &size) || rs_loader_plan(image, size, &plan) != MS_OK) {
        printf("rs: %s: no valid image '%s'\n", s->name, s->image);
        return seL4_InvalidArgument;
    }
    unsigned ncaps = 1u + s->nchannels + s->ngrants;
    bool irq = false;
    for (unsigned g = 0; g < s->ngrants; g++) {
        /* + TICK for irq:0 ... */
        ncaps += (s->grants[g].kind == RS_GRANT_IRQ && s->grants[g].first == 0) ? 1u : 0u;
        irq = irq || s->grants[g].kind == RS_GRANT_IRQ;
    }
    ncaps += irq ? 1u : 0u; /* ... and the bound notification badged RUNTIME_IRQ_BADGE */
    ncaps += rs_survive_extra_caps(i);
    fill_startup(s, generation, ncaps, &su);
    seL4_Error err = build_space(m, i, &plan, image, size, &su, as);
    if (err == seL4_NoError) err = rs_survive_start(i, *as);
    if (err == seL4_NoError) {
        err = retype(i, seL4_CapTableObject, RS_SERVICE_CNODE_BITS, RS_SVC_CNODE);
        if (err == seL4_NoError) err = retype(i, seL4_TCBObject, 0, RS_SVC_TCB);
        if (err == seL4_NoError) err = retype(i, seL4_NotificationObject, 0, RS_SVC_HB);
        if (err == seL4_NoError) err = mint(RS_SVC_SLOT(i, RS_SVC_PING), RS_SVC_SLOT(i, RS_SVC_HB), RUNTIME_PING_BADGE);
        err = fail(s->name, "kernel objects from its untyped", err);
    }
    if (err == seL4_NoError) err = fill_cspace(m, i);
    if (err == seL4_NoError) err = start_thread(s, i, plan.entry);
    if (err != seL4_NoError) {
        (void)rs_process_kill(i, *as, false);
        *as = 0;
    }
    return err;
}

seL4_Error rs_process_kill(unsigned i, uint32_t as, bool destroy_client)
{
    /* The TCB may not exist (half-made process): suspending nothing is not an error
     * here, the revoke below is what destroys it. */
    seL4_Error err = seL4_NoError;
    seL4_Word type = seL4_DebugCapIdentify(RS_SVC_SLOT(i, RS_SVC_TCB));
    if (type != 0) {
        err = seL4_TCB_Suspend(RS_SVC_SLOT(i, RS_SVC_TCB));
    }
    /* Its IRQs go to the parking notification before its own is destroyed: an interrupt
     * until the next incarnation takes it is then not reported as undelivered. */
    const struct rs_service *s = &rs.m.service[i];
    for (unsigned g = 0; err == seL4_NoError && g < s->ngrants; g++) {
        seL4_CPtr cap = grant_cap(&s->grants[g]);
        if (s->grants[g].kind == RS_GRANT_IRQ && cap != seL4_CapNull) {
            err = seL4_IRQHandler_SetNotification(cap, RS_SLOT_IRQ_PARK);
        }
    }
    if (err == seL4_NoError) err = seL4_CNode_Revoke(SELF, RS_SVC_SLOT(i, RS_SVC_UNTYPED), seL4_WordBits);
    if (err == seL4_NoError) err = seL4_CNode_Delete(SELF, RS_SVC_SLOT(i, RS_SVC_VSPACE), seL4_WordBits);
    if (err == seL4_NoError) err = seL4_CNode_Delete(SELF, RS_SVC_SLOT(i, RS_SVC_FAULT_EP), seL4_WordBits);
    if (err == seL4_NoError) err = seL4_CNode_Delete(SELF, RS_SVC_SLOT(i, RS_SVC_IPC), seL4_WordBits);
    if (err != seL4_NoError) {
        printf("rs: service %u: destroying its kernel objects failed (seL4 error %d)\n", i, (int)err);
        return err;
    }
    int merr = MS_OK;
    if (as != 0) {
        merr = msc_as_destroy(RS_SVC_SLOT(i, RS_SVC_MS), as);
    }
    if (merr == MS_OK && destroy_client) {
        /* The server forgets the client, quota included: set it again for the next start. */
        merr = msc_client_destroy(RS_SLOT_MS_ADMIN, RS_MS_BADGE(i));
        if (merr == MS_OK) {
            uint64_t pages = rs.m.service[i].pages;
            merr = msc_quota_set(RS_SLOT_MS_ADMIN, RS_MS_BADGE(i), pages, pages * 2u + 64u);
        }
    }
    if (merr != MS_OK) {
        printf("rs: service %u: memory server: %s\n", i, ms_err_name(merr));
        return seL4_IllegalOperation;
    }
    (void)rs_survive_killed(i, destroy_client);
    return seL4_NoError;
}

seL4_Error rs_process_ping(unsigned i)
{
    seL4_Signal(RS_SVC_SLOT(i, RS_SVC_PING));
    return seL4_NoError;
}

seL4_Error rs_process_crash(unsigned i)
{
    seL4_CPtr tcb = RS_SVC_SLOT(i, RS_SVC_TCB);
    seL4_UserContext regs;
    seL4_Error err = seL4_TCB_ReadRegisters(tcb, 1, 0, sizeof(regs) / sizeof(seL4_Word), &regs);
    if (err == seL4_NoError) {
        regs.rip = 0;
        err = seL4_TCB_WriteRegisters(tcb, 1, 0, sizeof(regs) / sizeof(seL4_Word), &regs);
    }
    return err;
}

seL4_Error rs_process_hang(unsigned i)
{
    return seL4_TCB_Suspend(RS_SVC_SLOT(i, RS_SVC_TCB));
}

bool rs_process_untyped_empty(unsigned i, unsigned bits)
{
    seL4_Error err = seL4_Untyped_Retype(RS_SVC_SLOT(i, RS_SVC_UNTYPED), seL4_UntypedObject, bits, SELF, 0, 0,
                                         RS_SLOT_SCRATCH, 1);
    seL4_Error derr = seL4_CNode_Delete(SELF, RS_SLOT_SCRATCH, seL4_WordBits);
    return err == seL4_NoError && derr == seL4_NoError;
}
