/* libFuzzer: any sequence of allocations, frees and reallocs keeps the heap consistent. */
#include <runtime/heap_core.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static _Alignas(16) uint8_t region[16384];
    heap_t h;
    heap_init(&h, region, sizeof(region));
    void *ptr[16] = { 0 };
    for (size_t i = 0; i + 2 < size; i += 3) {
        unsigned slot = data[i] & 15u;
        size_t len = (size_t)data[i + 1] * 16u + data[i + 2];
        switch (data[i] >> 6) {
        case 0:
            heap_free(&h, ptr[slot]);
            ptr[slot] = NULL;
            break;
        case 1: {
            void *q = heap_realloc(&h, ptr[slot], len);
            if (q != NULL || len == 0) ptr[slot] = q;
            break;
        }
        default:
            if (ptr[slot] == NULL) {
                ptr[slot] = heap_alloc(&h, len);
                if (ptr[slot] != NULL) memset(ptr[slot], 0x5a, len);
            }
            break;
        }
        if (!heap_check(&h)) __builtin_trap();
    }
    return 0;
}
