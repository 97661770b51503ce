/* Formatted output, line-buffered per thread so that lines from different threads and
 * kernel messages never interleave: to the console driver if the startup page names one
 * (console_ep, drivers/serial/PROTOCOL.md), else to the seL4 debug console
 * (seL4_DebugPutChar).
 * Supports %d %i %u %x %X %o %c %s %p %% with flags '-', '0', ' ', '+', '#', width,
 * precision and the length modifiers hh h l ll z t j. */
#pragma once
#include <stdarg.h>
#include <stddef.h>

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int puts(const char *s);
int putchar(int c);
void fflush_console(void);

/* Called with every line (or full buffer) before it is written; weak, does nothing
 * unless the program defines it (the RS keeps its recent lines: rs/server/log.c). */
void runtime_console_line(const char *text, unsigned n);
