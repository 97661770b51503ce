/*
 * printf-style formatting with no I/O and no libc: the engine behind stdio.h, also
 * built for the host so that it can be tested against the host's printf.
 * Conversions: d i u x X o c s p %; flags - 0 space + #; width and precision (numbers
 * or *); length modifiers hh h l ll z t j.  Anything else is copied out literally.
 * %p prints like %#lx ("0x0" for NULL).
 */
#pragma once
#include <stdarg.h>
#include <stddef.h>

/* Receives the output one character at a time. */
typedef void (*fmt_sink_fn)(char c, void *ctx);

/* Formats to `sink`; returns the number of characters produced. */
int fmt_vformat(fmt_sink_fn sink, void *ctx, const char *fmt, va_list ap);

/* C11 vsnprintf/snprintf semantics: writes at most size-1 characters and a NUL (if
 * size > 0) and returns the length the full output would have had. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
