/* malloc and friends over the .bss heap region from link.ld (see heap.h). */
#include <runtime/heap.h>
#include <runtime/heap_core.h>
#include <runtime/string.h>
#include <stdint.h>

extern char __heap_start[], __heap_end[];

static heap_t heap;
static bool heap_ready;

static heap_t *get_heap(void)
{
    if (!heap_ready) {
        /* .bss: all zero bytes until the heap hands them out */
        heap_ready = heap_init_zero(&heap, __heap_start, (size_t)((uintptr_t)__heap_end - (uintptr_t)__heap_start));
    }
    return &heap;
}

void *malloc(size_t size) { return heap_alloc(get_heap(), size); }
void free(void *p) { heap_free(get_heap(), p); }
void *realloc(void *p, size_t size) { return heap_realloc(get_heap(), p, size); }
size_t heap_bytes_free(void) { return heap_free_bytes(get_heap()); }
void *malloc_dirty(size_t size, size_t *dirty) { return heap_alloc_dirty(get_heap(), size, dirty); }

void *calloc(size_t n, size_t size)
{
    if (size != 0 && n > (size_t)-1 / size) {
        return NULL;
    }
    size_t bytes = n * size;
    size_t dirty = 0;
    void *p = malloc_dirty(bytes == 0 ? 1 : bytes, &dirty);
    if (p != NULL) {
        memset(p, 0, dirty < bytes ? dirty : bytes); /* the rest was never written */
    }
    return p;
}
