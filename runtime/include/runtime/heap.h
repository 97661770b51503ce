/*
 * The program's heap: first-fit, address-ordered free list with coalescing
 * (heap_core.h) over a fixed region in .bss.  Its size is set at link time by the
 * symbol RUNTIME_HEAP_SIZE (default 1 MiB; e.g. target_link_options(prog PRIVATE
 * -Wl,--defsym=RUNTIME_HEAP_SIZE=0x400000)).  Every page of it is part of the image,
 * so keep it small in the root task.  malloc returns 16-byte aligned blocks and NULL
 * when the heap is exhausted.  Not thread-safe: use it from one thread.
 */
#pragma once
#include <stddef.h>

void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t size);
void  free(void *p);
size_t heap_bytes_free(void);
/* malloc, and *dirty = how many bytes from the block's start may hold something; the
 * rest of its `size` bytes are zero (never written since the program started). */
void *malloc_dirty(size_t size, size_t *dirty);
