/*
 * logtest: drives test-rust-logd, a system with logd (the Rust system log) supervised by
 * the reincarnation server.  Caps (manifest order): [0] its memory-server cap, [1] its
 * channel to logd (badge = logtest's manifest index + 1), [2] its channel to the timer,
 * [3] the RS control cap, [4] the exit port (0xF4), with which it ends the run: status =
 * the number of failed checks.
 */
#include <logd/protocol.h>
#include <runtime/runtime.h>
#include <runtime/startup.h>
#include <runtime/stdio.h>
#include <string.h>
#include "drivers/timer/timer.h"
#include "rs/client/rs_client.h"
#include "rs/server/rs.h"

enum { CAP_LOGD = 1, CAP_TIMER = 2, CAP_STORE = 3, CAP_CONTROL = 4, CAP_EXIT_PORT = 5, CAPS = 6 };
#define TESTSTORE_DROP_NEXT_PUT 0x7001u /* teststore.c */

static seL4_CPtr logd, timer, store, ctl, exit_port;
static int failures, passes;

static void check(int ok, const char *what)
{
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
    if (ok) {
        passes++;
    } else {
        failures++;
    }
}

static _Noreturn void finish(void)
{
    printf("logtest: %d passed, %d failed\n", passes, failures);
    fflush_console();
    seL4_X86_IOPort_Out8(exit_port, 0xf4, (seL4_Uint8)(failures > 127 ? 127 : failures));
    for (;;) {
        seL4_TCB_Suspend(RUNTIME_CAP_TCB);
    }
}

/* A logd request: op with n registers; returns the reply's label (an error code), the
 * reply's registers stay in the IPC buffer, *len their count. */
static seL4_Word call(seL4_Word op, const seL4_Word *mr, unsigned n, unsigned *len)
{
    for (unsigned i = 0; i < n; i++) {
        seL4_SetMR(i, mr[i]);
    }
    seL4_MessageInfo_t info = seL4_Call(logd, seL4_MessageInfo_new(LOGD_LABEL(op), 0, 0, n));
    if (len != NULL) *len = (unsigned)seL4_MessageInfo_get_length(info);
    return seL4_MessageInfo_get_label(info);
}

/* WRITE (level, text): the record's number, or 0 and the error in *err. */
static seL4_Word write_record(seL4_Word level, const char *text, seL4_Word *err)
{
    seL4_Word mr[1 + LOGD_MSG_MRS] = { 0 };
    size_t len = strlen(text);
    if (len > LOGD_MSG_MAX) len = LOGD_MSG_MAX;
    mr[0] = level | ((seL4_Word)len << 8);
    memcpy(&mr[1], text, len); /* little endian: byte i of the text is byte i % 8 of MR(1 + i / 8) */
    seL4_Word e = call(LOGD_OP_WRITE, mr, 1u + (unsigned)((len + 7) / 8), NULL);
    if (err != NULL) *err = e;
    return e == LOGD_OK ? seL4_GetMR(0) : 0;
}

static void pack_name(const char *name, seL4_Word out[2])
{
    char b[16] = { 0 };
    size_t len = strlen(name);
    memcpy(b, name, len < 15 ? len : 15);
    memcpy(out, b, sizeof(b));
}

struct found {
    seL4_Word err, seq, level;
    char sender[16], text[LOGD_MSG_MAX + 1];
};

/* QUERY: the newest record before `before` with level min..max from `sender` (NULL: any). */
static struct found query(seL4_Word before, seL4_Word min, seL4_Word max, const char *sender)
{
    seL4_Word mr[4] = { before, min | (max << 8), 0, 0 };
    if (sender != NULL) pack_name(sender, &mr[2]);
    unsigned len = 0;
    struct found f;
    memset(&f, 0, sizeof(f));
    f.err = call(LOGD_OP_QUERY, mr, 4, &len);
    if (f.err != LOGD_OK || len < 4) return f;
    f.seq = seL4_GetMR(0);
    f.level = seL4_GetMR(1) & 0xff;
    size_t tlen = (seL4_GetMR(1) >> 8) & 0xff;
    seL4_Word w[2 + LOGD_MSG_MRS] = { 0 };
    for (unsigned i = 2; i < len && i < 4 + LOGD_MSG_MRS; i++) {
        w[i - 2] = seL4_GetMR(i);
    }
    memcpy(f.sender, w, 15);
    memcpy(f.text, &w[2], tlen <= LOGD_MSG_MAX ? tlen : LOGD_MSG_MAX);
    return f;
}

/* STATS word i. */
static seL4_Word stat(unsigned i)
{
    unsigned len = 0;
    seL4_Word err = call(LOGD_OP_STATS, NULL, 0, &len);
    return err == LOGD_OK && i < len ? seL4_GetMR(i) : ~0ul;
}

static struct rs_list_entry list(uint32_t i)
{
    struct rs_list_entry e;
    memset(&e, 0, sizeof(e));
    int err = rsc_list(ctl, i, &e);
    if (err != RS_OK) printf("  LIST %u: %s\n", i, rs_err_name(err));
    return e;
}

/* Waits until the timer has counted `tick` ticks (10 ms each) since it started: steps
 * happen at the same moment of system time on the real kernel and in sel4-sim, so the
 * RS's lines (pings, restart times) are the same in both. */
static volatile unsigned spin_sink;

static void wait_until(seL4_Word tick)
{
    for (unsigned i = 0; i < 100000000u; i++) {
        /* a stretch of user work between system calls (cheaper to simulate) */
        for (unsigned k = 0; k < 20000u; k++) {
            spin_sink = k;
        }
        seL4_MessageInfo_t info = seL4_Call(timer, seL4_MessageInfo_new(TIMER_OP_NOW, 0, 0, 0));
        if (seL4_MessageInfo_get_label(info) == 0 && seL4_GetMR(0) >= tick) return;
    }
    printf("  (the timer did not reach tick %lu)\n", (unsigned long)tick);
}

static void records_and_queries(void)
{
    static const struct { seL4_Word level; const char *text; } in[] = {
        { LOGD_LEVEL_INFO, "starting" },       { LOGD_LEVEL_DEBUG, "x = 42" },
        { LOGD_LEVEL_WARN, "queue 90% full" }, { LOGD_LEVEL_ERROR, "request failed: 7" },
        { LOGD_LEVEL_FATAL, "giving up" },     { LOGD_LEVEL_INFO, "rs: I am the rs, trust me" },
    };
    int seqs_ok = 1;
    for (unsigned i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        seqs_ok &= write_record(in[i].level, in[i].text, NULL) == i + 1;
    }
    check(seqs_ok, "6 records written, numbered 1..6");
    struct found f = query(0, 0, 4, NULL);
    check(f.err == LOGD_OK && f.seq == 6 && strcmp(f.sender, "logtest") == 0 &&
              strcmp(f.text, "rs: I am the rs, trust me") == 0,
          "newest record: its sender's name comes from the badge, not from the text");
    seL4_Word got[3] = { 0 };
    seL4_Word before = 0;
    for (unsigned k = 0; k < 3; k++) {
        f = query(before, 0, 4, NULL);
        got[k] = f.seq;
        before = f.seq;
    }
    check(got[0] == 6 && got[1] == 5 && got[2] == 4, "last 3: records 6, 5, 4");
    f = query(0, LOGD_LEVEL_ERROR, LOGD_LEVEL_FATAL, NULL);
    struct found g = query(f.seq, LOGD_LEVEL_ERROR, LOGD_LEVEL_FATAL, NULL);
    struct found h = query(g.seq, LOGD_LEVEL_ERROR, LOGD_LEVEL_FATAL, NULL);
    check(f.seq == 5 && g.seq == 4 && strcmp(g.text, "request failed: 7") == 0 && h.err == LOGD_ERR_NOT_FOUND,
          "by level (error..fatal): records 5, 4, then none");
    f = query(0, LOGD_LEVEL_WARN, LOGD_LEVEL_WARN, "logtest");
    check(f.seq == 3, "by level (warn) and service (logtest): record 3");
    check(query(0, 0, 4, "timer").err == LOGD_ERR_NOT_FOUND, "by service (timer): none");
}

static void malformed(void)
{
    seL4_Word err = 0;
    seL4_Word mr[16] = { 0 };
    mr[0] = LOGD_LEVEL_INFO | (97ul << 8);
    for (unsigned i = 1; i < 14; i++) mr[i] = 0x6161616161616161ul;
    check(call(LOGD_OP_WRITE, mr, 14, NULL) == LOGD_ERR_TOO_BIG, "a 97-byte message: TOO_BIG");
    mr[0] = LOGD_LEVEL_INFO | (96ul << 8);
    check(call(LOGD_OP_WRITE, mr, 14, NULL) == LOGD_ERR_TOO_BIG, "13 message registers: TOO_BIG");
    mr[0] = LOGD_LEVEL_INFO | (3ul << 8);
    mr[1] = 0x0100000000636261ul; /* "abc", then a byte that must be 0 */
    check(call(LOGD_OP_WRITE, mr, 2, NULL) == LOGD_ERR_BAD_REQUEST, "padding not zero: BAD_REQUEST");
    check(call(LOGD_OP_WRITE, mr, 3, NULL) == LOGD_ERR_BAD_REQUEST, "a register too many: BAD_REQUEST");
    check(write_record(LOGD_LEVEL_COUNT + 2, "x", &err) == 0 && err == LOGD_ERR_BAD_LEVEL, "level 7: BAD_LEVEL");
    check(write_record(LOGD_LEVEL_INFO, "two\nlines", &err) == 0 && err == LOGD_ERR_BAD_TEXT,
          "a newline in the message: BAD_TEXT");
    seL4_Word set[3] = { 2, 0, 0 };
    pack_name("rs", &set[1]);
    check(call(LOGD_OP_NAME_SET, set, 3, NULL) == LOGD_ERR_DENIED, "NAME_SET from a client: DENIED");
    check(stat(0) == 6 && stat(1) == 7 && stat(2) == 7, "after 7 refusals: still 6 records, next 7, 7 rejected");
    check(query(0, 0, 4, NULL).seq == 6, "the ring is unharmed (newest record 6)");
}

int main(void)
{
    const runtime_startup_t *su = runtime_startup();
    if (su == NULL || su->caps_end - su->caps_start != CAPS) {
        printf("logtest: needs %d caps\n", CAPS);
        return 1;
    }
    logd = su->caps_start + CAP_LOGD;
    timer = su->caps_start + CAP_TIMER;
    store = su->caps_start + CAP_STORE;
    ctl = su->caps_start + CAP_CONTROL;
    exit_port = su->caps_start + CAP_EXIT_PORT;
    uint32_t l = 99;
    check(rsc_find(ctl, "logd", &l) == RS_OK, "FIND logd");
    unsigned len = 0;
    check(call(LOGD_OP_HELLO, NULL, 0, &len) == LOGD_OK && len == 1 && seL4_GetMR(0) == LOGD_PROTOCOL_VERSION,
          "HELLO: version 1");
    check(stat(6) == 1 && stat(0) == 0, "STATS: generation 1, empty ring");
    records_and_queries();
    malformed();

    /* logd's heartbeat: period 600 ms, deadline 300 ms (logd.manifest); the first ping
     * is at 600 ms.  Results are printed after each step has finished (the RS prints its
     * own lines meanwhile, at a higher priority). */
    wait_until(80);
    struct rs_list_entry e = list(l);
    check(stat(6) == 1 && e.generation == 1 && e.restarts == 0,
          "at 800 ms: logd answered its ping (gen 1, no restarts)");
    int hang = rsc_hang(ctl, l) == RS_OK;
    int gen2 = stat(6) == 2;
    e = list(l);
    check(hang, "HANG logd (its thread is suspended)");
    check(gen2, "a hung logd misses its heartbeat and is restarted (gen 2 answers)");
    check(e.end == RS_END_HANG && e.restarts == 1, "LIST: last end hang, 1 restart");
    struct found f = query(0, 0, 4, NULL);
    check(stat(0) == 6 && stat(4) == 6 && stat(1) == 7 && f.seq == 6 && strcmp(f.sender, "logtest") == 0,
          "gen 2 restored the ring from the store: 6 records, next 7, newest from logtest");
    check(write_record(LOGD_LEVEL_INFO, "before the crash", NULL) == 7, "gen 2 continues the numbering: 7");

    /* A crash in the middle of a write: teststore holds logd's next PUT unanswered, so
     * logd is blocked after record 8 entered its ring and before it is saved or
     * answered (sent with seL4_Send: nobody waits for the answer); then the crash, right
     * after a tick (the RS prints the time of the restart). */
    seL4_MessageInfo_t held = seL4_Call(store, seL4_MessageInfo_new(TESTSTORE_DROP_NEXT_PUT, 0, 0, 0));
    seL4_Word mid[4] = { LOGD_LEVEL_WARN | (17ul << 8), 0, 0, 0 };
    memcpy(&mid[1], "lost in the crash", 17);
    wait_until(170);
    for (unsigned i = 0; i < 4; i++) {
        seL4_SetMR(i, mid[i]);
    }
    seL4_Send(logd, seL4_MessageInfo_new(LOGD_LABEL(LOGD_OP_WRITE), 0, 0, 4));
    int crash = rsc_crash(ctl, l) == RS_OK;
    int gen3 = stat(6) == 3;
    e = list(l);
    check(seL4_MessageInfo_get_label(held) == 0, "teststore will hold logd's next PUT");
    check(crash, "CRASH logd while it waits for the store in the middle of a write");
    check(gen3, "restarted after the crash (gen 3 answers)");
    check(e.end == RS_END_FAULT && e.restarts == 2, "LIST: last end fault, 2 restarts");
    f = query(0, 0, 4, NULL);
    check(stat(0) == 7 && stat(4) == 7 && stat(1) == 8 && f.seq == 7 && strcmp(f.text, "before the crash") == 0,
          "gen 3 restored 7 records: the unanswered record 8 is not among them, next 8");
    check(write_record(LOGD_LEVEL_WARN, "after the crash", NULL) == 8 && query(0, 0, 4, NULL).seq == 8,
          "and serves records again (8)");
    finish();
}
