/* Shared set-up for the core's host tests: a fake kernel, a counting heap with failure
 * injection, and a server with some untyped memory. */
#pragma once
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fake_kernel.h"
#include "memserver/core/memserver.h"

#ifndef H_SLOTS
#define H_SLOTS (1u << 17)
#endif
#define H_FIRST 64u /* first slot given to the core; below: untyped caps */

struct harness {
    struct fake_kernel fk;
    struct ms_server s;
    long heap_fail_in; /* fail the n-th allocation from now (0 = never) */
    uint64_t init_pages;
    uint32_t init_slots;
};

static int h_failures;
#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); h_failures++; } } while (0)
#define CHECK_EQ(a, b) do { long long _a = (long long)(a), _b = (long long)(b); if (_a != _b) { fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, #a, _a, #b, _b); h_failures++; } } while (0)
#define CHECK_ERR(expr, err) do { int _e = (expr); if (_e != (err)) { fprintf(stderr, "%s:%d: %s -> %s, expected %s\n", __FILE__, __LINE__, #expr, ms_err_name(_e), ms_err_name(err)); h_failures++; } } while (0)

static void *h_alloc(void *ctx, uint64_t size)
{
    struct harness *h = ctx;
    if (h->heap_fail_in > 0 && --h->heap_fail_in == 0) return 0;
    return calloc(1, size);
}

static void h_free(void *ctx, void *p, uint64_t size)
{
    (void)ctx;
    (void)size;
    free(p);
}

/* ram_bits: one untyped of 2^ram_bits bytes (>= 21), split into chunks by the core. */
static inline void h_init(struct harness *h, unsigned ram_bits, uint32_t asids)
{
    memset(h, 0, sizeof(*h));
    fk_init(&h->fk, H_SLOTS, asids);
    fk_make_untyped(&h->fk, 1, ram_bits, 0);
    fk_make_untyped(&h->fk, 2, 16, 0);                   /* a small one: 4 KiB objects only */
    fk_make_untyped(&h->fk, 3, 16, 1);                   /* device memory at 0xFEB00000 */
    struct ms_kernel_ops k = fk_ops(&h->fk);
    struct ms_heap heap = { h, h_alloc, h_free };
    if (ms_init(&h->s, &k, &heap, H_FIRST, H_SLOTS - H_FIRST, 64) || ms_add_untyped(&h->s, 1, ram_bits) ||
        ms_add_untyped(&h->s, 2, 16) || ms_add_device_untyped(&h->s, 3, 16, 0xFEB00000ull)) {
        fprintf(stderr, "harness init failed\n");
        exit(2);
    }
    h->init_pages = ms_free_pages(&h->s);
    h->init_slots = ms_free_slots(&h->s);
}

/* Everything given back: core counters and the fake kernel's untyped objects. */
static inline void h_check_all_free(struct harness *h)
{
    CHECK_EQ(ms_free_pages(&h->s), h->init_pages);
    CHECK_EQ(ms_free_slots(&h->s), h->init_slots);
    for (uint32_t i = 0; i < h->s.pool.count; i++) /* (live != 0: split for the server itself) */
        if (h->s.pool.chunk[i].live == 0 && h->s.pool.chunk[i].list != MS_CHUNK_DEAD) CHECK(!fk_untyped_has_children(&h->fk, h->s.pool.chunk[i].slot));
    CHECK_EQ(h->fk.violations, 0);
}

/* A snapshot of everything a refused request must leave unchanged. */
struct h_snap { uint64_t calls, pages, heap, used_pages, used_slots; uint32_t slots; };
static inline struct h_snap h_snap(struct harness *h, const struct ms_client *c)
{
    struct h_snap s = { h->fk.calls, ms_free_pages(&h->s), h->s.heap_in_use,
                        c ? c->quota.pages_used : 0, c ? c->quota.slots_used : 0, ms_free_slots(&h->s) };
    return s;
}
static inline int h_snap_eq(struct h_snap a, struct h_snap b)
{
    return a.calls == b.calls && a.pages == b.pages && a.heap == b.heap && a.used_pages == b.used_pages &&
           a.used_slots == b.used_slots && a.slots == b.slots;
}

/* The badge of the fault endpoint of address space `handle` (0 if none). */
static inline uint64_t h_badge(struct harness *h, uint32_t handle)
{
    struct ms_as *as;
    return ms_as_lookup(&h->s, 0, handle, &as) ? 0 : ms_as_fault_badge(&h->s, as);
}

/* Accesses client memory like a CPU would: on a fault, the server handles it and the
 * access is retried.  Returns 0, or the fault kind the server reported. */
static inline int h_access(struct harness *h, uint32_t as_handle, uint64_t va, int write, uint64_t *val)
{
    struct ms_as *as;
    if (ms_as_lookup(&h->s, 0, as_handle, &as)) return -1;
    for (int tries = 0; tries < 3; tries++) {
        uint64_t code = fk_access(&h->fk, as->pml4, va, write, 0, val);
        if (!code) return 0;
        if (ms_vm_fault(&h->s, ms_as_fault_badge(&h->s, as), va, 0x401000, code & 0xFF)) {
            struct ms_fault_info f;
            if (ms_fault_get(&h->s, as->owner, as_handle, &f)) return -2;
            return (int)f.kind;
        }
    }
    return -3;
}
static inline int h_write(struct harness *h, uint32_t as, uint64_t va, uint64_t v)
{
    return h_access(h, as, va, 1, &v);
}
static inline int h_read(struct harness *h, uint32_t as, uint64_t va, uint64_t *v)
{
    return h_access(h, as, va, 0, v);
}
