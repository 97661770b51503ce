/* This image's embedded programs: the archive link.ld puts in .programs. */
#include <runtime/programs.h>
#include <stdint.h>

extern const char __programs_start[], __programs_end[];

bool program_lookup(const char *name, const void **image, size_t *image_size)
{
    size_t size = (size_t)((uintptr_t)__programs_end - (uintptr_t)__programs_start);
    if (!program_archive_valid(__programs_start, size)) {
        return false;
    }
    return program_archive_find(__programs_start, size, name, image, image_size);
}
