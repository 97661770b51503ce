/*
 * CNode invocations (manual 10.3.1): Copy, Mint, Move, Mutate, Rotate, Delete, Revoke,
 * SaveCaller, CancelBadgedSends.  Decoding checks everything in the kernel's order
 * and reports the kernel's error; only then does the operation run.
 */
#include "kstate.h"

static void save_caller(kernel *k, cte *dest)
{
    cte *src = &k->cur->slot[TCB_CALLER];
    if (src->cap.type == CAP_REPLY && !src->cap.reply_master)
        cte_move(src->cap, src, dest);
    else if (src->cap.type == CAP_NULL)
        user_error(k, "CNode SaveCaller: Reply cap not present.");
}

static exc decode_copy_family(kernel *k, uint64_t label, unsigned length, cte *dest,
                              const uint64_t *buf)
{
    if (length < 4 || !k->extra_caps[0]) {
        user_error(k, "CNode Copy/Mint/Move/Mutate: Truncated message.");
        return syserr(k, seL4_TruncatedMessage);
    }
    uint64_t src_index = get_syscall_arg(k, 2, buf);
    uint64_t src_depth = get_syscall_arg(k, 3, buf);
    cap src_root = k->extra_caps[0]->cap;

    if (ensure_empty_slot(k, dest) != EXC_NONE) {
        user_error(k, "CNode Copy/Mint/Move/Mutate: Destination not empty.");
        return EXC_SYSCALL_ERROR;
    }
    cte *src;
    if (lookup_slot_for_cnode_op(k, true, &src_root, src_index, src_depth, &src) != EXC_NONE) {
        user_error(k, "CNode Copy/Mint/Move/Mutate: Invalid source slot.");
        return EXC_SYSCALL_ERROR;
    }
    if (src->cap.type == CAP_NULL) {
        user_error(k, "CNode Copy/Mint/Move/Mutate: Source slot invalid or empty.");
        k->lf = lf_missing((unsigned)src_depth);
        return syserr_lookup(k, true);
    }

    cap newcap;
    bool move;
    switch (label) {
    case CNodeCopy:
        if (length < 5) {
            user_error(k, "Truncated message for CNode Copy operation.");
            return syserr(k, seL4_TruncatedMessage);
        }
        if (derive_cap(k, src, mask_cap_rights((unsigned)get_syscall_arg(k, 4, buf), src->cap),
                       &newcap) != EXC_NONE) {
            user_error(k, "Error deriving cap for CNode Copy operation.");
            return EXC_SYSCALL_ERROR;
        }
        move = false;
        break;
    case CNodeMint: {
        if (length < 6) {
            user_error(k, "CNode Mint: Truncated message.");
            return syserr(k, seL4_TruncatedMessage);
        }
        cap masked = mask_cap_rights((unsigned)get_syscall_arg(k, 4, buf), src->cap);
        if (derive_cap(k, src, update_cap_data(false, get_syscall_arg(k, 5, buf), masked),
                       &newcap) != EXC_NONE) {
            user_error(k, "Error deriving cap for CNode Mint operation.");
            return EXC_SYSCALL_ERROR;
        }
        move = false;
        break;
    }
    case CNodeMove:
        newcap = src->cap;
        move = true;
        break;
    default: /* CNodeMutate */
        if (length < 5) {
            user_error(k, "CNode Mutate: Truncated message.");
            return syserr(k, seL4_TruncatedMessage);
        }
        newcap = update_cap_data(true, get_syscall_arg(k, 4, buf), src->cap);
        move = true;
        break;
    }
    if (newcap.type == CAP_NULL) {
        user_error(k, "CNode Copy/Mint/Move/Mutate: Mutated cap would be invalid.");
        return syserr(k, seL4_IllegalOperation);
    }

    set_thread_state(k, k->cur, TS_RESTART);
    if (move)
        cte_move(newcap, src, dest);
    else
        cte_insert(k, newcap, src, dest);
    return EXC_NONE;
}

static exc decode_rotate(kernel *k, unsigned length, cte *dest, const uint64_t *buf)
{
    if (length < 8 || !k->extra_caps[0] || !k->extra_caps[1])
        return syserr(k, seL4_TruncatedMessage);
    uint64_t pivot_data = get_syscall_arg(k, 2, buf);
    uint64_t pivot_index = get_syscall_arg(k, 3, buf);
    uint64_t pivot_depth = get_syscall_arg(k, 4, buf);
    uint64_t src_data = get_syscall_arg(k, 5, buf);
    uint64_t src_index = get_syscall_arg(k, 6, buf);
    uint64_t src_depth = get_syscall_arg(k, 7, buf);
    cap pivot_root = k->extra_caps[0]->cap;
    cap src_root = k->extra_caps[1]->cap;

    cte *src, *pivot;
    if (lookup_slot_for_cnode_op(k, true, &src_root, src_index, src_depth, &src) != EXC_NONE)
        return EXC_SYSCALL_ERROR;
    if (lookup_slot_for_cnode_op(k, true, &pivot_root, pivot_index, pivot_depth, &pivot) != EXC_NONE)
        return EXC_SYSCALL_ERROR;
    if (pivot == src || pivot == dest) {
        user_error(k, "CNode Rotate: Pivot slot the same as source or dest slot.");
        return syserr(k, seL4_IllegalOperation);
    }
    if (src != dest && ensure_empty_slot(k, dest) != EXC_NONE)
        return EXC_SYSCALL_ERROR;
    if (src->cap.type == CAP_NULL) {
        k->lf = lf_missing((unsigned)src_depth);
        return syserr_lookup(k, true);
    }
    if (pivot->cap.type == CAP_NULL) {
        k->lf = lf_missing((unsigned)pivot_depth);
        return syserr_lookup(k, false);
    }
    cap new_src = update_cap_data(true, src_data, src->cap);
    cap new_pivot = update_cap_data(true, pivot_data, pivot->cap);
    if (new_src.type == CAP_NULL) {
        user_error(k, "CNode Rotate: Source cap invalid.");
        return syserr(k, seL4_IllegalOperation);
    }
    if (new_pivot.type == CAP_NULL) {
        user_error(k, "CNode Rotate: Pivot cap invalid.");
        return syserr(k, seL4_IllegalOperation);
    }

    set_thread_state(k, k->cur, TS_RESTART);
    if (src == dest) {
        cte_swap(new_src, src, new_pivot, pivot);
    } else {
        cte_move(new_pivot, pivot, dest);
        cte_move(new_src, src, pivot);
    }
    return EXC_NONE;
}

exc decode_cnode(kernel *k, uint64_t label, unsigned length, const cap *c, const uint64_t *buf)
{
    if (label < CNodeRevoke || label > CNodeSaveCaller) {
        user_error(k, "CNodeCap: Illegal Operation attempted.");
        return syserr(k, seL4_IllegalOperation);
    }
    if (length < 2) {
        user_error(k, "CNode operation: Truncated message.");
        return syserr(k, seL4_TruncatedMessage);
    }
    uint64_t index = get_syscall_arg(k, 0, buf);
    uint64_t depth = get_syscall_arg(k, 1, buf);
    cte *dest;
    if (lookup_slot_for_cnode_op(k, false, c, index, depth, &dest) != EXC_NONE) {
        user_error(k, "CNode operation: Target slot invalid.");
        return EXC_SYSCALL_ERROR;
    }

    switch (label) {
    case CNodeCopy: case CNodeMint: case CNodeMove: case CNodeMutate:
        return decode_copy_family(k, label, length, dest, buf);
    case CNodeRevoke:
        set_thread_state(k, k->cur, TS_RESTART);
        return cte_revoke(k, dest);
    case CNodeDelete:
        set_thread_state(k, k->cur, TS_RESTART);
        return cte_delete(k, dest, true);
    case CNodeSaveCaller:
        if (ensure_empty_slot(k, dest) != EXC_NONE) {
            user_error(k, "CNode SaveCaller: Destination slot not empty.");
            return EXC_SYSCALL_ERROR;
        }
        set_thread_state(k, k->cur, TS_RESTART);
        save_caller(k, dest);
        return EXC_NONE;
    case CNodeCancelBadgedSends: {
        cap target = dest->cap;
        if (!has_cancel_send_rights(&target)) {
            user_error(k, "CNode CancelBadgedSends: Target cap invalid.");
            return syserr(k, seL4_IllegalOperation);
        }
        set_thread_state(k, k->cur, TS_RESTART);
        if (target.badge)
            cancel_badged_sends(k, cap_ep(&target), target.badge);
        return EXC_NONE;
    }
    default: /* CNodeRotate */
        return decode_rotate(k, length, dest, buf);
    }
}
