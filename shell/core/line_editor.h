/*
 * The shell's line editor (portable, host-tested and fuzzed): bytes from the serial line
 * in, echo bytes and finished lines out.  What a person at a terminal expects:
 *   printable ASCII   appended and echoed (a full line rings the bell, 0x07, instead)
 *   CR, LF, CR LF     ends the line (echo "\n"); CR LF counts once
 *   BS (0x08), DEL    erases the last character: echo "\b \b" (nothing at line start)
 *   Ctrl-U (0x15)     erases the whole line
 *   Ctrl-C (0x03)     abandons the line: echo "^C\n", an empty line
 *   Ctrl-D (0x04)     at the start of a line: end of input (as on a Unix terminal);
 *                     elsewhere ignored
 *   other bytes       ignored (escape sequences: their printable tails are typed)
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINE_EDITOR_MAX 120u   /* characters per line */
#define LINE_EDITOR_ECHO_MAX (3u * LINE_EDITOR_MAX) /* echo bytes per input byte, at most (Ctrl-U) */

struct line_editor {
    char line[LINE_EDITOR_MAX + 1]; /* NUL-terminated */
    size_t len;
    bool last_cr;                  /* the previous byte was CR (a following LF is eaten) */
};

enum line_event { LINE_NONE, LINE_DONE, LINE_CANCEL, LINE_EOF };

void line_editor_init(struct line_editor *ed);
/* Feeds one byte: writes its echo (0..LINE_EDITOR_ECHO_MAX bytes) to echo[] and the count
 * to *echo_len.  LINE_DONE: ed->line holds the finished line (cleared at the next
 * call); LINE_CANCEL: Ctrl-C; LINE_EOF: Ctrl-D on an empty line. */
enum line_event line_editor_feed(struct line_editor *ed, uint8_t byte, char *echo, size_t *echo_len);
