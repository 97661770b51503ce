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
        heap_ready = heap_init(&heap, __heap_start, (size_t)((uintptr_t)__heap_end - (uintptr_t)__heap_start));
    }
    return &heap;
}

void *malloc(size_t size) { return heap_alloc(get_heap(), size); }
void free(void *p) { heap_free(get_heap(), p); }
void *realloc(void *p, size_t size) { return heap_realloc(get_heap(), p, size); }
size_t heap_bytes_free(void) { return heap_free_bytes(get_heap()); }

void *calloc(size_t n, size_t size)
{
    if (size != 0 && n > (size_t)-1 / size) {
        return NULL;
    }
    size_t bytes = n * size;
    void *p = malloc(bytes == 0 ? 1 : bytes);
    if (p != NULL) {
        memset(p, 0, bytes);
    }
    return p;
}
