/* printf-style formatting engine (see format.h).  Portable: no libc calls. */
#include <runtime/format.h>
#include <stdbool.h>
#include <stdint.h>

enum { F_LEFT = 1, F_ZERO = 2, F_SPACE = 4, F_PLUS = 8, F_ALT = 16 };
enum { L_INT, L_CHAR, L_SHORT, L_LONG, L_LLONG, L_SIZE, L_PTRDIFF, L_MAX };

typedef struct out {
    fmt_sink_fn sink;
    void *ctx;
    int count;
} out_t;

typedef struct spec {
    unsigned flags;
    int width;      /* -1: none */
    int precision;  /* -1: none */
    int length;     /* L_* */
    char conv;
} spec_t;

static void emit(out_t *o, char c)
{
    o->sink(c, o->ctx);
    if (o->count < INT32_MAX) {
        o->count++;
    }
}

static void emit_repeat(out_t *o, char c, int n)
{
    for (int i = 0; i < n; i++) {
        emit(o, c);
    }
}

static const char *parse_number(const char *p, int *value)
{
    int v = 0;
    while (*p >= '0' && *p <= '9') {
        if (v < 100000) {
            v = v * 10 + (*p - '0');
        }
        p++;
    }
    *value = v;
    return p;
}

static const char *parse_spec(const char *p, spec_t *s, va_list *ap)
{
    s->flags = 0;
    s->width = -1;
    s->precision = -1;
    s->length = L_INT;
    for (;; p++) {
        if (*p == '-') s->flags |= F_LEFT;
        else if (*p == '0') s->flags |= F_ZERO;
        else if (*p == ' ') s->flags |= F_SPACE;
        else if (*p == '+') s->flags |= F_PLUS;
        else if (*p == '#') s->flags |= F_ALT;
        else break;
    }
    if (*p == '*') {
        s->width = va_arg(*ap, int);
        if (s->width < 0) {
            s->flags |= F_LEFT;
            s->width = s->width == INT32_MIN ? INT32_MAX : -s->width;
        }
        p++;
    } else if (*p >= '0' && *p <= '9') {
        p = parse_number(p, &s->width);
    }
    if (*p == '.') {
        p++;
        if (*p == '*') {
            s->precision = va_arg(*ap, int);
            if (s->precision < 0) {
                s->precision = -1;
            }
            p++;
        } else {
            p = parse_number(p, &s->precision);
        }
    }
    if (*p == 'h') {
        p++;
        s->length = L_SHORT;
        if (*p == 'h') { s->length = L_CHAR; p++; }
    } else if (*p == 'l') {
        p++;
        s->length = L_LONG;
        if (*p == 'l') { s->length = L_LLONG; p++; }
    } else if (*p == 'z') { s->length = L_SIZE; p++; }
    else if (*p == 't') { s->length = L_PTRDIFF; p++; }
    else if (*p == 'j') { s->length = L_MAX; p++; }
    s->conv = *p;
    return p;
}

static uint64_t fetch_unsigned(int length, va_list *ap)
{
    switch (length) {
    case L_CHAR: return (unsigned char)va_arg(*ap, unsigned int);
    case L_SHORT: return (unsigned short)va_arg(*ap, unsigned int);
    case L_LONG: return va_arg(*ap, unsigned long);
    case L_LLONG: return va_arg(*ap, unsigned long long);
    case L_SIZE: return va_arg(*ap, size_t);
    case L_PTRDIFF: return (uint64_t)va_arg(*ap, ptrdiff_t);
    case L_MAX: return va_arg(*ap, uintmax_t);
    default: return va_arg(*ap, unsigned int);
    }
}

static int64_t fetch_signed(int length, va_list *ap)
{
    switch (length) {
    case L_CHAR: return (signed char)va_arg(*ap, int);
    case L_SHORT: return (short)va_arg(*ap, int);
    case L_LONG: return va_arg(*ap, long);
    case L_LLONG: return va_arg(*ap, long long);
    case L_SIZE: return (int64_t)va_arg(*ap, size_t);
    case L_PTRDIFF: return va_arg(*ap, ptrdiff_t); // NOLINT(bugprone-branch-clone): distinct C types
    case L_MAX: return va_arg(*ap, intmax_t);
    default: return va_arg(*ap, int);
    }
}

/* Digits of v in `base`, least significant first; returns how many. */
static int to_digits(uint64_t v, unsigned base, bool upper, char *buf)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int n = 0;
    while (v != 0) {
        // cppcheck-suppress zerodivcond ; base is 8, 10 or 16
        buf[n++] = digits[v % base];
        v /= base;
    }
    return n;
}

static void emit_integer(out_t *o, const spec_t *s, uint64_t magnitude, bool negative)
{
    char digits[24];
    unsigned base = 10;
    if (s->conv == 'x' || s->conv == 'X' || s->conv == 'p') base = 16;
    else if (s->conv == 'o') base = 8;
    int ndigits = to_digits(magnitude, base, s->conv == 'X', digits);

    /* Precision: minimum digits; an explicit precision of 0 prints nothing for 0. */
    int precision = s->precision < 0 ? 1 : s->precision;
    int zeros = precision > ndigits ? precision - ndigits : 0;
    if (s->conv == 'o' && (s->flags & F_ALT) && zeros == 0 &&
        (ndigits == 0 || digits[ndigits - 1] != '0')) {
        zeros = 1; /* '#' with octal: the first digit is 0 */
    }

    char prefix[2];
    int nprefix = 0;
    if (negative) prefix[nprefix++] = '-';
    else if (s->flags & F_PLUS) prefix[nprefix++] = '+';
    else if (s->flags & F_SPACE) prefix[nprefix++] = ' ';
    if ((s->conv == 'x' || s->conv == 'X') && (s->flags & F_ALT) && magnitude != 0) {
        prefix[0] = '0';
        prefix[1] = s->conv;
        nprefix = 2;
    }
    if (s->conv == 'p') {
        prefix[0] = '0';
        prefix[1] = 'x';
        nprefix = 2;
    }

    int body = nprefix + zeros + ndigits;
    int pad = s->width > body ? s->width - body : 0;
    bool zero_pad = (s->flags & F_ZERO) && !(s->flags & F_LEFT) && s->precision < 0;
    if (zero_pad) {
        zeros += pad;
        pad = 0;
    }
    if (!(s->flags & F_LEFT)) emit_repeat(o, ' ', pad);
    for (int i = 0; i < nprefix; i++) emit(o, prefix[i]);
    emit_repeat(o, '0', zeros);
    for (int i = ndigits - 1; i >= 0; i--) emit(o, digits[i]);
    if (s->flags & F_LEFT) emit_repeat(o, ' ', pad);
}

static void emit_string(out_t *o, const spec_t *s, const char *str)
{
    if (str == NULL) {
        str = "(null)";
    }
    int len = 0;
    while (str[len] != '\0' && (s->precision < 0 || len < s->precision) && len < INT32_MAX) {
        len++;
    }
    int pad = s->width > len ? s->width - len : 0;
    if (!(s->flags & F_LEFT)) emit_repeat(o, ' ', pad);
    for (int i = 0; i < len; i++) emit(o, str[i]);
    if (s->flags & F_LEFT) emit_repeat(o, ' ', pad);
}

static void emit_conversion(out_t *o, const spec_t *s, va_list *ap)
{
    switch (s->conv) {
    case 'd':
    case 'i': {
        int64_t v = fetch_signed(s->length, ap);
        uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        emit_integer(o, s, mag, v < 0);
        break;
    }
    case 'u':
    case 'x':
    case 'X':
    case 'o':
        emit_integer(o, s, fetch_unsigned(s->length, ap), false);
        break;
    case 'p': {
        spec_t p = *s;
        p.precision = -1;
        emit_integer(o, &p, (uint64_t)(uintptr_t)va_arg(*ap, void *), false);
        break;
    }
    case 'c': {
        char c = (char)va_arg(*ap, int);
        int pad = s->width > 1 ? s->width - 1 : 0;
        if (!(s->flags & F_LEFT)) emit_repeat(o, ' ', pad);
        emit(o, c);
        if (s->flags & F_LEFT) emit_repeat(o, ' ', pad);
        break;
    }
    case 's':
        emit_string(o, s, va_arg(*ap, const char *));
        break;
    case '%':
        emit(o, '%');
        break;
    default:
        break;
    }
}

static bool is_conversion(char c)
{
    const char *known = "diuxXopcs%";
    for (const char *k = known; *k != '\0'; k++) {
        if (*k == c) {
            return true;
        }
    }
    return false;
}

int fmt_vformat(fmt_sink_fn sink, void *ctx, const char *fmt, va_list ap)
{
    out_t o = { sink, ctx, 0 };
    va_list args;
    va_copy(args, ap);
    for (const char *p = fmt; *p != '\0'; p++) {
        if (*p != '%') {
            emit(&o, *p);
            continue;
        }
        const char *start = p;
        spec_t s;
        p = parse_spec(p + 1, &s, &args);
        if (s.conv == '\0') {
            /* A lone '%' at the end: copy what was there and stop. */
            for (; start < p; start++) emit(&o, *start);
            break;
        }
        if (is_conversion(s.conv)) {
            emit_conversion(&o, &s, &args);
        } else {
            for (; start <= p; start++) emit(&o, *start);
        }
    }
    va_end(args);
    return o.count;
}

typedef struct buffer_sink {
    char *buf;
    size_t size;
    size_t used;
} buffer_sink_t;

static void buffer_put(char c, void *ctx)
{
    buffer_sink_t *b = ctx;
    if (b->size > 0 && b->used < b->size - 1) {
        b->buf[b->used] = c;
    }
    b->used++;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    buffer_sink_t b = { buf, size, 0 };
    int n = fmt_vformat(buffer_put, &b, fmt, ap);
    if (size > 0) {
        buf[b.used < size ? b.used : size - 1] = '\0';
    }
    return n;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
