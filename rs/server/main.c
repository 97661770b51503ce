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
#include "rs/server/survive.h"
#include "memserver/client/memserver_client.h"
#include "rs/protocol/rs_protocol.h"
#include <runtime/stdio.h>
#include <runtime/runtime.h>
#include <runtime/startup.h>
#include <runtime/programs.h>
#include <runtime/string.h>

struct rs rs;

/* Ticks of the timer driver: one TICK signal per RS_TICK_MS (drivers/timer). */
#define RS_TICK_MS 10u

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
    rs_policy_init(&rs.pol, &rs.m);
    /* The first record is written with the boot's first START (its intent): an RS that
     * dies before leaves none, and the guardian starts from a clean slate. */
    rs_supervise_boot();
    return true;
}

/* Services the policy left STARTING: a start the previous RS carried out but whose
 * STARTED was still in its event queue (an address space is recorded): the policy hears
 * it now; a START of the same batch it never began (none recorded; or a start that
 * failed, whose CRASHED was queued: the two look the same): carried out now.  `skip`:
 * the service of a half-done start (handled by the caller). */
static void finish_starts(unsigned skip)
{
    for (unsigned i = 0; i < rs.m.nservices; i++) {
        if (i == skip || rs.pol.svc[i].state != RS_SVC_STARTING) continue;
        if (rs.as[i] != 0) {
            (void)rs_supervise_event(RS_EV_STARTED, i, rs.pol.svc[i].generation, 0, NULL);
        } else {
            rs_supervise_start_again(i);
        }
    }
}

/* A later incarnation: take the services over from the record. */
static bool take_over(uint64_t incarnation)
{
    uint32_t op = 0, svc = 0;
    int err = rs_record_load(incarnation, &op, &svc);
    if (err != RS_RECORD_OK) {
        printf("rs: incarnation %lu: recovery record unusable (%d): the guardian must start from a clean slate\n",
               (unsigned long)incarnation, err);
        return false;
    }
    unsigned running = 0;
    for (unsigned i = 0; i < rs.m.nservices; i++) running += rs.pol.svc[i].state == RS_SVC_RUNNING;
    printf("rs: incarnation %lu took over %u running services\n", (unsigned long)incarnation, running);
    rs_survive_take_over();
    /* Before anything is received: callers of the dead RS get their answer from this one. */
    (void)rs_survive_release_rs_callers();
    if (op == RS_INTENT_KILL) {
        /* The previous RS died while destroying svc: finish the job. */
        uint8_t st = rs.pol.svc[svc].state;
        bool final = st == RS_SVC_STOPPED || st == RS_SVC_EXITED || st == RS_SVC_FAILED;
        printf("rs: %s: the RS died while killing it -> destroyed again\n", rs.m.service[svc].name);
        (void)rs_process_kill(svc, rs.as[svc], final);
        rs.as[svc] = 0;
    }
    rs_record_commit();
    if (op == RS_INTENT_START) {
        /* The previous RS died while starting svc: whatever it made is destroyed (all of
         * that client, also an address space not yet recorded); the policy hears that
         * the start failed. */
        printf("rs: %s gen %u: the RS died while starting it -> destroyed\n", rs.m.service[svc].name,
               (unsigned)rs.pol.svc[svc].generation);
        (void)rs_process_kill(svc, 0, true);
        rs.as[svc] = 0;
        rs.last[svc] = (struct rs_last){ .end = RS_END_KILLED };
        rs_record_commit();
        (void)rs_supervise_event(RS_EV_CRASHED, svc, rs.pol.svc[svc].generation, 0, "half-started when the RS died");
        uint8_t st = rs.pol.svc[svc].state;
        if (st == RS_SVC_EXITED || st == RS_SVC_FAILED || st == RS_SVC_STOPPED) {
            /* Not restarted by its policy (temporary): it never ran, so it starts now. */
            printf("rs: %s: its start was cut short by the RS's death: started again\n", rs.m.service[svc].name);
            (void)rs_supervise_event(RS_EV_START_REQ, svc, 0, 0, NULL);
        }
    }
    finish_starts(op == RS_INTENT_START ? svc : RS_MAX_SERVICES);
    return true;
}

static bool live(unsigned i)
{
    uint8_t st = rs.pol.svc[i].state;
    return rs.as[i] != 0 && (st == RS_SVC_RUNNING || st == RS_SVC_STARTING);
}

static void handle_faults(void)
{
    static char what[RS_FAULT_TEXT_MAX + 1];
    for (unsigned i = 0; i < rs.m.nservices; i++) {
        if (!live(i)) continue;
        struct ms_fault_info f;
        if (msc_fault_get(RS_SVC_SLOT(i, RS_SVC_MS), rs.as[i], &f) != MS_OK) continue;
        rs.last[i] = (struct rs_last){ .end = RS_END_FAULT, .kind = f.kind, .addr = f.addr, .ip = f.ip, .code = f.code };
        rs_describe_end(&rs.last[i], what, sizeof(what));
        (void)rs_supervise_event(RS_EV_CRASHED, i, rs.pol.svc[i].generation, 0, what);
    }
}

static void handle_notification(seL4_Word bits)
{
    if (bits & RS_NTFN_CLOCK) rs_supervise_alive(); /* the watchdog's answer, first */
    if (bits & RS_NTFN_FAULT) handle_faults();
    for (unsigned i = 0; i < rs.m.nservices; i++) {
        if (bits & (1ull << i)) (void)rs_supervise_event(RS_EV_HEARTBEAT_ACK, i, rs.pol.svc[i].generation, 0, NULL);
    }
    if ((bits & RS_NTFN_TICK) && rs.tick_ms != 0) rs_supervise_tick();
    if (bits & RS_NTFN_CLOCK) rs_supervise_rtc_tick();
}

static void handle_exit(seL4_MessageInfo_t info, unsigned i)
{
    if (seL4_MessageInfo_get_label(info) != PROGRAM_EXIT_LABEL) {
        /* A request on a supervisor cap: no authority.  (A Send gets no reply: Reply
         * then does nothing.) */
        seL4_Reply(seL4_MessageInfo_new(RS_ERR_DENIED, 0, 0, 0));
        return;
    }
    if (i >= rs.m.nservices || seL4_MessageInfo_get_length(info) != 1 || !live(i)) {
        printf("rs: ignored a message on the exit endpoint of service %u\n", i);
        return;
    }
    int64_t status = (int64_t)seL4_GetMR(0);
    rs.last[i] = (struct rs_last){ .end = RS_END_EXIT, .code = (uint64_t)status };
    (void)rs_supervise_event(RS_EV_EXITED, i, rs.pol.svc[i].generation, status, NULL);
}

/* One message or notification.  Not inlined, so that the loop of main keeps nothing in a
 * register across its seL4_Recv: a register corrupted while the RS waits there (most of
 * its time) then changes nothing, where a badge mask kept in a register made an RS that
 * answered the guardian's watchdog but ignored every control call ("ignored a message
 * with badge 0x2000020000000000": campaign seed 1, run 15, r10/r12 corrupted). */
static __attribute__((noinline)) void one_message(seL4_MessageInfo_t info, seL4_Word badge)
{
    if ((badge & RS_BADGE_CONTROL) == RS_BADGE_CONTROL) {
        seL4_Reply(rs_control(info, badge));
    } else if ((badge & RS_BADGE_EXIT) == RS_BADGE_EXIT) {
        handle_exit(info, (unsigned)(badge & 0xFFu));
    } else if (badge == RS_BADGE_NAMES) {
        seL4_Reply(rs_survive_names_request(info));
    } else if (badge & RS_BADGE_MESSAGE) {
        printf("rs: ignored a message with badge %#lx\n", (unsigned long)badge);
    } else {
        handle_notification(badge);
    }
}

int main(void)
{
    /* Its lines never go through the console driver it supervises: seL4_DebugPutChar,
     * or on a kernel without it straight to the UART (runtime_console_set_uart). */
    runtime_console_set_uart(RS_SLOT_COM1);
    const runtime_startup_t *su = runtime_startup();
    uint64_t incarnation = su != NULL && su->nargs > RS_ARG_INCARNATION ? su->args[RS_ARG_INCARNATION] : 0;
    bool cold = su != NULL && su->nargs > RS_ARG_COLD ? su->args[RS_ARG_COLD] != 0 : incarnation == 1;
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
    if (cold) {
        if (!first_boot()) return 1;
    } else if (!take_over(incarnation)) {
        return RS_EXIT_NO_RECORD;
    }
    rs_supervise_idle();
    rs_supervise_alive(); /* up: the guardian's watchdog uses its shorter limit from now on */
    for (;;) {
        seL4_Word badge = 0;
        seL4_MessageInfo_t info = seL4_Recv(RS_SLOT_EP, &badge);
        one_message(info, badge);
        rs_supervise_idle();
        rs_test_abort_point(RS_POINT_IDLE);
    }
}
