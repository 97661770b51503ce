/*
 * shell: the console shell, a service supervised by the reincarnation server.  It reads
 * the serial line through the console driver (drivers/serial/PROTOCOL.md), edits lines
 * (core/line_editor.h) and runs commands (core/command.h) through the RS control
 * interface (rs/PROTOCOL.md).  When the input ends (sel4-sim: end of stdin; a terminal:
 * Ctrl-D on an empty line) it stops every other service and ends the run with status 0.
 *
 * Caps (manifest `channels = console logd  grants = control ioport:0xf4`): the console is
 * the startup page's console_ep; the control cap and the exit port are the last two caps;
 * a channel to logd (the system log, for `log`), if any, is caps[2].
 *
 * Input: the shell sends READ (one-way) and waits on its own endpoint for the driver's
 * INPUT (sent with seL4_NBSend), answering heartbeat pings meanwhile and asking again
 * after each.  It never waits for a reply from the driver, so a driver that dies cannot
 * strand it; its priority is above the driver's, so it is waiting whenever the driver
 * runs.  Bytes are numbered per driver incarnation; a repeated INPUT is recognised.
 */
#include <runtime/runtime.h>
#include <runtime/service.h>
#include <runtime/stdio.h>
#include <runtime/string.h>
#include <runtime/tsc.h>
#include "drivers/serial/console_protocol.h"
#include "logd/client.h"
#include "rs/client/rs_client.h"
#include "shell/core/command.h"
#include "shell/core/line_editor.h"

#define PROMPT "shell> "
#define LOG_SHOWN 16u

static seL4_CPtr console, control, exit_port;
static struct svc_conn logd;
static bool have_logd;
static runtime_service_t svc;
static struct line_editor ed;

/* Input position: the console driver incarnation whose byte numbers we use, and the
 * number of the next byte we want (every earlier one is consumed). */
static uint64_t input_gen, input_next;

/* Asks the console for input (one-way: PROTOCOL.md).  Asked again after every ping
 * while waiting, so that a READ lost with a dead driver, or an INPUT that found us not
 * waiting, costs one heartbeat period at most. */
static void ask_input(void)
{
    seL4_SetMR(0, CONSOLE_READ_MAX);
    seL4_SetMR(1, input_gen);
    seL4_SetMR(2, input_next);
    seL4_Send(console, seL4_MessageInfo_new(CONSOLE_READ, 0, 0, 3));
}

/* Everything printed so far is on the line once this returns: the flushed line goes to
 * the driver, then a SYNC that the driver receives only after writing it.  Needed because
 * the shell runs above the driver (its lines would otherwise be written after the RS's,
 * which the RS prints directly, and the run could end before they are written). */
static void console_sync(void)
{
    fflush_console();
    seL4_Send(console, seL4_MessageInfo_new(CONSOLE_SYNC, 0, 0, 0));
}

/* Waits for the console's INPUT (answering heartbeat pings meanwhile) and returns the
 * bytes not seen before in in->data[*first .. in->n). */
static void wait_input(struct console_input *in, uint32_t *first)
{
    static uint64_t mrs[CONSOLE_MAX_WORDS];
    for (;;) {
        seL4_Word badge = 0;
        seL4_MessageInfo_t info = seL4_Recv(svc.ep, &badge);
        if (badge & RUNTIME_PING_BADGE) {
            if (svc.heartbeat_ack != seL4_CapNull) seL4_Signal(svc.heartbeat_ack);
            ask_input();
            continue;
        }
        size_t len = seL4_MessageInfo_get_length(info);
        for (size_t k = 0; k < len && k < CONSOLE_MAX_WORDS; k++) mrs[k] = seL4_GetMR((int)k);
        if (len > CONSOLE_MAX_WORDS ||
            console_decode_input(seL4_MessageInfo_get_label(info), len, seL4_MessageInfo_get_extraCaps(info), mrs,
                                 in) != 0) {
            continue; /* not an INPUT: ignored */
        }
        if (in->generation != input_gen) {
            /* A new console driver: its numbers start afresh; what the old one had not
             * passed on yet is lost with it. */
            input_gen = in->generation;
            input_next = in->seq;
        }
        if (in->seq > input_next) input_next = in->seq; /* cannot happen: never skip */
        uint64_t skip = input_next - in->seq;            /* seen already (a repeat) */
        *first = skip >= in->n ? in->n : (uint32_t)skip;
        input_next = in->seq + in->n;
        return;
    }
}

static void ps(void)
{
    char row[160];
    shell_ps_header(row, sizeof(row));
    printf("%s\n", row);
    for (uint32_t i = 0; i < 32; i++) {
        struct rs_list_entry e;
        int err = rsc_list(control, i, &e);
        if (err == RS_ERR_UNKNOWN_SERVICE) break;
        if (err != RS_OK) {
            printf("ps: service %u: %s\n", i, shell_rs_error(err));
            break;
        }
        shell_ps_row(&e, row, sizeof(row));
        printf("%s\n", row);
    }
}

static void mem(void)
{
    uint64_t used = 0, quota = 0, free_pages = 0;
    printf("%-15s %10s %10s\n", "SERVICE", "PAGES", "QUOTA");
    for (uint32_t i = 0; i < 32; i++) {
        struct rs_list_entry e;
        int err = rsc_list(control, i, &e);
        if (err != RS_OK) {
            if (err != RS_ERR_UNKNOWN_SERVICE) printf("mem: service %u: %s\n", i, shell_rs_error(err));
            break;
        }
        printf("%-15s %10lu %10lu\n", e.name, (unsigned long)e.pages_used, (unsigned long)e.pages_quota);
        used += e.pages_used;
        quota += e.pages_quota;
        free_pages = e.ms_free_pages;
    }
    printf("%-15s %10lu %10lu\n", "total", (unsigned long)used, (unsigned long)quota);
    printf("memory server: %lu pages free (%lu KiB)\n", (unsigned long)free_pages, (unsigned long)free_pages * 4);
}

/* `log [NAME|LEVEL]`: the newest LOG_SHOWN matching records of logd, oldest first. */
static void show_log(const char *word)
{
    static struct logd_record rec[LOG_SHOWN];
    if (!have_logd) {
        printf("log: no channel to logd (events shows the RS's events)\n");
        return;
    }
    struct logd_filter f = { .min_level = 0, .max_level = LOGD_LEVEL_COUNT - 1, .sender = word };
    int level = logd_level_parse(word);
    if (level >= 0) {
        f.min_level = (unsigned)level;
        f.sender = NULL;
    }
    unsigned n = 0;
    uint64_t before = 0;
    int err = LOGD_OK;
    while (n < LOG_SHOWN) {
        err = logdc_query(&logd, before, &f, &rec[n]);
        if (err != LOGD_OK) break;
        before = rec[n].seq;
        n++;
        if (before <= 1) break;
    }
    for (unsigned k = n; k-- > 0;) {
        printf("%4lu %-5s %-15s %s\n", (unsigned long)rec[k].seq, logd_level_name(rec[k].level), rec[k].sender,
               rec[k].text);
    }
    if (err != LOGD_OK && err != LOGD_ERR_NOT_FOUND) printf("log: logd error %d\n", err);
    if (n == 0 && err == LOGD_ERR_NOT_FOUND) printf("log: no records%s%s\n", word[0] != '\0' ? " for " : "", word);
}

/* `events`: the RS's recent events (its own event list, RS_OP_LOG). */
static void show_events(void)
{
    static char text[RS_LOG_TEXT_MAX + 1];
    uint64_t next = 0, got = 0;
    unsigned len = 0;
    int err = rsc_log(control, UINT64_MAX, &next, text, &len);
    uint64_t seq = next > LOG_SHOWN ? next - LOG_SHOWN : 0;
    for (unsigned k = 0; err == RS_OK && k < LOG_SHOWN && seq < next; k++) {
        err = rsc_log(control, seq, &got, text, &len);
        if (err != RS_OK || len == 0) break;
        text[len] = '\0';
        printf("%4lu %s\n", (unsigned long)got, text);
        seq = got + 1;
    }
    if (err != RS_OK) printf("events: %s\n", shell_rs_error(err));
}

static void service_command(const struct shell_command *c)
{
    const char *what = shell_cmd_name(c->cmd);
    if ((c->cmd == SHELL_STOP || c->cmd == SHELL_HANG) &&
        (strcmp(c->name, "shell") == 0 || strcmp(c->name, "console") == 0)) {
        printf("%s: refused: without %s nobody could type 'start' (use restart or kill)\n", what, c->name);
        return;
    }
    uint32_t index = 0;
    console_sync(); /* the command's echo before the RS's lines about it */
    uint64_t t = runtime_tsc(); /* when it was asked: make demo measures recoveries from here */
    int err = rsc_find(control, c->name, &index);
    if (err == RS_ERR_UNKNOWN_SERVICE) {
        printf("%s: no service '%s' (ps lists them)\n", what, c->name);
        return;
    }
    if (err == RS_OK) {
        switch (c->cmd) {
        case SHELL_KILL:
        case SHELL_CRASH: err = rsc_crash(control, index); break;
        case SHELL_HANG: err = rsc_hang(control, index); break;
        case SHELL_RESTART: err = rsc_restart(control, index); break;
        case SHELL_STOP: err = rsc_stop(control, index); break;
        default: err = rsc_start(control, index); break;
        }
    }
    if (err == RS_OK) {
        printf("%s %s: done (t=%lu)\n", what, c->name, (unsigned long)t);
    } else {
        printf("%s %s: %s\n", what, c->name, shell_rs_error(err));
    }
}

static void run(const char *line)
{
    struct shell_command c;
    shell_parse(line, &c);
    switch (c.cmd) {
    case SHELL_EMPTY: break;
    case SHELL_BAD: printf("%s\n", c.error); break;
    case SHELL_HELP:
        for (const char *h = shell_help_text; *h != '\0'; h += strlen(h) + 1) printf("%s\n", h);
        break;
    case SHELL_PS: ps(); break;
    case SHELL_MEM: mem(); break;
    case SHELL_LOG: show_log(c.name); break;
    case SHELL_EVENTS: show_events(); break;
    default: service_command(&c); break;
    }
    console_sync();
}

/* End of input: every other service is stopped (last started first), then the run ends. */
static _Noreturn void shut_down(void)
{
    printf("\nshell: end of input: stopping the system\n");
    console_sync();
    uint32_t self = 0, cons = 0, n = 0;
    bool have_self = rsc_find(control, "shell", &self) == RS_OK;
    bool have_cons = rsc_find(control, "console", &cons) == RS_OK;
    struct rs_list_entry e;
    while (n < 32 && rsc_list(control, n, &e) == RS_OK) n++;
    for (uint32_t k = n; k-- > 0;) {
        if ((have_self && k == self) || (have_cons && k == cons)) continue;
        if (rsc_list(control, k, &e) == RS_OK && e.state != 0) (void)rsc_stop(control, k);
    }
    printf("shell: halt\n");
    console_sync();
    seL4_X86_IOPort_Out8(exit_port, 0xf4, 0);
    for (;;) seL4_TCB_Suspend(RUNTIME_CAP_TCB);
}

int main(void)
{
    const runtime_startup_t *su = runtime_startup();
    if (su == NULL || su->version < 3 || su->console_ep == 0 || su->caps_end < su->caps_start + 3 ||
        !runtime_service_caps(&svc)) {
        printf("shell: not started as the console shell (needs console, control and exit-port caps)\n");
        return 2;
    }
    console = su->console_ep;
    control = su->caps_end - 2;
    exit_port = su->caps_end - 1;
    have_logd = su->caps_end >= su->caps_start + 5;
    if (have_logd) logdc_init(&logd, su->caps_start + 2);
    line_editor_init(&ed);
    printf("shell: gen %lu%s; type help for the commands\n", (unsigned long)su->generation,
           su->restarted ? " (restarted)" : "");
    printf(PROMPT);
    fflush_console();
    static struct console_input in;
    static char echo[LINE_EDITOR_ECHO_MAX];
    for (;;) {
        ask_input();
        uint32_t first = 0;
        wait_input(&in, &first);
        for (uint32_t i = first; i < in.n; i++) {
            size_t m = 0;
            enum line_event ev = line_editor_feed(&ed, in.data[i], echo, &m);
            for (size_t k = 0; k < m; k++) putchar(echo[k]);
            if (ev == LINE_EOF) shut_down();
            if (ev == LINE_DONE) run(ed.line);
            if (ev != LINE_NONE) printf(PROMPT);
        }
        fflush_console();
        if (in.flags & CONSOLE_FLAG_EOF) shut_down();
    }
}
