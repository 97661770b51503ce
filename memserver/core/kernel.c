/*
 * Every kernel call of the core goes through one of these: they count the invocation
 * and return the seL4_Error.  All are MS_MUST_USE (and checked by clang-tidy's
 * bugprone-unused-return-value), so no kernel error can be dropped unseen.
 */
#include "memserver/core/core.h"

#define KCALL(call) (s->stats.invocations++, s->k.call)

int ms_k_retype(struct ms_server *s, ms_slot_t ut, enum ms_kobj type, unsigned size_bits, ms_slot_t dest)
{
    return KCALL(retype(s->k.ctx, ut, type, size_bits, dest));
}

int ms_k_retype_many(struct ms_server *s, ms_slot_t ut, enum ms_kobj type, unsigned size_bits, ms_slot_t dest,
                     uint32_t count)
{
    return KCALL(retype_many(s->k.ctx, ut, type, size_bits, dest, count));
}

int ms_k_assign_asid(struct ms_server *s, ms_slot_t pml4)
{
    return KCALL(assign_asid(s->k.ctx, pml4));
}

int ms_k_map_table(struct ms_server *s, enum ms_kobj type, ms_slot_t table, ms_slot_t pml4, uint64_t va)
{
    return KCALL(map_table(s->k.ctx, type, table, pml4, va));
}

int ms_k_map_frame(struct ms_server *s, ms_slot_t frame, ms_slot_t pml4, uint64_t va, unsigned rights, int cached)
{
    return KCALL(map_frame(s->k.ctx, frame, pml4, va, rights, cached));
}

int ms_k_unmap_frame(struct ms_server *s, ms_slot_t frame)
{
    return KCALL(unmap_frame(s->k.ctx, frame));
}

int ms_k_copy_cap(struct ms_server *s, ms_slot_t dest, ms_slot_t src)
{
    return KCALL(copy_cap(s->k.ctx, dest, src));
}

int ms_k_delete(struct ms_server *s, ms_slot_t slot)
{
    return KCALL(delete_cap(s->k.ctx, slot));
}

int ms_k_revoke(struct ms_server *s, ms_slot_t slot)
{
    return KCALL(revoke_cap(s->k.ctx, slot));
}

int ms_k_copy_page(struct ms_server *s, ms_slot_t dst, ms_slot_t src, uint32_t src_off)
{
    return KCALL(copy_page(s->k.ctx, dst, src, src_off));
}

int ms_k_write_page(struct ms_server *s, ms_slot_t frame, uint32_t off, const uint8_t *src, uint32_t len)
{
    return KCALL(write_page(s->k.ctx, frame, off, src, len));
}

int ms_k_zero_page(struct ms_server *s, ms_slot_t frame)
{
    return KCALL(zero_page(s->k.ctx, frame));
}

int ms_k_mint_fault_ep(struct ms_server *s, ms_slot_t dest, uint64_t badge)
{
    return KCALL(mint_fault_ep(s->k.ctx, dest, badge));
}

int ms_k_copy_fault_ep(struct ms_server *s, ms_slot_t dest, ms_slot_t src)
{
    return KCALL(copy_fault_ep(s->k.ctx, dest, src));
}

int ms_k_cancel_badged_sends(struct ms_server *s, ms_slot_t slot)
{
    return KCALL(cancel_badged_sends(s->k.ctx, slot));
}

int ms_k_signal(struct ms_server *s, ms_slot_t slot)
{
    return KCALL(signal(s->k.ctx, slot));
}

void (*ms_check_hook)(const char *file, int line, const char *cond);

void ms_check_failed(const char *file, int line, const char *cond)
{
    if (ms_check_hook) ms_check_hook(file, line, cond);
    __builtin_trap();
}
