/*
 * Host benchmark of the core the server runs (the same target build, memserver_core):
 * a null kernel (every operation succeeds and does nothing) so that only the server's
 * own work is measured.  Run it under valgrind (bench.sh) with instruction counting
 * switched on only inside ms_vm_fault (per-fault cost) or ms_map (populate cost).
 *   bench_core fault   - map 64 MiB, then fault each of its 16384 pages in
 *   bench_core map4k   - map 64 MiB populated with 4 KiB frames
 * Prints the kernel invocations per fault/page and metadata bytes per page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "memserver/core/memserver.h"

static uint64_t calls;
static int k_retype(void *c, ms_slot_t u, enum ms_kobj t, unsigned b, ms_slot_t d) { (void)c; (void)u; (void)t; (void)b; (void)d; calls++; return 0; }
static int k_retype_frames(void *c, ms_slot_t u, ms_slot_t d, uint32_t n) { (void)c; (void)u; (void)d; (void)n; calls++; return 0; }
static int k_asid(void *c, ms_slot_t p) { (void)c; (void)p; calls++; return 0; }
static int k_map_table(void *c, enum ms_kobj t, ms_slot_t a, ms_slot_t p, uint64_t v) { (void)c; (void)t; (void)a; (void)p; (void)v; calls++; return 0; }
static int k_map_frame(void *c, ms_slot_t f, ms_slot_t p, uint64_t v, unsigned r, int ca) { (void)c; (void)f; (void)p; (void)v; (void)r; (void)ca; calls++; return 0; }
static int k_slot(void *c, ms_slot_t s) { (void)c; (void)s; calls++; return 0; }
static int k_copy(void *c, ms_slot_t d, ms_slot_t s) { (void)c; (void)d; (void)s; calls++; return 0; }
static int k_copy_page(void *c, ms_slot_t d, ms_slot_t s, uint32_t o) { (void)c; (void)d; (void)s; (void)o; calls++; return 0; }

static void *h_alloc(void *c, uint64_t n) { (void)c; return calloc(1, n); }
static void h_free(void *c, void *p, uint64_t n) { (void)c; (void)n; free(p); }

int main(int argc, char **argv)
{
    int fault = argc > 1 && !strcmp(argv[1], "fault");
    struct ms_kernel_ops k = { 0, k_retype, k_retype_frames, k_asid, k_map_table, k_map_frame, k_slot,
                               k_copy, k_slot, k_slot, k_copy_page, k_slot };
    struct ms_heap h = { 0, h_alloc, h_free };
    static struct ms_server s;
    if (ms_init(&s, &k, &h, 64, 1u << 17, 64) || ms_add_untyped(&s, 1, 27)) return 1;
    struct ms_client *c = ms_client_get(&s, 1, 1);
    ms_client_set_quota(&s, 1, 1u << 20, 1u << 20);
    uint32_t as;
    uint64_t va;
    if (ms_as_create(&s, c, 0, &as)) return 1;
    const uint64_t size = 64ull << 20, pages = size >> 12;
    struct ms_req_map m = { as, 0, MS_RW, fault ? 0u : (uint32_t)(MS_MAP_POPULATE | MS_MAP_4K), 0, size, 0 };
    uint64_t heap0 = s.heap_in_use, calls0 = calls;
    if (ms_map(&s, c, &m, &va)) return 1;
    if (fault)
        for (uint64_t off = 0; off < size; off += 4096)
            if (ms_vm_fault(&s, as, va + off, 0x401000, 6)) return 2;
    uint64_t meta = (s.heap_in_use - heap0) * 1000 / pages + 1000 / 8 + 2000;
    printf("%s: %llu.%03llu kernel invocations per page (not counting the ReplyRecv), "
           "%llu.%03llu metadata bytes per page\n", fault ? "fault" : "map4k",
           (unsigned long long)((calls - calls0) / pages), (unsigned long long)((calls - calls0) * 1000 / pages % 1000),
           (unsigned long long)(meta / 1000), (unsigned long long)(meta % 1000));
    return 0;
}
