/*
 * Free cap slots of the server's CSpace: a bitmap (1 = in use) searched from the lowest
 * slot that may be free, so that slots stay dense and runs of consecutive slots (for
 * retyping many frames in one invocation) are easy to find.
 */
#include "memserver/core/core.h"

#define WORD_BITS 64u

int ms_slots_init(struct ms_server *s, ms_slot_t first, uint32_t total)
{
    struct ms_slots *sl = &s->slots;
    if (total == 0 || (uint64_t)first + total > MS_MAX_SLOT) return MS_ERR_NO_SLOTS;
    uint32_t words = (total + WORD_BITS - 1) / WORD_BITS;
    sl->used = ms_heap_alloc(s, (uint64_t)words * sizeof(uint64_t));
    sl->chunk_of = ms_heap_alloc(s, (uint64_t)total * sizeof(uint16_t));
    sl->exported = ms_heap_alloc(s, (uint64_t)words * sizeof(uint64_t));
    sl->free4k = ms_heap_alloc(s, (uint64_t)words * sizeof(uint64_t));
    if (!sl->used || !sl->chunk_of || !sl->exported || !sl->free4k) return MS_ERR_NO_MEMORY;
    sl->table_bytes = (uint64_t)words * sizeof(uint64_t) * 3 + (uint64_t)total * sizeof(uint16_t);
    sl->free4k_count = sl->free4k_hint = 0;
    /* Bits past the end count as used. */
    for (uint32_t i = total; i < words * WORD_BITS; i++) sl->used[i / WORD_BITS] |= 1ull << (i % WORD_BITS);
    sl->first = first;
    sl->total = total;
    sl->count = total;
    sl->words = words;
    sl->hint = 0;
    return MS_OK;
}

static void mark(struct ms_slots *sl, uint32_t i)
{
    sl->used[i / WORD_BITS] |= 1ull << (i % WORD_BITS);
}

ms_slot_t ms_slot_alloc(struct ms_server *s)
{
    struct ms_slots *sl = &s->slots;
    if (sl->count == 0) return 0;
    for (uint32_t w = sl->hint; w < sl->words; w++) {
        if (sl->used[w] == ~0ull) continue;
        uint32_t i = w * WORD_BITS + (uint32_t)__builtin_ctzll(~sl->used[w]);
        mark(sl, i);
        sl->count--;
        sl->hint = w;
        return sl->first + i;
    }
    MS_CHECK(0); /* count said there was one */
    return 0;
}

/* Bits [lo, lo + n) of a word (n <= 64). */
static uint64_t bit_range(uint32_t lo, uint32_t n)
{
    return (n >= WORD_BITS ? ~0ull : ((1ull << n) - 1)) << lo;
}

/* Marks slots [at, at + n) in use, a word at a time. */
static void mark_run(struct ms_slots *sl, uint32_t at, uint32_t n)
{
    while (n) {
        uint32_t lo = at % WORD_BITS, k = WORD_BITS - lo < n ? WORD_BITS - lo : n;
        sl->used[at / WORD_BITS] |= bit_range(lo, k);
        at += k;
        n -= k;
    }
}

/* Bit i set: bits i .. i+n-1 of `free` are all set (n < 64; runs stay inside the word). */
static uint64_t free_runs(uint64_t free, uint32_t n)
{
    for (uint32_t k = 1; k < n;) {
        uint32_t step = k < n - k ? k : n - k;
        free &= free >> step;
        k += step;
    }
    return free;
}

/* Finds the first run of n free slots, a word at a time: in each word the free bits
 * below its lowest used bit extend the run so far, a run may lie wholly inside it, or
 * a new one starts above its highest used bit. */
uint32_t ms_slot_alloc_run(struct ms_server *s, uint32_t n, ms_slot_t *start)
{
    struct ms_slots *sl = &s->slots;
    uint32_t run = 0, at = 0;
    if (n == 0 || sl->count < n) return 0;
    for (uint32_t w = sl->hint; w < sl->words; w++) {
        uint64_t used = sl->used[w];
        if (used == 0) {
            if (run == 0) at = w * WORD_BITS;
            run += WORD_BITS;
        } else {
            /* Free bits below the lowest used bit continue the run. */
            uint32_t low = (uint32_t)__builtin_ctzll(used);
            if (run == 0) at = w * WORD_BITS;
            run += low;
            if (run >= n) break;
            uint64_t inside = n < WORD_BITS ? free_runs(~used, n) : 0;
            if (inside) {
                at = w * WORD_BITS + (uint32_t)__builtin_ctzll(inside);
                run = n;
                break;
            }
            /* A new run starts above the highest used bit. */
            uint32_t high = WORD_BITS - 1u - (uint32_t)__builtin_clzll(used);
            run = WORD_BITS - 1u - high;
            at = w * WORD_BITS + high + 1u;
        }
        if (run >= n) break;
    }
    if (run < n || at + n > sl->total) return 0;
    mark_run(sl, at, n);
    sl->count -= n;
    *start = sl->first + at;
    return n;
}

void ms_slot_free(struct ms_server *s, ms_slot_t slot)
{
    struct ms_slots *sl = &s->slots;
    MS_CHECK(slot >= sl->first && slot - sl->first < sl->total);
    uint32_t i = slot - sl->first;
    MS_CHECK(sl->used[i / WORD_BITS] & (1ull << (i % WORD_BITS)));
    MS_CHECK(!(sl->exported[i / WORD_BITS] & (1ull << (i % WORD_BITS)))); /* revoked first */
    MS_CHECK(!(sl->free4k[i / WORD_BITS] & (1ull << (i % WORD_BITS))));   /* taken off first */
    sl->used[i / WORD_BITS] &= ~(1ull << (i % WORD_BITS));
    sl->chunk_of[i] = 0;
    sl->count++;
    if (i / WORD_BITS < sl->hint) sl->hint = i / WORD_BITS;
}

int ms_slot_exported(const struct ms_server *s, ms_slot_t slot)
{
    const struct ms_slots *sl = &s->slots;
    MS_CHECK(slot >= sl->first && slot - sl->first < sl->total);
    uint32_t i = slot - sl->first;
    return (sl->exported[i / WORD_BITS] >> (i % WORD_BITS)) & 1u;
}

void ms_slot_set_exported(struct ms_server *s, ms_slot_t slot, int on)
{
    struct ms_slots *sl = &s->slots;
    MS_CHECK(slot >= sl->first && slot - sl->first < sl->total);
    uint32_t i = slot - sl->first;
    if (on) sl->exported[i / WORD_BITS] |= 1ull << (i % WORD_BITS);
    else sl->exported[i / WORD_BITS] &= ~(1ull << (i % WORD_BITS));
}

void ms_free4k_push(struct ms_server *s, ms_slot_t slot)
{
    struct ms_slots *sl = &s->slots;
    MS_CHECK(slot >= sl->first && slot - sl->first < sl->total);
    uint32_t i = slot - sl->first;
    MS_CHECK(sl->used[i / WORD_BITS] & (1ull << (i % WORD_BITS)));
    MS_CHECK(!(sl->free4k[i / WORD_BITS] & (1ull << (i % WORD_BITS)))); /* never twice */
    sl->free4k[i / WORD_BITS] |= 1ull << (i % WORD_BITS);
    sl->free4k_count++;
    if (i / WORD_BITS < sl->free4k_hint) sl->free4k_hint = i / WORD_BITS;
}

ms_slot_t ms_free4k_pop(struct ms_server *s)
{
    struct ms_slots *sl = &s->slots;
    if (!sl->free4k_count) return 0;
    for (uint32_t w = sl->free4k_hint; w < sl->words; w++) {
        if (!sl->free4k[w]) continue;
        uint32_t i = w * WORD_BITS + (uint32_t)__builtin_ctzll(sl->free4k[w]);
        sl->free4k[w] &= ~(1ull << (i % WORD_BITS));
        sl->free4k_count--;
        sl->free4k_hint = w;
        return sl->first + i;
    }
    MS_CHECK(0); /* count said there was one */
    return 0;
}

uint32_t ms_free4k_reclaim(struct ms_server *s, int32_t chunk)
{
    struct ms_slots *sl = &s->slots;
    uint32_t n = 0;
    for (uint32_t w = sl->free4k_hint; w < sl->words && sl->free4k_count; w++) {
        for (uint64_t bits = sl->free4k[w]; bits; bits &= bits - 1) {
            uint32_t i = w * WORD_BITS + (uint32_t)__builtin_ctzll(bits);
            if (sl->chunk_of[i] != (uint16_t)(chunk + 1)) continue;
            sl->free4k[w] &= ~(1ull << (i % WORD_BITS));
            sl->free4k_count--;
            MS_CHECK(ms_k_delete(s, sl->first + i) == 0); /* the server's own frame */
            ms_slot_free(s, sl->first + i);
            n++;
        }
    }
    return n;
}
