/* The start order of a manifest's services: dependencies first, otherwise manifest
 * order; a dependency cycle is an error that names it. */
#include "rs/core/manifest_internal.h"
#include <runtime/format.h>

/* A service on a cycle among the unplaced ones (every unplaced service depends on an
 * unplaced one, so walking dependencies nservices times lands on a cycle). */
static uint32_t on_cycle(const struct rs_manifest *m, uint32_t placed)
{
    uint32_t s = 0;
    while (s < m->nservices && (placed & (1u << s))) s++;
    for (uint32_t step = 0; step < m->nservices; step++) {
        uint32_t open = m->service[s].depends & ~placed;
        uint32_t d = 0;
        while (d < RS_MAX_SERVICES - 1 && !(open & (1u << d))) d++;
        s = d;
    }
    return s;
}

static int cycle_error(struct mp *mp, uint32_t placed)
{
    const struct rs_manifest *m = mp->m;
    uint32_t start = on_cycle(m, placed);
    /* Report at the lowest-numbered service of the cycle, walking from it. */
    uint32_t s = start, low = start;
    for (uint32_t i = 0; i < m->nservices; i++) {
        uint32_t open = m->service[s].depends & ~placed, d = 0;
        while (d < RS_MAX_SERVICES - 1 && !(open & (1u << d))) d++;
        s = d;
        if (s == start) break;
        if (s < low) low = s;
    }
    char path[RS_MESSAGE_MAX + 1];
    size_t len = 0;
    s = low;
    for (uint32_t i = 0; i <= m->nservices; i++) {
        int n = fmt_snprintf(path + len, sizeof(path) - len, "%s%s", i ? " -> " : "", m->service[s].name);
        len += (size_t)n;
        if (len >= sizeof(path)) break;
        if (i > 0 && s == low) break;
        uint32_t open = m->service[s].depends & ~placed, d = 0;
        while (d < RS_MAX_SERVICES - 1 && !(open & (1u << d))) d++;
        s = d;
    }
    return mp_error_at(mp, mp->depends_line[low], "depends", "dependency cycle: %s", path);
}

int mp_order(struct mp *mp)
{
    struct rs_manifest *m = mp->m;
    uint32_t placed = 0;
    for (uint32_t k = 0; k < m->nservices; k++) {
        uint32_t s = 0;
        while (s < m->nservices && ((placed & (1u << s)) || (m->service[s].depends & ~placed))) s++;
        if (s == m->nservices) return cycle_error(mp, placed);
        m->start_order[k] = (uint8_t)s;
        placed |= 1u << s;
    }
    return 0;
}
