/* The shell's line editor (line_editor.h). */
#include "shell/core/line_editor.h"

void line_editor_init(struct line_editor *ed)
{
    ed->len = 0;
    ed->line[0] = '\0';
    ed->last_cr = false;
}

static void put(char *echo, size_t *n, const char *s)
{
    for (; *s != '\0' && *n < LINE_EDITOR_ECHO_MAX; s++) echo[(*n)++] = *s;
}

enum line_event line_editor_feed(struct line_editor *ed, uint8_t byte, char *echo, size_t *echo_len)
{
    *echo_len = 0;
    bool after_cr = ed->last_cr;
    ed->last_cr = byte == '\r';
    switch (byte) {
    case '\n':
        if (after_cr) return LINE_NONE; /* CR LF: the line ended at the CR */
        /* fall through */
    case '\r':
        put(echo, echo_len, "\n");
        ed->line[ed->len] = '\0';
        ed->len = 0;
        return LINE_DONE;
    case 0x08:
    case 0x7f:
        if (ed->len > 0) {
            ed->line[--ed->len] = '\0';
            put(echo, echo_len, "\b \b");
        }
        return LINE_NONE;
    case 0x15:
        while (ed->len > 0) {
            ed->line[--ed->len] = '\0';
            put(echo, echo_len, "\b \b");
        }
        return LINE_NONE;
    case 0x03:
        put(echo, echo_len, "^C\n");
        ed->len = 0;
        ed->line[0] = '\0';
        return LINE_CANCEL;
    case 0x04:
        return ed->len == 0 ? LINE_EOF : LINE_NONE;
    default:
        break;
    }
    if (byte < 0x20 || byte > 0x7e) return LINE_NONE;
    if (ed->len >= LINE_EDITOR_MAX) {
        put(echo, echo_len, "\a");
        return LINE_NONE;
    }
    ed->line[ed->len++] = (char)byte;
    ed->line[ed->len] = '\0';
    echo[0] = (char)byte;
    *echo_len = 1;
    return LINE_NONE;
}
