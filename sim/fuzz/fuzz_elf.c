/* libFuzzer harness: elf_parse must never crash, hang or read out of bounds, and
 * what it accepts must satisfy elf.h's promises. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A private copy so that ASan sees reads past the end. */
    uint8_t *copy = malloc(size ? size : 1);
    if (copy == NULL) {
        return 0;
    }
    memcpy(copy, data, size);
    elf_image img;
    char err[128];
    if (elf_parse(copy, size, &img, err, sizeof err) == 0) {
        if (img.nseg < 1 || img.nseg > ELF_MAX_SEGMENTS) {
            abort();
        }
        for (int i = 0; i < img.nseg; i++) {
            const elf_segment *s = &img.seg[i];
            if (s->filesz > s->memsz || s->offset > size || s->filesz > size - s->offset ||
                s->vaddr >= 0x0000800000000000ull ||
                s->memsz > 0x0000800000000000ull - s->vaddr) {
                abort();
            }
            if (i > 0 && img.seg[i - 1].vaddr + img.seg[i - 1].memsz > s->vaddr) {
                abort();
            }
        }
    }
    free(copy);
    return 0;
}
