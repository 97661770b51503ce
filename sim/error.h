/* One-line error messages for callers that pass a buffer (err, errlen). */
#pragma once
#include <stddef.h>

/* Formats the message into err (if err is not NULL and errlen > 0); returns -1. */
int set_error(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
