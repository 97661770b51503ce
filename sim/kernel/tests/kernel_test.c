/*
 * Host tests of the kernel model (ASan+UBSan): boot layout, capability addressing,
 * the derivation tree, untyped retype arithmetic, IPC and cap transfer, notifications,
 * faults, scheduling, interrupts, fault injection and statistics.  User programs are
 * host functions driven through the fake machine (fake_machine.h); expected values
 * come from the seL4 reference manual and from runs on the real kernel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kstate.h"
#include "fake_machine.h"
#include "user_lib.h"

static int checks, failures;
#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        checks++;                                                               \
        if (!(cond)) {                                                          \
            failures++;                                                         \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                \
            fprintf(stderr, __VA_ARGS__);                                       \
            fputc('\n', stderr);                                                \
        }                                                                       \
    } while (0)
#define CHECK_EQ(a, b, what)                                                    \
    do {                                                                        \
        unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b); \
        CHECK(a_ == b_, "%s: got 0x%llx, expected 0x%llx", what, a_, b_);       \
    } while (0)

#define ROOT seL4_CapInitThreadCNode
#define VSPACE seL4_CapInitThreadVSpace
#define D 64

/* ---- running a root program ---- */
static uint8_t image_data[64];
static sim_config base_cfg;

static elf_image test_image(void)
{
    elf_image img;
    memset(&img, 0, sizeof img);
    img.data = image_data;
    img.size = sizeof image_data;
    img.entry = FAKE_BASE;
    img.nseg = 1;
    img.seg[0] = (elf_segment){ .vaddr = FAKE_BASE, .filesz = 0, .memsz = 0x14000, .offset = 0, .prot = 7 };
    return img;
}

static sim_config default_cfg(void)
{
    sim_config c;
    memset(&c, 0, sizeof c);
    c.mem_bytes = 512ull << 20;
    c.timeout_s = 60;
    return c;
}

typedef struct run_result { int status; char stats[4096]; } run_result;

static run_result run_root(fake_program prog, const sim_config *cfg_in)
{
    run_result res;
    memset(&res, 0, sizeof res);
    sim_config cfg = cfg_in ? *cfg_in : default_cfg();
    base_cfg = cfg;
    fake_console_clear();
    sim_devices *dev = devices_create();
    kernel *k = kernel_create(&cfg, dev);
    elf_image img = test_image();
    if (!k || kernel_boot(k, &img) != 0) {
        CHECK(0, "boot failed");
        res.status = -1;
        return res;
    }
    fake_program_set(0, prog, NULL);
    res.status = kernel_run(k);
    char path[] = "/tmp/kernel_test_stats_XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0) {
        FILE *f = fdopen(fd, "r");
        if (kernel_write_stats(k, path) == 0 && f) {
            size_t n = fread(res.stats, 1, sizeof res.stats - 1, f);
            res.stats[n] = '\0';
        }
        if (f)
            fclose(f);
        unlink(path);
    }
    kernel_destroy(k);
    devices_destroy(dev);
    fake_reset();
    return res;
}

/* ---- helpers for root programs ---- */
static seL4_BootInfo *bi;
static uint64_t next_slot;

static void root_init(void)
{
    const sim_regs *r = fake_entry_regs();
    bi = fake_user(r->rdi, sizeof(seL4_BootInfo));
    u_set_ipc_buffer((uint64_t)(uintptr_t)bi->ipcBuffer);
    next_slot = bi->empty.start;
}

static uint64_t slot(void) { return next_slot++; }

/* A RAM untyped of at least 2^bits bytes (the last one the boot left). */
static uint64_t ram_untyped(unsigned bits)
{
    for (uint64_t i = bi->untyped.end - bi->untyped.start; i-- > 0;)
        if (!bi->untypedList[i].isDevice && bi->untypedList[i].sizeBits >= bits)
            return bi->untyped.start + i;
    return 0;
}

static uint64_t make(uint64_t type, uint64_t bits)
{
    uint64_t s = slot();
    int e = u_retype(ram_untyped(22), type, bits, s, 1);
    CHECK_EQ(e, seL4_NoError, "retype");
    return s;
}

static uint64_t vnext = 0x500000;
/* A fresh frame mapped read-write; returns its vaddr. */
static uint64_t new_page(uint64_t *frame_out)
{
    uint64_t f = make(seL4_X86_4K, 0);
    uint64_t v = vnext;
    vnext += 0x1000;
    CHECK_EQ(u_map(f, v, seL4_ReadWrite.words[0]), seL4_NoError, "map page");
    if (frame_out)
        *frame_out = f;
    return v;
}

/* A thread running program `id` in the root's spaces. */
static uint64_t spawn(int id, fake_program prog, uint64_t prio, uint64_t fault_ep, uint64_t *ipc_vaddr)
{
    uint64_t frame;
    uint64_t buf = new_page(&frame);
    uint64_t t = make(seL4_TCBObject, 0);
    uint64_t a[4] = { fault_ep, 0, 0, buf };
    uint64_t c[3] = { ROOT, VSPACE, frame };
    CHECK_EQ(u_invoke(t, TCBConfigure, a, 4, c, 3, NULL), seL4_NoError, "Configure");
    uint64_t pa[1] = { prio };
    uint64_t pc[1] = { seL4_CapInitThreadTCB };
    CHECK_EQ(u_invoke(t, TCBSetPriority, pa, 1, pc, 1, NULL), seL4_NoError, "SetPriority");
    fake_program_set(id, prog, NULL);
    uint64_t w[3] = { 1, 1, fake_entry(id) };     /* resume, one register: rip */
    CHECK_EQ(u_invoke(t, TCBWriteRegisters, w, 3, NULL, 0, NULL), seL4_NoError, "WriteRegisters");
    if (ipc_vaddr)
        *ipc_vaddr = buf;
    return t;
}

/* ================= boot ================= */
static void test_boot(void)
{
    sim_config cfg = default_cfg();
    sim_devices *dev = devices_create();
    kernel *k = kernel_create(&cfg, dev);
    elf_image img = test_image();
    CHECK(k && kernel_boot(k, &img) == 0, "boot");
    if (!k)
        return;
    /* values read from the real seL4 16.0.0 under QEMU -m 512M with a 0x14000-byte image */
    seL4_BootInfo *b = ram_ptr(&k->ram, 0x1ffc4000, 4096);
    CHECK(b != NULL, "BootInfo frame at 0x1ffc4000");
    if (b) {
        CHECK_EQ(b->extraLen, 0x50c, "extraLen");
        CHECK_EQ(b->numNodes, 1, "numNodes");
        CHECK_EQ(b->numIOPTLevels, ~0ull, "numIOPTLevels");
        CHECK_EQ((uintptr_t)b->ipcBuffer, 0x414000, "ipcBuffer");
        CHECK_EQ(b->empty.start, 0x86, "empty.start");
        CHECK_EQ(b->empty.end, 0x1000, "empty.end");
        CHECK_EQ(b->userImageFrames.start, 0x14, "userImageFrames.start");
        CHECK_EQ(b->userImageFrames.end, 0x28, "userImageFrames.end");
        CHECK_EQ(b->userImagePaging.start, 0x10, "userImagePaging.start");
        CHECK_EQ(b->userImagePaging.end, 0x13, "userImagePaging.end");
        CHECK_EQ(b->extraBIPages.start, 0x13, "extraBIPages.start");
        CHECK_EQ(b->untyped.start, 0x28, "untyped.start");
        CHECK_EQ(b->untyped.end, 0x86, "untyped.end");
        CHECK_EQ(b->initThreadCNodeSizeBits, 12, "CNode size bits");
        CHECK_EQ(b->untypedList[0].paddr, 0, "device untyped 0");
        CHECK_EQ(b->untypedList[0].sizeBits, 20, "device untyped 0 size");
        CHECK_EQ(b->untypedList[0].isDevice, 1, "device untyped 0 device");
        CHECK_EQ(b->untypedList[49].paddr, 0xfffffff0ull - 0x10, "last 16-byte untyped below the MSI window");
        CHECK_EQ(b->untypedList[64].paddr, 0x7f8000000000ull, "last device untyped");
        CHECK_EQ(b->untypedList[64].sizeBits, 39, "last device untyped size");
        CHECK_EQ(b->untypedList[65].paddr, 0x100000, "reclaimed boot code");
        CHECK_EQ(b->untypedList[65].isDevice, 0, "reclaimed boot code is RAM");
        CHECK_EQ(b->untypedList[68].paddr, 0xa27000, "first free RAM after the image");
        CHECK_EQ(b->untypedList[89].paddr, 0x1ffc8800, "RAM after the root objects");
        CHECK_EQ(b->untypedList[89].sizeBits, 11, "RAM after the root objects size");
        CHECK_EQ(b->untypedList[93].paddr, 0x1ffd0000, "last RAM untyped");
    }
    cnode *root = (cnode *)k->objects.next;   /* any object: find the root CNode cap instead */
    (void)root;
    tcb *t = k->candidate;
    CHECK(t && t->prio == 255 && t->mcp == 255, "root thread priority and MCP 255");
    if (t) {
        const cap *cn = &t->slot[TCB_CTABLE].cap;
        CHECK(cn->type == CAP_CNODE && cn->size_bits == 12 && cn->guard_bits == 52 && cn->guard == 0,
              "root CNode: radix 12, guard 52 bits of 0");
        /* resolution: cptr 5 at depth 64 is slot 5; depth 12 is a guard mismatch */
        resolve_ret r = resolve_address_bits(k, cn, 5, 64);
        CHECK(r.status == EXC_NONE && r.slot == &cap_cnode(cn)->slot[5], "cptr 5 resolves to slot 5");
        CHECK_EQ(r.slot ? r.slot->cap.type : 99, CAP_ASID_CONTROL, "slot 5 is ASID control");
        r = resolve_address_bits(k, cn, 5, 12);
        CHECK(r.status == EXC_LOOKUP_FAULT && k->lf.type == LF_GUARD_MISMATCH && k->lf.bits_left == 12 &&
              k->lf.bits_found == 52, "depth 12: guard mismatch, 12 bits left, 52 found");
        r = resolve_address_bits(k, cn, 1ull << 40, 64);
        CHECK(r.status == EXC_LOOKUP_FAULT && k->lf.type == LF_GUARD_MISMATCH, "a cptr with guard bits set");
        cap notcn = cap_null();
        r = resolve_address_bits(k, &notcn, 5, 64);
        CHECK(r.status == EXC_LOOKUP_FAULT && k->lf.type == LF_INVALID_ROOT, "null root: invalid root");
    }
    kernel_destroy(k);
    devices_destroy(dev);
}

/* ================= untyped ================= */
static void prog_untyped(int id, void *arg)
{
    (void)id;
    (void)arg;
    root_init();
    uint64_t ut = ram_untyped(22);
    u_msg m;
    uint64_t s = slot();
    uint64_t a[6] = { seL4_ObjectTypeCount, 0, 0, 0, s, 1 };
    uint64_t c[1] = { ROOT };
    CHECK_EQ(u_invoke(ut, UntypedRetype, a, 6, c, 1, &m), seL4_InvalidArgument, "invalid type");
    CHECK_EQ(m.mr[0], 0, "invalid type is argument 0");
    a[0] = seL4_UntypedObject;
    a[1] = 48;
    CHECK_EQ(u_invoke(ut, UntypedRetype, a, 6, c, 1, &m), seL4_RangeError, "untyped size 48");
    CHECK(m.mr[0] == 0 && m.mr[1] == 47, "range 0..47");
    a[1] = 3;
    CHECK_EQ(u_invoke(ut, UntypedRetype, a, 6, c, 1, &m), seL4_InvalidArgument, "untyped size 3");
    CHECK_EQ(m.mr[0], 1, "argument 1");
    a[0] = seL4_CapTableObject;
    a[1] = 0;
    CHECK_EQ(u_invoke(ut, UntypedRetype, a, 6, c, 1, &m), seL4_InvalidArgument, "CNode of radix 0");
    a[0] = seL4_EndpointObject;
    a[5] = 0;
    CHECK_EQ(u_invoke(ut, UntypedRetype, a, 6, c, 1, &m), seL4_RangeError, "zero objects");
    CHECK(m.mr[0] == 1 && m.mr[1] == 256, "range 1..256");
    a[5] = 257;
    CHECK_EQ(u_invoke(ut, UntypedRetype, a, 6, c, 1, &m), seL4_RangeError, "257 objects");
    a[4] = 4096;
    a[5] = 1;
    CHECK_EQ(u_invoke(ut, UntypedRetype, a, 6, c, 1, &m), seL4_RangeError, "offset beyond the CNode");
    CHECK(m.mr[0] == 0 && m.mr[1] == 4095, "offset range 0..4095");
    a[4] = 4090;
    a[5] = 10;
    CHECK_EQ(u_invoke(ut, UntypedRetype, a, 6, c, 1, &m), seL4_RangeError, "window overruns");
    CHECK(m.mr[0] == 1 && m.mr[1] == 6, "window range 1..6");
    a[4] = seL4_CapInitThreadTCB;
    a[5] = 1;
    CHECK_EQ(u_invoke(ut, UntypedRetype, a, 6, c, 1, &m), seL4_DeleteFirst, "destination occupied");
    CHECK_EQ(u_invoke(ut, UntypedRetype, a, 5, c, 1, &m), seL4_TruncatedMessage, "5 arguments");
    CHECK_EQ(u_invoke(ut, UntypedRetype, a, 6, c, 0, &m), seL4_TruncatedMessage, "no CNode cap");

    /* device untyped: frames only */
    uint64_t dev = bi->untyped.start;
    CHECK_EQ(u_retype(dev, seL4_TCBObject, 0, slot(), 1), seL4_InvalidArgument, "TCB from device memory");
    next_slot--;

    /* watermark and alignment: a small untyped child to reason about */
    uint64_t child = slot();
    CHECK_EQ(u_retype(ut, seL4_UntypedObject, 16, child, 1), seL4_NoError, "64 KiB child untyped");
    uint64_t ep = slot();
    CHECK_EQ(u_retype(child, seL4_EndpointObject, 0, ep, 1), seL4_NoError, "endpoint");
    uint64_t f = slot();
    CHECK_EQ(u_retype(child, seL4_X86_4K, 0, f, 1), seL4_NoError, "frame after the endpoint");
    uint64_t base = bi->untypedList[ut - bi->untyped.start].paddr;
    (void)base;
    uint64_t fpa = u_paddr(f);
    CHECK_EQ(fpa & 0xfff, 0, "frame aligned");
    uint64_t f2 = slot();
    CHECK_EQ(u_retype(child, seL4_X86_4K, 0, f2, 15), seL4_NotEnoughMemory, "15 more frames do not fit");
    u_invoke(child, UntypedRetype, (uint64_t[]){ seL4_X86_4K, 0, 0, 0, f2, 15 }, 6,
             (uint64_t[]){ ROOT }, 1, &m);
    CHECK_EQ(m.mr[0], 0x10000 - 0x2000, "memory left = 64 KiB - used (endpoint rounded to a page)");
    CHECK_EQ(u_retype(child, seL4_X86_4K, 0, f2, 14), seL4_NoError, "14 more frames fit");
    next_slot += 14;
    CHECK_EQ(u_retype(child, seL4_EndpointObject, 0, slot(), 1), seL4_NotEnoughMemory, "full");
    next_slot--;

    /* reset: write into a frame, revoke the untyped, retype: the memory is zero again */
    uint64_t v = vnext;
    vnext += 0x1000;
    CHECK_EQ(u_map(f, v, seL4_ReadWrite.words[0]), seL4_NoError, "map frame");
    uint64_t *p = fake_user(v, 8);
    CHECK(p != NULL, "frame visible");
    if (p)
        *p = 0x1234;
    CHECK_EQ(u_revoke(child), seL4_NoError, "revoke the child untyped");
    CHECK_EQ(u_cap_identify(f), 0, "its frames are gone");
    CHECK(fake_user(v, 8) == NULL, "and unmapped");
    CHECK_EQ(u_retype(child, seL4_X86_4K, 0, f, 1), seL4_NoError, "retype from the start again");
    CHECK_EQ(u_paddr(f), fpa - 0x1000, "the first frame is at the untyped's base");
    CHECK_EQ(u_retype(child, seL4_X86_4K, 0, f2, 1), seL4_NoError, "second frame");
    CHECK_EQ(u_paddr(f2), fpa, "second frame where the old one was");
    CHECK_EQ(u_map(f2, v, seL4_ReadWrite.words[0]), seL4_NoError, "map it");
    p = fake_user(v, 8);
    CHECK(p && *p == 0, "reset cleared the memory");

    /* copying an untyped with children */
    CHECK_EQ(u_copy(slot(), child, 15), seL4_RevokeFirst, "copy of an untyped with children");
    u_halt();
}

/* ================= CNode and the derivation tree ================= */
static void prog_cnode(int id, void *arg)
{
    (void)id;
    (void)arg;
    root_init();
    uint64_t ep = make(seL4_EndpointObject, 0);
    uint64_t b1 = slot(), b2 = slot(), c1 = slot();
    u_msg m;
    CHECK_EQ(u_mint(b1, ep, 15, 5), seL4_NoError, "mint badge 5");
    CHECK_EQ(u_cap_identify(b1), CAP_ENDPOINT, "minted is an endpoint cap");
    CHECK_EQ(u_mint(b2, b1, 15, 6), seL4_IllegalOperation, "re-badging a badged cap");
    CHECK_EQ(u_copy(c1, b1, 15), seL4_NoError, "copy of the badged cap");
    CHECK_EQ(u_copy(c1, b1, 15), seL4_DeleteFirst, "copy into an occupied slot");
    CHECK_EQ(u_copy(b2, slot(), 15), seL4_FailedLookup, "copy from an empty slot");
    uint64_t a[5] = { b2, 64, next_slot - 1, 64, 15 };
    u_invoke(ROOT, CNodeCopy, a, 5, (uint64_t[]){ ROOT }, 1, &m);
    CHECK(m.mr[0] == 1 && m.mr[1] == seL4_MissingCapability + 0 && m.mr[2] == 64,
          "FailedLookup details: source, missing capability, 64 bits left (got %llu %llu %llu)",
          (unsigned long long)m.mr[0], (unsigned long long)m.mr[1], (unsigned long long)m.mr[2]);
    uint64_t mut[5] = { b2, 64, ep, 64, 7 };
    CHECK_EQ(u_invoke(ROOT, CNodeMutate, mut, 5, (uint64_t[]){ ROOT }, 1, NULL), seL4_IllegalOperation,
             "mutating an endpoint");
    uint64_t depth0[2] = { b2, 0 };
    CHECK_EQ(u_invoke(ROOT, CNodeDelete, depth0, 2, NULL, 0, &m), seL4_RangeError, "depth 0");
    CHECK(m.mr[0] == 1 && m.mr[1] == 64, "depth range 1..64");
    uint64_t depth12[2] = { b2, 12 };
    CHECK_EQ(u_invoke(ROOT, CNodeDelete, depth12, 2, NULL, 0, &m), seL4_FailedLookup, "depth 12");
    CHECK(m.mr[0] == 0 && m.mr[1] == seL4_GuardMismatch && m.mr[2] == 12 && m.mr[3] == 0 && m.mr[4] == 52,
          "guard mismatch details");
    /* revoke the original: the badged cap and its copy go */
    CHECK_EQ(u_revoke(ep), seL4_NoError, "revoke");
    CHECK_EQ(u_cap_identify(b1), 0, "badged cap revoked");
    CHECK_EQ(u_cap_identify(c1), 0, "its copy revoked");
    CHECK_EQ(u_cap_identify(ep), CAP_ENDPOINT, "the original stays");
    /* move and rotate */
    uint64_t n1 = slot();
    CHECK_EQ(u_move(n1, ep), seL4_NoError, "move");
    CHECK_EQ(u_cap_identify(ep), 0, "source empty after move");
    uint64_t f1 = make(seL4_X86_4K, 0), f2 = make(seL4_X86_4K, 0);
    uint64_t p1 = u_paddr(f1), p2 = u_paddr(f2);
    uint64_t rot[8] = { f1, 64, 0, f2, 64, 0, f1, 64 };
    /* Rotate(dest = f1, pivot = f2, src = f1): src == dest is a swap */
    CHECK_EQ(u_invoke(ROOT, CNodeRotate, rot, 8, (uint64_t[]){ ROOT, ROOT }, 2, NULL), seL4_NoError,
             "rotate as swap");
    CHECK_EQ(u_paddr(f1), p2, "swapped: f1 holds the second frame");
    CHECK_EQ(u_paddr(f2), p1, "swapped: f2 holds the first frame");
    uint64_t rot_ep[8] = { n1, 64, 0, f2, 64, 0, n1, 64 };
    CHECK_EQ(u_invoke(ROOT, CNodeRotate, rot_ep, 8, (uint64_t[]){ ROOT, ROOT }, 2, NULL),
             seL4_IllegalOperation, "rotating an endpoint cap (its data cannot be preserved)");
    /* a CNode with a guard: 4 slots addressed at depth 64 through a guarded cap */
    uint64_t cn = slot();
    CHECK_EQ(u_retype(ram_untyped(22), seL4_CapTableObject, 2, cn, 1), seL4_NoError, "CNode of 4 slots");
    uint64_t gc = slot();
    uint64_t mint_cn[6] = { gc, 64, cn, 64, 15, (uint64_t)((0ull << 6) | 50) };
    CHECK_EQ(u_invoke(ROOT, CNodeMint, mint_cn, 6, (uint64_t[]){ ROOT }, 1, NULL), seL4_NoError,
             "mint CNode cap with 50 guard bits");
    /* address its slot 3 through the minted cap: 50 guard bits + 2 radix bits = depth 52 */
    uint64_t into[5] = { 3, 52, n1, 64, 15 };
    CHECK_EQ(u_invoke(gc, CNodeCopy, into, 5, (uint64_t[]){ ROOT }, 1, NULL), seL4_NoError,
             "copy into slot 3 of the guarded CNode at depth 52");
    uint64_t back = slot();
    uint64_t from[5] = { back, 64, 3, 52, 15 };
    CHECK_EQ(u_invoke(ROOT, CNodeCopy, from, 5, (uint64_t[]){ gc }, 1, NULL), seL4_NoError,
             "copy it back out");
    CHECK_EQ(u_cap_identify(back), CAP_ENDPOINT, "the endpoint went through the guarded CNode");
    uint64_t shallow[2] = { 0, 50 };   /* guard matches, then 52 bits needed */
    CHECK_EQ(u_invoke(gc, CNodeDelete, shallow, 2, NULL, 0, &m), seL4_FailedLookup, "depth 50 < 52");
    CHECK(m.mr[1] == seL4_DepthMismatch && m.mr[2] == 50 && m.mr[3] == 52, "depth mismatch: 50 left, 52 found");
    /* deleting the CNode cap destroys the CNode and what it holds */
    CHECK_EQ(u_delete(gc), seL4_NoError, "delete the minted CNode cap");
    CHECK_EQ(u_delete(cn), seL4_NoError, "delete the CNode");
    u_halt();
}

/* ================= IPC ================= */
static uint64_t shared_ep;
static volatile uint64_t child_seen[16];

static void prog_receiver(int id, void *arg)
{
    (void)arg;
    u_set_ipc_buffer(child_seen[15]);
    uint64_t *ipc = u_ipc();
    ipc[125] = ROOT;   /* receive path for caps: root CNode, slot given by the root task */
    ipc[126] = child_seen[14];
    ipc[127] = 64;
    u_msg m = u_recv(shared_ep);
    child_seen[0] = m.badge;
    child_seen[1] = m.info;
    child_seen[2] = m.mr[0];
    child_seen[3] = m.mr[5];
    child_seen[4] = ipc[122];   /* badge of an unwrapped cap */
    /* reply to a call */
    u_msg c = u_recv(shared_ep);
    child_seen[5] = c.mr[0];
    u_reply(u_info(7, 0, 1), (uint64_t[]){ c.mr[0] + 1 });
    (void)id;
    for (;;)
        u_recv(shared_ep);
}

static void prog_ipc(int id, void *arg)
{
    (void)id;
    (void)arg;
    root_init();
    uint64_t *ipc = u_ipc();
    shared_ep = make(seL4_EndpointObject, 0);
    uint64_t badged = slot();
    CHECK_EQ(u_mint(badged, shared_ep, 15, 0x77), seL4_NoError, "mint badge 0x77");
    uint64_t ntfn = make(seL4_NotificationObject, 0);
    child_seen[14] = slot();   /* where the receiver gets the transferred cap */
    uint64_t buf;
    spawn(1, prog_receiver, 200, 0, &buf);
    child_seen[15] = buf;
    /* the receiver (prio 200 < 255) runs only when the root blocks: the Send blocks, the
     * receiver takes the message from the send queue, then the root's Call blocks again */
    uint64_t mrs[6] = { 11, 22, 33, 44, 55, 66 };
    ipc[seL4_MsgMaxLength + 2] = shared_ep;  /* unwrapped: the badge of the cap is sent */
    ipc[seL4_MsgMaxLength + 3] = ntfn;
    u_send(badged, u_info(9, 2, 6), mrs);
    u_msg r = u_call(shared_ep, u_info(3, 0, 1), (uint64_t[]){ 41 });
    uint64_t got = child_seen[1];
    CHECK_EQ(child_seen[0], 0x77, "receiver got the badge");
    CHECK_EQ(u_label(got), 9, "label");
    CHECK_EQ(u_len(got), 6, "length");
    CHECK_EQ((got >> 7) & 3, 2, "two caps transferred");
    CHECK_EQ((got >> 9) & 7, 1, "the first was unwrapped");
    CHECK_EQ(child_seen[2], 11, "MR0");
    CHECK_EQ(child_seen[3], 66, "MR5 from the IPC buffer");
    CHECK_EQ(child_seen[4], 0, "unwrapped badge of an unbadged cap is 0");
    CHECK_EQ(u_cap_identify(child_seen[14]), CAP_NOTIFICATION, "the notification cap arrived");
    CHECK_EQ(u_label(r.info), 7, "reply label");
    CHECK_EQ(r.mr[0], 42, "reply MR0");
    CHECK_EQ(child_seen[5], 41, "the call's MR0 reached the receiver");
    /* NBSend to an endpoint without receiver: dropped */
    u_nbsend(shared_ep, u_info(1, 0, 0), NULL);
    /* Recv on a send-only cap: cap fault with no handler -> the root would stop; skip */
    u_halt();
}

/* ================= faults ================= */
static volatile uint64_t fault_stage;

static void prog_faulter(int id, void *arg)
{
    (void)id;
    (void)arg;
    fault_stage = 1;
    fake_page_fault(0x5ff000, 0x6);   /* write, not present */
    fault_stage = 2;
    fake_exception(6, 0);              /* #UD */
    fault_stage = 3;
    for (;;)
        fake_spin();
}

static void prog_fault(int id, void *arg)
{
    (void)id;
    (void)arg;
    root_init();
    uint64_t ep = make(seL4_EndpointObject, 0);
    uint64_t fep = slot();
    CHECK_EQ(u_mint(fep, ep, 15, 3), seL4_NoError, "fault endpoint with badge 3");
    uint64_t t = spawn(2, prog_faulter, 255, fep, NULL);
    (void)t;
    u_msg m = u_recv(ep);
    CHECK_EQ(u_label(m.info), seL4_Fault_VMFault, "VM fault label");
    CHECK_EQ(u_len(m.info), 4, "VM fault length");
    CHECK_EQ(m.badge, 3, "handler badge");
    CHECK_EQ(m.mr[seL4_VMFault_IP], fake_entry(2), "fault IP");
    CHECK_EQ(m.mr[seL4_VMFault_Addr], 0x5ff000, "fault address");
    CHECK_EQ(m.mr[seL4_VMFault_PrefetchFault], 0, "data fault");
    CHECK_EQ(m.mr[seL4_VMFault_FSR], 0x6, "FSR user|write, not present");
    /* map a frame there and reply: the access is retried and succeeds */
    uint64_t f = make(seL4_X86_4K, 0);
    CHECK_EQ(u_map(f, 0x5ff000, seL4_ReadWrite.words[0]), seL4_NoError, "map the faulting page");
    m = u_reply_recv(ep, u_info(0, 0, 0), NULL);
    CHECK_EQ(fault_stage, 2, "the thread continued to the next fault");
    CHECK_EQ(u_label(m.info), seL4_Fault_UserException, "user exception label");
    CHECK_EQ(u_len(m.info), 5, "user exception length");
    CHECK_EQ(m.mr[seL4_UserException_Number], 6, "vector 6");
    CHECK_EQ(m.mr[seL4_UserException_FaultIP], fake_entry(2), "exception IP");
    /* reply with a new rip past the instruction */
    u_reply(u_info(0, 0, 1), (uint64_t[]){ fake_entry(2) + 2 });
    u_yield();
    CHECK_EQ(fault_stage, 3, "resumed past the exception");
    u_halt();
}

/* ================= notifications ================= */
static void prog_ntfn(int id, void *arg)
{
    (void)id;
    (void)arg;
    root_init();
    uint64_t n = make(seL4_NotificationObject, 0);
    uint64_t b1 = slot(), b2 = slot();
    u_mint(b1, n, 15, 1);
    u_mint(b2, n, 15, 4);
    u_msg m = u_nbrecv(n);
    CHECK_EQ(m.badge, 0, "poll with nothing pending");
    u_signal(b1);
    u_signal(b2);
    m = u_nbrecv(n);
    CHECK_EQ(m.badge, 5, "badges OR together");
    m = u_nbrecv(n);
    CHECK_EQ(m.badge, 0, "cleared by the poll");
    uint64_t ro = slot();
    CHECK_EQ(u_mint(ro, n, seL4_CanRead.words[0], 0), seL4_NoError, "read-only copy");
    u_msg e;
    CHECK_EQ(u_invoke(ro, 0, NULL, 0, NULL, 0, &e), seL4_InvalidCapability, "signal through a read-only cap");
    u_halt();
}

/* ================= misc: console, exit port, deadlock, injection ================= */
static void prog_console(int id, void *arg)
{
    (void)id;
    (void)arg;
    root_init();
    u_puts("hello\n");
    CHECK_EQ(u_cap_identify(seL4_CapInitThreadTCB), CAP_THREAD, "CapIdentify TCB");
    CHECK_EQ(u_cap_identify(seL4_CapIRQControl), CAP_IRQ_CONTROL, "CapIdentify IRQControl");
    CHECK_EQ(u_cap_identify(seL4_CapIOPortControl), CAP_IO_PORT_CONTROL, "CapIdentify IOPortControl");
    CHECK_EQ(u_cap_identify(seL4_CapIOSpace), 0, "no IOSpace");
    CHECK_EQ(u_cap_identify(1ull << 40), 0, "unresolvable cptr");
    u_name_thread(seL4_CapInitThreadTCB, "main");
    uint64_t port = slot();
    uint64_t a[4] = { 0xf4, 0xf7, port, 64 };
    CHECK_EQ(u_invoke(seL4_CapIOPortControl, X86IOPortControlIssue, a, 4, (uint64_t[]){ ROOT }, 1, NULL),
             seL4_NoError, "issue ports 0xf4-0xf7");
    CHECK_EQ(u_invoke(seL4_CapIOPortControl, X86IOPortControlIssue, a, 4, (uint64_t[]){ ROOT }, 1, NULL),
             seL4_RevokeFirst, "overlapping range");
    uint64_t bad[2] = { 0xf8, 1 };
    CHECK_EQ(u_invoke(port, X86IOPortOut8, bad, 2, NULL, 0, NULL), seL4_IllegalOperation, "port outside the range");
    uint64_t out[2] = { 0xf4, 0x12345 };
    u_invoke(port, X86IOPortOut8, out, 2, NULL, 0, NULL);
    CHECK(0, "not reached after the exit port");
}

static void prog_deadlock(int id, void *arg)
{
    (void)id;
    (void)arg;
    root_init();
    uint64_t ep = make(seL4_EndpointObject, 0);
    u_recv(ep);
    CHECK(0, "not reached: nobody sends");
}

static void prog_nomem(int id, void *arg)
{
    (void)id;
    (void)arg;
    root_init();
    uint64_t ut = ram_untyped(22);
    CHECK_EQ(u_retype(ut, seL4_EndpointObject, 0, slot(), 1), seL4_NoError, "first retype");
    CHECK_EQ(u_retype(ut, seL4_EndpointObject, 0, slot(), 1), seL4_NotEnoughMemory, "second retype injected");
    CHECK_EQ(u_retype(ut, seL4_EndpointObject, 0, next_slot - 1, 1), seL4_NoError, "third retype");
    u_halt();
}

static void prog_spinner(int id, void *arg)
{
    (void)id;
    (void)arg;
    for (;;)
        fake_spin();
}

static void prog_sched(int id, void *arg)
{
    (void)id;
    (void)arg;
    root_init();
    /* two spinners at the same priority as... lower than root; root waits on a device IRQ */
    uint64_t n = make(seL4_NotificationObject, 0);
    uint64_t irq = slot();
    uint64_t a[7] = { irq, 64, 0, 2, 0, 0, 0 };   /* IOAPIC 0 pin 2 (the PIT), vector offset 0 */
    CHECK_EQ(u_invoke(seL4_CapIRQControl, X86IRQIssueIRQHandlerIOAPIC, a, 7, (uint64_t[]){ ROOT }, 1, NULL),
             seL4_NoError, "IRQ handler for pin 2");
    uint64_t bn = slot();
    CHECK_EQ(u_mint(bn, n, 15, 1), seL4_NoError, "badge 1 for the handler");
    CHECK_EQ(u_invoke(irq, IRQSetIRQHandler, NULL, 0, (uint64_t[]){ bn }, 1, NULL), seL4_NoError,
             "SetNotification");
    spawn(3, prog_spinner, 100, 0, NULL);
    fake_irq_schedule(50000000, 1u);   /* ISA IRQ 0 after 50M instructions */
    u_msg m = u_wait(n);
    CHECK_EQ(m.badge, 1, "woken by the IRQ");
    /* masked until Ack: an edge meanwhile is lost (QEMU's IOAPIC drops masked edges).
     * Let time pass beyond the second edge: wait on an endpoint... the spinner runs
     * only while we block, so block on a second IRQ routed to another notification. */
    fake_irq_schedule(60000000, 1u | 0x10u);   /* pin 2 (masked) and pin 4 */
    uint64_t n2 = make(seL4_NotificationObject, 0);
    uint64_t irq4 = slot();
    uint64_t a4[7] = { irq4, 64, 0, 4, 0, 0, 1 };
    CHECK_EQ(u_invoke(seL4_CapIRQControl, X86IRQIssueIRQHandlerIOAPIC, a4, 7, (uint64_t[]){ ROOT }, 1, NULL),
             seL4_NoError, "IRQ handler for pin 4");
    CHECK_EQ(u_invoke(irq4, IRQSetIRQHandler, NULL, 0, (uint64_t[]){ n2 }, 1, NULL), seL4_NoError,
             "SetNotification pin 4");
    u_wait(n2);
    CHECK_EQ(u_invoke(irq, IRQAckIRQ, NULL, 0, NULL, 0, NULL), seL4_NoError, "Ack");
    m = u_nbrecv(n);
    CHECK_EQ(m.badge, 0, "the edge that came while masked was dropped");
    fake_irq_schedule(90000000, 1u);
    m = u_wait(n);
    CHECK_EQ(m.badge, 1, "the next edge after Ack is delivered");
    u_halt();
}

/* ================= deletion corner cases ================= */
static volatile int victim_stage;

static void prog_victim(int id, void *arg)
{
    (void)id;
    (void)arg;
    victim_stage = 1;
    u_recv(shared_ep);             /* blocked here when the endpoint goes */
    victim_stage = 2;              /* restarted: the Recv is re-executed... */
    for (;;)
        fake_spin();
}

static void prog_selfdelete(int id, void *arg)
{
    (void)arg;
    victim_stage = 10;
    u_set_ipc_buffer(child_seen[15]);
    /* delete the only cap to our own TCB: we stop for good */
    u_delete(child_seen[13]);
    victim_stage = 11;
    (void)id;
}

static void prog_delete(int id, void *arg)
{
    (void)id;
    (void)arg;
    root_init();
    /* a CNode holding a cap to itself: deleting the last outside cap cleans it up */
    uint64_t cn = slot();
    CHECK_EQ(u_retype(ram_untyped(22), seL4_CapTableObject, 3, cn, 1), seL4_NoError, "CNode");
    uint64_t into[5] = { 5, 64 - 0, cn, 64, 15 };
    into[1] = 3;   /* depth 3: no guard on a fresh CNode cap */
    CHECK_EQ(u_invoke(cn, CNodeCopy, into, 5, (uint64_t[]){ ROOT }, 1, NULL), seL4_NoError,
             "copy the CNode cap into itself");
    uint64_t ep_in[5] = { 6, 3, make(seL4_EndpointObject, 0), 64, 15 };
    CHECK_EQ(u_invoke(cn, CNodeCopy, ep_in, 5, (uint64_t[]){ ROOT }, 1, NULL), seL4_NoError,
             "and an endpoint");
    CHECK_EQ(u_delete(cn), seL4_NoError, "delete the outside cap");
    CHECK_EQ(u_cap_identify(cn), 0, "gone");

    /* deleting an endpoint restarts its waiters: they re-execute the Recv and fault */
    shared_ep = make(seL4_EndpointObject, 0);
    uint64_t t = spawn(4, prog_victim, 255, 0, NULL);
    u_yield();
    CHECK_EQ(victim_stage, 1, "victim blocked in Recv");
    CHECK_EQ(u_delete(shared_ep), seL4_NoError, "delete the endpoint");
    u_yield();
    CHECK_EQ(victim_stage, 1, "its Recv restarted on an empty slot: cap fault, no handler: stopped");
    uint64_t rr[2] = { 0, 20 };
    u_msg m;
    CHECK_EQ(u_invoke(t, TCBReadRegisters, rr, 2, NULL, 0, &m), seL4_NoError, "ReadRegisters");
    CHECK_EQ(m.mr[0], fake_entry(4), "stopped at its syscall");
    CHECK_EQ(m.mr[1], 0, "RSP reads 0: the syscall path does not save it");

    /* a thread deleting its own last TCB cap */
    uint64_t buf;
    uint64_t t2 = spawn(5, prog_selfdelete, 255, 0, &buf);
    child_seen[15] = buf;
    child_seen[13] = t2;
    u_yield();
    CHECK_EQ(victim_stage, 10, "the thread deleted itself and never continued");
    CHECK_EQ(u_cap_identify(t2), 0, "its cap is gone");
    u_halt();
}

int main(void)
{
    test_boot();

    run_result r = run_root(prog_untyped, NULL);
    CHECK_EQ(r.status, 0, "untyped program halted");
    r = run_root(prog_cnode, NULL);
    CHECK_EQ(r.status, 0, "cnode program halted");
    r = run_root(prog_ipc, NULL);
    CHECK_EQ(r.status, 0, "ipc program halted");
    r = run_root(prog_fault, NULL);
    CHECK_EQ(r.status, 0, "fault program halted");
    r = run_root(prog_ntfn, NULL);
    CHECK_EQ(r.status, 0, "notification program halted");
    r = run_root(prog_console, NULL);
    CHECK_EQ(r.status, 0x45, "exit port value (masked to 8 bits)");
    CHECK(strcmp(fake_console(), "hello\n") == 0, "console output: got \"%s\"", fake_console());
    CHECK(strstr(r.stats, "\"name\": \"main\"") != NULL, "stats name the renamed thread");
    CHECK(strstr(r.stats, "\"insns_total\"") && strstr(r.stats, "\"untyped_bytes_used\""),
          "stats keys present");
    r = run_root(prog_deadlock, NULL);
    CHECK_EQ(r.status, SIM_STATUS_DEADLOCK, "deadlock detected");
    r = run_root(prog_delete, NULL);
    CHECK_EQ(r.status, 0, "delete program halted");
    CHECK(strstr(r.stats, "\"alive\": false") != NULL, "the deleted thread is still in the statistics");

    sim_config cfg = default_cfg();
    cfg.n_inject = 1;
    cfg.inject[0].kind = INJ_NOMEM;
    strcpy(cfg.inject[0].thread, "UntypedRetype");
    cfg.inject[0].at = 2;
    r = run_root(prog_nomem, &cfg);
    CHECK_EQ(r.status, 0, "nomem program halted");

    r = run_root(prog_sched, NULL);
    CHECK_EQ(r.status, 0, "irq program halted");

    cfg = default_cfg();
    cfg.max_insns = 1000;
    r = run_root(prog_deadlock, &cfg);
    CHECK(r.status == SIM_STATUS_DEADLOCK || r.status == SIM_STATUS_LIMIT, "limit or deadlock");

    printf("kernel_model_test: %d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
