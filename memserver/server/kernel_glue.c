/*
 * struct ms_kernel_ops implemented with seL4 invocations on the server's one-level
 * CSpace (CPtr = slot number, depth 64).  One function per kernel operation; each
 * counts the invocations it makes.
 */
#include "memserver/server/glue.h"
#include "memserver/core/core.h"
#include <runtime/string.h>

struct mss_glue mss_glue;

#define DEPTH seL4_WordBits
#define SCRATCH_BASE 0x00007F0000000000ull

static seL4_Word object_type(enum ms_kobj t)
{
    switch (t) {
    case MS_KOBJ_FRAME_4K: return seL4_X86_4K;
    case MS_KOBJ_FRAME_2M: return seL4_X86_LargePageObject;
    case MS_KOBJ_PT: return seL4_X86_PageTableObject;
    case MS_KOBJ_PD: return seL4_X86_PageDirectoryObject;
    case MS_KOBJ_PDPT: return seL4_X86_PDPTObject;
    case MS_KOBJ_PML4: return seL4_X64_PML4Object;
    default: return seL4_UntypedObject;
    }
}

static int g_retype(void *ctx, ms_slot_t ut, enum ms_kobj type, unsigned size_bits, ms_slot_t dest)
{
    (void)ctx;
    mss_glue.invocations++;
    return seL4_Untyped_Retype(ut, object_type(type), size_bits, MSS_CNODE, 0, 0, dest, 1);
}

static int g_retype_many(void *ctx, ms_slot_t ut, enum ms_kobj type, unsigned size_bits, ms_slot_t dest,
                         uint32_t count)
{
    (void)ctx;
    mss_glue.invocations++;
    return seL4_Untyped_Retype(ut, object_type(type), size_bits, MSS_CNODE, 0, 0, dest, count);
}

static int g_assign_asid(void *ctx, ms_slot_t pml4)
{
    (void)ctx;
    mss_glue.invocations++;
    return seL4_X86_ASIDPool_Assign(mss_glue.asid_pool, pml4);
}

static int g_map_table(void *ctx, enum ms_kobj type, ms_slot_t table, ms_slot_t pml4, uint64_t va)
{
    (void)ctx;
    mss_glue.invocations++;
    seL4_X86_VMAttributes a = seL4_X86_Default_VMAttributes;
    if (type == MS_KOBJ_PDPT) return seL4_X86_PDPT_Map(table, pml4, va, a);
    if (type == MS_KOBJ_PD) return seL4_X86_PageDirectory_Map(table, pml4, va, a);
    return seL4_X86_PageTable_Map(table, pml4, va, a);
}

static seL4_CapRights_t rights_of(unsigned r)
{
    return seL4_CapRights_new(0, 0, (r & MS_RIGHT_R) ? 1 : 0, (r & MS_RIGHT_W) ? 1 : 0);
}

static int g_map_frame(void *ctx, ms_slot_t frame, ms_slot_t pml4, uint64_t va, unsigned rights, int cached)
{
    (void)ctx;
    mss_glue.invocations++;
    return seL4_X86_Page_Map(frame, pml4, va, rights_of(rights),
                             cached ? seL4_X86_Default_VMAttributes : seL4_X86_CacheDisabled);
}

static int g_unmap_frame(void *ctx, ms_slot_t frame)
{
    (void)ctx;
    mss_glue.invocations++;
    return seL4_X86_Page_Unmap(frame);
}

static int g_copy_cap(void *ctx, ms_slot_t dest, ms_slot_t src)
{
    (void)ctx;
    mss_glue.invocations++;
    return seL4_CNode_Copy(MSS_CNODE, dest, DEPTH, MSS_CNODE, src, DEPTH, seL4_AllRights);
}

static int g_delete(void *ctx, ms_slot_t slot)
{
    (void)ctx;
    mss_glue.invocations++;
    return seL4_CNode_Delete(MSS_CNODE, slot, DEPTH);
}

static int g_revoke(void *ctx, ms_slot_t slot)
{
    (void)ctx;
    mss_glue.invocations++;
    return seL4_CNode_Revoke(MSS_CNODE, slot, DEPTH);
}

/* The first error of a sequence of invocations (each counted). */
static int first_err(int err, int next)
{
    mss_glue.invocations++;
    return err ? err : next;
}

/* Maps a second cap of `src` and `dst` into the copy window, copies, unmaps; the
 * window is left empty whatever fails, and the first kernel error is returned. */
static int g_copy_page(void *ctx, ms_slot_t dst, ms_slot_t src, uint32_t off)
{
    (void)ctx;
    uint64_t w = mss_glue.scratch;
    seL4_CPtr tmp = mss_glue.tmp_slot;
    int err = first_err(0, seL4_CNode_Copy(MSS_CNODE, tmp, DEPTH, MSS_CNODE, src, DEPTH, seL4_AllRights));
    if (err) return err;
    /* A 4 KiB source maps at the window; a 2 MiB one (offset, or refused there) in its
     * own 2 MiB slot. */
    uint64_t src_va = off ? w + (2ull << 20) : w;
    err = first_err(0, seL4_X86_Page_Map(tmp, MSS_VSPACE, src_va, seL4_CanRead, seL4_X86_Default_VMAttributes));
    if (!off && (err == seL4_AlignmentError || err == seL4_FailedLookup || err == seL4_DeleteFirst)) {
        src_va = w + (2ull << 20);
        err = first_err(0, seL4_X86_Page_Map(tmp, MSS_VSPACE, src_va, seL4_CanRead, seL4_X86_Default_VMAttributes));
    }
    if (!err) {
        err = first_err(0, seL4_X86_Page_Map(dst, MSS_VSPACE, w + 4096, seL4_ReadWrite, seL4_X86_Default_VMAttributes));
        if (!err) {
            memcpy((void *)(w + 4096), (const void *)(src_va + off), 4096);
            err = first_err(err, seL4_X86_Page_Unmap(dst));
        }
    }
    return first_err(err, seL4_CNode_Delete(MSS_CNODE, tmp, DEPTH)); /* also unmaps it */
}

/* Maps the frame into the copy window, writes, unmaps. */
static int g_write_page(void *ctx, ms_slot_t frame, uint32_t off, const uint8_t *src, uint32_t len)
{
    (void)ctx;
    if (off > 4096 || len > 4096 - off) return seL4_RangeError;
    uint64_t w = mss_glue.scratch + 4096;
    mss_glue.invocations++;
    int err = seL4_X86_Page_Map(frame, MSS_VSPACE, w, seL4_ReadWrite, seL4_X86_Default_VMAttributes);
    if (err) return err;
    memcpy((void *)(w + off), src, len);
    mss_glue.invocations++;
    return seL4_X86_Page_Unmap(frame);
}

/* Maps the frame into the copy window, zeroes it 8 bytes a step, unmaps. */
static int g_zero_page(void *ctx, ms_slot_t frame)
{
    (void)ctx;
    uint64_t w = mss_glue.scratch + 4096;
    mss_glue.invocations++;
    int err = seL4_X86_Page_Map(frame, MSS_VSPACE, w, seL4_ReadWrite, seL4_X86_Default_VMAttributes);
    if (err) return err;
    void *d = (void *)w;
    uint64_t words = 512;
    __asm__ volatile("rep stosq" : "+D"(d), "+c"(words) : "a"(0ull) : "memory");
    mss_glue.invocations++;
    return seL4_X86_Page_Unmap(frame);
}

static int g_mint_fault_ep(void *ctx, ms_slot_t dest, uint64_t badge)
{
    (void)ctx;
    mss_glue.invocations++;
    return seL4_CNode_Mint(MSS_CNODE, dest, DEPTH, MSS_CNODE, mss_glue.ep, DEPTH, seL4_AllRights, badge);
}

/* What clients get: send (Write) and GrantReply, which seL4 requires of a fault
 * handler cap (sendFaultIPC: CanSend && (CanGrant || CanGrantReply)); no Grant, so no
 * cap sent through it can reach the server's receive slot. */
static int g_copy_fault_ep(void *ctx, ms_slot_t dest, ms_slot_t src)
{
    (void)ctx;
    mss_glue.invocations++;
    return seL4_CNode_Copy(MSS_CNODE, dest, DEPTH, MSS_CNODE, src, DEPTH, seL4_CapRights_new(1, 0, 0, 1));
}

static int g_cancel_badged_sends(void *ctx, ms_slot_t slot)
{
    (void)ctx;
    mss_glue.invocations++;
    return seL4_CNode_CancelBadgedSends(MSS_CNODE, slot, DEPTH);
}

/* The supervisor's notification, or whatever cap a client passed instead: a
 * non-blocking send with label 0 signals a notification, never blocks on an endpoint,
 * and is an invalid invocation (ignored) for every other object. */
static int g_signal(void *ctx, ms_slot_t slot)
{
    (void)ctx;
    mss_glue.invocations++;
    seL4_NBSend(slot, seL4_MessageInfo_new(0, 0, 0, 0));
    return 0;
}

struct ms_kernel_ops mss_kernel_ops(void)
{
    struct ms_kernel_ops k = {
        .ctx = 0, .retype = g_retype, .retype_many = g_retype_many, .assign_asid = g_assign_asid, .map_table = g_map_table,
        .map_frame = g_map_frame, .unmap_frame = g_unmap_frame, .copy_cap = g_copy_cap,
        .delete_cap = g_delete, .revoke_cap = g_revoke, .copy_page = g_copy_page, .write_page = g_write_page, .zero_page = g_zero_page, .signal = g_signal,
        .mint_fault_ep = g_mint_fault_ep, .copy_fault_ep = g_copy_fault_ep, .cancel_badged_sends = g_cancel_badged_sends,
    };
    return k;
}

int mss_glue_init(struct ms_server *s)
{
    /* PDPT + PD + PT for the copy window, in the server's own VSpace. */
    static const enum ms_kobj types[3] = { MS_KOBJ_PDPT, MS_KOBJ_PD, MS_KOBJ_PT };
    ms_slot_t ut;
    int err = ms_reserve_untyped(s, 14, &ut);
    if (err) return err;
    for (unsigned i = 0; i < 3; i++) {
        ms_slot_t t = ms_take_slot(s);
        if (!t) return MS_ERR_NO_SLOTS;
        if (g_retype(0, ut, types[i], 0, t)) return MS_ERR_KERNEL;
        if (g_map_table(0, types[i], t, MSS_VSPACE, SCRATCH_BASE)) return MS_ERR_KERNEL;
    }
    mss_glue.scratch = SCRATCH_BASE;
    return MS_OK;
}

uint32_t mss_verify_free(struct ms_server *s, uint32_t *checked)
{
    uint32_t bad = 0, n = 0;
    for (uint32_t i = 0; i < s->pool.count; i++) {
        const struct ms_chunk *c = &s->pool.chunk[i];
        if (c->live || c->list == MS_CHUNK_DEAD) continue;
        n++;
        mss_glue.invocations += 2;
        if (seL4_Untyped_Retype(c->slot, seL4_UntypedObject, c->size_bits, MSS_CNODE, 0, 0, mss_glue.tmp_slot, 1))
            bad++;
        else if (seL4_CNode_Delete(MSS_CNODE, mss_glue.tmp_slot, DEPTH))
            ms_check_failed(__FILE__, __LINE__, "delete of the server's own scratch slot");
    }
    *checked = n;
    return bad;
}
