/*
 * libFuzzer harness for the kernel model's system-call and invocation decoding: a
 * root task on the fake machine makes system calls whose registers, message info,
 * extra caps and IPC-buffer words all come from the input, interleaved with page
 * faults and CPU exceptions.  Whatever the guest does, the model must not crash,
 * hang or trip the sanitizers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kernel.h"
#include "fake_machine.h"

static const uint8_t *in;
static size_t in_len, in_pos;

static uint8_t next8(void) { return in_pos < in_len ? in[in_pos++] : 0; }
static uint64_t next64(void)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | next8();
    return v;
}

/* Small values are far more interesting for cptrs, lengths and labels. */
static uint64_t small_or_wide(void)
{
    uint8_t b = next8();
    if (b < 200)
        return b;
    if (b < 240)
        return (uint64_t)next8() << 8 | next8();
    return next64();
}

static sim_exit fuzz_cpu(sim_space *s, sim_regs *r, uint64_t budget)
{
    (void)budget;
    sim_exit ex;
    memset(&ex, 0, sizeof ex);
    if (in_pos >= in_len) {
        r->rdx = (uint64_t)(int64_t)-11;   /* seL4_SysDebugHalt ends the run */
        ex.kind = SIM_EXIT_SYSCALL;
        ex.insns = 1;
        r->rcx = r->rip + 2;
        r->r11 = r->rflags;
        r->rip += 2;
        return ex;
    }
    uint8_t op = next8();
    /* fill the IPC buffer of the root task (and whatever is mapped there) */
    uint64_t *ipc = space_host_ptr(s, 0x414000, 1024, NULL);
    if (ipc && (op & 0x80)) {
        unsigned n = next8() % 8;
        for (unsigned i = 0; i < n; i++) {
            unsigned idx = next8() % 128;
            ipc[idx] = small_or_wide();
        }
    }
    switch (op & 0x0f) {
    case 0:
        ex.kind = SIM_EXIT_PAGE_FAULT;
        ex.fault_addr = next64();
        ex.fsr = next8() & 0x1f;
        return ex;
    case 1:
        ex.kind = SIM_EXIT_EXCEPTION;
        ex.vector = next8() % 32;
        ex.error_code = (uint32_t)small_or_wide();
        return ex;
    case 2:
        ex.kind = SIM_EXIT_BUDGET;
        ex.insns = budget;
        return ex;
    default:
        break;
    }
    static const int64_t sysnos[] = { -1, -1, -1, -1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -12, -13, -14, -30, -15, 7 };
    uint8_t which = next8();
    r->rdx = (uint64_t)(which < 240 ? sysnos[which % (sizeof sysnos / sizeof sysnos[0])] : (int64_t)next64());
    r->rdi = small_or_wide();
    uint64_t label = small_or_wide() % 64;
    uint64_t info = (label << 12) | ((uint64_t)(next8() & 3) << 7) | (next8() & 0x7f);
    if (next8() == 0xff)
        info = next64();
    r->rsi = info;
    r->r10 = small_or_wide();
    r->r8 = small_or_wide();
    r->r9 = small_or_wide();
    r->r15 = small_or_wide();
    r->rip += 2;
    r->rcx = r->rip;
    r->r11 = r->rflags;
    ex.kind = SIM_EXIT_SYSCALL;
    ex.insns = 1;
    return ex;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t image_data[64];
    in = data;
    in_len = size;
    in_pos = 0;

    sim_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.mem_bytes = 64ull << 20;
    cfg.max_insns = 4096;
    cfg.timeout_s = 10;
    elf_image img;
    memset(&img, 0, sizeof img);
    img.data = image_data;
    img.size = sizeof image_data;
    img.entry = 0x400000;
    img.nseg = 1;
    img.seg[0] = (elf_segment){ .vaddr = 0x400000, .filesz = 0, .memsz = 0x14000, .offset = 0, .prot = 7 };

    fake_cpu_hook_set(fuzz_cpu);
    sim_devices *dev = devices_create();
    kernel *k = kernel_create(&cfg, dev);
    if (k && kernel_boot(k, &img) == 0)
        (void)kernel_run(k);
    kernel_destroy(k);
    devices_destroy(dev);
    fake_reset();
    return 0;
}
