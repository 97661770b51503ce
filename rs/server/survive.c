/* Arenas kept across incarnations and the release of blocked callers (survive.h). */
#include "rs/server/survive.h"
#include "rs/server/layout.h"
#include "rs/server/rs.h"
#include "rs/protocol/service_arena.h"
#include "svcclient/core/released.h"
#include "memserver/client/memserver_client.h"
#include "rs/server/loader.h"
#include "rs/server/process.h"
#include <runtime/programs.h>
#include <runtime/runtime.h>
#include <runtime/startup.h>
#include <runtime/stdio.h>
#include <runtime/string.h>

/* Memory-server object of each service's arena (0: none yet).  Not in the recovery
 * record: a new RS incarnation finds them in the live address spaces (take-over). */
static uint32_t arena_obj[RS_MAX_SERVICES];
static uint64_t released;

/* Services with an arena: the ones whose state must survive their crashes (kv keeps its
 * table in the store). */
static bool has_arena(unsigned i)
{
    const char *img = rs.m.service[i].image;
    return strcmp(img, "store") == 0 || strcmp(img, "names") == 0;
}

void rs_survive_take_over(void)
{
    for (unsigned i = 0; i < rs.m.nservices && i < RS_MAX_SERVICES; i++) {
        if (!has_arena(i) || rs.as[i] == 0) continue;
        struct ms_query_result q;
        memset(&q, 0, sizeof(q));
        int err = msc_query(RS_SVC_SLOT(i, RS_SVC_MS), rs.as[i], RS_ARENA_VADDR, &q);
        if (err == MS_OK && q.obj != 0) {
            arena_obj[i] = q.obj;
        } else {
            printf("rs: %s: its arena was not found (%s): the next incarnation gets a new one\n",
                   rs.m.service[i].name, ms_err_name(err));
        }
    }
}

seL4_Error rs_survive_start(unsigned i, uint32_t as)
{
    if (i >= RS_MAX_SERVICES || !has_arena(i)) return seL4_NoError;
    seL4_CPtr ms = RS_SVC_SLOT(i, RS_SVC_MS);
    int err = MS_OK;
    if (arena_obj[i] == 0) {
        err = msc_obj_create(ms, MS_OBJ_ANON, RS_ARENA_SIZE, 0, 0, &arena_obj[i]);
        if (err != MS_OK) arena_obj[i] = 0;
    }
    uint64_t va = 0;
    if (err == MS_OK) {
        err = msc_map(ms, as, RS_ARENA_VADDR, RS_ARENA_SIZE, arena_obj[i], 0, MS_RW, MS_MAP_FIXED, &va);
    }
    if (err != MS_OK) {
        printf("rs: %s: arena: %s\n", rs.m.service[i].name, ms_err_name(err));
        return seL4_NotEnoughMemory;
    }
    return seL4_NoError;
}

/* True if the service's image has the `syscall` instruction (0f 05) at `ip`: a thread
 * preempted just before its syscall with rdx and rdi already set is at another address
 * (and one preempted exactly at the instruction may be released as if it had entered:
 * its Call returns SVC_REPLY_RESTARTED and the library sends it). */
static bool syscall_at(unsigned j, seL4_Word ip)
{
    static elf_plan_t plan;
    const void *image = NULL;
    size_t size = 0;
    if (!program_lookup(rs.m.service[j].image, &image, &size) || rs_loader_plan(image, size, &plan) != MS_OK) {
        return false;
    }
    for (unsigned k = 0; k < plan.nsegments; k++) {
        const elf_segment_t *g = &plan.seg[k];
        if (ip >= g->vaddr && ip - g->vaddr + 2u <= g->filesz && (g->perms & ELF_PERM_X)) {
            const uint8_t *b = (const uint8_t *)image + g->offset + (ip - g->vaddr);
            return b[0] == 0x0f && b[1] == 0x05;
        }
    }
    return false;
}

/* Thread of service j is inside seL4_Call on `slot`: make that Call return
 * SVC_REPLY_RESTARTED (a request from svc_call), or have the kernel send it again (any
 * other).  True if it was released. */
static bool release_if_calling(unsigned j, seL4_Word slot)
{
    seL4_CPtr tcb = RS_SVC_SLOT(j, RS_SVC_TCB);
    seL4_UserContext regs;
    memset(&regs, 0, sizeof(regs));
    seL4_Error err = seL4_TCB_ReadRegisters(tcb, 0, 0, sizeof(regs) / sizeof(seL4_Word), &regs);
    if (err != seL4_NoError) {
        printf("rs: %s: ReadRegisters failed (seL4 error %d)\n", rs.m.service[j].name, (int)err);
        return false;
    }
    if (regs.rdx != (seL4_Word)seL4_SysCall || regs.rdi != slot || !syscall_at(j, regs.rip)) return false;
    seL4_MessageInfo_t request = { { regs.rsi } };
    if ((seL4_MessageInfo_get_label(request) & SVC_LABEL_RESTARTABLE) == 0) {
        /* not from svc_call: the kernel sends the Call again (restart) */
        err = seL4_TCB_Resume(tcb);
        if (err != seL4_NoError) printf("rs: %s: Resume failed (seL4 error %d)\n", rs.m.service[j].name, (int)err);
        return err == seL4_NoError;
    }
    regs.rip += SVC_SYSCALL_INSN_LEN;
    regs.rsi = seL4_MessageInfo_new(SVC_REPLY_RESTARTED, 0, 0, 0).words[0];
    regs.rdi = 0;
    err = seL4_TCB_WriteRegisters(tcb, 1, 0, sizeof(regs) / sizeof(seL4_Word), &regs);
    if (err != seL4_NoError) {
        printf("rs: %s: WriteRegisters failed (seL4 error %d)\n", rs.m.service[j].name, (int)err);
        return false;
    }
    return true;
}

unsigned rs_survive_killed(unsigned i, bool final)
{
    if (i >= RS_MAX_SERVICES) return 0;
    if (final) arena_obj[i] = 0; /* CLIENT_DESTROY freed it with everything of the client */
    unsigned n = 0;
    for (unsigned j = 0; j < rs.m.nservices; j++) {
        if (j == i || rs.as[j] == 0) continue; /* no live incarnation: no thread */
        const struct rs_service *s = &rs.m.service[j];
        for (unsigned c = 0; c < s->nchannels; c++) {
            /* Channel c of service j is its cap PROGRAM_SLOT_FIRST_CAP + 1 + c (process.c). */
            if (s->channels[c] == i && release_if_calling(j, PROGRAM_SLOT_FIRST_CAP + 1u + c)) {
                n++;
                break; /* one thread per service */
            }
        }
        /* ... or the cap the name service gave it (names/client keeps it there) */
        if (release_if_calling(j, SVC_RESOLVED_SLOT(i))) n++;
    }
    released += n;
    return n;
}

unsigned rs_survive_release_rs_callers(void)
{
    unsigned n = 0;
    for (unsigned j = 0; j < rs.m.nservices; j++) {
        if (rs.as[j] == 0) continue; /* no live incarnation: no thread */
        seL4_Word slots[RS_MAX_GRANTS + 1];
        unsigned k = rs_process_rs_caps(&rs.m, j, slots, RS_MAX_GRANTS + 1);
        for (unsigned c = 0; c < k; c++) {
            if (release_if_calling(j, slots[c])) {
                printf("rs: %s: its call to the previous RS is sent again\n", rs.m.service[j].name);
                n++;
                break; /* one thread per service */
            }
        }
    }
    released += n;
    return n;
}

uint64_t rs_survive_released(void) { return released; }

/* ---- the name service ---- */

#include "names/protocol/name.h"

static bool queries_rs(unsigned i)
{
    return strcmp(rs.m.service[i].image, "names") == 0 || strcmp(rs.m.service[i].image, "store") == 0;
}

unsigned rs_survive_extra_caps(unsigned i) { return i < rs.m.nservices && queries_rs(i) ? 1u : 0u; }

static seL4_MessageInfo_t owner_get(seL4_MessageInfo_t info)
{
    uint64_t owner = seL4_GetMR(0);
    if (seL4_MessageInfo_get_length(info) != 1 || seL4_MessageInfo_get_extraCaps(info) != 0) {
        return seL4_MessageInfo_new(RS_NAMES_BAD_REQUEST, 0, 0, 0);
    }
    if (owner == 0 || owner > rs.m.nservices) return seL4_MessageInfo_new(RS_NAMES_UNKNOWN, 0, 0, 0);
    seL4_SetMR(0, rs.pol.svc[owner - 1].generation);
    seL4_SetMR(1, RS_STORE_ENTRIES);
    seL4_SetMR(2, RS_STORE_BYTES);
    return seL4_MessageInfo_new(0, 0, 0, 3);
}

seL4_Error rs_survive_fill_cspace(unsigned i, seL4_Word *slot)
{
    if (rs_survive_extra_caps(i) == 0) return seL4_NoError;
    seL4_Error err = seL4_CNode_Mint(RS_SVC_SLOT(i, RS_SVC_CNODE), *slot, RS_SERVICE_CNODE_BITS, RUNTIME_CAP_CNODE,
                                     RS_SLOT_EP, seL4_WordBits, seL4_AllRights, RS_BADGE_NAMES);
    if (err == seL4_NoError) (*slot)++;
    return err;
}

seL4_MessageInfo_t rs_survive_names_request(seL4_MessageInfo_t info)
{
    if (seL4_MessageInfo_get_label(info) == RS_OWNER_GET) return owner_get(info);
    uint64_t mr[NAME_MRS] = { seL4_GetMR(0), seL4_GetMR(1) };
    struct svc_name name;
    if (seL4_MessageInfo_get_label(info) != RS_NAMES_GET || seL4_MessageInfo_get_length(info) != NAME_MRS ||
        seL4_MessageInfo_get_extraCaps(info) != 0 || name_unpack(mr, &name) != 0) {
        return seL4_MessageInfo_new(RS_NAMES_BAD_REQUEST, 0, 0, 0);
    }
    int i = rs_manifest_find_service(&rs.m, name.s, strlen(name.s));
    if (i < 0) return seL4_MessageInfo_new(RS_NAMES_UNKNOWN, 0, 0, 0);
    const struct rs_svc_status *st = &rs.pol.svc[i];
    bool running = st->state == RS_SVC_RUNNING && rs.as[i] != 0;
    seL4_SetMR(0, running ? RS_NAMES_RUNNING : RS_NAMES_DOWN);
    seL4_SetMR(1, st->generation);
    seL4_SetMR(2, (seL4_Word)i);
    if (!running) return seL4_MessageInfo_new(0, 0, 0, 3);
    seL4_SetCap(0, RS_SVC_SLOT(i, RS_SVC_EP));
    return seL4_MessageInfo_new(0, 0, 1, 3);
}
