/* ELF64 x86_64 executable images, validated before anything is loaded. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 16

typedef struct elf_segment {
    uint64_t vaddr;      /* p_vaddr */
    uint64_t filesz;     /* bytes taken from the file */
    uint64_t memsz;      /* bytes in memory; the rest is zero */
    uint64_t offset;     /* into the image */
    unsigned prot;       /* SIM_PROT_* from p_flags */
} elf_segment;

typedef struct elf_image {
    const uint8_t *data; /* the whole file */
    size_t   size;
    uint64_t entry;
    int      nseg;
    elf_segment seg[ELF_MAX_SEGMENTS]; /* PT_LOAD segments, sorted by vaddr, non-overlapping */
} elf_image;

/* Checks and parses `data` (not copied; must outlive `img`).  Returns 0, or -1 with a
 * one-line reason in `err`: not ELF, not 64-bit x86_64 executable, segment outside the
 * file, overlapping segments, addresses in the kernel half, too many segments, ... */
int elf_parse(const uint8_t *data, size_t size, elf_image *img, char *err, size_t errlen);
