/*
 * The regions of one address space: a sorted array of non-overlapping [start, end)
 * ranges, with binary search, first-fit hole search and guard regions.
 */
#include "memserver/core/core.h"

/* Lowest address handed out by "map anywhere" (keeps page 0 and low memory free). */
#define MS_ANY_BASE 0x0000008000000000ull

static uint32_t new_cap(const struct ms_regions *rs, uint32_t extra)
{
    if (rs->n + extra <= rs->cap) return 0;
    uint32_t ncap = rs->cap ? rs->cap : 8;
    while (ncap < rs->n + extra) ncap *= 2;
    return ncap;
}

static void install(struct ms_server *s, struct ms_regions *rs, struct ms_region **n, uint32_t ncap)
{
    for (uint32_t i = 0; i < rs->n; i++) n[i] = rs->r[i];
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of region pointers */
    ms_heap_free(s, rs->r, (uint64_t)rs->cap * sizeof(*n));
    rs->r = n;
    rs->cap = ncap;
}

int ms_regions_reserve(struct ms_server *s, struct ms_regions *rs, uint32_t extra)
{
    return ms_regions_reserve2(s, rs, extra, 0, 0);
}

int ms_regions_reserve2(struct ms_server *s, struct ms_regions *a, uint32_t extra_a, struct ms_regions *b,
                        uint32_t extra_b)
{
    if (b && b == a) {
        extra_a += extra_b;
        b = 0;
    }
    uint32_t ca = new_cap(a, extra_a), cb = b ? new_cap(b, extra_b) : 0;
    struct ms_region **na = 0, **nb = 0;
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of region pointers */
    if (ca && !(na = ms_heap_alloc(s, (uint64_t)ca * sizeof(*na)))) return MS_ERR_NO_MEMORY;
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of region pointers */
    if (cb && !(nb = ms_heap_alloc(s, (uint64_t)cb * sizeof(*nb)))) {
        /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of region pointers */
        ms_heap_free(s, na, (uint64_t)ca * sizeof(*na));
        return MS_ERR_NO_MEMORY;
    }
    if (ca) install(s, a, na, ca);
    if (cb) install(s, b, nb, cb);
    return MS_OK;
}

uint32_t ms_regions_lower(const struct ms_regions *rs, uint64_t va)
{
    uint32_t lo = 0, hi = rs->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (rs->r[mid]->end <= va) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

struct ms_region *ms_regions_at(struct ms_as *as, uint64_t va)
{
    struct ms_regions *rs = &as->regions;
    if (as->last < rs->n) {
        struct ms_region *r = rs->r[as->last];
        if (va >= r->start && va < r->end) return r;
    }
    uint32_t i = ms_regions_lower(rs, va);
    if (i < rs->n && rs->r[i]->start <= va) {
        as->last = i;
        return rs->r[i];
    }
    return 0;
}

int ms_regions_overlap(const struct ms_regions *rs, uint64_t start, uint64_t end)
{
    uint32_t i = ms_regions_lower(rs, start);
    return i < rs->n && rs->r[i]->start < end;
}

int ms_regions_hole(const struct ms_regions *rs, uint64_t size, uint64_t align, uint64_t *out)
{
    uint64_t cand = MS_ANY_BASE;
    for (uint32_t i = 0; i <= rs->n; i++) {
        uint64_t limit = i < rs->n ? rs->r[i]->start : MS_USER_TOP;
        if (i < rs->n && rs->r[i]->end <= cand) continue;
        cand = (cand + align - 1) & ~(align - 1);
        if (cand < limit && limit - cand >= size) {
            *out = cand;
            return MS_OK;
        }
        if (i < rs->n && rs->r[i]->end > cand) cand = rs->r[i]->end;
    }
    return MS_ERR_NO_SPACE;
}

void ms_regions_insert(struct ms_regions *rs, struct ms_region *r)
{
    MS_CHECK(rs->n < rs->cap);
    uint32_t i = ms_regions_lower(rs, r->start);
    for (uint32_t j = rs->n; j > i; j--) rs->r[j] = rs->r[j - 1];
    rs->r[i] = r;
    rs->n++;
}

void ms_regions_remove(struct ms_regions *rs, uint32_t idx)
{
    MS_CHECK(idx < rs->n);
    for (uint32_t j = idx; j + 1 < rs->n; j++) rs->r[j] = rs->r[j + 1];
    rs->n--;
}

void ms_regions_free(struct ms_server *s, struct ms_regions *rs)
{
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of region pointers */
    ms_heap_free(s, rs->r, (uint64_t)rs->cap * sizeof(*rs->r));
    rs->r = 0;
    rs->n = rs->cap = 0;
}

struct ms_region *ms_region_new(struct ms_server *s)
{
    return ms_heap_alloc(s, sizeof(struct ms_region));
}

void ms_region_free(struct ms_server *s, struct ms_region *r)
{
    ms_heap_free(s, r->caps, (uint64_t)r->caps_len * sizeof(uint32_t));
    ms_heap_free(s, r, sizeof(*r));
}

ms_slot_t ms_region_mapped(const struct ms_region *r, uint64_t i, int *large)
{
    *large = 0;
    if (!r->obj) return 0;
    if (!ms_region_direct(r)) return r->caps[i];
    uint32_t e = r->obj->page[r->off + i];
    switch (MS_E_KIND(e)) {
    case MS_E_OWN:
    case MS_E_BORROW:
    case MS_E_COPY:
        return MS_E_SLOT(e);
    case MS_E_LARGE:
        *large = 1;
        return MS_E_SLOT(e);
    default:
        return 0;
    }
}
