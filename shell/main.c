/*
 * shell: the console shell, a service supervised by the reincarnation server.  It reads
 * the serial line through the console driver (drivers/serial/PROTOCOL.md), edits lines
 * (core/line_editor.h) and runs commands (core/command.h) through the RS control
 * interface (rs/PROTOCOL.md).  When the input ends (sel4-sim: end of stdin; a terminal:
 * Ctrl-D on an empty line) it stops every other service and ends the run with status 0.
 *
 * Caps (manifest `channels = console  grants = control ioport:0xf4`): the console is the
 * startup page's console_ep; the control cap and the exit port are the last two caps.
 *
 * Waiting for input: READ is answered at once (never held by the driver), so a console
 * driver that dies can strand this shell only in the instant between its receive and
 * its reply; then the shell misses its heartbeat and is restarted.  With nothing to
 * read, the shell waits on its own endpoint for the driver's INPUT_READY (sent without
 * blocking, so possibly lost) or a heartbeat ping, and reads again after either.
 */
#include <runtime/runtime.h>
#include <runtime/service.h>
#include <runtime/stdio.h>
#include <runtime/string.h>
#include "drivers/serial/console_protocol.h"
#include "rs/client/rs_client.h"
#include "shell/core/command.h"
#include "shell/core/line_editor.h"

#define PROMPT "shell> "
#define LOG_SHOWN 16u

static seL4_CPtr console, control, exit_port;
static runtime_service_t svc;
static struct line_editor ed;

/* One READ: up to max bytes into buf; *eof when the input has ended.  -1: refused. */
static int console_read(uint8_t *buf, unsigned max, bool *eof)
{
    seL4_SetMR(0, max);
    seL4_MessageInfo_t info = seL4_Call(console, seL4_MessageInfo_new(CONSOLE_READ, 0, 0, 1));
    size_t len = seL4_MessageInfo_get_length(info);
    if (seL4_MessageInfo_get_label(info) != CONSOLE_OK || len < 2) return -1;
    seL4_Word n = seL4_GetMR(0);
    if (n > max || len < 2 + CONSOLE_DATA_WORDS(n)) return -1;
    *eof = (seL4_GetMR(1) & CONSOLE_FLAG_EOF) != 0;
    for (seL4_Word i = 0; i < n; i++) buf[i] = (uint8_t)(seL4_GetMR((int)(2 + i / 8)) >> (8 * (i % 8)));
    return (int)n;
}

/* Waits for the driver's INPUT_READY or a heartbeat ping (answered here). */
static void wait_for_input(void)
{
    seL4_Word badge = 0;
    (void)seL4_Recv(svc.ep, &badge);
    if ((badge & RUNTIME_PING_BADGE) && svc.heartbeat_ack != seL4_CapNull) seL4_Signal(svc.heartbeat_ack);
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

static void show_log(void)
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
    if (err != RS_OK) printf("log: %s\n", shell_rs_error(err));
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
        printf("%s %s: done\n", what, c->name);
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
    case SHELL_LOG: show_log(); break;
    default: service_command(&c); break;
    }
}

/* End of input: every other service is stopped (last started first), then the run ends. */
static _Noreturn void shut_down(void)
{
    printf("shell: end of input: stopping the system\n");
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
    fflush_console();
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
    line_editor_init(&ed);
    printf("shell: gen %lu%s; type help for the commands\n", (unsigned long)su->generation,
           su->restarted ? " (restarted)" : "");
    printf(PROMPT);
    fflush_console();
    static uint8_t buf[CONSOLE_READ_MAX];
    static char echo[LINE_EDITOR_ECHO_MAX];
    for (;;) {
        bool eof = false;
        int n = console_read(buf, sizeof(buf), &eof);
        if (n < 0) {
            printf("shell: the console refused READ\n");
            return 1;
        }
        for (int i = 0; i < n; i++) {
            size_t m = 0;
            enum line_event ev = line_editor_feed(&ed, buf[i], echo, &m);
            for (size_t k = 0; k < m; k++) putchar(echo[k]);
            if (ev == LINE_EOF) shut_down();
            if (ev == LINE_DONE) run(ed.line);
            if (ev != LINE_NONE) printf(PROMPT);
        }
        fflush_console();
        if (eof) {
            printf("\n");
            shut_down();
        }
        if (n == 0) wait_for_input();
    }
}
