/* Free cap slots of the server's CSpace: a stack of slot numbers (O(1) both ways). */
#include "memserver/core/core.h"

int ms_slots_init(struct ms_server *s, ms_slot_t first, uint32_t total)
{
    struct ms_slots *sl = &s->slots;
    if (total == 0 || (uint64_t)first + total > MS_MAX_SLOT) return MS_ERR_NO_SLOTS;
    sl->stack = ms_heap_alloc(s, (uint64_t)total * sizeof(uint32_t));
    sl->chunk_of = ms_heap_alloc(s, (uint64_t)total * sizeof(uint16_t));
    if (!sl->stack || !sl->chunk_of) return MS_ERR_NO_MEMORY;
    sl->first = first;
    sl->total = total;
    sl->count = total;
    /* Pop order = ascending slot numbers, so consecutive allocations are consecutive. */
    for (uint32_t i = 0; i < total; i++) sl->stack[i] = first + total - 1 - i;
    return MS_OK;
}

ms_slot_t ms_slot_alloc(struct ms_server *s)
{
    struct ms_slots *sl = &s->slots;
    if (sl->count == 0) return 0;
    return sl->stack[--sl->count];
}

void ms_slot_free(struct ms_server *s, ms_slot_t slot)
{
    struct ms_slots *sl = &s->slots;
    MS_CHECK(slot >= sl->first && slot - sl->first < sl->total && sl->count < sl->total);
    sl->chunk_of[slot - sl->first] = 0;
    sl->stack[sl->count++] = slot;
}
