/*
 * Simulated physical memory, and the other memory frames can live in.  Both are
 * memfd files mapped shared, so that address spaces can alias single frames into
 * their slots (see space.h) with mmap.  Files read back as zeros where nothing was
 * written, and holes can be punched into them (MADV_REMOVE) to zero frames.
 */
#define _GNU_SOURCE
#include "../machine.h"
#include "space.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* The last RAM created: its frames can be mapped (frame id = offset). */
static int g_ram_fd = -1;
static uint8_t *g_ram_host;
static uint64_t g_ram_size;

/* Frame memory (frame_alloc): one sparse file, handed out in address order. */
#define FRAME_ID_BASE (1ull << 39)
#define FRAME_AREA_SIZE (256ull << 30)
static int g_frame_fd = -1;
static uint8_t *g_frame_host;
static uint64_t g_frame_used;

static int shared_file(const char *name, uint64_t size, int *fd_out, uint8_t **host_out)
{
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    if (ftruncate(fd, (off_t)size) != 0) {
        close(fd);
        return -1;
    }
    void *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
                   fd, 0);
    if (p == MAP_FAILED) {
        close(fd);
        return -1;
    }
    *fd_out = fd;
    *host_out = p;
    return 0;
}

int ram_init(sim_ram *ram, uint64_t base, uint64_t size)
{
    ram->host = NULL;
    ram->base = base;
    ram->size = 0;
    ram->fd = -1;
    if (size == 0 || (size & 0xFFFu) != 0 || base + size < base || size > FRAME_ID_BASE) {
        return -1;
    }
    uint8_t *p;
    int fd;
    if (shared_file("sel4-sim-ram", size, &fd, &p) != 0) {
        return -1;
    }
    ram->host = p;
    ram->size = size;
    ram->fd = fd;
    g_ram_fd = fd;
    g_ram_host = p;
    g_ram_size = size;
    return 0;
}

void ram_fini(sim_ram *ram)
{
    if (ram->host != NULL && ram->host == g_ram_host) {
        g_ram_fd = -1;
        g_ram_host = NULL;
        g_ram_size = 0;
    }
    if (ram->host != NULL) {
        munmap(ram->host, (size_t)ram->size);
    }
    if (ram->fd >= 0) {
        close(ram->fd);
    }
    ram->host = NULL;
    ram->size = 0;
    ram->fd = -1;
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

void *frame_alloc(uint64_t size)
{
    if (g_frame_host == NULL &&
        shared_file("sel4-sim-frames", FRAME_AREA_SIZE, &g_frame_fd, &g_frame_host) != 0) {
        g_frame_host = NULL;
        return NULL;
    }
    if (size == 0 || (size & 0xFFFu) != 0 || size > FRAME_AREA_SIZE - g_frame_used) {
        return NULL;
    }
    uint8_t *p = g_frame_host + g_frame_used;
    g_frame_used += size;
    return p;
}

void frame_free(void *p, uint64_t size)
{
    /* The address range is not reused; the memory goes back to the host. */
    if (p != NULL && size != 0) {
        madvise(p, (size_t)size, MADV_REMOVE);
    }
}

static bool inside(const uint8_t *host, uint64_t size, const uint8_t *area, uint64_t area_size)
{
    return area != NULL && host >= area && (uint64_t)(host - area) <= area_size &&
           size <= area_size - (uint64_t)(host - area);
}

int ram_frame_of(const void *host, uint64_t size, int *fd, uint64_t *off, uint64_t *id)
{
    const uint8_t *h = host;
    if (inside(h, size, g_ram_host, g_ram_size)) {
        *fd = g_ram_fd;
        *off = (uint64_t)(h - g_ram_host);
        *id = *off;
        return 0;
    }
    if (inside(h, size, g_frame_host, g_frame_used)) {
        *fd = g_frame_fd;
        *off = (uint64_t)(h - g_frame_host);
        *id = FRAME_ID_BASE + *off;
        return 0;
    }
    return -1;
}

uint8_t *ram_frame_host(uint64_t id)
{
    if (id < g_ram_size) {
        return g_ram_host + id;
    }
    if (id >= FRAME_ID_BASE && id - FRAME_ID_BASE < g_frame_used) {
        return g_frame_host + (id - FRAME_ID_BASE);
    }
    return NULL;
}
