/*
 * The shell's commands (portable, host-tested and fuzzed): a line -> a command, and the
 * text of its results.  Commands:
 *   help                 the command list
 *   ps                   every service: name, state, generation, restarts, last end,
 *                        memory pages used/quota, uptime
 *   mem                  memory-server totals and per-service use
 *   log [NAME|LEVEL]     the system log (logd): the last records, of one service, or of
 *                        a level and above (a level name wins over a service name)
 *   events               the reincarnation server's recent events (see shell/README.md)
 *   kill NAME            the service dies as by a fault (restarted by its policy)
 *   crash NAME           a real fault injected into it (rip = 0)
 *   hang NAME            its thread stops (found by the heartbeat deadline)
 *   restart NAME         killed and started at once (not a failure)
 *   stop NAME            stopped, not restarted until start
 *   start NAME           started (also a failed or exited one)
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "rs/protocol/rs_protocol.h"

enum shell_cmd {
    SHELL_EMPTY, SHELL_HELP, SHELL_PS, SHELL_MEM, SHELL_LOG, SHELL_EVENTS,
    SHELL_KILL, SHELL_CRASH, SHELL_HANG, SHELL_RESTART, SHELL_STOP, SHELL_START,
    SHELL_BAD,   /* error[] says why */
};

#define SHELL_ERROR_MAX 120u

struct shell_command {
    enum shell_cmd cmd;
    char name[RS_NAME_BYTES];          /* the service (or log's word), for the commands that take one */
    char error[SHELL_ERROR_MAX];
};

/* Parses a line (NUL-terminated); never fails: a mistake is SHELL_BAD with a message. */
void shell_parse(const char *line, struct shell_command *out);

/* The command's name ("kill", ...). */
const char *shell_cmd_name(enum shell_cmd cmd);

/* The help text: NUL-separated lines, ended by an empty one. */
extern const char shell_help_text[];

/* One `ps` row (and the header): fixed columns, no newline.  Returns the length. */
int shell_ps_header(char *buf, size_t size);
int shell_ps_row(const struct rs_list_entry *e, char *buf, size_t size);

/* The message for an RS control error about service `name` (e.g. "no service 'x'"). */
const char *shell_rs_error(int err);
