/* Formatted output to the seL4 debug console (seL4_DebugPutChar), line-buffered per
 * thread so that lines from different threads and kernel messages never interleave.
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
