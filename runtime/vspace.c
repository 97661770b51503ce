/* Mapping frames and the root task's dynamic mapping area (see vspace.h). */
#include <runtime/vspace.h>
#include <runtime/alloc.h>
#include <runtime/runtime.h>

/* The paging levels above a 4 KiB page, lowest first. */
typedef enum { LEVEL_PT, LEVEL_PD, LEVEL_PDPT, LEVEL_COUNT } level_t;

static seL4_Word level_type(level_t l)
{
    switch (l) {
    case LEVEL_PT: return seL4_X86_PageTableObject;
    case LEVEL_PD: return seL4_X86_PageDirectoryObject;
    default: return seL4_X86_PDPTObject;
    }
}

static seL4_Error map_table(level_t l, seL4_CPtr table, seL4_CPtr vspace, seL4_Word vaddr)
{
    switch (l) {
    case LEVEL_PT: return seL4_X86_PageTable_Map(table, vspace, vaddr, seL4_X86_Default_VMAttributes);
    case LEVEL_PD: return seL4_X86_PageDirectory_Map(table, vspace, vaddr, seL4_X86_Default_VMAttributes);
    default: return seL4_X86_PDPT_Map(table, vspace, vaddr, seL4_X86_Default_VMAttributes);
    }
}

/* Creates and maps the paging structure of level `l` covering vaddr, and the levels above
 * it if they are missing too.  Objects are retyped only once a mapping attempt shows they
 * are needed, so nothing is wasted. */
static seL4_Error ensure_table(level_t l, seL4_CPtr vspace, seL4_Word vaddr, vspace_alloc_fn alloc,
                               void *ctx)
{
    seL4_CPtr table = alloc(level_type(l), ctx);
    if (table == seL4_CapNull) {
        return seL4_NotEnoughMemory;
    }
    seL4_Error err = map_table(l, table, vspace, vaddr);
    if (err == seL4_FailedLookup && l + 1 < LEVEL_COUNT) {
        err = ensure_table((level_t)(l + 1), vspace, vaddr, alloc, ctx);
        if (err == seL4_NoError) {
            err = map_table(l, table, vspace, vaddr);
        }
    }
    return err;
}

static seL4_CPtr boot_alloc(seL4_Word type, void *ctx)
{
    (void)ctx;
    return alloc_object(type, 0);
}

seL4_Error vspace_map_frame(seL4_CPtr vspace, seL4_CPtr frame, seL4_Word vaddr,
                            seL4_CapRights_t rights)
{
    return vspace_map_frame_with(vspace, frame, vaddr, rights, boot_alloc, NULL);
}

seL4_Error vspace_map_frame_with(seL4_CPtr vspace, seL4_CPtr frame, seL4_Word vaddr,
                                 seL4_CapRights_t rights, vspace_alloc_fn alloc, void *ctx)
{
    seL4_Error err = seL4_X86_Page_Map(frame, vspace, vaddr, rights, seL4_X86_Default_VMAttributes);
    if (err != seL4_FailedLookup) {
        return err;
    }
    err = ensure_table(LEVEL_PT, vspace, vaddr, alloc, ctx);
    if (err != seL4_NoError) {
        return err;
    }
    return seL4_X86_Page_Map(frame, vspace, vaddr, rights, seL4_X86_Default_VMAttributes);
}

static seL4_Word next_vaddr = VSPACE_DYNAMIC_START;

void *vspace_reserve(size_t pages)
{
    seL4_Word bytes = (seL4_Word)pages << seL4_PageBits;
    void *at = (void *)next_vaddr;
    next_vaddr += bytes + ((seL4_Word)1 << seL4_PageBits); /* + guard page */
    return at;
}

void *vspace_alloc_pages(size_t pages, seL4_CPtr *frames)
{
    char *base = vspace_reserve(pages);
    for (size_t i = 0; i < pages; i++) {
        seL4_CPtr frame = alloc_object(seL4_X86_4K, 0);
        if (frame == seL4_CapNull ||
            vspace_map_frame(RUNTIME_CAP_VSPACE, frame, (seL4_Word)(base + (i << seL4_PageBits)),
                             seL4_ReadWrite) != seL4_NoError) {
            return NULL;
        }
        if (frames != NULL) {
            frames[i] = frame;
        }
    }
    return base;
}
