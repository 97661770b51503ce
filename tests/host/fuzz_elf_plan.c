/* libFuzzer: ELF planning and page filling on arbitrary files stay in bounds. */
#include <runtime/elf_plan.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    elf_plan_t p;
    if (elf_plan(data, size, 0x1000, 0x10000000, &p) != ELF_OK) return 0;
    static uint8_t page_buf[ELF_PAGE_SIZE];
    uint64_t page = 0;
    unsigned perms = 0;
    bool first = true;
    for (unsigned i = 0; i < 64 && elf_next_page(&p, page, first, &page, &perms); i++) {
        first = false;
        elf_fill_page(&p, data, size, page, page_buf);
    }
    return 0;
}
