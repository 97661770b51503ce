/* The shell's commands (command.h). */
#include "shell/core/command.h"
#include <runtime/format.h>
#include <runtime/string.h>
#include <stdbool.h>

#define MAX_WORDS 3u
#define OPTIONAL_NAME 2u

struct cmd_info {
    const char *name;
    enum shell_cmd cmd;
    unsigned args;            /* 0, 1 for a service name, OPTIONAL_NAME: 0 or 1 */
};

static const struct cmd_info commands[] = {
    { "help", SHELL_HELP, 0 },       { "ps", SHELL_PS, 0 },       { "mem", SHELL_MEM, 0 },
    { "log", SHELL_LOG, OPTIONAL_NAME }, { "events", SHELL_EVENTS, 0 },
    { "kill", SHELL_KILL, 1 },       { "crash", SHELL_CRASH, 1 },
    { "hang", SHELL_HANG, 1 },       { "restart", SHELL_RESTART, 1 }, { "stop", SHELL_STOP, 1 },
    { "start", SHELL_START, 1 },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

const char shell_help_text[] =
    "commands:\0"
    "  ps             services: state, generation, restarts, last end, pages, uptime\0"
    "  mem            memory: free pages, each service's pages used / quota\0"
    "  log            the system log (logd): the last records of every service\0"
    "  log NAME       the last records of one service (e.g. log kv)\0"
    "  log LEVEL      the last records of LEVEL and above: debug info warn error fatal\0"
    "  events         the reincarnation server's recent events\0"
    "  kill NAME      kill a service (it dies as by a fault; its policy restarts it)\0"
    "  crash NAME     inject a real fault (instruction fetch at 0)\0"
    "  hang NAME      stop its thread (found by the missed heartbeat)\0"
    "  restart NAME   kill and start it now (not counted as a failure)\0"
    "  stop NAME      stop it (not restarted until start)\0"
    "  start NAME     start it (also a failed or exited service)\0"
    "  help           this list\0"
    "line editing: backspace, Ctrl-U (erase line), Ctrl-C (abandon line), Ctrl-D (end)\0";

const char *shell_cmd_name(enum shell_cmd cmd)
{
    for (size_t k = 0; k < NCOMMANDS; k++) {
        if (commands[k].cmd == cmd) return commands[k].name;
    }
    return "?";
}

static bool is_space(char c) { return c == ' ' || c == '\t'; }

static bool name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; }

void shell_parse(const char *line, struct shell_command *out)
{
    memset(out, 0, sizeof(*out));
    const char *word[MAX_WORDS + 1];
    size_t wlen[MAX_WORDS + 1];
    unsigned n = 0;
    const char *p = line;
    for (size_t guard = 0; *p != '\0' && guard < 4096; guard++) {
        while (is_space(*p)) p++;
        if (*p == '\0') break;
        const char *start = p;
        while (*p != '\0' && !is_space(*p)) p++;
        if (n <= MAX_WORDS) {
            word[n] = start;
            wlen[n] = (size_t)(p - start);
        }
        n++;
    }
    if (n == 0) {
        out->cmd = SHELL_EMPTY;
        return;
    }
    const struct cmd_info *c = NULL;
    for (size_t k = 0; k < NCOMMANDS; k++) {
        if (strlen(commands[k].name) == wlen[0] && memcmp(commands[k].name, word[0], wlen[0]) == 0) {
            c = &commands[k];
        }
    }
    out->cmd = SHELL_BAD;
    if (c == NULL) {
        fmt_snprintf(out->error, sizeof(out->error), "unknown command '%.*s' (type help for the list)",
                     (int)(wlen[0] > 32 ? 32 : wlen[0]), word[0]);
        return;
    }
    bool count_ok = c->args == OPTIONAL_NAME ? n <= 2 : n - 1 == c->args;
    if (!count_ok) {
        if (c->args == OPTIONAL_NAME) {
            fmt_snprintf(out->error, sizeof(out->error), "%s: takes at most one word (%s, %s NAME, %s LEVEL)", c->name,
                         c->name, c->name, c->name);
        } else if (c->args == 0) {
            fmt_snprintf(out->error, sizeof(out->error), "%s: takes no arguments", c->name);
        } else {
            fmt_snprintf(out->error, sizeof(out->error), "%s: needs one service name (%s NAME)", c->name, c->name);
        }
        return;
    }
    if (n == 2) {
        bool ok = wlen[1] > 0 && wlen[1] < RS_NAME_BYTES;
        for (size_t k = 0; ok && k < wlen[1]; k++) ok = name_char(word[1][k]);
        if (!ok) {
            fmt_snprintf(out->error, sizeof(out->error), "%s: '%.*s' is not a service name (1-15 of a-z 0-9 _ -)",
                         c->name, (int)(wlen[1] > 32 ? 32 : wlen[1]), word[1]);
            return;
        }
        memcpy(out->name, word[1], wlen[1]);
    }
    out->cmd = c->cmd;
}

static const char *state_name(uint32_t s)
{
    static const char *const names[] = { "stopped", "starting", "running", "backoff", "exited", "failed" };
    return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static const char *fault_name(uint32_t kind)
{
    static const char *const names[] = { "fault", "unmapped", "guard", "write-ro", "exec-nx",
                                         "quota", "no-memory", "access", "other" };
    return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "fault";
}

/* The last end, e.g. "unmapped@0x0 ip 0x401000", "exit 3", "hang", "killed", "-". */
static void last_end(const struct rs_list_entry *e, char *buf, size_t size)
{
    switch (e->end) {
    case 1:
        if (e->fault_kind == 8) {
            fmt_snprintf(buf, size, "fault type %lu ip %#lx", (unsigned long)e->fault_code, (unsigned long)e->fault_ip);
        } else {
            fmt_snprintf(buf, size, "%s@%#lx ip %#lx", fault_name(e->fault_kind), (unsigned long)e->fault_addr,
                         (unsigned long)e->fault_ip);
        }
        break;
    case 2: fmt_snprintf(buf, size, "exit %ld", (long)e->fault_code); break;
    case 3: fmt_snprintf(buf, size, "hang"); break;
    case 4: fmt_snprintf(buf, size, "killed"); break;
    default: fmt_snprintf(buf, size, "-"); break;
    }
}

int shell_ps_header(char *buf, size_t size)
{
    return fmt_snprintf(buf, size, "%-15s %-8s %4s %8s %-32s %11s %9s", "NAME", "STATE", "GEN", "RESTARTS",
                        "LAST END", "PAGES", "UPTIME");
}

int shell_ps_row(const struct rs_list_entry *e, char *buf, size_t size)
{
    char end[48], pages[24], up[16];
    last_end(e, end, sizeof(end));
    fmt_snprintf(pages, sizeof(pages), "%lu/%lu", (unsigned long)e->pages_used, (unsigned long)e->pages_quota);
    if (e->state == 2 && e->now >= e->started_at) {
        uint64_t ms = e->now - e->started_at;
        fmt_snprintf(up, sizeof(up), "%lu.%02lus", (unsigned long)(ms / 1000), (unsigned long)(ms % 1000 / 10));
    } else {
        fmt_snprintf(up, sizeof(up), "-");
    }
    return fmt_snprintf(buf, size, "%-15s %-8s %4lu %8lu %-32s %11s %9s", e->name, state_name(e->state),
                        (unsigned long)e->generation, (unsigned long)e->restarts, end, pages, up);
}

const char *shell_rs_error(int err)
{
    switch (err) {
    case RS_OK: return "ok";
    case RS_ERR_UNKNOWN_SERVICE: return "no such service";
    case RS_ERR_DENIED: return "denied (the shell has no control cap)";
    case RS_ERR_STATE: return "not possible in the service's state";
    case RS_ERR_KERNEL: return "a kernel or memory-server operation failed";
    case RS_ERR_VERSION: return "protocol version mismatch";
    default: return "bad request";
    }
}
