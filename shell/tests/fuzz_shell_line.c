/* Fuzzes the shell's line editor and parser together: any byte stream gives bounded
 * lines and echo, and every finished line parses to a command or a message. */
#include <stdlib.h>
#include <string.h>

#include "shell/core/command.h"
#include "shell/core/line_editor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct line_editor ed;
    static char echo[LINE_EDITOR_ECHO_MAX];
    line_editor_init(&ed);
    for (size_t i = 0; i < size; i++) {
        size_t m = 0;
        enum line_event ev = line_editor_feed(&ed, data[i], echo, &m);
        if (m > LINE_EDITOR_ECHO_MAX || ed.len > LINE_EDITOR_MAX || strlen(ed.line) > LINE_EDITOR_MAX) abort();
        if (ev == LINE_DONE) {
            struct shell_command c;
            shell_parse(ed.line, &c);
            if (c.cmd > SHELL_BAD) abort();
            if (c.cmd == SHELL_BAD && (c.error[0] == '\0' || strlen(c.error) >= SHELL_ERROR_MAX)) abort();
            if (strlen(c.name) >= RS_NAME_BYTES) abort();
        }
    }
    struct rs_list_entry e;
    if (size >= sizeof(e)) {
        memcpy(&e, data, sizeof(e));
        e.name[RS_NAME_BYTES - 1] = '\0';
        char buf[160];
        int n = shell_ps_row(&e, buf, sizeof buf);
        if (n < 0 || strlen(buf) >= sizeof buf) abort();
    }
    return 0;
}
