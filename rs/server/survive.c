/* Arenas kept across incarnations and the release of blocked callers (survive.h). */
#include "rs/server/survive.h"
#include "rs/server/layout.h"
#include "rs/server/rs.h"
#include "rs/protocol/service_arena.h"
#include "svcclient/core/released.h"
#include "memserver/client/memserver_client.h"
#include <runtime/startup.h>
#include <runtime/stdio.h>
#include <runtime/string.h>

/* Memory-server object of each service's arena (0: none yet).  Not in the recovery
 * record yet: a new RS incarnation creates a fresh arena at the next start. */
static uint32_t arena_obj[RS_MAX_SERVICES];
static uint64_t released;

/* Services with an arena: the ones whose state must survive their crashes. */
static bool has_arena(unsigned i)
{
    const char *img = rs.m.service[i].image;
    return strcmp(img, "kv") == 0 || strcmp(img, "store") == 0 || strcmp(img, "names") == 0;
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

/* Thread of service j is inside seL4_Call on `slot`: make that Call return
 * SVC_REPLY_RESTARTED.  True if it was. */
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
    if (regs.rdx != (seL4_Word)seL4_SysCall || regs.rdi != slot) return false;
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
    }
    released += n;
    return n;
}

uint64_t rs_survive_released(void) { return released; }
