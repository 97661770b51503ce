/*
 * Console output (see stdio.h): formatted with format.c into a per-thread line buffer
 * (in TLS), written when a line is complete or the buffer fills: to the console driver
 * (drivers/serial/PROTOCOL.md: one CONSOLE_WRITE with seL4_Send) if the startup page
 * names a console, else with seL4_DebugPutChar if the kernel has it (CONFIG_PRINTING),
 * else to the COM1 UART through the program's I/O-port cap (runtime_console_set_uart).
 */
#include <runtime/stdio.h>
#include <stdbool.h>
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

static bool never_wait;

void runtime_console_never_wait(void)
{
    never_wait = true;
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
    seL4_MessageInfo_t info = seL4_MessageInfo_new(CONSOLE_WRITE, 0, 0, 1 + CONSOLE_DATA_WORDS(n));
    if (never_wait) {
        seL4_NBSend(ep, info);
    } else {
        seL4_Send(ep, info);
    }
    for (unsigned k = 0; k < SAVED_MRS; k++) seL4_SetMR((int)k, saved[k]);
}

#ifndef CONFIG_PRINTING
/* The 16550's transmit register and line status (drivers/serial/uart.h has them all). */
#define UART_BASE 0x3f8u
#define UART_THR (UART_BASE + 0u)
#define UART_LSR (UART_BASE + 5u)
#define UART_LSR_THRE 0x20u
#define UART_POLLS 4096u /* a byte takes ~87 us at 115200 baud: more than enough */

static seL4_CPtr uart_port;

/* One byte, after waiting (a bounded number of polls) for room in the transmitter.
 * false: the kernel refused the port (not a COM1 port cap). */
static bool uart_put(char c)
{
    for (unsigned k = 0; k < UART_POLLS; k++) {
        seL4_X86_IOPort_In8_t lsr = seL4_X86_IOPort_In8(uart_port, UART_LSR);
        if (lsr.error != seL4_NoError) return false;
        if ((lsr.result & UART_LSR_THRE) != 0) break;
    }
    return seL4_X86_IOPort_Out8(uart_port, UART_THR, (unsigned char)c) == seL4_NoError;
}
#endif

void runtime_console_set_uart(seL4_CPtr port)
{
#ifdef CONFIG_PRINTING
    (void)port; /* seL4_DebugPutChar reaches the same line */
#else
    uart_port = port;
#endif
}

/* The line without a console driver (see the file comment). */
static void last_resort(const char *bytes, unsigned n)
{
#ifdef CONFIG_PRINTING
    for (unsigned i = 0; i < n; i++) seL4_DebugPutChar(bytes[i]);
#else
    bool ok = uart_port != seL4_CapNull;
    for (unsigned i = 0; i < n && ok; i++) {
        if (bytes[i] == '\n') ok = uart_put('\r');
        if (ok) ok = uart_put(bytes[i]);
    }
    /* A refused port cap is the last resort failing: there is nowhere left to say so;
     * later lines are not tried on it. */
    if (!ok) uart_port = seL4_CapNull;
#endif
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
        last_resort(line, line_len);
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
