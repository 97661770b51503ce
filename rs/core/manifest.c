/*
 * The manifest parser's driver: splits the text into lines, handles `group` and
 * `service` lines, hands `KEY = VALUE` lines to manifest_keys.c and orders the services
 * (manifest_order.c).
 *
 * Two passes, so that names may be used before the line that declares them: the first
 * only registers the names of `service` and `group` lines (in order, first occurrence,
 * up to the limits); the second checks every line in order and stops at the first
 * error.  A header line the second pass accepts is exactly one the first registered, so
 * a manifest without errors has the same indices in both.
 */
#include <runtime/format.h>
#include <runtime/string.h>
#include "rs/core/manifest_internal.h"

int mp_error_at(struct mp *mp, uint32_t line, const char *field, const char *fmt, ...)
{
    va_list ap;
    mp->err->line = line;
    mp_copy(mp->err->field, sizeof(mp->err->field), (struct mp_slice){ field, strnlen(field, RS_FIELD_MAX) });
    va_start(ap, fmt);
    fmt_vsnprintf(mp->err->message, sizeof(mp->err->message), fmt, ap);
    va_end(ap);
    return -1;
}

int mp_error(struct mp *mp, const char *field, const char *fmt, ...)
{
    va_list ap;
    mp->err->line = mp->line;
    mp_copy(mp->err->field, sizeof(mp->err->field), (struct mp_slice){ field, strnlen(field, RS_FIELD_MAX) });
    va_start(ap, fmt);
    fmt_vsnprintf(mp->err->message, sizeof(mp->err->message), fmt, ap);
    va_end(ap);
    return -1;
}

int rs_manifest_format_error(const struct rs_manifest_error *err, const char *file, char *buf, size_t size)
{
    if (err->field[0] != '\0')
        return fmt_snprintf(buf, size, "%s:%u: field '%s': %s", file, err->line, err->field, err->message);
    return fmt_snprintf(buf, size, "%s:%u: %s", file, err->line, err->message);
}

int rs_manifest_find_service(const struct rs_manifest *m, const char *name, size_t len)
{
    struct mp_slice s = { name, len };
    for (uint32_t i = 0; i < m->nservices && i < RS_MAX_SERVICES; i++) {
        if (mp_eq(s, m->service[i].name)) return (int)i;
    }
    return -1;
}

int rs_manifest_find_group(const struct rs_manifest *m, const char *name, size_t len)
{
    struct mp_slice s = { name, len };
    for (uint32_t i = 0; i < m->ngroups && i < RS_MAX_GROUPS; i++) {
        if (mp_eq(s, m->group[i].name)) return (int)i;
    }
    return -1;
}

uint32_t rs_manifest_start_rank(const struct rs_manifest *m, uint32_t svc)
{
    for (uint32_t i = 0; i < m->nservices && i < RS_MAX_SERVICES; i++) {
        if (m->start_order[i] == svc) return i;
    }
    return RS_MAX_SERVICES;
}

const char *rs_strategy_name(unsigned strategy)
{
    static const char *const names[] = { "one_for_one", "rest_for_one", "one_for_all" };
    return strategy < 3 ? names[strategy] : "?";
}

const char *rs_restart_name(unsigned restart)
{
    static const char *const names[] = { "permanent", "transient", "temporary" };
    return restart < 3 ? names[restart] : "?";
}

/* ---- lines ---- */

enum line_kind { LINE_BLANK, LINE_SERVICE, LINE_GROUP, LINE_KEY, LINE_OTHER };

struct line {
    enum line_kind kind;
    struct mp_slice word;   /* first word: the key, or `service` / `group` */
    struct mp_slice rest;   /* after the `=` or after the first word, trimmed */
};

static struct mp_slice trim(struct mp_slice s)
{
    while (s.n > 0 && mp_is_space(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n > 0 && mp_is_space(s.p[s.n - 1])) s.n--;
    return s;
}

static struct line classify(struct mp_slice raw)
{
    struct line l = { LINE_BLANK, { raw.p, 0 }, { raw.p, 0 } };
    for (size_t i = 0; i < raw.n; i++) {
        if (raw.p[i] == '#') {
            raw.n = i;
            break;
        }
    }
    struct mp_slice t = trim(raw);
    if (t.n == 0) return l;
    size_t i = 0;
    while (i < t.n && !mp_is_space(t.p[i]) && t.p[i] != '=') i++;
    l.word = (struct mp_slice){ t.p, i };
    struct mp_slice rest = trim((struct mp_slice){ t.p + i, t.n - i });
    if (rest.n > 0 && rest.p[0] == '=') {
        l.kind = LINE_KEY;
        l.rest = trim((struct mp_slice){ rest.p + 1, rest.n - 1 });
    } else if (mp_eq(l.word, "service")) {
        l.kind = LINE_SERVICE;
        l.rest = rest;
    } else if (mp_eq(l.word, "group")) {
        l.kind = LINE_GROUP;
        l.rest = rest;
    } else {
        l.kind = LINE_OTHER;
        l.rest = rest;
    }
    return l;
}

/* The next line of text from *pos (without its newline); false at the end. */
static bool next_line(const char *text, size_t len, size_t *pos, struct mp_slice *out)
{
    if (*pos >= len) return false;
    size_t start = *pos, i = start;
    while (i < len && text[i] != '\n') i++;
    *out = (struct mp_slice){ text + start, i - start };
    *pos = i < len ? i + 1 : len;
    return true;
}

/* The first word of a header's rest: the name it declares. */
static struct mp_slice header_name(struct mp_slice rest)
{
    size_t i = 0;
    while (i < rest.n && !mp_is_space(rest.p[i])) i++;
    return (struct mp_slice){ rest.p, i };
}

/* ---- first pass: names ---- */

static void register_names(struct rs_manifest *m, const char *text, size_t len)
{
    size_t pos = 0;
    struct mp_slice raw;
    while (next_line(text, len, &pos, &raw)) {
        struct line l = classify(raw);
        struct mp_slice name = header_name(l.rest);
        if (!mp_valid_name(name)) continue;
        if (l.kind == LINE_SERVICE && m->nservices < RS_MAX_SERVICES &&
            rs_manifest_find_service(m, name.p, name.n) < 0) {
            mp_copy(m->service[m->nservices++].name, RS_NAME_MAX + 1, name);
        } else if (l.kind == LINE_GROUP && m->ngroups < RS_MAX_GROUPS &&
                   rs_manifest_find_group(m, name.p, name.n) < 0) {
            mp_copy(m->group[m->ngroups++].name, RS_NAME_MAX + 1, name);
        }
    }
}

/* ---- second pass ---- */

struct pass2 {
    struct mp mp;
    uint32_t services;   /* service lines accepted so far */
    uint32_t groups;     /* group lines accepted so far */
};

static int check_chars(struct mp *mp, struct mp_slice raw)
{
    bool comment = false;
    if (raw.n > RS_MAX_LINE) return mp_error(mp, "", "line too long (at most %u characters)", RS_MAX_LINE);
    for (size_t i = 0; i < raw.n; i++) {
        unsigned char c = (unsigned char)raw.p[i];
        if (c == '#') comment = true;
        if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7F || (c >= 0x80 && !comment))
            return mp_error(mp, "", "invalid character (byte %#x) in column %zu", c, i + 1);
    }
    return 0;
}

/* The implicit group `default` (one_for_one, default intensity): its index, added if
 * the manifest does not declare it. */
int mp_default_group(struct mp *mp)
{
    struct rs_manifest *m = mp->m;
    int g = rs_manifest_find_group(m, RS_DEFAULT_GROUP, sizeof(RS_DEFAULT_GROUP) - 1);
    if (g >= 0) return g;
    if (m->ngroups >= RS_MAX_GROUPS)
        return mp_error(mp, "group", "no group given and no room for the implicit group '%s' (at most %u groups)",
                        RS_DEFAULT_GROUP, RS_MAX_GROUPS);
    struct rs_group *d = &m->group[m->ngroups];
    mp_copy(d->name, sizeof(d->name), (struct mp_slice){ RS_DEFAULT_GROUP, sizeof(RS_DEFAULT_GROUP) - 1 });
    d->strategy = RS_ONE_FOR_ONE;
    d->intensity = RS_DEFAULT_INTENSITY;
    d->period_ms = RS_DEFAULT_PERIOD;
    d->line = 0;
    return (int)m->ngroups++;
}

/* Ends the current service block: required keys and the implicit group. */
static int finish_service(struct mp *mp)
{
    if (mp->cur < 0) return 0;
    struct rs_service *s = &mp->m->service[mp->cur];
    if (!mp->key_line[MP_KEY_IMAGE])
        return mp_error_at(mp, s->line, "image", "service '%s' has no image (a required key)", s->name);
    if (!mp->key_line[MP_KEY_GROUP]) {
        uint32_t line = mp->line;
        mp->line = s->line;
        int g = mp_default_group(mp);
        mp->line = line;
        if (g < 0) return -1;
        s->group = (uint8_t)g;
    }
    mp->cur = -1;
    return 0;
}

static int service_line(struct pass2 *p, struct line *l)
{
    struct mp *mp = &p->mp;
    struct rs_manifest *m = mp->m;
    char q[32];
    struct mp_slice name = header_name(l->rest);
    mp_quote(q, sizeof(q), name);
    if (name.n == 0) return mp_error(mp, "service", "missing name: 'service NAME'");
    if (name.n != l->rest.n) return mp_error(mp, "service", "unexpected text after the name (keys go on their own lines)");
    if (!mp_valid_name(name))
        return mp_error(mp, "service", "invalid name '%s': 1-%u characters a-z 0-9 _ -", q, RS_NAME_MAX);
    int i = rs_manifest_find_service(m, name.p, name.n);
    if (i >= 0 && (uint32_t)i < p->services)
        return mp_error(mp, "service", "duplicate service '%s' (first on line %u)", q, m->service[i].line);
    if (i < 0 || (uint32_t)i != p->services)
        return mp_error(mp, "service", "too many services (at most %u)", RS_MAX_SERVICES);
    struct rs_service *s = &m->service[i];
    mp_service_defaults(s);
    s->line = mp->line;
    mp->cur = i;
    for (unsigned k = 0; k < MP_KEY_COUNT; k++) mp->key_line[k] = 0;
    p->services++;
    return 0;
}

static int group_attr(struct mp *mp, struct rs_group *g, struct mp_slice w, uint32_t *seen)
{
    char q[32], key[RS_FIELD_MAX + 1];
    size_t eq = 0;
    while (eq < w.n && w.p[eq] != '=') eq++;
    mp_quote(q, sizeof(q), w);
    if (eq == w.n) return mp_error(mp, "group", "'%s': expected strategy=STRATEGY or intensity=N/DURATION", q);
    struct mp_slice k = { w.p, eq }, v = { w.p + eq + 1, w.n - eq - 1 };
    mp_copy(key, sizeof(key), k);
    mp_quote(q, sizeof(q), v);
    unsigned bit = mp_eq(k, "strategy") ? 1u : mp_eq(k, "intensity") ? 2u : 0u;
    if (bit == 0) return mp_error(mp, key, "unknown key (group keys: strategy, intensity)");
    if (*seen & bit) return mp_error(mp, key, "duplicate key");
    *seen |= bit;
    if (bit == 1) {
        for (unsigned s = RS_ONE_FOR_ONE; s <= RS_ONE_FOR_ALL; s++) {
            if (mp_eq(v, rs_strategy_name(s))) {
                g->strategy = (uint8_t)s;
                return 0;
            }
        }
        return mp_error(mp, key, "'%s' is not one of one_for_one, rest_for_one, one_for_all", q);
    }
    size_t slash = 0;
    while (slash < v.n && v.p[slash] != '/') slash++;
    uint64_t n;
    uint32_t ms;
    struct mp_slice num = { v.p, slash }, dur = { v.p + slash + (slash < v.n), v.n - slash - (slash < v.n) };
    if (slash == v.n || !mp_parse_u64(num, &n) || !mp_parse_duration(dur, &ms))
        return mp_error(mp, key, "'%s' is not N/DURATION (e.g. 5/10s)", q);
    if (n > RS_MAX_INTENSITY) return mp_error(mp, key, "%llu restarts is out of range 0..%u", (unsigned long long)n, RS_MAX_INTENSITY);
    if (ms == 0) return mp_error(mp, key, "the period must be at least 1 ms");
    g->intensity = (uint32_t)n;
    g->period_ms = ms;
    return 0;
}

static int group_line(struct pass2 *p, struct line *l)
{
    struct mp *mp = &p->mp;
    struct rs_manifest *m = mp->m;
    char q[32];
    struct mp_slice w[MP_MAX_WORDS];
    size_t n = mp_split(l->rest, w, MP_MAX_WORDS);
    if (n == 0) return mp_error(mp, "group", "missing name: 'group NAME [strategy=...] [intensity=N/DURATION]'");
    if (n > 3) return mp_error(mp, "group", "too many words (NAME, strategy=..., intensity=...)");
    mp_quote(q, sizeof(q), w[0]);
    if (!mp_valid_name(w[0]))
        return mp_error(mp, "group", "invalid name '%s': 1-%u characters a-z 0-9 _ -", q, RS_NAME_MAX);
    int i = rs_manifest_find_group(m, w[0].p, w[0].n);
    if (i >= 0 && (uint32_t)i < p->groups)
        return mp_error(mp, "group", "duplicate group '%s' (first on line %u)", q, m->group[i].line);
    if (i < 0 || (uint32_t)i != p->groups) return mp_error(mp, "group", "too many groups (at most %u)", RS_MAX_GROUPS);
    struct rs_group *g = &m->group[i];
    g->strategy = RS_ONE_FOR_ONE;
    g->intensity = RS_DEFAULT_INTENSITY;
    g->period_ms = RS_DEFAULT_PERIOD;
    g->line = mp->line;
    uint32_t seen = 0;
    for (size_t k = 1; k < n; k++) {
        if (group_attr(mp, g, w[k], &seen)) return -1;
    }
    p->groups++;
    return 0;
}

static int key_line(struct mp *mp, struct line *l)
{
    char field[RS_FIELD_MAX + 1];
    mp_quote(field, sizeof(field), l->word);
    if (l->word.n == 0) return mp_error(mp, "", "missing key before '='");
    if (mp->cur < 0)
        return mp_error(mp, field, "'KEY = VALUE' outside a service (start one with 'service NAME')");
    enum mp_key k = mp_find_key(l->word);
    if (k == MP_KEY_COUNT) return mp_error(mp, field, "unknown key");
    if (mp->key_line[k]) return mp_error(mp, field, "duplicate key (first set on line %u)", mp->key_line[k]);
    mp->key_line[k] = mp->line;
    return mp_set_key(mp, k, l->rest);
}

static int parse_line(struct pass2 *p, struct mp_slice raw)
{
    struct mp *mp = &p->mp;
    char q[32];
    if (check_chars(mp, raw)) return -1;
    struct line l = classify(raw);
    switch (l.kind) {
    case LINE_BLANK:
        return 0;
    case LINE_KEY:
        return key_line(mp, &l);
    case LINE_SERVICE:
        if (finish_service(mp)) return -1;
        return service_line(p, &l);
    case LINE_GROUP:
        if (finish_service(mp)) return -1;
        return group_line(p, &l);
    case LINE_OTHER:
    default:
        mp_quote(q, sizeof(q), l.word);
        return mp_error(mp, "", "'%s': expected 'service NAME', 'group NAME ...' or 'KEY = VALUE'", q);
    }
}

int rs_manifest_parse(const char *text, size_t len, struct rs_manifest *m, struct rs_manifest_error *err)
{
    struct pass2 p;
    memset(m, 0, sizeof(*m));
    memset(err, 0, sizeof(*err));
    memset(&p, 0, sizeof(p));
    p.mp.m = m;
    p.mp.err = err;
    p.mp.cur = -1;
    if (len > RS_MAX_TEXT) return mp_error(&p.mp, "", "manifest too large (at most %u bytes)", RS_MAX_TEXT);
    register_names(m, text, len);
    p.mp.declared_groups = m->ngroups;

    size_t pos = 0;
    struct mp_slice raw;
    while (next_line(text, len, &pos, &raw)) {
        p.mp.line++;
        if (parse_line(&p, raw)) return -1;
    }
    p.mp.line++;
    if (finish_service(&p.mp)) return -1;
    if (p.services == 0) return mp_error_at(&p.mp, 1, "service", "no service declared");
    if (p.services != m->nservices || p.groups != p.mp.declared_groups)
        return mp_error(&p.mp, "", "internal error: name passes disagree");
    return mp_order(&p.mp);
}
