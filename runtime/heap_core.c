/* First-fit heap over a fixed region (see heap_core.h).  Portable. */
#include <runtime/heap_core.h>

#define ALIGN 16u
#define HEADER ((size_t)sizeof(heap_block))

/* Every block (used or free) starts with this header; `size` includes the header and is
 * a multiple of ALIGN.  `next` links free blocks only. */
struct heap_block {
    size_t      size;
    heap_block *next;
};
_Static_assert(sizeof(heap_block) == ALIGN, "header keeps payloads 16-byte aligned");

static uintptr_t align_up(uintptr_t v) { return (v + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1); }

bool heap_init(heap_t *h, void *mem, size_t size)
{
    uintptr_t start = align_up((uintptr_t)mem);
    uintptr_t end = ((uintptr_t)mem + size) & ~(uintptr_t)(ALIGN - 1);
    h->start = start;
    h->end = end;
    h->free_list = NULL;
    h->bytes_free = 0;
    h->dirty = end > start ? end : start;
    if (end <= start || end - start < 2 * HEADER) {
        h->end = start;
        return false;
    }
    heap_block *b = (heap_block *)start;
    b->size = end - start;
    b->next = NULL;
    h->free_list = b;
    h->bytes_free = b->size;
    return true;
}

bool heap_init_zero(heap_t *h, void *mem, size_t size)
{
    if (!heap_init(h, mem, size)) return false;
    h->dirty = h->start + HEADER; /* (the one header heap_init wrote) */
    return true;
}


/* Block size for a request: header + payload rounded up; 0 if it cannot fit anywhere. */
static size_t block_size(const heap_t *h, size_t size)
{
    size_t max = h->end - h->start;
    if (size > max) {
        return 0;
    }
    size_t need = (size_t)align_up(size + HEADER);
    return need < 2 * HEADER ? 2 * HEADER : need;
}

void *heap_alloc(heap_t *h, size_t size)
{
    return heap_alloc_dirty(h, size, NULL);
}

void *heap_alloc_dirty(heap_t *h, size_t size, size_t *dirty)
{
    size_t need = block_size(h, size);
    if (need == 0) {
        return NULL;
    }
    heap_block **link = &h->free_list;
    for (heap_block *b = h->free_list; b != NULL; link = &b->next, b = b->next) {
        if (b->size < need) {
            continue;
        }
        if (b->size - need >= 2 * HEADER) {
            /* Split: the tail stays free in b's place in the list. */
            heap_block *rest = (heap_block *)((uintptr_t)b + need);
            rest->size = b->size - need;
            rest->next = b->next;
            *link = rest;
            b->size = need;
        } else {
            *link = b->next;
        }
        h->bytes_free -= b->size;
        b->next = NULL;
        uintptr_t p = (uintptr_t)b + HEADER;
        if (dirty) *dirty = p >= h->dirty ? 0 : h->dirty - p < size ? (size_t)(h->dirty - p) : size;
        /* Written from now on: the block, and the header of a free block after it. */
        uintptr_t top = (uintptr_t)b + b->size + (b->size == need ? HEADER : 0);
        if (top > h->end) top = h->end;
        if (top > h->dirty) h->dirty = top;
        return (void *)p;
    }
    return NULL;
}

void heap_free(heap_t *h, void *p)
{
    if (p == NULL) {
        return;
    }
    heap_block *b = (heap_block *)((uintptr_t)p - HEADER);
    h->bytes_free += b->size;
    /* Find the free neighbours around b (the list is in address order). */
    heap_block *prev = NULL;
    heap_block *next = h->free_list;
    while (next != NULL && (uintptr_t)next < (uintptr_t)b) {
        prev = next;
        next = next->next;
    }
    b->next = next;
    if (next != NULL && (uintptr_t)b + b->size == (uintptr_t)next) {
        b->size += next->size;
        b->next = next->next;
    }
    if (prev == NULL) {
        h->free_list = b;
    } else if ((uintptr_t)prev + prev->size == (uintptr_t)b) {
        prev->size += b->size;
        prev->next = b->next;
    } else {
        prev->next = b;
    }
}

void *heap_realloc(heap_t *h, void *p, size_t size)
{
    if (p == NULL) {
        return heap_alloc(h, size);
    }
    if (size == 0) {
        heap_free(h, p);
        return NULL;
    }
    heap_block *b = (heap_block *)((uintptr_t)p - HEADER);
    size_t old_payload = b->size - HEADER;
    if (size <= old_payload) {
        return p;
    }
    unsigned char *q = heap_alloc(h, size);
    if (q == NULL) {
        return NULL;
    }
    const unsigned char *src = p;
    for (size_t i = 0; i < old_payload; i++) {
        q[i] = src[i];
    }
    heap_free(h, p);
    return q;
}

size_t heap_free_bytes(const heap_t *h) { return h->bytes_free; }

bool heap_check(const heap_t *h)
{
    size_t total = 0;
    uintptr_t limit = h->start;
    size_t steps = 0;
    size_t max_steps = (h->end - h->start) / (2 * HEADER) + 1;
    for (const heap_block *b = h->free_list; b != NULL; b = b->next) {
        uintptr_t at = (uintptr_t)b;
        if (++steps > max_steps || at < limit || at % ALIGN != 0 || b->size < 2 * HEADER ||
            b->size % ALIGN != 0 || b->size > h->end - at) {
            return false;
        }
        if (b->next != NULL && at + b->size >= (uintptr_t)b->next) {
            return false; /* overlapping or adjacent (should have been merged) */
        }
        total += b->size;
        limit = at + b->size;
    }
    return total == h->bytes_free;
}
