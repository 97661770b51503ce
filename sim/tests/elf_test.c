/* Host tests of the ELF validator: a valid image, then one defect at a time. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "elf.h"
#include "machine.h"

#define FILE_SIZE 0x3000u

static uint8_t img[FILE_SIZE];

static void w16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void w32(uint8_t *p, uint32_t v) { w16(p, (uint16_t)v); w16(p + 2, (uint16_t)(v >> 16)); }
static void w64(uint8_t *p, uint64_t v) { w32(p, (uint32_t)v); w32(p + 4, (uint32_t)(v >> 32)); }

static uint8_t *phdr(int i) { return img + 64 + 56 * i; }

static void set_phdr(int i, uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr,
                     uint64_t filesz, uint64_t memsz, uint64_t align)
{
    uint8_t *p = phdr(i);
    w32(p, type);
    w32(p + 4, flags);
    w64(p + 8, off);
    w64(p + 16, vaddr);
    w64(p + 24, vaddr);
    w64(p + 32, filesz);
    w64(p + 40, memsz);
    w64(p + 48, align);
}

/* Text at 0x401000 (R X) from offset 0x1000, data at 0x402000 (R W, with bss). */
static void make_valid(void)
{
    memset(img, 0, sizeof img);
    img[0] = 0x7f;
    img[1] = 'E';
    img[2] = 'L';
    img[3] = 'F';
    img[4] = 2;
    img[5] = 1;
    img[6] = 1;
    w16(img + 16, 2);
    w16(img + 18, 62);
    w32(img + 20, 1);
    w64(img + 24, 0x401000);
    w64(img + 32, 64);
    w16(img + 52, 64);
    w16(img + 54, 56);
    w16(img + 56, 3);
    set_phdr(0, 1, 5, 0x1000, 0x401000, 0x100, 0x100, 0x1000);
    set_phdr(1, 1, 6, 0x2000, 0x402000, 0x80, 0x1000, 0x1000);
    set_phdr(2, 0x6474e551, 6, 0, 0, 0, 0, 16); /* PT_GNU_STACK: ignored */
}

static int parse(size_t size, char *err)
{
    elf_image im;
    return elf_parse(img, size, &im, err, 128);
}

static void expect_fail(const char *what, size_t size, const char *needle)
{
    char err[128] = "";
    int r = parse(size, err);
    if (r == 0 || strstr(err, needle) == NULL) {
        fprintf(stderr, "%s: expected failure with \"%s\", got %d \"%s\"\n", what, needle, r,
                err);
        check_failures++;
    }
    make_valid();
}

int main(void)
{
    make_valid();
    elf_image im;
    char err[128] = "";
    CHECK_EQ(elf_parse(img, sizeof img, &im, err, sizeof err), 0);
    CHECK_EQ(im.nseg, 2);
    CHECK_EQ(im.entry, 0x401000);
    CHECK_EQ(im.seg[0].vaddr, 0x401000);
    CHECK_EQ(im.seg[0].prot, SIM_PROT_READ | SIM_PROT_EXEC);
    CHECK_EQ(im.seg[1].prot, SIM_PROT_READ | SIM_PROT_WRITE);
    CHECK_EQ(im.seg[1].filesz, 0x80);
    CHECK_EQ(im.seg[1].memsz, 0x1000);

    /* Unsorted program headers come out sorted. */
    set_phdr(0, 1, 6, 0x2000, 0x402000, 0x80, 0x1000, 0x1000);
    set_phdr(1, 1, 5, 0x1000, 0x401000, 0x100, 0x100, 0x1000);
    CHECK_EQ(elf_parse(img, sizeof img, &im, err, sizeof err), 0);
    CHECK_EQ(im.seg[0].vaddr, 0x401000);
    make_valid();

    expect_fail("empty", 0, "not an ELF");
    memcpy(img, "#!/b", 4);
    expect_fail("script", sizeof img, "not an ELF");
    expect_fail("truncated header", 40, "truncated");
    img[4] = 1;
    expect_fail("32-bit", sizeof img, "64-bit");
    img[5] = 2;
    expect_fail("big endian", sizeof img, "little-endian");
    w16(img + 18, 183);
    expect_fail("aarch64", sizeof img, "x86_64");
    w16(img + 16, 3);
    expect_fail("PIE", sizeof img, "executable");
    w16(img + 16, 1);
    expect_fail("relocatable", sizeof img, "executable");
    w16(img + 56, 0);
    expect_fail("no phdrs", sizeof img, "no program headers");
    w16(img + 54, 32);
    expect_fail("phentsize", sizeof img, "program header size");
    w64(img + 32, FILE_SIZE - 10);
    expect_fail("phdrs outside", sizeof img, "outside the file");
    w64(img + 32, UINT64_MAX - 8);
    expect_fail("phoff overflow", sizeof img, "outside the file");
    set_phdr(0, 1, 5, 0x2F00, 0x401000, 0x200, 0x200, 0x100);
    expect_fail("data outside", sizeof img, "outside the file");
    set_phdr(0, 1, 5, UINT64_MAX - 0x10, 0x401000, 0x100, 0x100, 0);
    expect_fail("offset overflow", sizeof img, "outside the file");
    set_phdr(1, 1, 6, 0x2000, 0x401080, 0x80, 0x1000, 0);
    expect_fail("overlap", sizeof img, "overlap");
    set_phdr(1, 1, 6, 0x2000, 0xFFFFFFFF80000000ull, 0x80, 0x1000, 0x1000);
    expect_fail("kernel half", sizeof img, "user half");
    set_phdr(1, 1, 6, 0x2000, 0x00007FFFFFFFF000ull, 0x80, 0x2000, 0x1000);
    expect_fail("crosses into the kernel half", sizeof img, "user half");
    set_phdr(1, 1, 6, 0x2000, 0x402000, 0x2000, 0x1000, 0x1000);
    expect_fail("filesz > memsz", sizeof img, "above memory size");
    set_phdr(1, 1, 6, 0x2010, 0x402000, 0x80, 0x1000, 0x1000);
    expect_fail("misaligned", sizeof img, "alignment");
    set_phdr(1, 1, 6, 0x2000, 0x402000, 0x80, 0x1000, 0x1800);
    expect_fail("align not a power of two", sizeof img, "alignment");
    w64(img + 24, 0x402000);
    expect_fail("entry in data", sizeof img, "entry point");
    w64(img + 24, 0x900000);
    expect_fail("entry nowhere", sizeof img, "entry point");
    set_phdr(0, 4, 5, 0x1000, 0x401000, 0x100, 0x100, 0x1000);
    set_phdr(1, 4, 6, 0x2000, 0x402000, 0x80, 0x1000, 0x1000);
    expect_fail("no PT_LOAD", sizeof img, "no loadable");

    /* 17 loadable segments: one too many. */
    w16(img + 56, 17);
    for (int i = 0; i < 17; i++) {
        set_phdr(i, 1, 5, 0x1000, 0x401000 + 0x1000 * (uint64_t)i, 0x10, 0x10, 0x1000);
    }
    expect_fail("too many", sizeof img, "more than 16");
    w16(img + 56, 16);
    for (int i = 0; i < 16; i++) {
        set_phdr(i, 1, 5, 0x1000, 0x401000 + 0x1000 * (uint64_t)i, 0x10, 0x10, 0x1000);
    }
    CHECK_EQ(elf_parse(img, sizeof img, &im, err, sizeof err), 0);
    CHECK_EQ(im.nseg, 16);
    make_valid();

    /* Every truncation of a valid image is refused or accepted, never a crash. */
    for (size_t n = 0; n < sizeof img; n += 7) {
        (void)parse(n, err);
    }
    /* NULL err buffer is fine. */
    CHECK(elf_parse(img, 3, &im, NULL, 0) != 0);
    return check_report("sim_elf_test");
}
