/* Host tests of the shell's portable parts: line editing and command parsing/formatting. */
#include <string.h>

#include "check.h"
#include "shell/core/command.h"
#include "shell/core/line_editor.h"

/* Feeds a string; returns the last event; appends all echo to echo_out. */
static enum line_event type(struct line_editor *ed, const char *s, size_t n, char *echo_out, size_t *echo_total)
{
    enum line_event ev = LINE_NONE;
    static char echo[LINE_EDITOR_ECHO_MAX];
    for (size_t i = 0; i < n; i++) {
        size_t m = 0;
        ev = line_editor_feed(ed, (uint8_t)s[i], echo, &m);
        CHECK(m <= LINE_EDITOR_ECHO_MAX);
        memcpy(echo_out + *echo_total, echo, m);
        *echo_total += m;
        if (ev != LINE_NONE && i + 1 < n) {
            /* only the last byte may finish something in these cases */
            CHECK(0);
        }
    }
    echo_out[*echo_total] = '\0';
    return ev;
}

static void test_editor(void)
{
    static struct line_editor ed;
    static char echo[4096];
    size_t total = 0;
    line_editor_init(&ed);
    CHECK_EQ(type(&ed, "pss\b\x7f" "s\r", 7, echo, &total), LINE_DONE);
    CHECK(strcmp(ed.line, "ps") == 0);
    CHECK(strcmp(echo, "pss\b \b\b \bs\n") == 0);
    /* CR LF is one line end; LF alone ends a line too */
    total = 0;
    CHECK_EQ(type(&ed, "\n", 1, echo, &total), LINE_NONE);
    CHECK_EQ(total, 0);
    CHECK_EQ(type(&ed, "mem\n", 4, echo, &total), LINE_DONE);
    CHECK(strcmp(ed.line, "mem") == 0);
    /* backspace at the start of a line: nothing */
    total = 0;
    CHECK_EQ(type(&ed, "\b", 1, echo, &total), LINE_NONE);
    CHECK_EQ(total, 0);
    /* Ctrl-U erases the line, Ctrl-C abandons it */
    total = 0;
    CHECK_EQ(type(&ed, "abc\x15", 4, echo, &total), LINE_NONE);
    CHECK(strcmp(echo, "abc\b \b\b \b\b \b") == 0);
    CHECK_EQ(ed.len, 0);
    total = 0;
    CHECK_EQ(type(&ed, "xy\x03", 3, echo, &total), LINE_CANCEL);
    CHECK(strcmp(echo, "xy^C\n") == 0);
    /* Ctrl-D: end of input only on an empty line */
    total = 0;
    CHECK_EQ(type(&ed, "q\x04", 2, echo, &total), LINE_NONE);
    CHECK_EQ(type(&ed, "\b\x04", 2, echo, &total), LINE_EOF);
    /* other control bytes are ignored, a full line rings the bell */
    line_editor_init(&ed);
    total = 0;
    CHECK_EQ(type(&ed, "\x1b\x01\xff", 3, echo, &total), LINE_NONE);
    CHECK_EQ(total, 0);
    for (unsigned i = 0; i < LINE_EDITOR_MAX; i++) {
        size_t m = 0;
        static char e[LINE_EDITOR_ECHO_MAX];
        CHECK_EQ(line_editor_feed(&ed, 'a', e, &m), LINE_NONE);
    }
    total = 0;
    CHECK_EQ(type(&ed, "b", 1, echo, &total), LINE_NONE);
    CHECK(strcmp(echo, "\a") == 0);
    CHECK_EQ(ed.len, LINE_EDITOR_MAX);
    total = 0;
    CHECK_EQ(type(&ed, "\r", 1, echo, &total), LINE_DONE);
    CHECK_EQ(strlen(ed.line), LINE_EDITOR_MAX);
}

static void test_parse(void)
{
    struct shell_command c;
    shell_parse("", &c);
    CHECK_EQ(c.cmd, SHELL_EMPTY);
    shell_parse("   \t ", &c);
    CHECK_EQ(c.cmd, SHELL_EMPTY);
    shell_parse("ps", &c);
    CHECK_EQ(c.cmd, SHELL_PS);
    shell_parse("  kill   console ", &c);
    CHECK_EQ(c.cmd, SHELL_KILL);
    CHECK(strcmp(c.name, "console") == 0);
    shell_parse("restart demo", &c);
    CHECK_EQ(c.cmd, SHELL_RESTART);
    shell_parse("frobnicate x", &c);
    CHECK_EQ(c.cmd, SHELL_BAD);
    CHECK(strcmp(c.error, "unknown command 'frobnicate' (type help for the list)") == 0);
    shell_parse("kill", &c);
    CHECK_EQ(c.cmd, SHELL_BAD);
    CHECK(strcmp(c.error, "kill: needs one service name (kill NAME)") == 0);
    shell_parse("stop a b", &c);
    CHECK_EQ(c.cmd, SHELL_BAD);
    shell_parse("ps now", &c);
    CHECK_EQ(c.cmd, SHELL_BAD);
    CHECK(strcmp(c.error, "ps: takes no arguments") == 0);
    shell_parse("crash Demo", &c);
    CHECK_EQ(c.cmd, SHELL_BAD);
    CHECK(strcmp(c.error, "crash: 'Demo' is not a service name (1-15 of a-z 0-9 _ -)") == 0);
    shell_parse("start abcdefghijklmnop", &c); /* 16 characters */
    CHECK_EQ(c.cmd, SHELL_BAD);
    shell_parse("start abcdefghijklmno", &c);  /* 15 */
    CHECK_EQ(c.cmd, SHELL_START);
    shell_parse("kil console", &c);
    CHECK_EQ(c.cmd, SHELL_BAD);
    shell_parse("killall", &c);
    CHECK_EQ(c.cmd, SHELL_BAD);
    CHECK(strcmp(shell_cmd_name(SHELL_HANG), "hang") == 0);
    /* log takes no word, a service name or a level (the shell tells the two apart) */
    shell_parse("log", &c);
    CHECK_EQ(c.cmd, SHELL_LOG);
    CHECK_EQ(c.name[0], '\0');
    shell_parse("log  kv", &c);
    CHECK_EQ(c.cmd, SHELL_LOG);
    CHECK(strcmp(c.name, "kv") == 0);
    shell_parse("log warn", &c);
    CHECK_EQ(c.cmd, SHELL_LOG);
    CHECK(strcmp(c.name, "warn") == 0);
    shell_parse("log kv warn", &c);
    CHECK_EQ(c.cmd, SHELL_BAD);
    CHECK(strcmp(c.error, "log: takes at most one word (log, log NAME, log LEVEL)") == 0);
    shell_parse("log KV", &c);
    CHECK_EQ(c.cmd, SHELL_BAD);
    shell_parse("events", &c);
    CHECK_EQ(c.cmd, SHELL_EVENTS);
    shell_parse("events kv", &c);
    CHECK_EQ(c.cmd, SHELL_BAD);
}

static void test_ps(void)
{
    char buf[160];
    struct rs_list_entry e;
    memset(&e, 0, sizeof(e));
    memcpy(e.name, "demo", 5);
    e.state = 2;
    e.generation = 3;
    e.restarts = 2;
    e.end = 1;
    e.fault_kind = 1;
    e.fault_addr = 0;
    e.fault_ip = 0x401234;
    e.pages_used = 12;
    e.pages_quota = 64;
    e.started_at = 1500;
    e.now = 4020;
    int n = shell_ps_row(&e, buf, sizeof buf);
    CHECK_EQ((size_t)n, strlen(buf));
    CHECK(strcmp(buf, "demo            running     3        2 unmapped@0 ip 0x401234                 12/64     2.52s") == 0);
    e.state = 5;
    e.end = 3;
    shell_ps_row(&e, buf, sizeof buf);
    CHECK(strcmp(buf, "demo            failed      3        2 hang                                   12/64         -") == 0);
    e.end = 2;
    e.fault_code = 7;
    shell_ps_row(&e, buf, sizeof buf);
    CHECK(strstr(buf, " exit 7 ") != NULL);
    n = shell_ps_header(buf, sizeof buf);
    CHECK_EQ((size_t)n, strlen(buf));
    CHECK(strncmp(buf, "NAME            STATE     GEN RESTARTS LAST END", 47) == 0);
    CHECK(strcmp(shell_rs_error(RS_ERR_UNKNOWN_SERVICE), "no such service") == 0);
    /* the help text: NUL-separated lines ending with an empty one */
    const char *h = shell_help_text;
    unsigned lines = 0;
    while (*h != '\0' && lines < 100) {
        h += strlen(h) + 1;
        lines++;
    }
    CHECK_EQ(lines, 15);
}

int main(void)
{
    test_editor();
    test_parse();
    test_ps();
    return check_result("shell_core_test");
}
