/*
 * Booting the root task as seL4 16.0.0 does on x86_64 pc99 (manual 9), reproducing
 * the placement the real kernel uses under QEMU's "pc" machine so that BootInfo,
 * slot numbers and physical addresses read the same:
 *   - the image is copied to the first page after the kernel image (0xa13000), its
 *     frames mapped at their virtual addresses, followed by the IPC buffer, the
 *     BootInfo frame and the extra BootInfo pages;
 *   - the root CNode (2^12 slots, guard 52 bits so CPTRs resolve at depth 64), TCB,
 *     PML4, ASID pool and paging structures are carved from the top of free RAM;
 *   - slots: initial caps 1..11, then paging structures, extra BootInfo frames, image
 *     frames, and the untypeds: device memory (every gap between reserved regions up
 *     to 2^47), the reclaimed kernel boot code, then free RAM; each region cut into
 *     the largest aligned power-of-two blocks (alignment of the kernel's window
 *     address), at most CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS of them.
 * Facts of the kernel build and the PC (kernel image end, boot-code end, the reserved
 * IOAPIC/APIC/MSI pages, QEMU's e820 map) are constants below.
 */
#include <string.h>
#include <sel4/bootinfo.h>
#include "kstate.h"

#define PPTR_BASE 0xffffff8000000000ull
#define USER_TOP 0x00007fffffffffffull
#define KERNEL_ELF_PADDR_BASE 0x100000ull   /* start of the kernel image */
#define KERNEL_BOOT_END 0x800000ull         /* end of the kernel's reclaimable boot code */
#define KERNEL_IMAGE_END 0xa13000ull        /* end of the kernel image (ki_end) */
#define PADDR_USER_DEVICE_TOP (1ull << 47)
#define BIOS_RESERVED_TOP 0x20000ull        /* QEMU/SeaBIOS keep the last 128 KiB of low RAM */
#define HIGHMEM_BASE 0x100000000ull

/* QEMU's "pc" machine puts RAM below 4 GiB up to 3 GiB when there is 3.5 GiB or more,
 * the rest above 4 GiB. */
static uint64_t low_ram(uint64_t mem) { return mem >= 0xe0000000ull ? 0xc0000000ull : mem; }
#define ROOT_CNODE_BITS 12
/* rdtsc counts virtual time in instructions (machine.h), so its rate is the virtual clock */
#define TSC_MHZ ((uint32_t)(SIM_INSNS_PER_SECOND / 1000000u))

typedef struct boot_ctx {
    kernel *k;
    cnode *root;
    seL4_BootInfo *bi;
    uint64_t slot_pos;
    uint64_t first_untyped;
} boot_ctx;

/* seL4 boot helpers: write a cap into a root CNode slot as an original cap. */
static void write_slot(boot_ctx *b, uint64_t pos, cap c)
{
    cte *s = &b->root->slot[pos];
    s->cap = c;
    s->prev = s->next = NULL;
    s->revocable = true;
    s->first_badged = true;
}

static bool provide_cap(boot_ctx *b, cap c)
{
    if (b->slot_pos >= BIT(ROOT_CNODE_BITS)) {
        fprintf(stderr, "sel4-sim: boot: all root CNode slots used\n");
        return false;
    }
    write_slot(b, b->slot_pos++, c);
    return true;
}

static cap frame_cap(kernel *k, uint64_t paddr, uint64_t vaddr, bool mapped)
{
    cap c = cap_null();
    c.type = CAP_FRAME;
    c.paddr = paddr;
    c.size_bits = seL4_PageBits;
    c.vm_rights = VM_READ_WRITE;
    c.asid = mapped ? IT_ASID : 0;
    c.vaddr = mapped ? vaddr : 0;
    k->frame_count[0]++;
    k->bytes_in_objects += BIT(seL4_PageBits);
    return c;
}

void boot_map_table(kernel *k, ptable *pml4, ptable *t, uint64_t vaddr);
void boot_map_frame(kernel *k, ptable *pml4, uint64_t paddr, uint64_t vaddr);

static unsigned clz64(uint64_t v) { return v ? (unsigned)__builtin_clzll(v) : 64u; }
static unsigned ctz64(uint64_t v) { return v ? (unsigned)__builtin_ctzll(v) : 64u; }

static void provide_untyped(boot_ctx *b, uint64_t paddr, unsigned bits, bool device)
{
    uint64_t i = b->slot_pos - b->first_untyped;
    if (i >= CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS)
        return;   /* the real kernel reports "Too many untyped regions" and skips it */
    b->bi->untypedList[i].paddr = paddr;
    b->bi->untypedList[i].sizeBits = (seL4_Uint8)bits;
    b->bi->untypedList[i].isDevice = device;
    cap c = cap_null();
    c.type = CAP_UNTYPED;
    c.paddr = paddr;
    c.size_bits = (uint8_t)bits;
    c.is_device = device;
    c.free_bytes = BIT(bits);   /* boot untypeds start full: the first retype resets them */
    provide_cap(b, c);
}

/* Cuts [start, end) into aligned power-of-two blocks, as create_untypeds_for_region. */
static void untypeds_for_region(boot_ctx *b, uint64_t from, uint64_t to, bool device)
{
    uint64_t s = from + PPTR_BASE, e = to + PPTR_BASE;
    for (unsigned guard = 0; s != e && guard < 4096; guard++) {
        unsigned bits = 63u - clz64(e - s);
        if (bits > seL4_MaxUntypedBits)
            bits = seL4_MaxUntypedBits;
        if (s != 0 && bits > ctz64(s))
            bits = ctz64(s);
        if (bits >= seL4_MinUntypedBits)
            provide_untyped(b, s - PPTR_BASE, bits, device);
        s += BIT(bits);
    }
}

typedef struct region { uint64_t start, end; } region;

static uint64_t round_up(uint64_t v, unsigned bits) { return (v + MASK(bits)) & ~MASK(bits); }
static uint64_t round_down(uint64_t v, unsigned bits) { return v & ~MASK(bits); }

static uint64_t n_paging(uint64_t vstart, uint64_t vend, unsigned bits)
{
    return (round_up(vend, bits) - round_down(vstart, bits)) >> bits;
}

/* The extra BootInfo the x86 kernel passes: ACPI RSDP, the multiboot memory map
 * (QEMU's e820 map for this RAM size) and the TSC frequency. */
static uint64_t write_extra_bootinfo(uint8_t *p, uint64_t mem)
{
    /* QEMU's RSDP (revision 0, OEM "BOCHS "), its RSDT in the BIOS-reserved top of RAM */
    uint8_t rsdp[36] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ', 0, 'B', 'O', 'C', 'H', 'S', ' ', 0 };
    /* the kernel copies 36 bytes; a revision-0 RSDP has 20, and SeaBIOS's SMBIOS anchor
     * follows 12 bytes later */
    rsdp[32] = '_';
    rsdp[33] = 'S';
    rsdp[34] = 'M';
    rsdp[35] = '_';
    uint64_t low = low_ram(mem), high = mem - low;
    uint32_t rsdt = (uint32_t)(low - BIOS_RESERVED_TOP + 0x1ad8);
    memcpy(rsdp + 16, &rsdt, 4);
    uint8_t sum = 0;
    for (unsigned i = 0; i < 20; i++)
        sum = (uint8_t)(sum + rsdp[i]);
    rsdp[8] = (uint8_t)(0x100 - sum);
    uint64_t off = 0;
    uint64_t hdr[2];

    hdr[0] = SEL4_BOOTINFO_HEADER_X86_ACPI_RSDP;
    hdr[1] = sizeof hdr + sizeof rsdp;
    memcpy(p + off, hdr, sizeof hdr);
    off += sizeof hdr;
    memcpy(p + off, rsdp, sizeof rsdp);
    off += sizeof rsdp;

    /* seL4_X86_BootInfo_mmap_t: header, u32 mmap_length, 50 packed 24-byte entries */
    const uint64_t mmap_size = 16 + 4 + 50 * 24;
    struct { uint64_t base, len; uint32_t type; } e820[7] = {
        { 0, 0x9fc00, 1 },
        { 0x9fc00, 0x400, 2 },
        { 0xf0000, 0x10000, 2 },
        { 0x100000, low - 0x100000 - BIOS_RESERVED_TOP, 1 },
        { low - BIOS_RESERVED_TOP, BIOS_RESERVED_TOP, 2 },
        { 0xfffc0000, 0x40000, 2 },
        { HIGHMEM_BASE, high, 1 },
    };
    unsigned n_e820 = high ? 7u : 6u;
    hdr[0] = SEL4_BOOTINFO_HEADER_X86_MBMMAP;
    hdr[1] = mmap_size;
    memcpy(p + off, hdr, sizeof hdr);
    uint32_t mlen = n_e820 * 24u;
    memcpy(p + off + 16, &mlen, 4);
    for (unsigned i = 0; i < n_e820; i++) {
        uint8_t *ent = p + off + 20 + i * 24;
        uint32_t size = 20;
        memcpy(ent, &size, 4);
        memcpy(ent + 4, &e820[i].base, 8);
        memcpy(ent + 12, &e820[i].len, 8);
        memcpy(ent + 20, &e820[i].type, 4);
    }
    off += mmap_size;

    hdr[0] = SEL4_BOOTINFO_HEADER_X86_TSC_FREQ;
    hdr[1] = sizeof hdr + 4;
    memcpy(p + off, hdr, sizeof hdr);
    off += sizeof hdr;
    uint32_t mhz = TSC_MHZ;
    memcpy(p + off, &mhz, 4);
    off += 4;
    return off;
}

static ptable *boot_table(boot_ctx *b, unsigned level, uint64_t paddr, ptable *pml4, uint64_t vaddr)
{
    kernel *k = b->k;
    ptable *t = ptable_new(k, level, paddr);
    k->bytes_in_objects += BIT(seL4_PageTableBits);
    boot_map_table(k, pml4, t, vaddr);
    cap c = cap_null();
    c.type = level == 3 ? CAP_PDPT : level == 2 ? CAP_PAGE_DIRECTORY : CAP_PAGE_TABLE;
    c.paddr = paddr;
    c.obj = &t->hdr;
    c.is_mapped = true;
    c.asid = IT_ASID;
    c.vaddr = vaddr;
    provide_cap(b, c);
    return t;
}

/* ELF64 program headers as the kernel's loader sees them: all of them, whatever their
 * type, so a PT_TLS segment's zero-filled tail overwrites what follows it exactly as on
 * the real kernel.  Without a readable header (synthetic images) the parsed PT_LOAD
 * segments are used. */
typedef struct phdr { uint64_t offset, vaddr, filesz, memsz; } phdr;

static uint64_t rd(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = n; i-- > 0;)
        v = (v << 8) | p[i];
    return v;
}

static bool raw_elf(const elf_image *img)
{
    return img->data && img->size >= 64 && img->data[0] == 0x7f && img->data[1] == 'E' &&
           img->data[2] == 'L' && img->data[3] == 'F' && img->data[4] == 2;
}

static unsigned phdr_count(const elf_image *img)
{
    if (!raw_elf(img))
        return img->nseg > 0 ? (unsigned)img->nseg : 0u;
    return (unsigned)rd(img->data + 0x38, 2);
}

static int phdr_get(const elf_image *img, unsigned i, phdr *out)
{
    if (!raw_elf(img)) {
        const elf_segment *s = &img->seg[i];
        *out = (phdr){ s->offset, s->vaddr, s->filesz, s->memsz };
        return 0;
    }
    uint64_t phoff = rd(img->data + 0x20, 8), phentsize = rd(img->data + 0x36, 2);
    if (phentsize < 56 || phoff > img->size || (uint64_t)i * phentsize > img->size - phoff ||
        img->size - phoff - (uint64_t)i * phentsize < 56)
        return -1;
    const uint8_t *p = img->data + phoff + (uint64_t)i * phentsize;
    out->offset = rd(p + 8, 8);
    out->vaddr = rd(p + 16, 8);
    out->filesz = rd(p + 32, 8);
    out->memsz = rd(p + 40, 8);
    if (out->vaddr + out->memsz < out->vaddr)
        return -1;
    return 0;
}

/* The debug kernel initialises its console UART (COM1) while booting: no interrupts,
 * 115200 baud, 8N1, DTR/RTS/OUT2 (pc99 serial_init).  Programs see that register state.
 * The kernel also reads RBR to drain it; that read is left out here so that input
 * given to the simulator is not consumed before the guest looks at it. */
static void boot_serial_init(kernel *k)
{
    const uint16_t port = 0x3f8;
    (void)devices_in(k->dev, port + 5, 1);
    devices_out(k->dev, port + 1, 1, 0x00);
    devices_out(k->dev, port + 3, 1, 0x80);
    devices_out(k->dev, port, 1, 0x01);
    devices_out(k->dev, port + 1, 1, 0x00);
    devices_out(k->dev, port + 3, 1, 0x03);
    devices_out(k->dev, port + 4, 1, 0x0b);
    (void)devices_in(k->dev, port + 5, 1);
    (void)devices_in(k->dev, port + 6, 1);
}

int kernel_boot(kernel *k, const elf_image *img)
{
    uint64_t mem = k->cfg->mem_bytes;
    uint64_t v_start = UINT64_MAX, v_end = 0;
    unsigned nph = phdr_count(img);
    for (unsigned i = 0; i < nph; i++) {
        phdr ph;
        if (phdr_get(img, i, &ph) != 0) {
            fprintf(stderr, "sel4-sim: ELF program header %u is outside the file\n", i);
            return -1;
        }
        if (ph.memsz == 0)
            continue;
        if (ph.vaddr < v_start)
            v_start = ph.vaddr;
        if (ph.vaddr + ph.memsz > v_end)
            v_end = ph.vaddr + ph.memsz;
    }
    if (v_end == 0) {
        fprintf(stderr, "sel4-sim: ELF image in boot module does not contain any segments\n");
        return -1;
    }
    v_end = round_up(v_end, seL4_PageBits);
    if (v_start & MASK(seL4_PageBits)) {
        fprintf(stderr, "sel4-sim: Userland image virtual start address must be 4KB-aligned\n");
        return -1;
    }
    if (v_end + 2 * BIT(seL4_PageBits) > USER_TOP) {
        fprintf(stderr, "sel4-sim: Userland image virtual end address too high\n");
        return -1;
    }
    if (img->entry < v_start || img->entry >= v_end) {
        fprintf(stderr, "sel4-sim: Userland image entry point does not lie within userland image\n");
        return -1;
    }

    /* physical placement */
    uint64_t ui_size = v_end - v_start;
    uint64_t ui_p_start = KERNEL_IMAGE_END, ui_p_end = ui_p_start + ui_size;
    uint64_t low = low_ram(mem), high = mem - low;
    uint64_t ram_top = low - BIOS_RESERVED_TOP;
    uint64_t ipcbuf_vptr = v_end;
    uint64_t bi_vptr = ipcbuf_vptr + BIT(seL4_PageBits);
    uint64_t extra_vptr = bi_vptr + BIT(seL4_BootInfoFrameBits);
    uint8_t extra_tmp[4096];
    memset(extra_tmp, 0, sizeof extra_tmp);
    uint64_t extra_size = write_extra_bootinfo(extra_tmp, mem);
    unsigned extra_bits = seL4_PageBits;   /* 0x50c bytes round up to one page */
    uint64_t it_v_end = round_up(extra_vptr + BIT(extra_bits), seL4_PageBits);
    uint64_t npaging = n_paging(v_start, it_v_end, 21) + n_paging(v_start, it_v_end, 30) +
                       n_paging(v_start, it_v_end, 39);
    unsigned cnode_bits = ROOT_CNODE_BITS + seL4_SlotBits;
    uint64_t rs_size = BIT(cnode_bits) + BIT(seL4_TCBBits) + 4 * BIT(seL4_PageBits) +
                       BIT(extra_bits) + (npaging << seL4_PageTableBits);
    if (ui_p_end > ram_top) {
        fprintf(stderr, "sel4-sim: image of %llu bytes does not fit in %llu MiB of RAM\n",
                (unsigned long long)ui_size, (unsigned long long)(mem >> 20));
        return -1;
    }
    /* free RAM after the image; the root objects go to the top-most region that fits,
     * leaving the regions (in order) before and after them */
    region freemem[3] = { { ui_p_end, ram_top }, { HIGHMEM_BASE, HIGHMEM_BASE + high }, { 0, 0 } };
    unsigned nfree = high ? 2u : 1u;
    uint64_t rs_start = 0;
    bool placed = false;
    for (unsigned i = nfree; i-- > 0 && !placed;) {
        uint64_t unaligned = freemem[i].end - rs_size;
        uint64_t start = round_down(unaligned, cnode_bits);
        if (rs_size <= freemem[i].end && start >= freemem[i].start) {
            for (unsigned j = nfree; j > i + 1; j--)
                freemem[j] = freemem[j - 1];
            freemem[i + 1] = (region){ start + rs_size, freemem[i].end };
            freemem[i].end = start;
            nfree++;
            rs_start = start;
            placed = true;
        }
    }
    if (!placed) {
        fprintf(stderr, "sel4-sim: image of %llu bytes does not fit in %llu MiB of RAM\n",
                (unsigned long long)ui_size, (unsigned long long)(mem >> 20));
        return -1;
    }
    uint64_t a = rs_start;
    uint64_t cnode_pa = a; a += BIT(cnode_bits);
    uint64_t extra_pa = a; a += BIT(extra_bits);
    uint64_t pml4_pa = a; a += BIT(seL4_PML4Bits);
    uint64_t pool_pa = a; a += BIT(seL4_ASIDPoolBits);
    uint64_t ipc_pa = a; a += BIT(seL4_PageBits);
    uint64_t bi_pa = a; a += BIT(seL4_BootInfoFrameBits);
    uint64_t paging_pa = a; a += npaging << seL4_PageTableBits;
    uint64_t tcb_pa = a;

    /* load the image: every program header in file order, as the kernel's loader does */
    for (unsigned i = 0; i < nph; i++) {
        phdr ph;
        if (phdr_get(img, i, &ph) != 0 || (ph.memsz == 0 && ph.filesz == 0))
            continue;
        if (ph.filesz > ph.memsz || ph.offset > img->size || ph.filesz > img->size - ph.offset ||
            ph.vaddr < v_start || ph.vaddr + ph.memsz > v_end) {
            fprintf(stderr, "sel4-sim: bad ELF program header %u\n", i);
            return -1;
        }
        uint8_t *dst = phys_ram(k, ui_p_start + (ph.vaddr - v_start), ph.memsz);
        if (!dst) {
            fprintf(stderr, "sel4-sim: bad ELF program header %u\n", i);
            return -1;
        }
        memcpy(dst, img->data + ph.offset, ph.filesz);
        memset(dst + ph.filesz, 0, ph.memsz - ph.filesz);
    }

    boot_serial_init(k);

    boot_ctx b = { .k = k };
    cnode *root = (cnode *)obj_new(k, OBJ_CNODE, cnode_pa,
                                   sizeof(cnode) + sizeof(cte) * (size_t)BIT(ROOT_CNODE_BITS));
    root->radix = ROOT_CNODE_BITS;
    k->bytes_in_objects += BIT(cnode_bits);
    b.root = root;
    b.bi = (seL4_BootInfo *)phys_ram(k, bi_pa, BIT(seL4_BootInfoFrameBits));
    memset(b.bi, 0, BIT(seL4_BootInfoFrameBits));

    cap cn = cap_null();
    cn.type = CAP_CNODE;
    cn.obj = &root->hdr;
    cn.paddr = cnode_pa;
    cn.size_bits = ROOT_CNODE_BITS;
    cn.guard_bits = 64 - ROOT_CNODE_BITS;
    write_slot(&b, seL4_CapInitThreadCNode, cn);

    cap c = cap_null();
    c.type = CAP_IO_PORT_CONTROL;
    write_slot(&b, seL4_CapIOPortControl, c);
    c.type = CAP_DOMAIN;
    write_slot(&b, seL4_CapDomain, c);
    irq_init(k);
    c.type = CAP_IRQ_CONTROL;
    write_slot(&b, seL4_CapIRQControl, c);

    /* BootInfo */
    b.bi->extraLen = extra_size;
    b.bi->nodeID = 0;
    b.bi->numNodes = 1;
    b.bi->numIOPTLevels = 0;
    b.bi->ipcBuffer = (seL4_IPCBuffer *)(uintptr_t)ipcbuf_vptr;
    b.bi->initThreadCNodeSizeBits = ROOT_CNODE_BITS;
    b.bi->initThreadDomain = 0;
    b.slot_pos = seL4_NumInitialCaps;
    memcpy(phys_ram(k, extra_pa, BIT(extra_bits)), extra_tmp, BIT(extra_bits));

    /* the initial address space */
    ptable *pml4 = ptable_new(k, 4, pml4_pa);
    k->bytes_in_objects += BIT(seL4_PML4Bits);
    cap vc = cap_null();
    vc.type = CAP_PML4;
    vc.paddr = pml4_pa;
    vc.obj = &pml4->hdr;
    vc.is_mapped = true;
    vc.asid = IT_ASID;
    write_slot(&b, seL4_CapInitThreadVSpace, vc);
    uint64_t paging_first = b.slot_pos;
    uint64_t pa = paging_pa;
    for (uint64_t v = round_down(v_start, 39); v < it_v_end; v += BIT(39), pa += 4096)
        boot_table(&b, 3, pa, pml4, v);
    for (uint64_t v = round_down(v_start, 30); v < it_v_end; v += BIT(30), pa += 4096)
        boot_table(&b, 2, pa, pml4, v);
    for (uint64_t v = round_down(v_start, 21); v < it_v_end; v += BIT(21), pa += 4096)
        boot_table(&b, 1, pa, pml4, v);
    b.bi->userImagePaging = (seL4_SlotRegion){ paging_first, b.slot_pos };

    write_slot(&b, seL4_CapBootInfoFrame, frame_cap(k, bi_pa, bi_vptr, true));
    boot_map_frame(k, pml4, bi_pa, bi_vptr);

    uint64_t extra_first = b.slot_pos;
    for (uint64_t off = 0; off < BIT(extra_bits); off += 4096) {
        provide_cap(&b, frame_cap(k, extra_pa + off, extra_vptr + off, true));
        boot_map_frame(k, pml4, extra_pa + off, extra_vptr + off);
    }
    b.bi->extraBIPages = (seL4_SlotRegion){ extra_first, b.slot_pos };

    phys_zero(k, ipc_pa, BIT(seL4_PageBits));
    cap ipc_cap = frame_cap(k, ipc_pa, ipcbuf_vptr, true);
    write_slot(&b, seL4_CapInitThreadIPCBuffer, ipc_cap);
    boot_map_frame(k, pml4, ipc_pa, ipcbuf_vptr);

    uint64_t frames_first = b.slot_pos;
    for (uint64_t off = 0; off < ui_size; off += 4096) {
        if (!provide_cap(&b, frame_cap(k, ui_p_start + off, v_start + off, true)))
            return -1;
        boot_map_frame(k, pml4, ui_p_start + off, v_start + off);
    }
    b.bi->userImageFrames = (seL4_SlotRegion){ frames_first, b.slot_pos };

    /* ASID pool 0 with the root task's PML4 at ASID 1 */
    asid_pool *pool = (asid_pool *)obj_new(k, OBJ_ASID_POOL, pool_pa, sizeof(asid_pool));
    k->bytes_in_objects += BIT(seL4_ASIDPoolBits);
    cap pc = cap_null();
    pc.type = CAP_ASID_POOL;
    pc.paddr = pool_pa;
    pc.obj = &pool->hdr;
    pc.asid = 0;
    write_slot(&b, seL4_CapInitThreadASIDPool, pc);
    c = cap_null();
    c.type = CAP_ASID_CONTROL;
    write_slot(&b, seL4_CapASIDControl, c);
    pool->vspace[IT_ASID] = pml4;
    k->asid_table[0] = pool;

    /* the root thread */
    tcb *t = tcb_new(k, tcb_pa);
    k->bytes_in_objects += BIT(seL4_TCBBits);
    strcpy(t->name, "rootserver");
    t->ctx[R_CAP] = bi_vptr;
    t->ctx[R_NEXTIP] = img->entry;
    cte_insert(k, cn, &root->slot[seL4_CapInitThreadCNode], &t->slot[TCB_CTABLE]);
    cte_insert(k, vc, &root->slot[seL4_CapInitThreadVSpace], &t->slot[TCB_VTABLE]);
    cap ipc_copy;
    derive_cap(k, &root->slot[seL4_CapInitThreadIPCBuffer], ipc_cap, &ipc_copy);
    cte_insert(k, ipc_copy, &root->slot[seL4_CapInitThreadIPCBuffer], &t->slot[TCB_BUFFER]);
    t->ipc_buffer = ipcbuf_vptr;
    t->prio = seL4_MaxPrio;
    t->mcp = seL4_MaxPrio;
    setup_reply_master(t);
    t->state = TS_RUNNING;
    cap tc = cap_null();
    tc.type = CAP_THREAD;
    tc.paddr = tcb_pa;
    tc.obj = &t->hdr;
    write_slot(&b, seL4_CapInitThreadTCB, tc);

    k->cur = &k->idle;
    k->action = SCHED_SWITCH_TO;
    k->candidate = t;
    b.bi->numIOPTLevels = (seL4_Word)-1;

    /* untypeds: device gaps between reserved regions, then reclaimed boot code, then RAM */
    b.first_untyped = b.slot_pos;
    const region reserved[] = {
        { KERNEL_ELF_PADDR_BASE, ram_top },     /* kernel, image, then free RAM: merged */
        { 0xfec00000ull, 0xfec01000ull },        /* IOAPIC */
        { 0xfee00000ull, 0xfee01000ull },        /* local APIC */
        { 0xfffffff8ull, 0x100000000ull },       /* MSI window */
        { HIGHMEM_BASE, HIGHMEM_BASE + high },   /* RAM above 4 GiB (empty without) */
    };
    uint64_t start = 0;
    for (unsigned i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        if (start < reserved[i].start)
            untypeds_for_region(&b, start, reserved[i].start, true);
        start = reserved[i].end;
    }
    if (start <= PADDR_USER_DEVICE_TOP - 1)
        untypeds_for_region(&b, start, PADDR_USER_DEVICE_TOP, true);
    untypeds_for_region(&b, KERNEL_ELF_PADDR_BASE, KERNEL_BOOT_END, false);
    for (unsigned i = 0; i < nfree; i++)
        untypeds_for_region(&b, freemem[i].start, freemem[i].end, false);
    b.bi->untyped = (seL4_SlotRegion){ b.first_untyped, b.slot_pos };
    b.bi->empty = (seL4_SlotRegion){ b.slot_pos, BIT(ROOT_CNODE_BITS) };
    return 0;
}
