/*
 * Untyped memory: the server's untyped caps as chunks (at most 2 MiB) and areas (larger,
 * up to 2^MS_AREA_BITS, in 2 MiB blocks).
 *
 * seL4 hands out memory from an untyped object at a moving watermark and takes it back
 * only when no object made from it is left (the next retype then starts from 0).  The
 * pool mirrors that: each chunk and area has a watermark and a count of live children;
 * one whose last child is deleted is empty again.
 *
 * 2 MiB frames come from areas, as many per retype as the request needs (the kernel's
 * fan-out limit and the area's free blocks allowing), or one at a time from empty 2 MiB
 * chunks.  4 KiB objects come from partly used chunks first, then from empty 2 MiB
 * chunks, then from a new 2 MiB sub-chunk retyped from the area with the fewest free
 * blocks (so that the others stay whole for 2 MiB runs).  An empty sub-chunk stays (an
 * empty 2 MiB chunk, for 4 KiB objects or one 2 MiB frame); when every child of an area
 * is an empty sub-chunk, the sub-chunks are deleted and the area is empty again.
 */
#include "memserver/core/core.h"

enum { LIST_NONE = 0, LIST_EMPTY_LARGE = 1, LIST_PARTIAL = 2, LIST_AREA = 3, LIST_DEAD = MS_CHUNK_DEAD };

static int32_t *list_head(struct ms_pool *p, uint8_t list)
{
    if (list == LIST_EMPTY_LARGE) return &p->empty_large;
    return list == LIST_AREA ? &p->areas : &p->partial;
}

static uint32_t chunk_pages(const struct ms_chunk *c)
{
    return 1u << (c->size_bits - MS_PAGE_BITS);
}

static int is_area(const struct ms_chunk *c)
{
    return c->size_bits > MS_LARGE_BITS;
}

/* Blocks of an area not handed out since it was last empty. */
static uint32_t area_free(const struct ms_chunk *c)
{
    return (chunk_pages(c) - c->watermark) / MS_PAGES_PER_LARGE;
}

static void list_remove(struct ms_pool *p, int32_t i)
{
    struct ms_chunk *c = &p->chunk[i];
    if (c->list == LIST_NONE || c->list == LIST_DEAD) return;
    if (c->prev >= 0) p->chunk[c->prev].next = c->next;
    else *list_head(p, c->list) = c->next;
    if (c->next >= 0) p->chunk[c->next].prev = c->prev;
    if (c->list == LIST_EMPTY_LARGE) p->n_empty_large--;
    c->list = LIST_NONE;
    c->prev = c->next = -1;
}

static void list_push(struct ms_pool *p, int32_t i, uint8_t list)
{
    struct ms_chunk *c = &p->chunk[i];
    int32_t *head = list_head(p, list);
    c->list = list;
    c->prev = -1;
    c->next = *head;
    if (*head >= 0) p->chunk[*head].prev = i;
    *head = i;
    if (list == LIST_EMPTY_LARGE) p->n_empty_large++;
}

void ms_pool_init(struct ms_pool *p)
{
    p->chunk = 0;
    p->count = p->cap = 0;
    p->empty_large = p->partial = p->areas = -1;
    p->n_empty_large = 0;
    p->free_pages = 0;
}

static int pool_grow(struct ms_server *s, uint32_t more)
{
    struct ms_pool *p = &s->pool;
    if (p->count + more > 0xFFFEu) return MS_ERR_NO_MEMORY; /* (chunk_of is a u16) */
    if (p->count + more <= p->cap) return MS_OK;
    uint32_t ncap = p->cap ? p->cap * 2 : 64;
    while (ncap < p->count + more) ncap *= 2;
    struct ms_chunk *n = ms_heap_alloc(s, (uint64_t)ncap * sizeof(*n));
    if (!n) return MS_ERR_NO_MEMORY;
    for (uint32_t i = 0; i < p->count; i++) n[i] = p->chunk[i];
    ms_heap_free(s, p->chunk, (uint64_t)p->cap * sizeof(*n));
    p->chunk = n;
    p->cap = ncap;
    return MS_OK;
}

static void entry_init(struct ms_chunk *c, ms_slot_t slot, unsigned size_bits, int32_t parent)
{
    c->slot = slot;
    c->size_bits = (uint8_t)size_bits;
    c->watermark = c->live = c->idle = 0;
    c->pinned = 0;
    c->list = LIST_NONE;
    c->prev = c->next = -1;
    c->parent = parent;
    c->sub = -1;
}

/* An area: its entry and one entry + cap slot per block for the sub-chunks to come. */
static int area_add(struct ms_server *s, ms_slot_t slot, unsigned size_bits)
{
    struct ms_pool *p = &s->pool;
    uint32_t blocks = 1u << (size_bits - MS_LARGE_BITS);
    int err = pool_grow(s, 1 + blocks);
    if (err) return err;
    ms_slot_t first; /* consecutive: sub-chunks are retyped several at once */
    if (ms_slot_alloc_run(s, blocks, &first) != blocks) return MS_ERR_NO_SLOTS;
    int32_t a = (int32_t)p->count;
    entry_init(&p->chunk[a], slot, size_bits, -1);
    p->chunk[a].sub = a + 1;
    for (uint32_t b = 0; b < blocks; b++) {
        entry_init(&p->chunk[a + 1 + (int32_t)b], first + b, MS_LARGE_BITS, a);
        p->chunk[a + 1 + (int32_t)b].list = LIST_DEAD;
    }
    p->count += 1 + blocks;
    list_push(p, a, LIST_AREA);
    p->n_empty_large += blocks;
    p->free_pages += chunk_pages(&p->chunk[a]);
    return MS_OK;
}

int ms_pool_add(struct ms_server *s, ms_slot_t slot, unsigned size_bits)
{
    struct ms_pool *p = &s->pool;
    if (size_bits < MS_PAGE_BITS || size_bits > MS_AREA_BITS) return MS_ERR_BAD_REQUEST;
    if (size_bits > MS_LARGE_BITS) return area_add(s, slot, size_bits);
    int err = pool_grow(s, 1);
    if (err) return err;
    int32_t i = (int32_t)p->count++;
    struct ms_chunk *c = &p->chunk[i];
    entry_init(c, slot, size_bits, -1);
    list_push(p, i, size_bits == MS_LARGE_BITS ? LIST_EMPTY_LARGE : LIST_PARTIAL);
    p->free_pages += chunk_pages(c);
    return MS_OK;
}

int ms_pool_can_take(const struct ms_pool *p, uint64_t pages4k, uint64_t frames2m)
{
    if (frames2m > p->n_empty_large) return 0;
    return pages4k <= p->free_pages - frames2m * MS_PAGES_PER_LARGE;
}

/* n blocks of area a handed out (2 MiB frames or a sub-chunk). */
static void area_take(struct ms_pool *p, int32_t a, uint32_t n)
{
    struct ms_chunk *c = &p->chunk[a];
    MS_CHECK(n && n <= area_free(c));
    c->watermark += n * MS_PAGES_PER_LARGE;
    c->live += n;
    p->free_pages -= (uint64_t)n * MS_PAGES_PER_LARGE;
    p->n_empty_large -= n;
    if (!area_free(c)) list_remove(p, a);
}

/* Every child of area a is gone or an empty sub-chunk: the sub-chunks are deleted, the
 * area is empty again (the kernel restarts it from 0 at its next retype). */
static void area_reclaim(struct ms_server *s, int32_t a)
{
    struct ms_pool *p = &s->pool;
    struct ms_chunk *c = &p->chunk[a];
    uint32_t blocks = 1u << (c->size_bits - MS_LARGE_BITS);
    for (uint32_t b = 0; c->idle && b < blocks; b++) {
        int32_t j = c->sub + (int32_t)b;
        struct ms_chunk *sc = &p->chunk[j];
        if (sc->list == LIST_DEAD) continue;
        MS_CHECK(sc->live == 0 && sc->list == LIST_EMPTY_LARGE);
        MS_CHECK(ms_k_delete(s, sc->slot) == 0); /* the server's own, empty untyped */
        list_remove(p, j);
        sc->list = LIST_DEAD;
        p->free_pages -= MS_PAGES_PER_LARGE;
        c->idle--;
        c->live--;
    }
    MS_CHECK(c->live == 0 && c->idle == 0);
    p->free_pages += c->watermark;
    p->n_empty_large += c->watermark / MS_PAGES_PER_LARGE;
    c->watermark = 0;
    list_remove(p, a);
    list_push(p, a, LIST_AREA);
}

/* A 2 MiB chunk of area a left the empty list (-1) or joined it (+1). */
static void sub_idle(struct ms_server *s, const struct ms_chunk *sc, int delta)
{
    if (sc->parent < 0) return;
    struct ms_chunk *a = &s->pool.chunk[sc->parent];
    if (delta < 0) {
        MS_CHECK(a->idle > 0);
        a->idle--;
    } else if (++a->idle == a->live) {
        area_reclaim(s, sc->parent);
    }
}

/* Chunk i has no live object left: empty again. */
static void chunk_emptied(struct ms_server *s, int32_t i)
{
    struct ms_pool *p = &s->pool;
    struct ms_chunk *c = &p->chunk[i];
    p->free_pages += c->watermark;
    c->watermark = 0;
    list_remove(p, i);
    list_push(p, i, c->size_bits == MS_LARGE_BITS ? LIST_EMPTY_LARGE : LIST_PARTIAL);
    if (c->size_bits == MS_LARGE_BITS) sub_idle(s, c, +1);
}

/* Only free 4 KiB frames (ms_frame_free) are left in chunk i: they are deleted, the
 * chunk is empty again. */
static void chunk_idle(struct ms_server *s, int32_t i)
{
    struct ms_chunk *c = &s->pool.chunk[i];
    if (c->idle) {
        uint32_t n = ms_free4k_reclaim(s, i);
        MS_CHECK(n == c->idle);
        c->live -= n;
        c->idle = 0;
    }
    MS_CHECK(c->live == 0);
    chunk_emptied(s, i);
}

/* The area with the fewest (best_fit) or the most free blocks; -1 if none. */
static int32_t area_pick(const struct ms_pool *p, int best_fit)
{
    int32_t a = -1;
    for (int32_t i = p->areas; i >= 0; i = p->chunk[i].next) {
        const struct ms_chunk *c = &p->chunk[i];
        if (best_fit || !c->pinned) {
            if (a < 0 || (best_fit ? area_free(c) < area_free(&p->chunk[a]) : area_free(c) > area_free(&p->chunk[a])))
                a = i;
        }
    }
    return a;
}

/* New 2 MiB sub-chunks from area a (its next blocks), up to MS_SUB_RUN in one retype:
 * the first on the partial list (returned), the others empty 2 MiB chunks. */
static int32_t sub_new(struct ms_server *s, int32_t a)
{
    struct ms_pool *p = &s->pool;
    struct ms_chunk *ac = &p->chunk[a];
    uint32_t n = area_free(ac) < MS_SUB_RUN ? area_free(ac) : MS_SUB_RUN;
    int32_t j = ac->sub + (int32_t)(ac->watermark / MS_PAGES_PER_LARGE);
    MS_CHECK(n && p->chunk[j].list == LIST_DEAD);
    /* The server's own area and empty slots, memory counted: never refused. */
    MS_CHECK(ms_k_retype_many(s, ac->slot, MS_KOBJ_UNTYPED, MS_LARGE_BITS, p->chunk[j].slot, n) == 0);
    area_take(p, a, n);
    for (uint32_t k = 0; k < n; k++) {
        struct ms_chunk *sc = &p->chunk[j + (int32_t)k];
        sc->watermark = sc->live = 0;
        sc->list = LIST_NONE;
        p->free_pages += MS_PAGES_PER_LARGE;
        list_push(p, j + (int32_t)k, k ? LIST_EMPTY_LARGE : LIST_PARTIAL);
    }
    ac->idle += n - 1;
    return j;
}

/* The same, as an empty 2 MiB chunk. */
static int32_t sub_new_empty(struct ms_server *s, int32_t a)
{
    struct ms_pool *p = &s->pool;
    int32_t i = sub_new(s, a);
    list_remove(p, i);
    list_push(p, i, LIST_EMPTY_LARGE);
    p->chunk[a].idle++;
    return i;
}

/* The chunk the next 4 KiB objects come from (-1 if none). */
static int32_t chunk_for_4k(struct ms_server *s)
{
    struct ms_pool *p = &s->pool;
    if (p->partial >= 0) return p->partial;
    int32_t i = p->empty_large;
    if (i >= 0) {
        list_remove(p, i);
        list_push(p, i, LIST_PARTIAL);
        sub_idle(s, &p->chunk[i], -1);
        return i;
    }
    int32_t a = area_pick(p, 1);
    return a < 0 ? -1 : sub_new(s, a);
}

int32_t ms_pool_take_4k_run(struct ms_server *s, uint32_t want, uint32_t *got)
{
    struct ms_pool *p = &s->pool;
    int32_t i = want ? chunk_for_4k(s) : -1;
    if (i < 0) return -1;
    struct ms_chunk *c = &p->chunk[i];
    uint32_t n = chunk_pages(c) - c->watermark;
    if (n > want) n = want;
    c->watermark += n;
    c->live += n;
    p->free_pages -= n;
    if (c->watermark == chunk_pages(c)) list_remove(p, i);
    *got = n;
    return i;
}

int32_t ms_pool_take_4k(struct ms_server *s)
{
    uint32_t got;
    return ms_pool_take_4k_run(s, 1, &got);
}

int32_t ms_pool_take_2m_run(struct ms_server *s, uint32_t want, uint32_t *got)
{
    struct ms_pool *p = &s->pool;
    if (!want) return -1;
    /* One frame: an empty 2 MiB chunk first (areas stay whole for runs). */
    int32_t a = want > 1 || p->empty_large < 0 ? area_pick(p, 0) : -1;
    if (a >= 0) {
        uint32_t n = area_free(&p->chunk[a]);
        *got = n < want ? n : want;
        area_take(p, a, *got);
        return a;
    }
    int32_t i = p->empty_large;
    if (i < 0 && (a = area_pick(p, 1)) >= 0) i = sub_new_empty(s, a); /* (a pinned area) */
    if (i < 0) return -1;
    struct ms_chunk *c = &p->chunk[i];
    list_remove(p, i);
    sub_idle(s, c, -1);
    c->watermark = MS_PAGES_PER_LARGE;
    c->live = 1;
    p->free_pages -= MS_PAGES_PER_LARGE;
    *got = 1;
    return i;
}

void ms_pool_release(struct ms_server *s, int32_t chunk)
{
    struct ms_pool *p = &s->pool;
    int32_t i = chunk;
    MS_CHECK(i >= 0 && (uint32_t)i < p->count);
    struct ms_chunk *c = &p->chunk[i];
    MS_CHECK(c->live > c->idle);
    if (is_area(c)) {
        /* A 2 MiB frame: its block comes back when the area is empty again. */
        if (--c->live == c->idle) area_reclaim(s, i);
        return;
    }
    if (--c->live == c->idle) chunk_idle(s, i);
}

/* Gives back the last n objects taken from chunk i (nothing was made of them). */
void ms_pool_untake(struct ms_server *s, int32_t chunk, uint32_t n)
{
    struct ms_pool *p = &s->pool;
    int32_t i = chunk;
    struct ms_chunk *c = &p->chunk[i];
    if (!n) return;
    uint32_t unit = is_area(c) ? MS_PAGES_PER_LARGE : 1;
    MS_CHECK(c->live - c->idle >= n && c->watermark >= n * unit);
    if (is_area(c) && !area_free(c)) list_push(p, i, LIST_AREA);
    else if (!is_area(c) && c->watermark == chunk_pages(c)) list_push(p, i, LIST_PARTIAL);
    c->watermark -= n * unit;
    c->live -= n;
    p->free_pages += (uint64_t)n * unit;
    if (is_area(c)) {
        p->n_empty_large += n;
        if (c->live == c->idle) area_reclaim(s, i);
    } else if (c->live == c->idle) {
        chunk_idle(s, i);
    }
}

int ms_pool_take_untyped_2m(struct ms_server *s, ms_slot_t *slot)
{
    struct ms_pool *p = &s->pool;
    uint32_t got;
    int32_t i = p->empty_large;
    if (i < 0) {
        /* A sub-chunk of the smallest area, which then makes no 2 MiB runs: its other
         * blocks stay usable as sub-chunks, which are reused, never lost. */
        int32_t a = area_pick(p, 1);
        if (a < 0) return MS_ERR_NO_MEMORY;
        p->chunk[a].pinned = 1;
        i = sub_new_empty(s, a);
    }
    MS_CHECK(ms_pool_take_2m_run(s, 1, &got) == i);
    *slot = p->chunk[i].slot;
    return MS_OK;
}
