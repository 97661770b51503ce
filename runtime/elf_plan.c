/* ELF64 load planning (see elf_plan.h).  Portable: reads the file through bounds-checked
 * little-endian loads, so unaligned or hostile input is fine. */
#include <runtime/elf_plan.h>

enum {
    EHDR_SIZE = 64, PHDR_SIZE = 56,
    PT_LOAD = 1, ET_EXEC = 2, EM_X86_64 = 62,
};

static uint64_t load_le(const uint8_t *p, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = bytes; i > 0; i--) {
        v = (v << 8) | p[i - 1];
    }
    return v;
}

static elf_error_t check_header(const uint8_t *f, size_t size)
{
    if (size < EHDR_SIZE) return ELF_ERR_TRUNCATED;
    if (f[0] != 0x7f || f[1] != 'E' || f[2] != 'L' || f[3] != 'F') return ELF_ERR_NOT_ELF;
    if (f[4] != 2 /* ELFCLASS64 */ || f[5] != 1 /* little endian */ ||
        load_le(f + 16, 2) != ET_EXEC || load_le(f + 18, 2) != EM_X86_64) {
        return ELF_ERR_CLASS;
    }
    return ELF_OK;
}

static elf_error_t add_segment(elf_plan_t *plan, const uint8_t *ph, size_t size,
                               uint64_t limit_lo, uint64_t limit_hi)
{
    elf_segment_t s = {
        .perms = (unsigned)load_le(ph + 4, 4) & (ELF_PERM_R | ELF_PERM_W | ELF_PERM_X),
        .offset = load_le(ph + 8, 8),
        .vaddr = load_le(ph + 16, 8),
        .filesz = load_le(ph + 32, 8),
        .memsz = load_le(ph + 40, 8),
    };
    if (s.memsz == 0) {
        return ELF_OK; /* occupies nothing */
    }
    if (s.filesz > s.memsz || s.offset > size || s.filesz > size - s.offset) {
        return s.filesz > s.memsz ? ELF_ERR_SEGMENT : ELF_ERR_TRUNCATED;
    }
    if (s.vaddr < limit_lo || s.vaddr > limit_hi || s.memsz > limit_hi - s.vaddr) {
        return ELF_ERR_SEGMENT;
    }
    if (plan->nsegments == ELF_PLAN_MAX_SEGMENTS) {
        return ELF_ERR_TOO_MANY;
    }
    /* Insert sorted by vaddr, rejecting overlaps. */
    unsigned i = plan->nsegments;
    while (i > 0 && plan->seg[i - 1].vaddr > s.vaddr) {
        plan->seg[i] = plan->seg[i - 1];
        i--;
    }
    plan->seg[i] = s;
    plan->nsegments++;
    if ((i > 0 && plan->seg[i - 1].vaddr + plan->seg[i - 1].memsz > s.vaddr) ||
        (i + 1 < plan->nsegments && s.vaddr + s.memsz > plan->seg[i + 1].vaddr)) {
        return ELF_ERR_OVERLAP;
    }
    return ELF_OK;
}

elf_error_t elf_plan(const void *elf, size_t size, uint64_t limit_lo, uint64_t limit_hi,
                     elf_plan_t *plan)
{
    const uint8_t *f = elf;
    *plan = (elf_plan_t){ 0 };
    elf_error_t err = check_header(f, size);
    if (err != ELF_OK) return err;

    uint64_t phoff = load_le(f + 32, 8);
    uint64_t phentsize = load_le(f + 54, 2);
    uint64_t phnum = load_le(f + 56, 2);
    if (phentsize != PHDR_SIZE || phoff > size || phnum > (size - phoff) / PHDR_SIZE) {
        return ELF_ERR_PHDR;
    }
    for (uint64_t i = 0; i < phnum; i++) {
        const uint8_t *ph = f + phoff + i * PHDR_SIZE;
        if (load_le(ph, 4) != PT_LOAD) continue;
        err = add_segment(plan, ph, size, limit_lo, limit_hi);
        if (err != ELF_OK) return err;
    }
    if (plan->nsegments == 0) return ELF_ERR_NO_SEGMENTS;

    plan->entry = load_le(f + 24, 8);
    bool entry_ok = false;
    for (unsigned i = 0; i < plan->nsegments; i++) {
        const elf_segment_t *s = &plan->seg[i];
        if ((s->perms & ELF_PERM_X) && plan->entry >= s->vaddr && plan->entry - s->vaddr < s->memsz) {
            entry_ok = true;
        }
    }
    if (!entry_ok) return ELF_ERR_ENTRY;
    const elf_segment_t *last = &plan->seg[plan->nsegments - 1];
    plan->lowest = plan->seg[0].vaddr & ~(uint64_t)(ELF_PAGE_SIZE - 1);
    plan->highest = (last->vaddr + last->memsz + ELF_PAGE_SIZE - 1) & ~(uint64_t)(ELF_PAGE_SIZE - 1);
    return ELF_OK;
}

const char *elf_error_name(elf_error_t e)
{
    switch (e) {
    case ELF_OK: return "ok";
    case ELF_ERR_TRUNCATED: return "truncated";
    case ELF_ERR_NOT_ELF: return "not an ELF file";
    case ELF_ERR_CLASS: return "not an ELF64 x86_64 executable";
    case ELF_ERR_PHDR: return "bad program header table";
    case ELF_ERR_SEGMENT: return "bad segment";
    case ELF_ERR_OVERLAP: return "overlapping segments";
    case ELF_ERR_TOO_MANY: return "too many segments";
    case ELF_ERR_NO_SEGMENTS: return "no loadable segments";
    case ELF_ERR_ENTRY: return "entry point outside executable segments";
    default: return "unknown error";
    }
}

static uint64_t page_of(uint64_t v) { return v & ~(uint64_t)(ELF_PAGE_SIZE - 1); }

bool elf_next_page(const elf_plan_t *plan, uint64_t after, bool first, uint64_t *page,
                   unsigned *perms)
{
    /* The lowest page above `after` that some segment touches. */
    bool found = false;
    uint64_t best = 0;
    for (unsigned i = 0; i < plan->nsegments; i++) {
        const elf_segment_t *s = &plan->seg[i];
        uint64_t lo = page_of(s->vaddr);
        uint64_t hi = page_of(s->vaddr + s->memsz - 1); /* last page, inclusive */
        uint64_t candidate = lo;
        if (!first && candidate <= after) {
            if (hi <= after) continue;
            candidate = after + ELF_PAGE_SIZE;
        }
        if (!found || candidate < best) {
            best = candidate;
            found = true;
        }
    }
    if (!found) return false;
    unsigned p = 0;
    for (unsigned i = 0; i < plan->nsegments; i++) {
        const elf_segment_t *s = &plan->seg[i];
        if (page_of(s->vaddr) <= best && best <= page_of(s->vaddr + s->memsz - 1)) {
            p |= s->perms;
        }
    }
    *page = best;
    *perms = p;
    return true;
}

void elf_fill_page(const elf_plan_t *plan, const void *elf, size_t size, uint64_t page,
                   uint8_t *dst)
{
    const uint8_t *f = elf;
    for (unsigned i = 0; i < ELF_PAGE_SIZE; i++) {
        dst[i] = 0;
    }
    for (unsigned i = 0; i < plan->nsegments; i++) {
        const elf_segment_t *s = &plan->seg[i];
        /* File bytes of the segment: [vaddr, vaddr + filesz) from offset. */
        uint64_t lo = s->vaddr > page ? s->vaddr : page;
        uint64_t seg_end = s->vaddr + s->filesz;
        uint64_t hi = seg_end < page + ELF_PAGE_SIZE ? seg_end : page + ELF_PAGE_SIZE;
        for (uint64_t v = lo; v < hi; v++) {
            uint64_t off = s->offset + (v - s->vaddr);
            if (off < size) {
                dst[v - page] = f[off];
            }
        }
    }
}
