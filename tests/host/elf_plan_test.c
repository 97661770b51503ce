/* ELF load planning (runtime/elf_plan.h) on ELF images built here byte by byte. */
#include "check.h"
#include <runtime/elf_plan.h>
#include <string.h>

enum { PT_LOAD = 1, PT_TLS = 7 };
static _Alignas(8) uint8_t file[0x4000];

static void put(size_t off, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++) file[off + i] = (uint8_t)(v >> (8 * i));
}

static void header(uint64_t entry, unsigned phnum)
{
    memset(file, 0, sizeof(file));
    file[0] = 0x7f;
    file[1] = 'E';
    file[2] = 'L';
    file[3] = 'F';
    file[4] = 2; /* 64-bit */
    file[5] = 1; /* little endian */
    file[6] = 1;
    put(16, 2, 2);   /* ET_EXEC */
    put(18, 62, 2);  /* x86_64 */
    put(24, entry, 8);
    put(32, 64, 8);  /* phoff */
    put(54, 56, 2);  /* phentsize */
    put(56, phnum, 2);
}

static void phdr(unsigned i, uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr,
                 uint64_t filesz, uint64_t memsz)
{
    size_t p = 64 + (size_t)i * 56;
    put(p, type, 4);
    put(p + 4, flags, 4);
    put(p + 8, off, 8);
    put(p + 16, vaddr, 8);
    put(p + 32, filesz, 8);
    put(p + 40, memsz, 8);
}

/* text at 0x400000 (RX, 0x1800 bytes from file 0x1000), data at 0x402100 (RW, 0x20 bytes
 * from file 0x3000 + 0x1000 zero), a TLS header that must be ignored. */
static void sample(void)
{
    header(0x400010, 3);
    phdr(0, PT_LOAD, ELF_PERM_R | ELF_PERM_X, 0x1000, 0x400000, 0x1800, 0x1800);
    phdr(1, PT_TLS, ELF_PERM_R, 0x3000, 0x402100, 0x10, 0x20);
    phdr(2, PT_LOAD, ELF_PERM_R | ELF_PERM_W, 0x3000, 0x402100, 0x20, 0x1020);
    for (unsigned i = 0; i < 0x1800; i++) file[0x1000 + i] = (uint8_t)(i * 7);
    for (unsigned i = 0; i < 0x20; i++) file[0x3000 + i] = 0xd0 + (uint8_t)i;
}

static void good_image(void)
{
    sample();
    elf_plan_t p;
    CHECK_EQ(elf_plan(file, sizeof(file), 0x1000, 0x10000000, &p), ELF_OK);
    CHECK_EQ(p.nsegments, 2);
    CHECK_EQ(p.entry, 0x400010);
    CHECK_EQ(p.lowest, 0x400000);
    CHECK_EQ(p.highest, 0x404000);

    /* Pages: 0x400000, 0x401000 (RX), 0x402000, 0x403000 (RW). */
    uint64_t page = 0, pages[8] = { 0 };
    unsigned perms = 0, n = 0, permlist[8] = { 0 };
    bool first = true;
    while (n < 8 && elf_next_page(&p, page, first, &page, &perms)) {
        first = false;
        pages[n] = page;
        permlist[n++] = perms;
    }
    CHECK_EQ(n, 4);
    CHECK_EQ(pages[0], 0x400000);
    CHECK_EQ(pages[1], 0x401000);
    CHECK_EQ(pages[2], 0x402000);
    CHECK_EQ(pages[3], 0x403000);
    CHECK_EQ(permlist[1], ELF_PERM_R | ELF_PERM_X);
    CHECK_EQ(permlist[3], ELF_PERM_R | ELF_PERM_W);

    uint8_t buf[ELF_PAGE_SIZE];
    elf_fill_page(&p, file, sizeof(file), 0x401000, buf);
    CHECK_EQ(buf[0], (uint8_t)(0x1000 * 7));
    CHECK_EQ(buf[0x7ff], (uint8_t)(0x17ff * 7));
    CHECK_EQ(buf[0x800], 0); /* past the segment */
    elf_fill_page(&p, file, sizeof(file), 0x402000, buf);
    CHECK_EQ(buf[0xff], 0);
    CHECK_EQ(buf[0x100], 0xd0);
    CHECK_EQ(buf[0x11f], 0xef);
    CHECK_EQ(buf[0x120], 0); /* .bss part */
}

static void shared_page(void)
{
    /* Two segments in one page: permissions are merged. */
    header(0x400000, 2);
    phdr(0, PT_LOAD, ELF_PERM_R | ELF_PERM_X, 0x1000, 0x400000, 0x100, 0x100);
    phdr(1, PT_LOAD, ELF_PERM_R | ELF_PERM_W, 0x1100, 0x400100, 0x10, 0x10);
    elf_plan_t p;
    CHECK_EQ(elf_plan(file, sizeof(file), 0x1000, 0x10000000, &p), ELF_OK);
    uint64_t page = 0;
    unsigned perms = 0;
    CHECK(elf_next_page(&p, 0, true, &page, &perms));
    CHECK_EQ(perms, ELF_PERM_R | ELF_PERM_W | ELF_PERM_X);
    CHECK(!elf_next_page(&p, page, false, &page, &perms));
}

static void bad_images(void)
{
    elf_plan_t p;
    sample();
    CHECK_EQ(elf_plan(file, 10, 0x1000, 0x10000000, &p), ELF_ERR_TRUNCATED);
    file[1] = 'X';
    CHECK_EQ(elf_plan(file, sizeof(file), 0x1000, 0x10000000, &p), ELF_ERR_NOT_ELF);
    sample();
    file[4] = 1;
    CHECK_EQ(elf_plan(file, sizeof(file), 0x1000, 0x10000000, &p), ELF_ERR_CLASS);
    sample();
    put(54, 32, 2);
    CHECK_EQ(elf_plan(file, sizeof(file), 0x1000, 0x10000000, &p), ELF_ERR_PHDR);
    sample();
    put(56, 0xffff, 2);
    CHECK_EQ(elf_plan(file, sizeof(file), 0x1000, 0x10000000, &p), ELF_ERR_PHDR);
    sample();
    phdr(2, PT_LOAD, ELF_PERM_R, 0x3000, 0x402100, 0x2000, 0x1000); /* filesz > memsz */
    CHECK_EQ(elf_plan(file, sizeof(file), 0x1000, 0x10000000, &p), ELF_ERR_SEGMENT);
    sample();
    phdr(2, PT_LOAD, ELF_PERM_R, 0x3f00, 0x402100, 0x200, 0x200); /* past end of file */
    CHECK_EQ(elf_plan(file, sizeof(file), 0x1000, 0x10000000, &p), ELF_ERR_TRUNCATED);
    sample();
    phdr(2, PT_LOAD, ELF_PERM_R, 0, 0xfffffffffffff000ull, 0, 0x2000); /* wraps around */
    CHECK_EQ(elf_plan(file, sizeof(file), 0x1000, 0x10000000, &p), ELF_ERR_SEGMENT);
    sample();
    CHECK_EQ(elf_plan(file, sizeof(file), 0x1000, 0x402000, &p), ELF_ERR_SEGMENT); /* above limit */
    sample();
    phdr(2, PT_LOAD, ELF_PERM_R, 0x3000, 0x401000, 0x20, 0x20); /* overlaps the text */
    CHECK_EQ(elf_plan(file, sizeof(file), 0x1000, 0x10000000, &p), ELF_ERR_OVERLAP);
    sample();
    put(24, 0x402100, 8); /* entry in the data segment */
    CHECK_EQ(elf_plan(file, sizeof(file), 0x1000, 0x10000000, &p), ELF_ERR_ENTRY);
    header(0x400000, 1);
    phdr(0, PT_TLS, ELF_PERM_R, 0, 0x400000, 0, 0x10);
    CHECK_EQ(elf_plan(file, sizeof(file), 0x1000, 0x10000000, &p), ELF_ERR_NO_SEGMENTS);
    header(0x400000, ELF_PLAN_MAX_SEGMENTS + 1);
    for (unsigned i = 0; i <= ELF_PLAN_MAX_SEGMENTS; i++) {
        phdr(i, PT_LOAD, ELF_PERM_R | ELF_PERM_X, 0, 0x400000 + i * 0x1000ull, 0, 0x10);
    }
    CHECK_EQ(elf_plan(file, sizeof(file), 0x1000, 0x10000000, &p), ELF_ERR_TOO_MANY);
    CHECK(strcmp(elf_error_name(ELF_ERR_OVERLAP), "overlapping segments") == 0);
}

int main(void)
{
    good_image();
    shared_page();
    bad_images();
    return check_result("elf_plan_test");
}
