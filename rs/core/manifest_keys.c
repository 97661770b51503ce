/* The keys of a `service` block: one parser per key, each checking its value's syntax,
 * range and references to other services and groups. */
#include "rs/core/manifest_internal.h"

static const char *const key_names[MP_KEY_COUNT] = {
    "image", "group", "priority", "pages", "untyped", "restart", "backoff", "stable",
    "heartbeat", "depends", "grants", "channels", "args",
};

enum mp_key mp_find_key(struct mp_slice k)
{
    for (unsigned i = 0; i < MP_KEY_COUNT; i++) {
        if (mp_eq(k, key_names[i])) return (enum mp_key)i;
    }
    return MP_KEY_COUNT;
}

const char *mp_key_name(enum mp_key key)
{
    return key < MP_KEY_COUNT ? key_names[key] : "?";
}

void mp_service_defaults(struct rs_service *s)
{
    s->priority = RS_DEFAULT_PRIORITY;
    s->pages = RS_DEFAULT_PAGES;
    s->untyped_bits = RS_DEFAULT_UNTYPED_BITS;
    s->restart = RS_PERMANENT;
    s->backoff_first_ms = RS_DEFAULT_BACKOFF_FIRST;
    s->backoff_cap_ms = RS_DEFAULT_BACKOFF_CAP;
    s->stable_ms = RS_DEFAULT_STABLE;
}

/* Context of one key's parse: the words of its value. */
struct kv {
    struct mp *mp;
    struct rs_service *s;
    const char *key;
    struct mp_slice w[MP_MAX_WORDS];
    size_t n;
};

static int one_value(struct kv *kv)
{
    if (kv->n != 1) return mp_error(kv->mp, kv->key, "expects one value, got %zu", kv->n);
    return 0;
}

static int number_in(struct kv *kv, struct mp_slice w, uint64_t lo, uint64_t hi, uint64_t *v)
{
    char q[32];
    mp_quote(q, sizeof(q), w);
    if (!mp_parse_u64(w, v)) return mp_error(kv->mp, kv->key, "'%s' is not a number", q);
    if (*v < lo || *v > hi)
        return mp_error(kv->mp, kv->key, "%s is out of range %llu..%llu", q, (unsigned long long)lo,
                        (unsigned long long)hi);
    return 0;
}

static int duration(struct kv *kv, struct mp_slice w, uint32_t *ms)
{
    char q[32];
    mp_quote(q, sizeof(q), w);
    if (!mp_parse_duration(w, ms))
        return mp_error(kv->mp, kv->key, "'%s' is not a duration (a number with ms or s, at most 1 day)", q);
    if (*ms == 0) return mp_error(kv->mp, kv->key, "'%s': durations must be at least 1 ms", q);
    return 0;
}

/* The service called w: its index; an error if unknown, the current one or listed twice. */
static int service_ref(struct kv *kv, struct mp_slice w, uint32_t seen, const char *self_msg)
{
    char q[32];
    mp_quote(q, sizeof(q), w);
    int i = rs_manifest_find_service(kv->mp->m, w.p, w.n);
    if (i < 0) return mp_error(kv->mp, kv->key, "unknown service '%s'", q);
    if (i == kv->mp->cur) return mp_error(kv->mp, kv->key, "%s", self_msg);
    if (seen & (1u << i)) return mp_error(kv->mp, kv->key, "'%s' listed twice", q);
    return i;
}

static int k_image(struct kv *kv)
{
    char q[32];
    if (one_value(kv)) return -1;
    mp_quote(q, sizeof(q), kv->w[0]);
    if (!mp_valid_image(kv->w[0]))
        return mp_error(kv->mp, kv->key, "invalid image name '%s': 1-%u characters A-Z a-z 0-9 _ . -", q,
                        RS_IMAGE_MAX);
    mp_copy(kv->s->image, sizeof(kv->s->image), kv->w[0]);
    return 0;
}

static int k_group(struct kv *kv)
{
    char q[32];
    if (one_value(kv)) return -1;
    mp_quote(q, sizeof(q), kv->w[0]);
    int g = rs_manifest_find_group(kv->mp->m, kv->w[0].p, kv->w[0].n);
    if (g < 0 && mp_eq(kv->w[0], RS_DEFAULT_GROUP)) {
        g = mp_default_group(kv->mp);
        if (g < 0) return -1;
    }
    if (g < 0) return mp_error(kv->mp, kv->key, "unknown group '%s'", q);
    kv->s->group = (uint8_t)g;
    return 0;
}

static int k_priority(struct kv *kv)
{
    uint64_t v;
    if (one_value(kv) || number_in(kv, kv->w[0], 1, 254, &v)) return -1;
    kv->s->priority = (uint8_t)v;
    return 0;
}

static int k_pages(struct kv *kv)
{
    uint64_t v;
    if (one_value(kv) || number_in(kv, kv->w[0], 1, RS_MAX_PAGES, &v)) return -1;
    kv->s->pages = (uint32_t)v;
    return 0;
}

static int k_untyped(struct kv *kv)
{
    uint64_t v;
    if (one_value(kv) || number_in(kv, kv->w[0], RS_MIN_UNTYPED_BITS, RS_MAX_UNTYPED_BITS, &v)) return -1;
    kv->s->untyped_bits = (uint8_t)v;
    return 0;
}

static int k_restart(struct kv *kv)
{
    char q[32];
    if (one_value(kv)) return -1;
    for (unsigned r = RS_PERMANENT; r <= RS_TEMPORARY; r++) {
        if (mp_eq(kv->w[0], rs_restart_name(r))) {
            kv->s->restart = (uint8_t)r;
            return 0;
        }
    }
    mp_quote(q, sizeof(q), kv->w[0]);
    return mp_error(kv->mp, kv->key, "'%s' is not one of permanent, transient, temporary", q);
}

static int k_backoff(struct kv *kv)
{
    uint32_t first, cap;
    if (kv->n != 2) return mp_error(kv->mp, kv->key, "expects FIRST CAP (two durations), got %zu values", kv->n);
    if (duration(kv, kv->w[0], &first) || duration(kv, kv->w[1], &cap)) return -1;
    if (first > cap)
        return mp_error(kv->mp, kv->key, "first delay (%u ms) is above the cap (%u ms)", first, cap);
    kv->s->backoff_first_ms = first;
    kv->s->backoff_cap_ms = cap;
    return 0;
}

static int k_stable(struct kv *kv)
{
    uint32_t ms;
    if (one_value(kv) || duration(kv, kv->w[0], &ms)) return -1;
    kv->s->stable_ms = ms;
    return 0;
}

static int k_heartbeat(struct kv *kv)
{
    uint32_t period, deadline;
    if (kv->n == 1 && mp_eq(kv->w[0], "off")) {
        kv->s->heartbeat_period_ms = 0;
        kv->s->heartbeat_deadline_ms = 0;
        return 0;
    }
    if (kv->n != 2) return mp_error(kv->mp, kv->key, "expects PERIOD DEADLINE (two durations) or off");
    if (duration(kv, kv->w[0], &period) || duration(kv, kv->w[1], &deadline)) return -1;
    if (deadline > period)
        return mp_error(kv->mp, kv->key, "deadline (%u ms) is above the period (%u ms)", deadline, period);
    kv->s->heartbeat_period_ms = period;
    kv->s->heartbeat_deadline_ms = deadline;
    return 0;
}

static int k_depends(struct kv *kv)
{
    uint32_t set = 0;
    for (size_t i = 0; i < kv->n; i++) {
        int d = service_ref(kv, kv->w[i], set, "a service cannot depend on itself");
        if (d < 0) return -1;
        set |= 1u << d;
    }
    kv->s->depends = set;
    kv->mp->depends_line[kv->mp->cur] = kv->mp->line;
    return 0;
}

static int k_channels(struct kv *kv)
{
    uint32_t set = 0;
    if (kv->n > RS_MAX_CHANNELS) return mp_error(kv->mp, kv->key, "at most %u channels", RS_MAX_CHANNELS);
    for (size_t i = 0; i < kv->n; i++) {
        int c = service_ref(kv, kv->w[i], set, "a service cannot have a channel to itself");
        if (c < 0) return -1;
        set |= 1u << c;
        kv->s->channels[i] = (uint8_t)c;
    }
    kv->s->nchannels = (uint8_t)kv->n;
    return 0;
}

static bool overlaps(const struct rs_grant *a, const struct rs_grant *b)
{
    return a->kind == b->kind && a->kind != RS_GRANT_CONTROL && a->first <= b->last && b->first <= a->last;
}

/* An error if g overlaps a grant of an earlier service or an earlier grant of this one. */
static int grant_unique(struct kv *kv, const struct rs_grant *g, size_t done)
{
    const struct rs_manifest *m = kv->mp->m;
    for (uint32_t s = 0; s <= (uint32_t)kv->mp->cur; s++) {
        const struct rs_service *o = &m->service[s];
        size_t n = s == (uint32_t)kv->mp->cur ? done : o->ngrants;
        for (size_t i = 0; i < n && i < RS_MAX_GRANTS; i++) {
            if (!overlaps(g, &o->grants[i])) continue;
            if (g->kind == RS_GRANT_IRQ)
                return mp_error(kv->mp, kv->key, "IRQ pin %u is already granted to service '%s'", g->first, o->name);
            return mp_error(kv->mp, kv->key, "I/O ports %#x-%#x overlap ports %#x-%#x of service '%s'", g->first,
                            g->last, o->grants[i].first, o->grants[i].last, o->name);
        }
    }
    return 0;
}

static int one_grant(struct kv *kv, struct mp_slice w, struct rs_grant *g)
{
    char q[32];
    uint64_t a, b;
    mp_quote(q, sizeof(q), w);
    if (mp_eq(w, "control")) { /* a cap to the RS's control interface (rs/PROTOCOL.md) */
        g->kind = RS_GRANT_CONTROL;
        g->first = g->last = 0;
        return 0;
    }
    if (w.n > 4 && mp_eq((struct mp_slice){ w.p, 4 }, "irq:")) {
        struct mp_slice num = { w.p + 4, w.n - 4 };
        if (!mp_parse_u64(num, &a)) return mp_error(kv->mp, kv->key, "'%s': IRQ pin is not a number", q);
        if (a > RS_MAX_IRQ_PIN)
            return mp_error(kv->mp, kv->key, "'%s': IRQ pin is out of range 0..%u", q, RS_MAX_IRQ_PIN);
        g->kind = RS_GRANT_IRQ;
        g->first = g->last = (uint16_t)a;
        return 0;
    }
    if (w.n > 7 && mp_eq((struct mp_slice){ w.p, 7 }, "ioport:")) {
        struct mp_slice lo = { w.p + 7, w.n - 7 }, hi = lo;
        for (size_t i = 0; i < lo.n; i++) {
            if (lo.p[i] == '-') {
                hi = (struct mp_slice){ lo.p + i + 1, lo.n - i - 1 };
                lo.n = i;
                break;
            }
        }
        if (!mp_parse_u64(lo, &a) || !mp_parse_u64(hi, &b))
            return mp_error(kv->mp, kv->key, "'%s': expected ioport:FIRST or ioport:FIRST-LAST", q);
        if (a > 0xFFFF || b > 0xFFFF || a > b)
            return mp_error(kv->mp, kv->key, "'%s': ports must be within 0..0xffff, FIRST <= LAST", q);
        g->kind = RS_GRANT_IOPORT;
        g->first = (uint16_t)a;
        g->last = (uint16_t)b;
        return 0;
    }
    return mp_error(kv->mp, kv->key, "'%s' is not irq:PIN, ioport:FIRST[-LAST] or control", q);
}

static int k_grants(struct kv *kv)
{
    if (kv->n > RS_MAX_GRANTS) return mp_error(kv->mp, kv->key, "at most %u grants", RS_MAX_GRANTS);
    for (size_t i = 0; i < kv->n; i++) {
        if (one_grant(kv, kv->w[i], &kv->s->grants[i]) || grant_unique(kv, &kv->s->grants[i], i)) return -1;
    }
    kv->s->ngrants = (uint8_t)kv->n;
    return 0;
}

static int k_args(struct kv *kv)
{
    char q[32];
    if (kv->n > RS_MAX_ARGS) return mp_error(kv->mp, kv->key, "at most %u args", RS_MAX_ARGS);
    for (size_t i = 0; i < kv->n; i++) {
        mp_quote(q, sizeof(q), kv->w[i]);
        if (!mp_parse_u64(kv->w[i], &kv->s->args[i]))
            return mp_error(kv->mp, kv->key, "'%s' is not a number (decimal or 0x hex, 64 bits)", q);
    }
    kv->s->nargs = (uint8_t)kv->n;
    return 0;
}

static int (*const key_parsers[MP_KEY_COUNT])(struct kv *) = {
    k_image, k_group, k_priority, k_pages, k_untyped, k_restart, k_backoff, k_stable,
    k_heartbeat, k_depends, k_grants, k_channels, k_args,
};

int mp_set_key(struct mp *mp, enum mp_key key, struct mp_slice value)
{
    struct kv kv;
    kv.mp = mp;
    kv.s = &mp->m->service[mp->cur];
    kv.key = key_names[key];
    kv.n = mp_split(value, kv.w, MP_MAX_WORDS);
    if (kv.n == 0) return mp_error(mp, kv.key, "missing value");
    if (kv.n > MP_MAX_WORDS) return mp_error(mp, kv.key, "too many values (at most %u)", MP_MAX_WORDS);
    return key_parsers[key](&kv);
}
