/*
 * rs: the reincarnation server.  Started by the guardian (guardian/main.c) with the cap
 * store as its CSpace (layout.h) and args[0] = its incarnation number.  The first
 * incarnation sets every service up and starts them in dependency order; a later one
 * reads the recovery record and takes the running services over.  Then it waits on its
 * endpoint (control requests, exits) with its notification bound (ticks, faults,
 * heartbeat answers).
 */
#include "rs/server/rs.h"
#include "rs/server/supervise.h"
#include "rs/server/process.h"
#include "rs/server/control.h"
#include "rs/server/record.h"
#include "memserver/client/memserver_client.h"
#include <runtime/runtime.h>
#include <runtime/startup.h>
#include <runtime/programs.h>
#include <runtime/stdio.h>
#include <runtime/string.h>

struct rs rs;

/* Ticks of the timer driver: one TICK signal per RS_TICK_MS (drivers/timer). */
#define RS_TICK_MS 10u

void rs_log(unsigned i, const char *fmt, ...)
{
    char line[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    printf("rs: %s gen %u %s\n", rs.m.service[i].name, (unsigned)rs.p[i].generation, line);
}

static seL4_Error mint(seL4_CPtr dest, seL4_CPtr src, seL4_Word badge)
{
    return seL4_CNode_Mint(RUNTIME_CAP_CNODE, dest, seL4_WordBits, RUNTIME_CAP_CNODE, src, seL4_WordBits,
                           seL4_AllRights, badge);
}

static bool load_manifest(void)
{
    const void *text = NULL;
    size_t len = 0;
    if (!program_lookup("manifest", &text, &len)) {
        printf("rs: no manifest in the program archive\n");
        return false;
    }
    struct rs_manifest_error err;
    if (rs_manifest_parse(text, len, &rs.m, &err) != 0) {
        char buf[200];
        rs_manifest_format_error(&err, "manifest", buf, sizeof(buf));
        printf("rs: %s\n", buf);
        return false;
    }
    return true;
}

/* A system with a service holding IRQ 0 has the timer driver: time passes in ticks. */
static uint32_t tick_length(void)
{
    for (unsigned i = 0; i < rs.m.nservices; i++) {
        for (unsigned g = 0; g < rs.m.service[i].ngrants; g++) {
            if (rs.m.service[i].grants[g].kind == RS_GRANT_IRQ && rs.m.service[i].grants[g].first == 0) {
                return RS_TICK_MS;
            }
        }
    }
    return 0;
}

static bool first_boot(void)
{
    seL4_Error err = mint(RS_SLOT_FAULT_NTFN, RS_SLOT_NTFN, RS_NTFN_FAULT);
    if (err == seL4_NoError) err = mint(RS_SLOT_TICK_NTFN, RS_SLOT_NTFN, RS_NTFN_TICK);
    if (err == seL4_NoError) err = mint(RS_SLOT_CONTROL, RS_SLOT_EP, RS_BADGE_CONTROL);
    for (unsigned i = 0; err == seL4_NoError && i < rs.m.nservices; i++) {
        err = rs_process_setup(&rs.m, i);
    }
    if (err != seL4_NoError) {
        printf("rs: set-up failed (seL4 error %d)\n", (int)err);
        return false;
    }
    rs.tick_ms = tick_length();
    rs_record_commit();
    rs_boot();
    return true;
}

/* A later incarnation: take the services over from the record. */
static bool take_over(uint64_t incarnation)
{
    uint32_t op = 0, svc = 0;
    int err = rs_record_load(incarnation, &op, &svc);
    if (err != RS_RECORD_OK) {
        printf("rs: incarnation %lu: recovery record unusable (%d)\n", (unsigned long)incarnation, err);
        return false;
    }
    unsigned running = 0;
    for (unsigned i = 0; i < rs.m.nservices; i++) running += rs.p[i].state == RS_RUNNING;
    printf("rs: incarnation %lu took over %u running services\n", (unsigned long)incarnation, running);
    if (op != RS_INTENT_NONE) {
        /* The previous RS died in the middle of starting or killing svc: whatever it
         * made is destroyed (everything of that client), then it is started afresh. */
        rs_log(svc, "was being %s when the RS died -> killed and restarted",
               op == RS_INTENT_START ? "started" : "killed");
        (void)rs_process_kill(svc, 0, true);
        rs.p[svc].as = 0;
        rs.p[svc].state = RS_STOPPED;
        rs_record_commit();
        (void)rs_start(svc);
    }
    rs_record_commit();
    return true;
}

static void handle_faults(void)
{
    for (unsigned i = 0; i < rs.m.nservices; i++) {
        struct rs_proc *p = &rs.p[i];
        if (p->state != RS_RUNNING || p->as == 0) continue;
        struct ms_fault_info f;
        if (msc_fault_get(RS_SVC_SLOT(i, RS_SVC_MS), p->as, &f) != MS_OK) continue;
        struct rs_last why = { .end = RS_END_FAULT, .kind = f.kind, .addr = f.addr, .ip = f.ip, .code = f.code };
        rs_failed(i, &why);
    }
}

static void handle_notification(seL4_Word bits)
{
    if (bits & RS_NTFN_FAULT) handle_faults();
    for (unsigned i = 0; i < rs.m.nservices; i++) {
        if (bits & (1ull << i)) rs_heartbeat_ack(i);
    }
    if ((bits & RS_NTFN_TICK) && rs.tick_ms != 0) rs_tick();
}

static void handle_exit(seL4_MessageInfo_t info, unsigned i)
{
    if (i >= rs.m.nservices || seL4_MessageInfo_get_label(info) != PROGRAM_EXIT_LABEL ||
        seL4_MessageInfo_get_length(info) != 1 || rs.p[i].state != RS_RUNNING) {
        printf("rs: ignored a message on the exit endpoint of service %u\n", i);
        return;
    }
    struct rs_last why = { .end = RS_END_EXIT, .code = seL4_GetMR(0) };
    rs_failed(i, &why);
}

int main(void)
{
    const runtime_startup_t *su = runtime_startup();
    uint64_t incarnation = su != NULL && su->nargs > RS_ARG_INCARNATION ? su->args[RS_ARG_INCARNATION] : 0;
    if (incarnation == 0 || !load_manifest()) {
        printf("rs: bad start-up\n");
        return 1;
    }
    seL4_Error err = seL4_TCB_BindNotification(RUNTIME_CAP_TCB, RS_SLOT_NTFN);
    if (err != seL4_NoError) {
        printf("rs: binding its notification failed (seL4 error %d)\n", (int)err);
        return 1;
    }
    printf("rs: incarnation %lu, %u services\n", (unsigned long)incarnation, (unsigned)rs.m.nservices);
    if (!(incarnation == 1 ? first_boot() : take_over(incarnation))) {
        return 1;
    }
    for (;;) {
        seL4_Word badge = 0;
        seL4_MessageInfo_t info = seL4_Recv(RS_SLOT_EP, &badge);
        if ((badge & RS_BADGE_CONTROL) == RS_BADGE_CONTROL) {
            seL4_Reply(rs_control(info, badge));
        } else if ((badge & RS_BADGE_EXIT) == RS_BADGE_EXIT) {
            handle_exit(info, (unsigned)(badge & 0xFFu));
        } else if (badge & RS_BADGE_MESSAGE) {
            printf("rs: ignored a message with badge %#lx\n", (unsigned long)badge);
        } else {
            handle_notification(badge);
        }
        rs_test_abort_point(RS_POINT_IDLE);
    }
}
