/*
 * ELF64 x86_64 executable validation.  Every field is checked against the file size
 * before use; nothing here trusts the image.  See elf.h.
 */
#include "elf.h"
#include "error.h"

#include <stdbool.h>
#include <string.h>

#include "machine.h"

#define EHDR_SIZE 64u
#define PHDR_SIZE 56u
#define PT_LOAD 1u
#define PF_X 1u
#define PF_W 2u
#define PF_R 4u
#define USER_TOP 0x0000800000000000ull
#define MAX_PHNUM 4096u

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | ((uint64_t)rd32(p + 4) << 32);
}

int elf_parse(const uint8_t *data, size_t size, elf_image *img, char *err, size_t errlen)
{
    memset(img, 0, sizeof *img);
    if (data == NULL || size < 4 || memcmp(data, "\x7f" "ELF", 4) != 0) {
        return set_error(err, errlen, "not an ELF file");
    }
    if (size < EHDR_SIZE) {
        return set_error(err, errlen, "truncated ELF header (%zu bytes)", size);
    }
    if (data[4] != 2) {
        return set_error(err, errlen, "not a 64-bit ELF file (class %u)", data[4]);
    }
    if (data[5] != 1) {
        return set_error(err, errlen, "not a little-endian ELF file");
    }
    if (data[6] != 1) {
        return set_error(err, errlen, "unknown ELF version %u", data[6]);
    }
    uint16_t type = rd16(data + 16), machine = rd16(data + 18);
    if (machine != 62) {
        return set_error(err, errlen, "not an x86_64 ELF file (machine %u)", machine);
    }
    if (type != 2) {
        return set_error(err, errlen, "not an executable ELF file (type %u; PIE and "
                                      "relocatable files are not supported)", type);
    }
    uint64_t entry = rd64(data + 24), phoff = rd64(data + 32);
    uint16_t phentsize = rd16(data + 54), phnum = rd16(data + 56);
    if (phnum == 0) {
        return set_error(err, errlen, "no program headers");
    }
    if (phentsize != PHDR_SIZE) {
        return set_error(err, errlen, "bad program header size %u", phentsize);
    }
    if (phnum >= 0xFFFF || phnum > MAX_PHNUM) {
        return set_error(err, errlen, "too many program headers (%u)", phnum);
    }
    if (phoff > size || (uint64_t)phnum * PHDR_SIZE > size - phoff) {
        return set_error(err, errlen, "program headers outside the file");
    }
    int n = 0;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = data + phoff + (uint64_t)i * PHDR_SIZE;
        if (rd32(ph) != PT_LOAD) {
            continue;
        }
        uint32_t flags = rd32(ph + 4);
        uint64_t off = rd64(ph + 8), vaddr = rd64(ph + 16), filesz = rd64(ph + 32),
                 memsz = rd64(ph + 40), align = rd64(ph + 48);
        if (memsz == 0) {
            continue; /* occupies nothing */
        }
        if (n == ELF_MAX_SEGMENTS) {
            return set_error(err, errlen, "more than %d loadable segments", ELF_MAX_SEGMENTS);
        }
        if (filesz > memsz) {
            return set_error(err, errlen, "segment %u: file size %#llx above memory size %#llx",
                        i, (unsigned long long)filesz, (unsigned long long)memsz);
        }
        if (off > size || filesz > size - off) {
            return set_error(err, errlen, "segment %u: data outside the file", i);
        }
        if (vaddr >= USER_TOP || memsz > USER_TOP - vaddr) {
            return set_error(err, errlen, "segment %u: addresses %#llx+%#llx outside the user "
                        "half of the address space", i, (unsigned long long)vaddr,
                        (unsigned long long)memsz);
        }
        if (align > 1 && ((align & (align - 1)) != 0 || (vaddr % align) != (off % align))) {
            return set_error(err, errlen, "segment %u: alignment %#llx does not match its "
                        "address and offset", i, (unsigned long long)align);
        }
        elf_segment seg = { vaddr, filesz, memsz, off,
                            ((flags & PF_R) ? SIM_PROT_READ : 0u) |
                                ((flags & PF_W) ? SIM_PROT_WRITE : 0u) |
                                ((flags & PF_X) ? SIM_PROT_EXEC : 0u) };
        /* Insert sorted by vaddr. */
        int at = n;
        while (at > 0 && img->seg[at - 1].vaddr > vaddr) {
            img->seg[at] = img->seg[at - 1];
            at--;
        }
        img->seg[at] = seg;
        n++;
    }
    if (n == 0) {
        return set_error(err, errlen, "no loadable segments");
    }
    /* Segments may share a 4 KiB page (the loader maps pages) but not bytes. */
    for (int i = 1; i < n; i++) {
        const elf_segment *a = &img->seg[i - 1], *b = &img->seg[i];
        if (b->vaddr < a->vaddr + a->memsz) {
            return set_error(err, errlen, "segments at %#llx and %#llx overlap",
                        (unsigned long long)a->vaddr, (unsigned long long)b->vaddr);
        }
    }
    bool entry_ok = false;
    for (int i = 0; i < n; i++) {
        const elf_segment *s = &img->seg[i];
        if (entry >= s->vaddr && entry - s->vaddr < s->memsz && (s->prot & SIM_PROT_EXEC)) {
            entry_ok = true;
        }
    }
    if (!entry_ok) {
        return set_error(err, errlen, "entry point %#llx is not in an executable segment",
                    (unsigned long long)entry);
    }
    img->data = data;
    img->size = size;
    img->entry = entry;
    img->nseg = n;
    return 0;
}
