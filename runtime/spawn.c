/*
 * The program loader (see programs.h and startup.h).  Decode first: the request and the
 * ELF image are checked completely before anything is allocated.  Then build the child:
 * CNode, VSpace, image pages, startup page, IPC buffer, CSpace contents, TCB.
 */
#include <runtime/programs.h>
#include <runtime/startup.h>
#include <runtime/runtime.h>
#include <runtime/alloc.h>
#include <runtime/vspace.h>
#include <runtime/elf_plan.h>
#include <runtime/cspace.h>
#include <runtime/string.h>

#define DEFAULT_CNODE_BITS 10u
#define IMAGE_LIMIT_LO 0x1000ul            /* nothing at page 0 */

typedef struct child {
    const spawn_args_t *args;
    elf_plan_t plan;
    const void *image;
    size_t image_size;
    seL4_Word cnode_bits;
    seL4_CPtr cnode, vspace, tcb;
    seL4_Word pages;
} child_t;

/* One page of the root's VSpace used to fill frames before they go to the child. */
static void *window;

/* A new object for the child: from args->untyped into a slot of args' range if given,
 * else from the root task's allocators. */
static seL4_CPtr next; /* next slot of args' range; reset by spawn_program */

static seL4_CPtr new_object(const spawn_args_t *a, seL4_Word type, seL4_Word size_bits)
{
    if (a->untyped == seL4_CapNull) {
        return alloc_object(type, size_bits);
    }
    seL4_CPtr slot;
    if (a->slot_end > a->slot_start) {
        if (next < a->slot_start || next >= a->slot_end) {
            return seL4_CapNull;
        }
        slot = next++;
    } else {
        slot = alloc_slot();
    }
    if (slot == seL4_CapNull ||
        seL4_Untyped_Retype(a->untyped, type, size_bits, seL4_CapInitThreadCNode, 0, 0, slot, 1) !=
            seL4_NoError) {
        return seL4_CapNull;
    }
    return slot;
}

/* vspace_map_frame's allocator for the child's paging structures. */
static seL4_CPtr table_object(seL4_Word type, void *ctx)
{
    return new_object(ctx, type, 0);
}

static seL4_Error check_request(const spawn_args_t *a, child_t *c)
{
    c->args = a;
    c->image = a->image;
    c->image_size = a->image_size;
    if (a->name == NULL || strnlen(a->name, RUNTIME_STARTUP_NAME_LEN) >= RUNTIME_STARTUP_NAME_LEN ||
        a->nargs > RUNTIME_STARTUP_MAX_ARGS || (a->nargs > 0 && a->args == NULL) ||
        (a->ncaps > 0 && a->caps == NULL) || a->priority > seL4_MaxPrio ||
        runtime_bootinfo() == NULL) {
        return seL4_InvalidArgument;
    }
    c->cnode_bits = a->cnode_bits == 0 ? DEFAULT_CNODE_BITS : a->cnode_bits;
    if (c->cnode_bits < 4 || c->cnode_bits > 16 ||
        PROGRAM_SLOT_FIRST_CAP + a->ncaps >= ((seL4_Word)1 << c->cnode_bits) ||
        (a->nframes > 0 && a->frames == NULL) || a->nframes > SPAWN_MAX_FRAMES) {
        return seL4_InvalidArgument;
    }
    for (unsigned i = 0; i < a->nframes; i++) {
        seL4_Word v = a->frames[i].vaddr;
        if ((v & 0xfffu) != 0 || v == 0 || v >= 0x0000800000000000ul ||
            (v >= PROGRAM_STARTUP_VADDR - 0x1000ul && v <= PROGRAM_IPC_BUFFER_VADDR + 0x1000ul)) {
            return seL4_InvalidArgument;
        }
    }
    if (c->image == NULL && !program_lookup(a->name, &c->image, &c->image_size)) {
        return seL4_InvalidArgument;
    }
    if (elf_plan(c->image, c->image_size, IMAGE_LIMIT_LO, PROGRAM_STARTUP_VADDR - 0x1000ul,
                 &c->plan) != ELF_OK) {
        return seL4_InvalidArgument;
    }
    return seL4_NoError;
}

static seL4_CapRights_t rights_for(unsigned perms)
{
    return (perms & ELF_PERM_W) ? seL4_ReadWrite : seL4_CanRead;
}

/* A fresh frame filled by `fill` through the window, then mapped in the child. */
typedef void (*fill_fn)(const child_t *c, seL4_Word vaddr, void *page, const void *ctx);

static seL4_Error add_page(child_t *c, seL4_Word vaddr, seL4_CapRights_t rights, fill_fn fill,
                           const void *ctx, seL4_CPtr *frame_out)
{
    seL4_CPtr frame = new_object(c->args, seL4_X86_4K, 0);
    if (frame == seL4_CapNull) {
        return seL4_NotEnoughMemory;
    }
    seL4_Error err = vspace_map_frame(RUNTIME_CAP_VSPACE, frame, (seL4_Word)window, seL4_ReadWrite);
    if (err != seL4_NoError) {
        return err;
    }
    fill(c, vaddr, window, ctx);
    err = seL4_X86_Page_Unmap(frame);
    if (err == seL4_NoError) {
        err = vspace_map_frame_with(c->vspace, frame, vaddr, rights, table_object, (void *)c->args);
    }
    if (frame_out != NULL) {
        *frame_out = frame;
    }
    c->pages++;
    return err;
}

static void fill_image(const child_t *c, seL4_Word vaddr, void *page, const void *ctx)
{
    (void)ctx;
    elf_fill_page(&c->plan, c->image, c->image_size, vaddr, page);
}

static void fill_zero(const child_t *c, seL4_Word vaddr, void *page, const void *ctx)
{
    (void)c;
    (void)vaddr;
    (void)ctx;
    memset(page, 0, (size_t)1 << seL4_PageBits);
}

static void fill_startup(const child_t *c, seL4_Word vaddr, void *page, const void *ctx)
{
    (void)vaddr;
    (void)ctx;
    const spawn_args_t *a = c->args;
    memset(page, 0, (size_t)1 << seL4_PageBits);
    runtime_startup_t *su = page;
    su->magic = RUNTIME_STARTUP_MAGIC;
    su->version = RUNTIME_STARTUP_VERSION;
    su->ipc_buffer = PROGRAM_IPC_BUFFER_VADDR;
    su->cnode_size_bits = c->cnode_bits;
    su->fault_ep = a->fault_ep != seL4_CapNull ? PROGRAM_SLOT_FAULT_EP : 0;
    su->caps_start = PROGRAM_SLOT_FIRST_CAP;
    su->caps_end = PROGRAM_SLOT_FIRST_CAP + a->ncaps;
    su->empty_start = su->caps_end;
    su->empty_end = (seL4_Word)1 << c->cnode_bits;
    su->nargs = a->nargs;
    for (unsigned i = 0; i < a->nargs; i++) {
        su->args[i] = a->args[i];
    }
    for (size_t i = 0; i + 1 < RUNTIME_STARTUP_NAME_LEN && a->name[i] != '\0'; i++) {
        su->name[i] = a->name[i]; /* NUL-terminated by the memset above */
    }
}

static seL4_Error load_image(child_t *c)
{
    uint64_t page = 0;
    unsigned perms = 0;
    bool first = true;
    while (elf_next_page(&c->plan, page, first, &page, &perms)) {
        first = false;
        seL4_Error err = add_page(c, page, rights_for(perms), fill_image, NULL, NULL);
        if (err != seL4_NoError) {
            return err;
        }
    }
    return seL4_NoError;
}

/* In a reused CNode the destination may still hold the previous child's cap. */
static seL4_Error clear_slot(const child_t *c, seL4_Word dest)
{
    if (c->args->cnode == seL4_CapNull) {
        return seL4_NoError;
    }
    return seL4_CNode_Delete(c->cnode, dest, (seL4_Uint8)c->cnode_bits);
}

static seL4_Error copy_cap(const child_t *c, seL4_Word dest, seL4_CPtr src)
{
    seL4_Error err = clear_slot(c, dest);
    if (err != seL4_NoError) {
        return err;
    }
    return seL4_CNode_Copy(c->cnode, dest, (seL4_Uint8)c->cnode_bits, RUNTIME_CAP_CNODE, src,
                           seL4_WordBits, seL4_AllRights);
}

static seL4_Error fill_cspace(const child_t *c)
{
    const spawn_args_t *a = c->args;
    seL4_Error err = copy_cap(c, PROGRAM_SLOT_TCB, c->tcb);
    if (err == seL4_NoError) {
        err = clear_slot(c, PROGRAM_SLOT_CNODE);
    }
    if (err == seL4_NoError) {
        err = seL4_CNode_Mint(c->cnode, PROGRAM_SLOT_CNODE, (seL4_Uint8)c->cnode_bits,
                              RUNTIME_CAP_CNODE, c->cnode, seL4_WordBits, seL4_AllRights,
                              cspace_one_level_guard(c->cnode_bits));
    }
    if (err == seL4_NoError) {
        err = copy_cap(c, PROGRAM_SLOT_VSPACE, c->vspace);
    }
    if (err == seL4_NoError && a->fault_ep != seL4_CapNull) {
        err = clear_slot(c, PROGRAM_SLOT_FAULT_EP);
    }
    if (err == seL4_NoError && a->fault_ep != seL4_CapNull) {
        err = a->fault_badge == 0
                  ? copy_cap(c, PROGRAM_SLOT_FAULT_EP, a->fault_ep)
                  : seL4_CNode_Mint(c->cnode, PROGRAM_SLOT_FAULT_EP, (seL4_Uint8)c->cnode_bits,
                                    RUNTIME_CAP_CNODE, a->fault_ep, seL4_WordBits,
                                    seL4_AllRights, a->fault_badge);
    }
    for (unsigned i = 0; err == seL4_NoError && i < a->ncaps; i++) {
        err = copy_cap(c, PROGRAM_SLOT_FIRST_CAP + i, a->caps[i]);
    }
    return err;
}

static seL4_Error start_thread(const child_t *c, seL4_CPtr ipc_frame)
{
    const spawn_args_t *a = c->args;
    seL4_Error err = seL4_TCB_Configure(c->tcb, a->fault_ep != seL4_CapNull ? PROGRAM_SLOT_FAULT_EP : 0,
                                        c->cnode, cspace_one_level_guard(c->cnode_bits),
                                        c->vspace, 0, PROGRAM_IPC_BUFFER_VADDR, ipc_frame);
    if (err == seL4_NoError) {
        err = seL4_TCB_SetSchedParams(c->tcb, RUNTIME_CAP_TCB, a->priority, a->priority);
    }
    if (err != seL4_NoError) {
        return err;
    }
#ifdef CONFIG_DEBUG_BUILD
    seL4_DebugNameThread(c->tcb, a->name);
#endif
    seL4_UserContext regs;
    memset(&regs, 0, sizeof(regs));
    regs.rip = c->plan.entry;
    regs.rdi = PROGRAM_STARTUP_VADDR;
    return seL4_TCB_WriteRegisters(c->tcb, 1, 0, sizeof(regs) / sizeof(seL4_Word), &regs);
}

static seL4_Error create_objects(child_t *c)
{
    const spawn_args_t *a = c->args;
    c->cnode = a->cnode != seL4_CapNull ? a->cnode : new_object(a, seL4_CapTableObject, c->cnode_bits);
    c->vspace = new_object(a, seL4_X64_PML4Object, 0);
    c->tcb = new_object(a, seL4_TCBObject, 0);
    if (c->cnode == seL4_CapNull || c->vspace == seL4_CapNull || c->tcb == seL4_CapNull) {
        return seL4_NotEnoughMemory;
    }
    if (window == NULL) {
        window = vspace_reserve(1);
    }
    return seL4_X86_ASIDPool_Assign(seL4_CapInitThreadASIDPool, c->vspace);
}

seL4_Error spawn_program(const spawn_args_t *args, spawned_t *out)
{
    child_t c;
    memset(&c, 0, sizeof(c));
    seL4_Error err = check_request(args, &c);
    if (err != seL4_NoError) {
        return err;
    }
    seL4_CPtr ipc_frame = seL4_CapNull;
    next = args->slot_start;
    err = create_objects(&c);
    if (err == seL4_NoError) {
        err = load_image(&c);
    }
    if (err == seL4_NoError) {
        err = add_page(&c, PROGRAM_STARTUP_VADDR, seL4_CanRead, fill_startup, NULL, NULL);
    }
    if (err == seL4_NoError) {
        err = add_page(&c, PROGRAM_IPC_BUFFER_VADDR, seL4_ReadWrite, fill_zero, NULL, &ipc_frame);
    }
    for (unsigned i = 0; err == seL4_NoError && i < args->nframes; i++) {
        err = vspace_map_frame_with(c.vspace, args->frames[i].frame, args->frames[i].vaddr,
                                    args->frames[i].rights, table_object, (void *)args);
    }
    if (err == seL4_NoError) {
        err = fill_cspace(&c);
    }
    if (err == seL4_NoError) {
        err = start_thread(&c, ipc_frame);
    }
    if (out != NULL) {
        *out = (spawned_t){ .tcb = c.tcb, .cnode = c.cnode, .vspace = c.vspace, .pages = c.pages };
    }
    return err;
}
