/*
 * Untyped memory: the server's untyped caps, split into chunks of at most 2 MiB.
 *
 * seL4 hands out memory from an untyped object at a moving watermark and takes it back
 * only when no object made from it is left (the next retype then starts from 0).  The
 * pool mirrors that: each chunk has a watermark and a count of live objects; a chunk
 * whose last object is deleted is empty again.  Empty 2 MiB chunks are kept apart so
 * that 2 MiB frames can be made from them; 4 KiB objects come from partially used
 * chunks first.
 */
#include "memserver/core/core.h"

enum { LIST_NONE = 0, LIST_EMPTY_LARGE = 1, LIST_PARTIAL = 2 };

static int32_t *list_head(struct ms_pool *p, uint8_t list)
{
    return list == LIST_EMPTY_LARGE ? &p->empty_large : &p->partial;
}

static void list_remove(struct ms_pool *p, int32_t i)
{
    struct ms_chunk *c = &p->chunk[i];
    if (c->list == LIST_NONE) return;
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

static uint32_t chunk_pages(const struct ms_chunk *c)
{
    return 1u << (c->size_bits - MS_PAGE_BITS);
}

void ms_pool_init(struct ms_pool *p)
{
    p->chunk = 0;
    p->count = p->cap = 0;
    p->empty_large = p->partial = -1;
    p->n_empty_large = 0;
    p->free_pages = 0;
}

int ms_pool_add(struct ms_server *s, ms_slot_t slot, unsigned size_bits)
{
    struct ms_pool *p = &s->pool;
    if (size_bits < MS_PAGE_BITS || size_bits > MS_LARGE_BITS) return MS_ERR_BAD_REQUEST;
    if (p->count >= 0xFFFEu) return MS_ERR_NO_MEMORY;
    if (p->count == p->cap) {
        uint32_t ncap = p->cap ? p->cap * 2 : 64;
        struct ms_chunk *n = ms_heap_alloc(s, (uint64_t)ncap * sizeof(*n));
        if (!n) return MS_ERR_NO_MEMORY;
        for (uint32_t i = 0; i < p->count; i++) n[i] = p->chunk[i];
        ms_heap_free(s, p->chunk, (uint64_t)p->cap * sizeof(*n));
        p->chunk = n;
        p->cap = ncap;
    }
    int32_t i = (int32_t)p->count++;
    struct ms_chunk *c = &p->chunk[i];
    c->slot = slot;
    c->size_bits = (uint8_t)size_bits;
    c->watermark = c->live = 0;
    c->list = LIST_NONE;
    c->prev = c->next = -1;
    list_push(p, i, size_bits == MS_LARGE_BITS ? LIST_EMPTY_LARGE : LIST_PARTIAL);
    p->free_pages += chunk_pages(c);
    return MS_OK;
}

int ms_pool_can_take(const struct ms_pool *p, uint64_t pages4k, uint64_t frames2m)
{
    if (frames2m > p->n_empty_large) return 0;
    return pages4k <= p->free_pages - frames2m * MS_PAGES_PER_LARGE;
}

int32_t ms_pool_take_4k(struct ms_pool *p)
{
    int32_t i = p->partial >= 0 ? p->partial : p->empty_large;
    if (i < 0) return -1;
    struct ms_chunk *c = &p->chunk[i];
    if (c->list == LIST_EMPTY_LARGE) {
        list_remove(p, i);
        list_push(p, i, LIST_PARTIAL);
    }
    c->watermark++;
    c->live++;
    p->free_pages--;
    if (c->watermark == chunk_pages(c)) list_remove(p, i);
    return i;
}

int32_t ms_pool_take_2m(struct ms_pool *p)
{
    int32_t i = p->empty_large;
    if (i < 0) return -1;
    struct ms_chunk *c = &p->chunk[i];
    list_remove(p, i);
    c->watermark = MS_PAGES_PER_LARGE;
    c->live = 1;
    p->free_pages -= MS_PAGES_PER_LARGE;
    return i;
}

void ms_pool_release(struct ms_pool *p, int32_t chunk)
{
    int32_t i = chunk;
    MS_CHECK(i >= 0 && (uint32_t)i < p->count);
    struct ms_chunk *c = &p->chunk[i];
    MS_CHECK(c->live > 0);
    if (--c->live != 0) return;
    /* Empty: the kernel restarts this untyped from 0 at its next retype. */
    p->free_pages += c->watermark;
    c->watermark = 0;
    list_remove(p, i);
    list_push(p, i, c->size_bits == MS_LARGE_BITS ? LIST_EMPTY_LARGE : LIST_PARTIAL);
}

int32_t ms_pool_take_4k_run(struct ms_pool *p, uint32_t want, uint32_t *got)
{
    int32_t i = p->partial >= 0 ? p->partial : p->empty_large;
    if (i < 0 || want == 0) return -1;
    struct ms_chunk *c = &p->chunk[i];
    if (c->list == LIST_EMPTY_LARGE) {
        list_remove(p, i);
        list_push(p, i, LIST_PARTIAL);
    }
    uint32_t n = chunk_pages(c) - c->watermark;
    if (n > want) n = want;
    c->watermark += n;
    c->live += n;
    p->free_pages -= n;
    if (c->watermark == chunk_pages(c)) list_remove(p, i);
    *got = n;
    return i;
}

/* Gives back the last n objects taken from chunk i (nothing was made of them). */
void ms_pool_untake(struct ms_pool *p, int32_t chunk, uint32_t n)
{
    int32_t i = chunk;
    struct ms_chunk *c = &p->chunk[i];
    MS_CHECK(c->live >= n && c->watermark >= n);
    if (c->watermark == chunk_pages(c) && n) list_push(p, i, LIST_PARTIAL);
    c->watermark -= n;
    c->live -= n;
    p->free_pages += n;
    if (c->live == 0) {
        p->free_pages += c->watermark;
        c->watermark = 0;
        list_remove(p, i);
        list_push(p, i, c->size_bits == MS_LARGE_BITS ? LIST_EMPTY_LARGE : LIST_PARTIAL);
    }
}
