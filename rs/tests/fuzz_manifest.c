/* libFuzzer harness: the manifest parser must accept or reject any text without
 * undefined behaviour; whatever it accepts must satisfy the manifest's invariants
 * (names, ranges, references, start order) and, written back out as canonical text,
 * parse to the same manifest. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "rs/core/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(c) do { if (!(c)) __builtin_trap(); } while (0)

static bool name_ok(const char *s, size_t max)
{
    size_t n = strnlen(s, max + 1);
    return n >= 1 && n <= max;
}

static void check_invariants(const struct rs_manifest *m)
{
    REQUIRE(m->nservices >= 1 && m->nservices <= RS_MAX_SERVICES);
    REQUIRE(m->ngroups >= 1 && m->ngroups <= RS_MAX_GROUPS);
    for (uint32_t g = 0; g < m->ngroups; g++) {
        const struct rs_group *gr = &m->group[g];
        REQUIRE(name_ok(gr->name, RS_NAME_MAX));
        REQUIRE(gr->strategy <= RS_ONE_FOR_ALL);
        REQUIRE(gr->intensity <= RS_MAX_INTENSITY);
        REQUIRE(gr->period_ms >= 1 && gr->period_ms <= RS_MAX_DURATION_MS);
        REQUIRE(rs_manifest_find_group(m, gr->name, strlen(gr->name)) == (int)g);
    }
    uint32_t placed = 0;
    for (uint32_t k = 0; k < m->nservices; k++) {
        uint32_t s = m->start_order[k];
        REQUIRE(s < m->nservices && !(placed & (1u << s)));
        REQUIRE((m->service[s].depends & ~placed) == 0); /* dependencies start first */
        placed |= 1u << s;
    }
    for (uint32_t i = 0; i < m->nservices; i++) {
        const struct rs_service *s = &m->service[i];
        REQUIRE(name_ok(s->name, RS_NAME_MAX) && name_ok(s->image, RS_IMAGE_MAX));
        REQUIRE(rs_manifest_find_service(m, s->name, strlen(s->name)) == (int)i);
        REQUIRE(s->group < m->ngroups);
        REQUIRE(s->priority >= 1 && s->priority <= 254);
        REQUIRE(s->pages >= 1 && s->pages <= RS_MAX_PAGES);
        REQUIRE(s->untyped_bits >= RS_MIN_UNTYPED_BITS && s->untyped_bits <= RS_MAX_UNTYPED_BITS);
        REQUIRE(s->restart <= RS_TEMPORARY);
        REQUIRE(s->backoff_first_ms >= 1 && s->backoff_first_ms <= s->backoff_cap_ms);
        REQUIRE(s->backoff_cap_ms <= RS_MAX_DURATION_MS && s->stable_ms >= 1);
        REQUIRE(s->heartbeat_deadline_ms <= s->heartbeat_period_ms);
        REQUIRE((s->heartbeat_period_ms == 0) == (s->heartbeat_deadline_ms == 0));
        REQUIRE(!(s->depends & (1u << i)) && (s->depends >> m->nservices) == 0);
        REQUIRE(s->nchannels <= RS_MAX_CHANNELS && s->ngrants <= RS_MAX_GRANTS && s->nargs <= RS_MAX_ARGS);
        for (uint32_t c = 0; c < s->nchannels; c++) REQUIRE(s->channels[c] < m->nservices && s->channels[c] != i);
        for (uint32_t g = 0; g < s->ngrants; g++) {
            const struct rs_grant *a = &s->grants[g];
            REQUIRE(a->first <= a->last);
            REQUIRE(a->kind <= RS_GRANT_CONTROL);
            REQUIRE(a->kind == RS_GRANT_IOPORT || (a->first == a->last && a->first <= RS_MAX_IRQ_PIN));
            if (a->kind == RS_GRANT_CONTROL) continue; /* any number of services may have it */
            for (uint32_t j = 0; j <= i; j++) { /* no two grants overlap */
                const struct rs_service *o = &m->service[j];
                for (uint32_t h = 0; h < (j == i ? g : o->ngrants); h++) {
                    const struct rs_grant *b = &o->grants[h];
                    REQUIRE(a->kind != b->kind || a->last < b->first || b->last < a->first);
                }
            }
        }
    }
}

/* The manifest as canonical text (every key explicit). */
static size_t write_canonical(const struct rs_manifest *m, char *buf, size_t cap)
{
    size_t n = 0;
#define OUT(...) do { int w_ = snprintf(buf + n, cap - n, __VA_ARGS__); REQUIRE(w_ >= 0 && (size_t)w_ < cap - n); n += (size_t)w_; } while (0)
    for (uint32_t g = 0; g < m->ngroups; g++)
        OUT("group %s strategy=%s intensity=%u/%ums\n", m->group[g].name, rs_strategy_name(m->group[g].strategy),
            m->group[g].intensity, m->group[g].period_ms);
    for (uint32_t i = 0; i < m->nservices; i++) {
        const struct rs_service *s = &m->service[i];
        OUT("service %s\n image = %s\n group = %s\n priority = %u\n pages = %u\n untyped = %u\n restart = %s\n"
            " backoff = %ums %ums\n stable = %ums\n",
            s->name, s->image, m->group[s->group].name, s->priority, s->pages, s->untyped_bits,
            rs_restart_name(s->restart), s->backoff_first_ms, s->backoff_cap_ms, s->stable_ms);
        if (s->heartbeat_period_ms)
            OUT(" heartbeat = %ums %ums\n", s->heartbeat_period_ms, s->heartbeat_deadline_ms);
        else
            OUT(" heartbeat = off\n");
        if (s->depends) {
            OUT(" depends =");
            for (uint32_t d = 0; d < m->nservices; d++)
                if (s->depends & (1u << d)) OUT(" %s", m->service[d].name);
            OUT("\n");
        }
        if (s->nchannels) {
            OUT(" channels =");
            for (uint32_t c = 0; c < s->nchannels; c++) OUT(" %s", m->service[s->channels[c]].name);
            OUT("\n");
        }
        if (s->ngrants) {
            OUT(" grants =");
            for (uint32_t g = 0; g < s->ngrants; g++) {
                if (s->grants[g].kind == RS_GRANT_IRQ)
                    OUT(" irq:%u", s->grants[g].first);
                else if (s->grants[g].kind == RS_GRANT_CONTROL)
                    OUT(" control");
                else
                    OUT(" ioport:%#x-%#x", s->grants[g].first, s->grants[g].last);
            }
            OUT("\n");
        }
        if (s->nargs) {
            OUT(" args =");
            for (uint32_t a = 0; a < s->nargs; a++) OUT(" %#llx", (unsigned long long)s->args[a]);
            OUT("\n");
        }
    }
#undef OUT
    return n;
}

static void clear_lines(struct rs_manifest *m)
{
    for (uint32_t g = 0; g < RS_MAX_GROUPS; g++) m->group[g].line = 0;
    for (uint32_t s = 0; s < RS_MAX_SERVICES; s++) m->service[s].line = 0;
}

/* Inputs whose first byte is odd are appended to this valid manifest, so that short runs
 * without a corpus (tools/fuzz.sh) also reach the accepting paths. */
static const char seed[] =
    "group core strategy=rest_for_one intensity=5/10s\n"
    "service timer\n image = timer\n group = core\n priority = 200\n heartbeat = 100ms 50ms\n"
    " grants = irq:0 ioport:0x40-0x43\n backoff = 10ms 1s\n"
    "service kv\n image = kv\n depends = timer\n channels = timer\n args = 1 0x2\n restart = transient\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct rs_manifest m, m2;
    static char canon[64 * 1024], input[sizeof(seed) + RS_MAX_TEXT];
    struct rs_manifest_error err;
    char msg[512];
    const char *text = (const char *)data;
    if (size > 0 && (data[0] & 1) && size - 1 <= RS_MAX_TEXT) {
        memcpy(input, seed, sizeof(seed) - 1);
        memcpy(input + sizeof(seed) - 1, data + 1, size - 1);
        text = input;
        size = sizeof(seed) - 1 + size - 1;
    }
    if (rs_manifest_parse(text, size, &m, &err) != 0) {
        REQUIRE(err.message[0] != '\0');
        REQUIRE(strstr(err.message, "internal error") == NULL); /* the two passes agree */
        REQUIRE(strnlen(err.field, sizeof(err.field)) < sizeof(err.field));
        REQUIRE(strnlen(err.message, sizeof(err.message)) < sizeof(err.message));
        rs_manifest_format_error(&err, "f", msg, sizeof(msg));
        return 0;
    }
    check_invariants(&m);
    size_t n = write_canonical(&m, canon, sizeof(canon));
    REQUIRE(rs_manifest_parse(canon, n, &m2, &err) == 0);
    clear_lines(&m);
    clear_lines(&m2);
    REQUIRE(memcmp(&m, &m2, sizeof(m)) == 0);
    return 0;
}
