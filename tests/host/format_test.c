/* The runtime's printf engine (runtime/format.h) against the host's snprintf, on a table
 * of formats and a spread of values, plus its own choices (%p, NULL strings). */
#include "check.h"
#include <runtime/format.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

static void same(const char *expect, int expect_n, const char *got, int got_n, const char *what)
{
    check_count++;
    if (strcmp(expect, got) != 0 || expect_n != got_n) {
        check_failures++;
        fprintf(stderr, "format %s: host \"%s\" (%d), ours \"%s\" (%d)\n", what, expect, expect_n,
                got, got_n);
    }
}

#define BOTH(fmt, ...)                                                            \
    do {                                                                          \
        char a_[256], b_[256];                                                    \
        int na_ = snprintf(a_, sizeof(a_), fmt, __VA_ARGS__);                     \
        int nb_ = fmt_snprintf(b_, sizeof(b_), fmt, __VA_ARGS__);                 \
        same(a_, na_, b_, nb_, fmt);                                              \
    } while (0)

static const long long ints[] = { 0, 1, -1, 7, -7, 42, 255, 256, -32768, 65535, INT_MAX, INT_MIN,
                                  (long long)UINT_MAX, LLONG_MAX, LLONG_MIN };

static void integers(void)
{
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        long long v = ints[i];
        int iv = (int)v;
        unsigned uv = (unsigned)v;
        BOTH("%d|%i|%5d|%-5d|%05d|%+d|% d|%.3d|%8.3d|%-+8.2d|%.0d", iv, iv, iv, iv, iv, iv, iv, iv,
             iv, iv, iv);
        BOTH("%u|%x|%X|%o|%#x|%#X|%#o|%08x|%#010x|%-#8x|%.0u|%#.0o", uv, uv, uv, uv, uv, uv, uv,
             uv, uv, uv, uv, uv);
        BOTH("%lld|%llu|%llx|%20lld|%-20llx|%.25lld", v, (unsigned long long)v,
             (unsigned long long)v, v, (unsigned long long)v, v);
        BOTH("%ld|%lu|%lx|%zu|%zd|%td|%jd|%ju", (long)v, (unsigned long)v, (unsigned long)v,
             (size_t)v, (ssize_t)v, (ptrdiff_t)v, (intmax_t)v, (uintmax_t)v);
        BOTH("%hd|%hu|%hx|%hhd|%hhu|%hhx", (short)v, (unsigned short)v, (unsigned short)v,
             (signed char)v, (unsigned char)v, (unsigned char)v);
        BOTH("%*d|%-*d|%.*d|%*.*x", 6, iv, 6, iv, 4, iv, 10, 6, uv);
    }
    BOTH("%*d|%.*d", -6, 5, -3, 5); /* negative width: left-justify; negative precision: none */
}

static void strings_and_chars(void)
{
    BOTH("%s|%10s|%-10s|%.2s|%5.1s|%c|%3c|%-3c|%%|100%%", "hello", "hi", "hi", "hello", "xyz",
         'a', 'b', 'c');
    BOTH("%s", "");
    BOTH("%.0s|", "gone");
    BOTH("no conversions at all%s", "");
}

/* Calls the engine without the compiler's format checking, for deliberately odd formats. */
static int unchecked(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

static void own_choices(void)
{
    char buf[64];
    fmt_snprintf(buf, sizeof(buf), "%p %p", (void *)0x1234, (void *)0);
    CHECK(strcmp(buf, "0x1234 0x0") == 0);
    unchecked(buf, sizeof(buf), "%s", (const char *)NULL);
    CHECK(strcmp(buf, "(null)") == 0);
    unchecked(buf, sizeof(buf), "%q|%5k|end%");
    CHECK(strcmp(buf, "%q|%5k|end%") == 0); /* unknown conversions are copied */
    /* Truncation: returns the full length, writes size-1 chars and a NUL. */
    int n = fmt_snprintf(buf, 5, "%s", "abcdefgh");
    CHECK_EQ(n, 8);
    CHECK(strcmp(buf, "abcd") == 0);
    n = fmt_snprintf(NULL, 0, "%d", 12345);
    CHECK_EQ(n, 5);
    buf[0] = 'X';
    n = fmt_snprintf(buf, 1, "%d", 12345);
    CHECK(n == 5 && buf[0] == '\0');
}

int main(void)
{
    integers();
    strings_and_chars();
    own_choices();
    return check_result("format_test");
}
