/*
 * Planning the load of an ELF64 x86_64 executable (portable: host-tested and fuzzed).
 * elf_plan validates the headers and collects the PT_LOAD segments; the loader
 * (spawn.c) then walks the distinct pages the segments touch with elf_next_page and
 * fills each fresh frame with elf_fill_page.  Other program headers are ignored.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_PLAN_MAX_SEGMENTS 16u
#define ELF_PAGE_SIZE 4096u

enum { ELF_PERM_X = 1, ELF_PERM_W = 2, ELF_PERM_R = 4 };  /* = ELF p_flags bits */

typedef struct elf_segment {
    uint64_t vaddr, memsz;   /* in memory */
    uint64_t offset, filesz; /* in the file; filesz <= memsz */
    unsigned perms;          /* ELF_PERM_* */
} elf_segment_t;

typedef struct elf_plan {
    uint64_t entry;
    unsigned nsegments;
    elf_segment_t seg[ELF_PLAN_MAX_SEGMENTS]; /* sorted by vaddr, not overlapping */
    uint64_t lowest, highest;                 /* page-aligned bounds of all segments */
} elf_plan_t;

typedef enum {
    ELF_OK = 0,
    ELF_ERR_TRUNCATED,   /* the file is shorter than a header or segment says */
    ELF_ERR_NOT_ELF,     /* bad magic */
    ELF_ERR_CLASS,       /* not ELF64 little-endian x86_64 EXEC */
    ELF_ERR_PHDR,        /* bad program header table */
    ELF_ERR_SEGMENT,     /* filesz > memsz, overflow, or address outside [limit_lo, limit_hi) */
    ELF_ERR_OVERLAP,     /* two segments overlap */
    ELF_ERR_TOO_MANY,    /* more than ELF_PLAN_MAX_SEGMENTS PT_LOAD segments */
    ELF_ERR_NO_SEGMENTS,
    ELF_ERR_ENTRY,       /* entry point not in an executable segment */
} elf_error_t;

/* Validates `elf` (size bytes) and fills `plan`.  Every segment must lie within
 * [limit_lo, limit_hi). */
elf_error_t elf_plan(const void *elf, size_t size, uint64_t limit_lo, uint64_t limit_hi,
                     elf_plan_t *plan);
const char *elf_error_name(elf_error_t e);

/* Iterates the distinct pages the segments touch, in increasing order: first = true
 * gives the lowest page, otherwise the next page above `after`; returns false when
 * there are no more.  *page gets the page address
 * and *perms the union of the permissions of the segments touching it. */
bool elf_next_page(const elf_plan_t *plan, uint64_t after, bool first, uint64_t *page,
                   unsigned *perms);

/* Writes the contents of the page at `page` (4096 bytes) to `dst`: the file bytes of
 * every segment that covers part of it, zeros elsewhere.  `elf`/`size` as planned. */
void elf_fill_page(const elf_plan_t *plan, const void *elf, size_t size, uint64_t page,
                   uint8_t *dst);
