/* Conformance: CSpace addressing and the CNode invocations (manual 3 and 10.3.1). */
#include "harness.h"

#define ROOT seL4_CapInitThreadCNode
#define D 64

static bool empty(seL4_CPtr slot) { return seL4_DebugCapIdentify(slot) == 0; }

/* Signals through `cap` and reports the badge a Poll on `ntfn` then sees (0 = nothing). */
static seL4_Word signal_and_poll(seL4_CPtr cap, seL4_CPtr ntfn)
{
    seL4_Signal(cap);
    seL4_Word badge = 0;
    seL4_Poll(ntfn, &badge);
    return badge;
}

static seL4_Word paddr(seL4_CPtr frame) { return seL4_X86_Page_GetAddress(frame).paddr; }

static void test_addressing(void)
{
    seL4_CPtr ntfn = conf_object(seL4_NotificationObject, 0);
    seL4_CPtr s1 = conf_slot(), s2 = conf_slot();

    check_err(seL4_CNode_Copy(ROOT, s1, D, ROOT, ntfn, D, seL4_AllRights), seL4_NoError,
              "Copy to an empty slot");
    check(!empty(s1) && seL4_DebugCapIdentify(s1) == seL4_DebugCapIdentify(ntfn),
          "copied cap has the source's type");
    check_err(seL4_CNode_Copy(ROOT, s1, D, ROOT, ntfn, D, seL4_AllRights), seL4_DeleteFirst,
              "Copy into an occupied slot -> DeleteFirst");
    check_lookup(seL4_CNode_Copy(ROOT, s2, D, ROOT, conf_slot(), D, seL4_AllRights), 1,
                 seL4_MissingCapability, 1, D, 0, 0,
                 "Copy from an empty slot -> FailedLookup (source, missing cap, 64 bits left)");
    check_range(seL4_CNode_Copy(ROOT, s2, 0, ROOT, ntfn, D, seL4_AllRights), 1, 64,
                "destination depth 0 -> RangeError [1, 64]");
    check_range(seL4_CNode_Copy(ROOT, s2, D, ROOT, ntfn, 65, seL4_AllRights), 1, 64,
                "source depth 65 -> RangeError [1, 64]");
    check_lookup(seL4_CNode_Copy(ROOT, s2, 12, ROOT, ntfn, D, seL4_AllRights), 0,
                 seL4_GuardMismatch, 3, 12, 0, 52,
                 "depth 12 on the root CNode (guard 52 bits) -> GuardMismatch");
    check_lookup(seL4_CNode_Copy(ROOT, (1ul << 63) | s2, D, ROOT, ntfn, D, seL4_AllRights), 0,
                 seL4_GuardMismatch, 3, 64, 0, 52, "cptr with a non-zero guard -> GuardMismatch");
    check_lookup(seL4_CNode_Copy(ROOT, s2, D, ntfn, ntfn, D, seL4_AllRights), 1,
                 seL4_InvalidRoot, 0, 0, 0, 0, "source root is not a CNode -> InvalidRoot");
    check_lookup(seL4_CNode_Delete(ROOT, (seL4_Word)1 << 13, D), 0, seL4_GuardMismatch, 3, 64,
                 0, 52, "Delete with a cptr beyond the root's 12 bits -> GuardMismatch");

    check_err(seL4_CNode_Delete(seL4_CapInitThreadTCB, s1, D), seL4_IllegalOperation,
              "CNode_Delete invoked on a TCB cap -> IllegalOperation");
    seL4_MessageInfo_t r = seL4_Call(ROOT, seL4_MessageInfo_new(CNodeCopy, 0, 0, 1));
    check_eq(seL4_MessageInfo_get_label(r), seL4_TruncatedMessage,
             "CNode_Copy with one message word -> TruncatedMessage");
    r = seL4_Call(ROOT, seL4_MessageInfo_new(UntypedRetype, 0, 0, 2));
    check_eq(seL4_MessageInfo_get_label(r), seL4_IllegalOperation,
             "Untyped_Retype label on a CNode -> IllegalOperation");
    r = seL4_Call(conf_slot(), seL4_MessageInfo_new(0, 0, 0, 0));
    check_eq(seL4_MessageInfo_get_label(r), seL4_InvalidCapability,
             "Call on an empty slot -> InvalidCapability (not a fault)");
    check_err(seL4_CNode_Delete(ROOT, s1, D), seL4_NoError, "Delete a cap");
    check(empty(s1), "deleted slot is empty");
    check_err(seL4_CNode_Delete(ROOT, s1, D), seL4_NoError, "Delete an empty slot -> NoError");
}

static void test_sub_cnodes(void)
{
    seL4_CPtr top = conf_object(seL4_CapTableObject, 4); /* radix 4, guard 0 */
    seL4_CPtr sub = conf_object(seL4_CapTableObject, 4);
    seL4_CPtr ntfn = conf_object(seL4_NotificationObject, 0);
    seL4_CPtr s = conf_slot();

    check_err(seL4_CNode_Copy(sub, 2, 4, ROOT, ntfn, D, seL4_AllRights), seL4_NoError,
              "Copy into a radix-4 CNode at depth 4");
    check_lookup(seL4_CNode_Copy(sub, 3, 3, ROOT, ntfn, D, seL4_AllRights), 0,
                 seL4_DepthMismatch, 2, 3, 4, 0, "depth 3 on a radix-4 CNode -> DepthMismatch");
    check_lookup(seL4_CNode_Copy(sub, 7, 5, ROOT, ntfn, D, seL4_AllRights), 0,
                 seL4_DepthMismatch, 2, 1, 0, 0,
                 "depth 5 ending in a non-CNode slot -> DepthMismatch (1 bit left)");
    /* Put `sub` into slot 3 of `top` (guard 0) and into slot 6 with a 3-bit guard 0b101. */
    check_err(seL4_CNode_Copy(top, 3, 4, ROOT, sub, D, seL4_AllRights), seL4_NoError,
              "Copy a CNode cap into another CNode");
    check_err(seL4_CNode_Mint(top, 6, 4, ROOT, sub, D, seL4_AllRights,
                              seL4_CNode_CapData_new(5, 3).words[0]),
              seL4_NoError, "Mint a CNode cap with a 3-bit guard");
    check_err(seL4_CNode_Copy(top, (3 << 4) | 9, 8, ROOT, ntfn, D, seL4_AllRights), seL4_NoError,
              "Copy through two levels (depth 8)");
    check_err(seL4_CNode_Move(ROOT, s, D, sub, 9, 4), seL4_NoError,
              "the two-level copy landed in the sub-CNode's slot 9");
    check_err(seL4_CNode_Copy(top, (6 << 7) | (5 << 4) | 10, 11, ROOT, ntfn, D, seL4_AllRights),
              seL4_NoError, "Copy through a guarded sub-CNode (depth 11)");
    check_err(seL4_CNode_Delete(sub, 10, 4), seL4_NoError, "...and it is in slot 10");
    check_lookup(seL4_CNode_Copy(top, (6 << 7) | (4 << 4) | 10, 11, ROOT, ntfn, D,
                                 seL4_AllRights),
                 0, seL4_GuardMismatch, 3, 7, 5, 3, "wrong guard in a sub-CNode -> GuardMismatch");
    check_lookup(seL4_CNode_Copy(top, (6 << 2) | 1, 6, ROOT, ntfn, D, seL4_AllRights), 0,
                 seL4_GuardMismatch, 3, 2, 5, 3,
                 "fewer bits left than the guard -> GuardMismatch");
    check_err(seL4_CNode_Mint(top, 7, 4, ROOT, sub, D, seL4_AllRights,
                              seL4_CNode_CapData_new(0, 61).words[0]),
              seL4_IllegalOperation, "Mint a CNode cap with guard + radix > 64 -> IllegalOperation");
    check_err(seL4_CNode_Mutate(top, 8, 4, top, 6, 4, seL4_CNode_CapData_new(1, 1).words[0]),
              seL4_NoError, "Mutate a CNode cap to a new guard");
    check_err(seL4_CNode_Copy(top, (8 << 5) | (1 << 4) | 11, 9, ROOT, ntfn, D, seL4_AllRights),
              seL4_NoError, "the mutated guard is in effect");
    check(!empty(s), "the cap moved out of the sub-CNode is in the root CNode");
}

static void test_rights_and_badges(void)
{
    seL4_CPtr ntfn = conf_object(seL4_NotificationObject, 0);
    seL4_CPtr badged = conf_slot(), copy = conf_slot(), ro = conf_slot(), ro2 = conf_slot(),
              s = conf_slot();

    check_err(seL4_CNode_Mint(ROOT, badged, D, ROOT, ntfn, D, seL4_AllRights, 5), seL4_NoError,
              "Mint a notification cap with badge 5");
    check_eq(signal_and_poll(badged, ntfn), 5, "Signal through the minted cap delivers badge 5");
    check_err(seL4_CNode_Mint(ROOT, s, D, ROOT, badged, D, seL4_AllRights, 6),
              seL4_IllegalOperation, "Mint a new badge onto a badged cap -> IllegalOperation");
    check_err(seL4_CNode_Copy(ROOT, copy, D, ROOT, badged, D, seL4_AllRights), seL4_NoError,
              "Copy a badged cap");
    check_eq(signal_and_poll(copy, ntfn), 5, "the copy keeps badge 5");
    check_err(seL4_CNode_Mint(ROOT, ro, D, ROOT, badged, D, seL4_AllRights, 0),
              seL4_IllegalOperation, "Mint from a badged cap, even with badge 0 -> IllegalOperation");
    check_err(seL4_CNode_Copy(ROOT, ro, D, ROOT, badged, D, seL4_CanRead), seL4_NoError,
              "Copy a badged cap with read-only rights");
    check_eq(signal_and_poll(ro, ntfn), 0, "Signal through a cap without write right does nothing");
    check_err(seL4_CNode_Copy(ROOT, ro2, D, ROOT, ro, D, seL4_AllRights), seL4_NoError,
              "Copy the read-only cap asking for all rights");
    check_eq(signal_and_poll(ro2, ntfn), 0, "rights cannot be regained by copying");
    check_err(seL4_CNode_Mutate(ROOT, s, D, ROOT, copy, D, 9), seL4_IllegalOperation,
              "Mutate a notification cap -> IllegalOperation");
    check(!empty(copy) && empty(s), "the failed Mutate left both slots unchanged");

    seL4_CPtr ep = conf_object(seL4_EndpointObject, 0);
    seL4_CPtr ep_nw = conf_slot();
    check_err(seL4_CNode_Copy(ROOT, ep_nw, D, ROOT, ep, D, seL4_NoWrite), seL4_NoError,
              "Copy an endpoint cap without write right");
    seL4_MessageInfo_t r = seL4_Call(ep_nw, seL4_MessageInfo_new(0, 0, 0, 0));
    check_eq(seL4_MessageInfo_get_label(r), seL4_InvalidCapability,
             "Call through an endpoint cap without write right -> InvalidCapability");
    check_err(seL4_CNode_CancelBadgedSends(ROOT, ep_nw, D), seL4_IllegalOperation,
              "CancelBadgedSends without full rights -> IllegalOperation");
    check_err(seL4_CNode_CancelBadgedSends(ROOT, ep, D), seL4_NoError,
              "CancelBadgedSends with full rights");
    check_err(seL4_CNode_CancelBadgedSends(ROOT, ntfn, D), seL4_IllegalOperation,
              "CancelBadgedSends on a notification cap -> IllegalOperation");
}

static void test_move_rotate(void)
{
    seL4_CPtr a = conf_object(seL4_X86_4K, 0), b = conf_object(seL4_X86_4K, 0);
    seL4_Word pa = paddr(a), pb = paddr(b);
    seL4_CPtr m = conf_slot(), dest = conf_slot(), ntfn = conf_object(seL4_NotificationObject, 0);

    check_err(seL4_CNode_Move(ROOT, m, D, ROOT, a, D), seL4_NoError, "Move a cap");
    check(empty(a) && paddr(m) == pa, "Move empties the source and fills the destination");
    check_lookup(seL4_CNode_Move(ROOT, dest, D, ROOT, a, D), 1, seL4_MissingCapability, 1, D, 0,
                 0, "Move from an empty slot -> FailedLookup (source)");
    check_err(seL4_CNode_Move(ROOT, b, D, ROOT, m, D), seL4_DeleteFirst,
              "Move into an occupied slot -> DeleteFirst");
    check_err(seL4_CNode_Move(ROOT, a, D, ROOT, m, D), seL4_NoError, "Move it back");

    /* Rotate(dest <- pivot <- src): dest gets the pivot's cap, the pivot gets src's. */
    check_err(seL4_CNode_Rotate(ROOT, dest, D, 0, ROOT, b, D, 0, ROOT, a, D), seL4_NoError,
              "Rotate into an empty destination");
    check(empty(a) && paddr(dest) == pb && paddr(b) == pa, "Rotate moved both caps");
    check_err(seL4_CNode_Rotate(ROOT, dest, D, 0, ROOT, b, D, 0, ROOT, dest, D), seL4_NoError,
              "Rotate with source == destination swaps two caps");
    check(paddr(dest) == pa && paddr(b) == pb, "the caps are swapped");
    check_err(seL4_CNode_Rotate(ROOT, dest, D, 0, ROOT, dest, D, 0, ROOT, b, D),
              seL4_IllegalOperation, "Rotate with pivot == destination -> IllegalOperation");
    check_err(seL4_CNode_Rotate(ROOT, b, D, 0, ROOT, dest, D, 0, ROOT, ntfn, D), seL4_DeleteFirst,
              "Rotate into an occupied destination -> DeleteFirst");
    check_lookup(seL4_CNode_Rotate(ROOT, a, D, 0, ROOT, b, D, 0, ROOT, m, D), 1,
                 seL4_MissingCapability, 1, D, 0, 0, "Rotate from an empty source -> FailedLookup");
    seL4_CPtr n2 = conf_object(seL4_NotificationObject, 0);
    check_err(seL4_CNode_Rotate(ROOT, a, D, 0, ROOT, n2, D, 0, ROOT, ntfn, D),
              seL4_IllegalOperation, "Rotate of notification caps (badge update) -> IllegalOperation");
}

static void test_revoke(void)
{
    seL4_CPtr ut = conf_object(seL4_UntypedObject, 16);
    seL4_CPtr base = conf_slot();
    for (int i = 1; i < 4; i++) (void)conf_slot(); /* base..base+3 */
    check_err(seL4_Untyped_Retype(ut, seL4_NotificationObject, 0, ROOT, 0, 0, base, 4),
              seL4_NoError, "retype 4 notifications from an untyped");
    check(!empty(base) && !empty(base + 3), "the 4 objects exist");
    check_err(seL4_CNode_Revoke(ROOT, ut, D), seL4_NoError, "Revoke the untyped");
    check(empty(base) && empty(base + 1) && empty(base + 2) && empty(base + 3) && !empty(ut),
          "Revoke deleted every child and kept the untyped");

    seL4_CPtr ep = conf_object(seL4_EndpointObject, 0);
    seL4_CPtr c1 = conf_slot(), c2 = conf_slot(), c3 = conf_slot();
    seL4_CNode_Copy(ROOT, c1, D, ROOT, ep, D, seL4_AllRights);
    seL4_CNode_Mint(ROOT, c2, D, ROOT, ep, D, seL4_AllRights, 3);
    seL4_CNode_Copy(ROOT, c3, D, ROOT, c2, D, seL4_AllRights);
    check_err(seL4_CNode_Revoke(ROOT, c2, D), seL4_NoError, "Revoke a badged endpoint cap");
    check(!empty(c2) && empty(c3) && !empty(c1), "only the badged cap's copy is gone");
    check_err(seL4_CNode_Revoke(ROOT, ep, D), seL4_NoError, "Revoke the original endpoint cap");
    check(!empty(ep) && empty(c1) && empty(c2), "all derived caps are gone");
    check_err(seL4_CNode_Revoke(ROOT, c1, D), seL4_NoError, "Revoke an empty slot -> NoError");
}

/* Which caps are "revocable" decides what Revoke deletes (manual 3.2, the derivation tree). */
static void test_derivation_tree(void)
{
    seL4_CPtr ep = conf_object(seL4_EndpointObject, 0);
    seL4_CPtr c1 = conf_slot(), c2 = conf_slot(), m0 = conf_slot(), m0c = conf_slot();
    seL4_CNode_Copy(ROOT, c1, D, ROOT, ep, D, seL4_AllRights);
    seL4_CNode_Copy(ROOT, c2, D, ROOT, c1, D, seL4_AllRights);
    check_err(seL4_CNode_Revoke(ROOT, c1, D), seL4_NoError, "Revoke a plain copy of an endpoint cap");
    check(!empty(c2), "a copy of a plain copy survives: plain copies are not revocable");
    seL4_CNode_Mint(ROOT, m0, D, ROOT, ep, D, seL4_AllRights, 0);
    seL4_CNode_Copy(ROOT, m0c, D, ROOT, m0, D, seL4_AllRights);
    seL4_CNode_Revoke(ROOT, m0, D);
    check(!empty(m0c), "Mint with badge 0 is like a copy: revoking it deletes nothing");
    seL4_CPtr moved = conf_slot();
    seL4_CNode_Move(ROOT, moved, D, ROOT, ep, D);
    check_err(seL4_CNode_Revoke(ROOT, moved, D), seL4_NoError, "Revoke the original cap after moving it");
    check(empty(c1) && empty(c2) && empty(m0) && empty(m0c) && !empty(moved),
          "a moved cap keeps its place in the tree: all its copies are gone");

    seL4_CPtr ut = conf_object(seL4_UntypedObject, 12), utc = conf_slot(), utcc = conf_slot(), obj = conf_slot();
    seL4_CNode_Copy(ROOT, utc, D, ROOT, ut, D, seL4_AllRights);
    check_err(seL4_Untyped_Retype(utc, seL4_EndpointObject, 0, ROOT, 0, 0, obj, 1), seL4_NoError,
              "retype from a copy of an untyped cap");
    seL4_CNode_Copy(ROOT, utcc, D, ROOT, utc, D, seL4_AllRights);
    check_err(seL4_CNode_Revoke(ROOT, utc, D), seL4_NoError, "Revoke the untyped copy");
    check(empty(obj) && empty(utcc) && !empty(utc), "untyped copies are revocable: its object and copy are gone");
    seL4_Untyped_Retype(utc, seL4_EndpointObject, 0, ROOT, 0, 0, obj, 1);
    seL4_CNode_Revoke(ROOT, ut, D);
    check(empty(utc) && empty(obj), "revoking the original untyped removes the copy and its object");

    seL4_CPtr f = conf_object(seL4_X86_4K, 0), fc = conf_slot(), fcc = conf_slot();
    seL4_CNode_Copy(ROOT, fc, D, ROOT, f, D, seL4_AllRights);
    seL4_CNode_Copy(ROOT, fcc, D, ROOT, fc, D, seL4_AllRights);
    seL4_CNode_Revoke(ROOT, fc, D);
    check(!empty(fcc), "frame cap copies are not revocable either");
    seL4_CNode_Revoke(ROOT, f, D);
    check(empty(fc) && empty(fcc), "revoking the frame cap from Retype removes both copies");

    seL4_CPtr cn = conf_object(seL4_CapTableObject, 2), self = conf_slot();
    check_err(seL4_CNode_Copy(cn, 0, 2, ROOT, cn, D, seL4_AllRights), seL4_NoError,
              "put a copy of a CNode cap into that CNode");
    check_err(seL4_CNode_Move(ROOT, self, D, cn, 0, 2), seL4_NoError, "move it back out through itself");
    check(!empty(self), "the cap moved out of the CNode");
    check_err(seL4_CNode_Delete(ROOT, cn, D), seL4_NoError, "delete one of the two CNode caps");
    check_err(seL4_CNode_Copy(self, 1, 2, ROOT, self, D, seL4_AllRights), seL4_NoError,
              "the CNode lives on through the other cap");
}

/* Copy and Mint "derive" the new cap; some caps cannot be derived (kernel deriveCap). */
static void test_derive_rules(void)
{
    seL4_CPtr s = conf_slot(), s2 = conf_slot();
    check_err(seL4_CNode_Copy(ROOT, s, D, ROOT, seL4_CapIRQControl, D, seL4_AllRights),
              seL4_IllegalOperation, "Copy the IRQ control cap -> IllegalOperation");
    check_err(seL4_CNode_Copy(ROOT, s, D, ROOT, seL4_CapIOPortControl, D, seL4_AllRights),
              seL4_IllegalOperation, "Copy the I/O port control cap -> IllegalOperation");
    check_err(seL4_CNode_Move(ROOT, s, D, ROOT, seL4_CapIOPortControl, D), seL4_NoError,
              "Move the I/O port control cap (moving does not derive)");
    check_err(seL4_CNode_Move(ROOT, seL4_CapIOPortControl, D, ROOT, s, D), seL4_NoError, "...and back");
    check_err(seL4_CNode_Copy(ROOT, s, D, ROOT, seL4_CapASIDControl, D, seL4_AllRights), seL4_NoError,
              "Copy the ASID control cap");
    seL4_CNode_Delete(ROOT, s, D);
    check_err(seL4_CNode_Mint(ROOT, s, D, ROOT, seL4_CapInitThreadTCB, D, seL4_AllRights, 5), seL4_NoError,
              "Mint a TCB cap with a badge (the badge is ignored)");
    seL4_CNode_Delete(ROOT, s, D);

    seL4_CPtr pt = conf_object(seL4_X86_PageTableObject, 0), pd = conf_object(seL4_X86_PageDirectoryObject, 0);
    seL4_CPtr pdpt = conf_object(seL4_X86_PDPTObject, 0), pml4 = conf_object(seL4_X64_PML4Object, 0);
    check_err(seL4_CNode_Copy(ROOT, s, D, ROOT, pt, D, seL4_AllRights), seL4_IllegalOperation,
              "Copy an unmapped page table cap -> IllegalOperation");
    check_err(seL4_CNode_Copy(ROOT, s, D, ROOT, pd, D, seL4_AllRights), seL4_IllegalOperation,
              "Copy an unmapped page directory cap -> IllegalOperation");
    check_err(seL4_CNode_Copy(ROOT, s, D, ROOT, pdpt, D, seL4_AllRights), seL4_IllegalOperation,
              "Copy an unmapped PDPT cap -> IllegalOperation");
    check_err(seL4_CNode_Copy(ROOT, s, D, ROOT, pml4, D, seL4_AllRights), seL4_IllegalOperation,
              "Copy a PML4 cap without an ASID -> IllegalOperation");
    seL4_BootInfo *bi = runtime_bootinfo();
    seL4_CPtr mapped_pt = seL4_CapNull;
    for (seL4_CPtr c = bi->userImagePaging.start; c < bi->userImagePaging.end; c++) {
        if (seL4_DebugCapIdentify(c) == 3) {
            mapped_pt = c;
            break;
        }
    }
    check_err(seL4_CNode_Copy(ROOT, s, D, ROOT, mapped_pt, D, seL4_AllRights), seL4_NoError,
              "Copy a mapped page table cap (the root image's)");
    seL4_CNode_Delete(ROOT, s, D);
    check_err(seL4_CNode_Copy(ROOT, s, D, ROOT, seL4_CapInitThreadVSpace, D, seL4_AllRights), seL4_NoError,
              "Copy the root VSpace cap (it has an ASID)");
    seL4_CNode_Delete(ROOT, s, D);

    seL4_CPtr image_frame = bi->userImageFrames.start;
    check_err(seL4_CNode_Copy(ROOT, s, D, ROOT, image_frame, D, seL4_AllRights), seL4_NoError,
              "Copy a mapped frame cap (an image page)");
    check_err(conf_map(s, 0x10000000ul, seL4_CanRead), seL4_NoError,
              "the copy is unmapped: it can be mapped at another address");
    seL4_CNode_Delete(ROOT, s, D);

    seL4_CPtr ut = conf_object(seL4_UntypedObject, 12);
    seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, ROOT, 0, 0, s2, 1);
    check_err(seL4_CNode_Copy(ROOT, s, D, ROOT, ut, D, seL4_AllRights), seL4_RevokeFirst,
              "Copy an untyped cap that has children -> RevokeFirst");
    check_err(seL4_CNode_Move(ROOT, s, D, ROOT, ut, D), seL4_NoError, "Move it instead");
    seL4_CNode_Delete(ROOT, s2, D);
    check_err(seL4_CNode_Copy(ROOT, ut, D, ROOT, s, D, seL4_AllRights), seL4_NoError,
              "Copy it once its children are gone");
}

int main(void)
{
    conf_begin("cnode");
    test_addressing();
    test_sub_cnodes();
    test_rights_and_badges();
    test_move_rotate();
    test_revoke();
    test_derivation_tree();
    test_derive_rules();
    conf_end();
}
