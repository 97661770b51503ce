/*
 * Handles of address spaces and memory objects: (generation << 16) | (index + 1).
 *
 * Each reuse of a table slot bumps its generation, so a stale handle names nothing.
 * A slot whose generation reached MS_GEN_MAX is retired, never used again: a handle
 * value can never name two different things (and no fault-endpoint badge, which holds
 * the handle, can reach a later address space in the same slot).
 */
#include "memserver/core/core.h"

int32_t ms_handle_free_index(void *const *table, const uint16_t *gen, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (!table[i] && gen[i] != MS_GEN_MAX) return (int32_t)i;
    return -1;
}

uint32_t ms_handle_make(uint16_t *gen, uint32_t idx)
{
    MS_CHECK(gen[idx] < MS_GEN_MAX);
    gen[idx]++;
    return ((uint32_t)gen[idx] << 16) | (idx + 1u);
}

int ms_handle_index(uint32_t handle, const uint16_t *gen, uint32_t n, uint32_t *idx)
{
    uint32_t i = (handle & 0xFFFFu) - 1u;
    if ((handle & 0xFFFFu) == 0 || i >= n || gen[i] != (handle >> 16)) return MS_ERR_BAD_HANDLE;
    *idx = i;
    return MS_OK;
}
