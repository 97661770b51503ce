/* libFuzzer: archive validation, and lookups in archives that pass it, stay in bounds. */
#include <runtime/programs.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!program_archive_valid(data, size)) return 0;
    unsigned n = program_archive_count(data, size);
    for (unsigned i = 0; i < n; i++) {
        const char *name = program_archive_name(data, size, i);
        const void *img = NULL;
        size_t len = 0;
        if (name == NULL || !program_archive_find(data, size, name, &img, &len)) __builtin_trap();
        if ((const uint8_t *)img < data || len > size || (size_t)((const uint8_t *)img - data) > size - len) {
            __builtin_trap();
        }
    }
    return 0;
}
