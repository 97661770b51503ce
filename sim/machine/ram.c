/* Simulated physical memory: one anonymous host mapping, reserved lazily. */
#include "../machine.h"
#include "space.h"

#include <sys/mman.h>

/* The last RAM created: engines map it whole (see space.c). */
static uint8_t *g_ram_host;
static uint64_t g_ram_size;

int ram_init(sim_ram *ram, uint64_t base, uint64_t size)
{
    ram->host = NULL;
    ram->base = base;
    ram->size = 0;
    if (size == 0 || (size & 0xFFFu) != 0 || base + size < base) {
        return -1;
    }
    void *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        return -1;
    }
    ram->host = p;
    ram->size = size;
    g_ram_host = p;
    g_ram_size = size;
    return 0;
}

void ram_fini(sim_ram *ram)
{
    if (ram->host != NULL && ram->host == g_ram_host) {
        g_ram_host = NULL;
        g_ram_size = 0;
    }
    if (ram->host != NULL) {
        munmap(ram->host, (size_t)ram->size);
    }
    ram->host = NULL;
    ram->size = 0;
}

void *ram_ptr(const sim_ram *ram, uint64_t paddr, uint64_t len)
{
    if (ram->host == NULL || paddr < ram->base) {
        return NULL;
    }
    uint64_t off = paddr - ram->base;
    if (off > ram->size || len > ram->size - off) {
        return NULL;
    }
    return ram->host + off;
}

void ram_registered(uint8_t **host, uint64_t *size)
{
    *host = g_ram_host;
    *size = g_ram_size;
}
