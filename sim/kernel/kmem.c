/*
 * Physical memory as the kernel sees it: RAM through the machine's sim_ram, device
 * memory as sparse zero-filled host pages, and the IPC buffer (which the kernel reads
 * through the frame capability, never through the thread's page tables).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "kstate.h"

/* Host memory for frames outside RAM comes from the machine when it provides it
 * (machine.h frame_alloc: memory its address spaces can map); weak, so the model also
 * links with a machine that has none. */
void *frame_alloc(uint64_t size) __attribute__((weak));       // NOLINT(readability-redundant-declaration)
void frame_free(void *p, uint64_t size) __attribute__((weak)); // NOLINT(readability-redundant-declaration)

/* Optional machine hook: the kernel wrote [host, host+len) itself (not through the CPU),
 * so code the emulator translated from that memory is stale.  x86 keeps instruction
 * fetch coherent with every store, including the kernel's message copies. */
void cpu_host_written(const void *host, uint64_t len) __attribute__((weak));

static void host_written(const void *host, uint64_t len)
{
    if (cpu_host_written && host && len)
        cpu_host_written(host, len);
}

void *phys_ram(kernel *k, uint64_t paddr, uint64_t len)
{
    return ram_ptr(&k->ram, paddr, len);
}

/* Clears RAM.  Large page-aligned stretches are handed back to the host instead of
 * written, so resetting a big untyped costs nothing for memory nobody touched:
 * MADV_REMOVE punches a hole in a shared (file or shmem) mapping, MADV_DONTNEED empties
 * a private anonymous one; both read back as zeros.  Anything else is written. */
void phys_zero(kernel *k, uint64_t paddr, uint64_t len)
{
    uint8_t *p = phys_ram(k, paddr, len);
    if (!p)
        return;
    host_written(p, len);
    uintptr_t start = (uintptr_t)p, end = start + len;
    uintptr_t a = (start + 4095) & ~(uintptr_t)4095, b = end & ~(uintptr_t)4095;
    if (len >= (64u << 10) && b > a &&
        (madvise((void *)a, b - a, MADV_REMOVE) == 0 ||
         (errno == EINVAL && madvise((void *)a, b - a, MADV_DONTNEED) == 0))) {
        memset(p, 0, a - start);
        memset((void *)b, 0, end - b);
        return;
    }
    memset(p, 0, len);
}

void *device_backing(kernel *k, uint64_t paddr)
{
    uint64_t page = paddr & ~0xfffull;
    unsigned h = (unsigned)((page >> 12) % DEVPAGE_BUCKETS);
    for (devpage *d = k->devpages[h]; d; d = d->next)
        if (d->paddr == page)
            return d->host;
    devpage *d = calloc(1, sizeof *d);
    uint8_t *host = frame_alloc ? frame_alloc(4096) : aligned_alloc(4096, 4096);
    if (!d || !host) {
        fprintf(stderr, "sel4-sim: host out of memory for device frames\n");
        abort();
    }
    if (!frame_alloc)
        memset(host, 0, 4096);
    d->paddr = page;
    d->host = host;
    d->next = k->devpages[h];
    k->devpages[h] = d;
    return host;
}

void devpages_free(kernel *k)
{
    for (unsigned h = 0; h < DEVPAGE_BUCKETS; h++) {
        devpage *d = k->devpages[h];
        while (d) {
            devpage *n = d->next;
            if (frame_free)
                frame_free(d->host, 4096);
            else
                free(d->host);
            free(d);
            d = n;
        }
        k->devpages[h] = NULL;
    }
}

uint64_t *lookup_ipc_buffer(kernel *k, tcb *t, bool receiver)
{
    const cap *c = &t->slot[TCB_BUFFER].cap;
    if (c->type != CAP_FRAME || c->is_device)
        return NULL;
    if (c->vm_rights == VM_READ_WRITE || (!receiver && c->vm_rights == VM_READ_ONLY)) {
        uint64_t off = t->ipc_buffer & MASK(c->size_bits);
        uint64_t *buf = phys_ram(k, c->paddr + off, 1u << seL4_IPCBufferSizeBits);
        if (receiver)   /* the caller may write it */
            host_written(buf, 1u << seL4_IPCBufferSizeBits);
        return buf;
    }
    return NULL;
}

uint64_t get_syscall_arg(kernel *k, unsigned i, const uint64_t *buf)
{
    if (i < N_MSG_REGISTERS)
        return k->cur->ctx[msg_registers[i]];
    if (!buf || i + 1 >= 128)
        return 0;
    return buf[i + 1];
}

unsigned set_mr(tcb *t, uint64_t *buf, unsigned i, uint64_t v)
{
    if (i >= N_MSG_REGISTERS) {
        if (buf && i + 1 < 128) {
            buf[i + 1] = v;
            return i + 1;
        }
        return N_MSG_REGISTERS;
    }
    t->ctx[msg_registers[i]] = v;
    return i + 1;
}
