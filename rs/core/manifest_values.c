/* The manifest's value syntax: words, names, numbers and durations. */
#include "rs/core/manifest_internal.h"

bool mp_eq(struct mp_slice s, const char *word)
{
    size_t i = 0;
    for (; i < s.n; i++) {
        if (word[i] == '\0' || word[i] != s.p[i]) return false;
    }
    return word[i] == '\0';
}

bool mp_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

size_t mp_split(struct mp_slice s, struct mp_slice *words, size_t max)
{
    size_t count = 0, i = 0;
    while (i < s.n) {
        while (i < s.n && mp_is_space(s.p[i])) i++;
        if (i == s.n) break;
        size_t start = i;
        while (i < s.n && !mp_is_space(s.p[i])) i++;
        if (count == max) return max + 1;
        words[count].p = s.p + start;
        words[count].n = i - start;
        count++;
    }
    return count;
}

bool mp_valid_name(struct mp_slice s)
{
    if (s.n == 0 || s.n > RS_NAME_MAX) return false;
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
    }
    return true;
}

bool mp_valid_image(struct mp_slice s)
{
    if (s.n == 0 || s.n > RS_IMAGE_MAX) return false;
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool mp_parse_u64(struct mp_slice s, uint64_t *v)
{
    uint64_t base = 10, r = 0;
    size_t i = 0;
    if (s.n > 2 && s.p[0] == '0' && (s.p[1] == 'x' || s.p[1] == 'X')) {
        base = 16;
        i = 2;
    }
    if (i == s.n) return false;
    for (; i < s.n; i++) {
        int d = hex_digit(s.p[i]);
        if (d < 0 || (uint64_t)d >= base) return false;
        if (r > (UINT64_MAX - (uint64_t)d) / base) return false;
        r = r * base + (uint64_t)d;
    }
    *v = r;
    return true;
}

bool mp_parse_duration(struct mp_slice s, uint32_t *ms)
{
    uint64_t scale;
    size_t digits = 0;
    while (digits < s.n && s.p[digits] >= '0' && s.p[digits] <= '9') digits++;
    struct mp_slice unit = { s.p + digits, s.n - digits };
    if (mp_eq(unit, "ms"))
        scale = 1;
    else if (mp_eq(unit, "s"))
        scale = 1000;
    else
        return false;
    uint64_t v;
    struct mp_slice num = { s.p, digits };
    if (digits == 0 || digits > 12 || !mp_parse_u64(num, &v)) return false;
    v *= scale; /* < 10^12 * 1000: no overflow */
    if (v > RS_MAX_DURATION_MS) return false;
    *ms = (uint32_t)v;
    return true;
}

void mp_copy(char *dst, size_t cap, struct mp_slice s)
{
    if (cap == 0) return;
    size_t n = s.n < cap - 1 ? s.n : cap - 1;
    for (size_t i = 0; i < n; i++) dst[i] = s.p[i];
    dst[n] = '\0';
}

void mp_quote(char *dst, size_t cap, struct mp_slice s)
{
    if (s.n <= 24) {
        mp_copy(dst, cap, s);
        return;
    }
    struct mp_slice head = { s.p, 21 };
    mp_copy(dst, cap, head);
    for (size_t i = 21; i < 24 && i + 1 < cap; i++) {
        dst[i] = '.';
        dst[i + 1] = '\0';
    }
}
