/* ELF image -> memory-server address space (see loader.h). */
#include "rs/server/loader.h"
#include "memserver/client/memserver_client.h"
#include <runtime/startup.h>
#include <runtime/string.h>

#define PAGE 4096u
#define CHUNK 512u /* zero-skipping granularity within a page */

static uint8_t page_buf[PAGE];

int rs_loader_plan(const void *image, size_t size, elf_plan_t *plan)
{
    return elf_plan(image, size, PAGE, PROGRAM_STARTUP_VADDR - PAGE, plan) == ELF_OK ? MS_OK
                                                                                 : MS_ERR_BAD_REQUEST;
}

static uint32_t rights_of(unsigned perms)
{
    if (perms & ELF_PERM_W) return MS_RW;
    if (perms & ELF_PERM_X) return MS_RX;
    return MS_R;
}

/* Does any segment have file bytes in the page at `page`? */
static bool has_file_bytes(const elf_plan_t *plan, uint64_t page)
{
    for (unsigned k = 0; k < plan->nsegments; k++) {
        const elf_segment_t *s = &plan->seg[k];
        if (s->filesz > 0 && s->vaddr < page + PAGE && page < s->vaddr + s->filesz) return true;
    }
    return false;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0) return false;
    }
    return true;
}

/* Writes the non-zero chunks of page_buf to obj at `offset`. */
static int write_page(seL4_CPtr ms, uint32_t obj, uint64_t offset)
{
    for (unsigned c = 0; c < PAGE; c += CHUNK) {
        if (all_zero(page_buf + c, CHUNK)) continue;
        int err = msc_obj_write(ms, obj, offset + c, page_buf + c, CHUNK);
        if (err != MS_OK) return err;
    }
    return MS_OK;
}

/* One run of pages [start, start + npages * PAGE) with the same rights. */
static int load_run(seL4_CPtr ms, uint32_t as, const elf_plan_t *plan, const void *image, size_t size,
                    uint64_t start, uint64_t npages, unsigned perms)
{
    uint32_t obj = 0;
    int err = msc_obj_create(ms, MS_OBJ_ANON, npages * PAGE, 0, 0, &obj);
    for (uint64_t p = 0; err == MS_OK && p < npages; p++) {
        if (!has_file_bytes(plan, start + p * PAGE)) continue; /* zero: left to demand paging */
        elf_fill_page(plan, image, size, start + p * PAGE, page_buf);
        err = write_page(ms, obj, p * PAGE);
    }
    uint64_t va = 0;
    if (err == MS_OK) {
        err = msc_map(ms, as, start, npages * PAGE, obj, 0, rights_of(perms), MS_MAP_FIXED, &va);
    }
    if (obj != 0) {
        int cerr = msc_obj_close(ms, obj); /* the mapping keeps the object alive */
        if (err == MS_OK) err = cerr;
    }
    return err;
}

int rs_loader_load(seL4_CPtr ms, uint32_t as, const elf_plan_t *plan, const void *image, size_t size)
{
    uint64_t page = 0, run_start = 0, run_pages = 0;
    unsigned perms = 0, run_perms = 0;
    bool first = true;
    int err = MS_OK;
    while (err == MS_OK && elf_next_page(plan, page, first, &page, &perms)) {
        first = false;
        if (run_pages > 0 && (page != run_start + run_pages * PAGE || rights_of(perms) != rights_of(run_perms))) {
            err = load_run(ms, as, plan, image, size, run_start, run_pages, run_perms);
            run_pages = 0;
        }
        if (run_pages == 0) {
            run_start = page;
            run_perms = perms;
        }
        run_pages++;
    }
    if (err == MS_OK && run_pages > 0) {
        err = load_run(ms, as, plan, image, size, run_start, run_pages, run_perms);
    }
    return err;
}

int rs_loader_page(seL4_CPtr ms, uint32_t as, uint64_t vaddr, const void *data, size_t len, uint32_t rights)
{
    if (len > PAGE) return MS_ERR_RANGE;
    uint32_t obj = 0;
    int err = msc_obj_create(ms, MS_OBJ_ANON, PAGE, 0, 0, &obj);
    if (err == MS_OK) err = msc_obj_write(ms, obj, 0, data, len);
    uint64_t va = 0;
    if (err == MS_OK) err = msc_map(ms, as, vaddr, PAGE, obj, 0, rights, MS_MAP_FIXED, &va);
    if (obj != 0) {
        int cerr = msc_obj_close(ms, obj);
        if (err == MS_OK) err = cerr;
    }
    return err;
}
