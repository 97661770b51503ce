/*
 * Console output (see stdio.h): formatted with format.c into a per-thread line buffer
 * (in TLS), written with seL4_DebugPutChar when a line is complete or the buffer fills.
 */
#include <runtime/stdio.h>
#include <runtime/format.h>
#include <sel4/sel4.h>

#define LINE_MAX_BYTES 256u

static __thread char line[LINE_MAX_BYTES];
static __thread unsigned line_len;

void fflush_console(void)
{
    for (unsigned i = 0; i < line_len; i++) {
        seL4_DebugPutChar(line[i]);
    }
    line_len = 0;
}

static void console_put(char c, void *ctx)
{
    (void)ctx;
    line[line_len++] = c;
    if (c == '\n' || line_len == LINE_MAX_BYTES) {
        fflush_console();
    }
}

int vprintf(const char *fmt, va_list ap) { return fmt_vformat(console_put, NULL, fmt, ap); }

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    return fmt_vsnprintf(buf, size, fmt, ap);
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int putchar(int c)
{
    console_put((char)c, NULL);
    return (unsigned char)c;
}

int puts(const char *s)
{
    int n = 0;
    for (; *s != '\0'; s++, n++) {
        console_put(*s, NULL);
    }
    console_put('\n', NULL);
    return n + 1;
}
