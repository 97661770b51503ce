/*
 * The allocator behind heap.h, over a caller-supplied region (portable; host-tested).
 * Blocks carry a 16-byte header; free blocks form an address-ordered list and are merged
 * with their neighbours when freed.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct heap_block heap_block;
typedef struct heap {
    uintptr_t   start, end;   /* the managed region, 16-byte aligned */
    heap_block *free_list;    /* address order */
    size_t      bytes_free;   /* payload + header bytes in free blocks */
    uintptr_t   dirty;        /* everything from here to `end` is zero (heap_init_zero) */
} heap_t;

/* Takes over [mem, mem+size).  Returns false if the region is too small to use. */
bool   heap_init(heap_t *h, void *mem, size_t size);
/* The same for a region that is all zero bytes: then heap_alloc_dirty knows which parts
 * of a new block were never written (by the heap or through a block). */
bool   heap_init_zero(heap_t *h, void *mem, size_t size);
void  *heap_alloc(heap_t *h, size_t size);             /* NULL if no block fits */
/* heap_alloc, and *dirty = how many bytes from the start of the block may be non-zero;
 * the rest of its `size` bytes are zero (after heap_init: *dirty = size). */
void  *heap_alloc_dirty(heap_t *h, size_t size, size_t *dirty);
void   heap_free(heap_t *h, void *p);                  /* p from heap_alloc or NULL */
void  *heap_realloc(heap_t *h, void *p, size_t size);  /* C semantics */
size_t heap_free_bytes(const heap_t *h);
/* Walks the free list and checks its invariants (order, bounds, no adjacent free blocks,
 * byte count).  For tests. */
bool   heap_check(const heap_t *h);
