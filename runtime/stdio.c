/*
 * Console output (see stdio.h): formatted with format.c into a per-thread line buffer
 * (in TLS), written when a line is complete or the buffer fills: to the console driver
 * (drivers/serial/PROTOCOL.md: one CONSOLE_WRITE with seL4_Send) if the startup page
 * names a console, else with seL4_DebugPutChar.
 */
#include <runtime/stdio.h>
#include <runtime/console.h>
#include <runtime/format.h>
#include <runtime/startup.h>
#include <sel4/sel4.h>

#define LINE_MAX_BYTES CONSOLE_WRITE_MAX
#define SAVED_MRS (1u + CONSOLE_DATA_WORDS(CONSOLE_WRITE_MAX))

static __thread char line[LINE_MAX_BYTES];
static __thread unsigned line_len;

static seL4_CPtr console_cap(void)
{
    const runtime_startup_t *su = runtime_startup();
    return su != NULL && su->version >= 3 ? (seL4_CPtr)su->console_ep : seL4_CapNull;
}

/* One-way: a console driver that dies never leaves the writer waiting for a reply
 * (PROTOCOL.md); the message registers a caller may have set are kept. */
static void console_send(seL4_CPtr ep, const char *bytes, unsigned n)
{
    seL4_Word saved[SAVED_MRS];
    for (unsigned k = 0; k < SAVED_MRS; k++) saved[k] = seL4_GetMR((int)k);
    seL4_SetMR(0, n);
    for (unsigned w = 0; w < CONSOLE_DATA_WORDS(n); w++) {
        seL4_Word v = 0;
        for (unsigned b = 0; b < 8 && w * 8 + b < n; b++) v |= (seL4_Word)(unsigned char)bytes[w * 8 + b] << (8 * b);
        seL4_SetMR((int)(1 + w), v);
    }
    seL4_Send(ep, seL4_MessageInfo_new(CONSOLE_WRITE, 0, 0, 1 + CONSOLE_DATA_WORDS(n)));
    for (unsigned k = 0; k < SAVED_MRS; k++) seL4_SetMR((int)k, saved[k]);
}

/* Every line this program prints, before it is written (a program may keep them: the
 * RS does, for its LOG request).  The default keeps nothing. */
__attribute__((weak)) void runtime_console_line(const char *text, unsigned n)
{
    (void)text;
    (void)n;
}

void fflush_console(void)
{
    if (line_len > 0) runtime_console_line(line, line_len);
    seL4_CPtr ep = console_cap();
    if (ep != seL4_CapNull && line_len > 0) {
        console_send(ep, line, line_len);
    } else {
        for (unsigned i = 0; i < line_len; i++) {
            seL4_DebugPutChar(line[i]);
        }
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
