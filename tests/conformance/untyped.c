/* Conformance: Untyped_Retype (manual 2.4 and 10.3.14): object sizes, the watermark,
 * alignment, the destination window, errors, revoke and reuse, device untypeds. */
#include "harness.h"

#define ROOT seL4_CapInitThreadCNode
#define D 64

static seL4_CPtr probe_slot;

/* Bytes still free in `ut`, read from the NotEnoughMemory error of an impossible request. */
static seL4_Word mem_left(seL4_CPtr ut)
{
    seL4_Error e = seL4_Untyped_Retype(ut, seL4_UntypedObject, 40, ROOT, 0, 0, probe_slot, 1);
    return e == seL4_NotEnoughMemory ? seL4_GetMR(0) : ~0ul;
}

static seL4_Error retype(seL4_CPtr ut, seL4_Word type, seL4_Word bits, seL4_CPtr dest, seL4_Word n)
{
    return seL4_Untyped_Retype(ut, type, bits, ROOT, 0, 0, dest, n);
}

/* Reserves n consecutive slots of the root CNode and returns the first. */
static seL4_CPtr slots(unsigned n)
{
    seL4_CPtr first = conf_slot();
    for (unsigned i = 1; i < n; i++) (void)conf_slot();
    return first;
}

static void test_object_sizes(void)
{
    static const struct { seL4_Word type, bits, cap_type, size; const char *name; } objs[] = {
        { seL4_TCBObject, 0, 12, 2048, "TCB" },
        { seL4_EndpointObject, 0, 4, 16, "Endpoint" },
        { seL4_NotificationObject, 0, 6, 32, "Notification" },
        { seL4_CapTableObject, 1, 10, 64, "CNode (1 bit)" },
        { seL4_CapTableObject, 5, 10, 1024, "CNode (5 bits)" },
        { seL4_UntypedObject, 4, 2, 16, "Untyped (4 bits)" },
        { seL4_UntypedObject, 13, 2, 8192, "Untyped (13 bits)" },
        { seL4_X86_4K, 0, 1, 4096, "4K frame" },
        { seL4_X86_PageTableObject, 0, 3, 4096, "PageTable" },
        { seL4_X86_PageDirectoryObject, 0, 5, 4096, "PageDirectory" },
        { seL4_X86_PDPTObject, 0, 7, 4096, "PDPT" },
        { seL4_X64_PML4Object, 0, 9, 4096, "PML4" },
    };
    seL4_CPtr ut = conf_object(seL4_UntypedObject, 16);
    check_eq(mem_left(ut), 65536, "a fresh 64 KiB untyped has 65536 bytes free");
    for (unsigned i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
        seL4_CPtr s = conf_slot();
        seL4_Error e = retype(ut, objs[i].type, objs[i].bits, s, 1);
        check(e == seL4_NoError && seL4_DebugCapIdentify(s) == objs[i].cap_type &&
                  mem_left(ut) == 65536 - objs[i].size,
              "retype one %s: cap type %lu, uses %lu bytes", objs[i].name, objs[i].cap_type,
              objs[i].size);
        seL4_CNode_Revoke(ROOT, ut, D);
    }
    seL4_CPtr big = conf_object(seL4_UntypedObject, 22);
    seL4_CPtr s = conf_slot();
    check_err(retype(big, seL4_X86_LargePageObject, 0, s, 1), seL4_NoError, "retype a 2 MiB page");
    check(seL4_DebugCapIdentify(s) == 1 && mem_left(big) == (1ul << 22) - (1ul << 21),
          "the large page is a frame cap of 2 MiB");
}

static void test_watermark(void)
{
    seL4_CPtr ut = conf_object(seL4_UntypedObject, 16);
    seL4_CPtr s = slots(8);
    check_err(retype(ut, seL4_EndpointObject, 0, s, 1), seL4_NoError, "retype an endpoint");
    check_eq(mem_left(ut), 65536 - 16, "watermark after one endpoint");
    check_err(retype(ut, seL4_TCBObject, 0, s + 1, 1), seL4_NoError, "retype a TCB after it");
    check_eq(mem_left(ut), 65536 - 4096, "the TCB was aligned to 2 KiB (watermark at 4096)");
    check_err(retype(ut, seL4_NotificationObject, 0, s + 2, 3), seL4_NoError,
              "retype 3 notifications at once");
    check(seL4_DebugCapIdentify(s + 2) == 6 && seL4_DebugCapIdentify(s + 4) == 6 &&
              seL4_DebugCapIdentify(s + 5) == 0,
          "they fill exactly the 3 slots of the window");
    check_eq(mem_left(ut), 65536 - 4096 - 96, "watermark after 3 notifications");

    /* Deleting every child (without Revoke) also lets the untyped start again from 0. */
    for (int i = 0; i < 5; i++) seL4_CNode_Delete(ROOT, s + i, D);
    check_err(retype(ut, seL4_X86_4K, 0, s, 1), seL4_NoError,
              "retype after all children were deleted");
    check_eq(mem_left(ut), 65536 - 4096, "the untyped restarted at offset 0");
}

static void test_errors(void)
{
    seL4_CPtr ut = conf_object(seL4_UntypedObject, 12);
    seL4_CPtr s = slots(4);
    check_err(retype(ut, seL4_TCBObject, 0, s, 3), seL4_NotEnoughMemory,
              "3 TCBs from a 4 KiB untyped -> NotEnoughMemory");
    check_eq(seL4_GetMR(0), 4096, "NotEnoughMemory reports 4096 bytes left");
    check_err(retype(ut, seL4_TCBObject, 0, s, 2), seL4_NoError, "2 TCBs fit exactly");
    check_err(retype(ut, seL4_EndpointObject, 0, s + 2, 1), seL4_NotEnoughMemory,
              "a full untyped -> NotEnoughMemory");
    check_eq(seL4_GetMR(0), 0, "NotEnoughMemory reports 0 bytes left");
    check_err(retype(ut, seL4_UntypedObject, 13, s + 2, 1), seL4_NotEnoughMemory,
              "an untyped larger than its parent -> NotEnoughMemory");

    seL4_CPtr u2 = conf_object(seL4_UntypedObject, 16);
    check_err(retype(u2, 100, 0, s + 2, 1), seL4_InvalidArgument, "bad object type -> InvalidArgument");
    check_eq(seL4_GetMR(0), 0, "InvalidArgument names argument 0 (type)");
    check_err(retype(u2, seL4_ObjectTypeCount, 0, s + 2, 1), seL4_InvalidArgument,
              "type seL4_ObjectTypeCount -> InvalidArgument");
    check_range(retype(u2, seL4_UntypedObject, 64, s + 2, 1), 0, 47,
                "untyped size_bits 64 -> RangeError [0, 47]");
    check_range(retype(u2, seL4_UntypedObject, 48, s + 2, 1), 0, 47,
                "untyped size_bits 48 -> RangeError [0, 47]");
    check_range(retype(u2, seL4_CapTableObject, 43, s + 2, 1), 0, 47,
                "CNode of 2^43 slots (2^48 bytes) -> RangeError [0, 47]");
    check_err(retype(u2, seL4_UntypedObject, 3, s + 2, 1), seL4_InvalidArgument,
              "untyped size_bits 3 -> InvalidArgument");
    check_eq(seL4_GetMR(0), 1, "InvalidArgument names argument 1 (size_bits)");
    check_err(retype(u2, seL4_CapTableObject, 0, s + 2, 1), seL4_InvalidArgument,
              "CNode size_bits 0 -> InvalidArgument");
    check_range(retype(u2, seL4_EndpointObject, 0, s + 2, 257), 1, 256,
                "257 objects (fan-out limit 256) -> RangeError [1, 256]");
    check_range(retype(u2, seL4_EndpointObject, 0, s + 2, 0), 1, 256,
                "0 objects -> RangeError [1, 256]");
    check_range(retype(u2, seL4_EndpointObject, 0, 4096, 1), 0, 4095,
                "destination offset 4096 in a 4096-slot CNode -> RangeError [0, 4095]");
    check_range(retype(u2, seL4_EndpointObject, 0, 4094, 3), 1, 2,
                "window overrunning the CNode -> RangeError [1, 2]");
    check_err(retype(u2, seL4_EndpointObject, 0, s, 1), seL4_DeleteFirst,
              "destination slot occupied -> DeleteFirst");
    check_err(retype(u2, seL4_EndpointObject, 0, s + 1, 2), seL4_DeleteFirst,
              "one occupied slot in the window -> DeleteFirst");
    check_eq(mem_left(u2), 65536, "failed retypes used no memory");
    seL4_CPtr ntfn = conf_object(seL4_NotificationObject, 0);
    check_lookup(seL4_Untyped_Retype(u2, seL4_EndpointObject, 0, ntfn, 0, 0, 0, 1), 0,
                 seL4_MissingCapability, 1, 0, 0, 0,
                 "destination root is not a CNode -> FailedLookup (missing cap)");
    check_lookup(seL4_Untyped_Retype(u2, seL4_EndpointObject, 0, ROOT, ntfn, D, 0, 1), 0,
                 seL4_MissingCapability, 1, D, 0, 0,
                 "destination index names a notification -> FailedLookup");
    check_lookup(seL4_Untyped_Retype(u2, seL4_EndpointObject, 0, ROOT, 1ul << 20, D, 0, 1), 0,
                 seL4_GuardMismatch, 3, 64, 0, 52, "destination index with bad guard -> GuardMismatch");
    seL4_MessageInfo_t r = seL4_Call(u2, seL4_MessageInfo_new(CNodeCopy, 0, 0, 6));
    check_eq(seL4_MessageInfo_get_label(r), seL4_IllegalOperation,
             "a CNode label on an untyped -> IllegalOperation");
    r = seL4_Call(u2, seL4_MessageInfo_new(UntypedRetype, 0, 0, 5));
    check_eq(seL4_MessageInfo_get_label(r), seL4_TruncatedMessage,
             "Retype with 5 message words -> TruncatedMessage");
}

static void test_sub_cnode_and_reuse(void)
{
    seL4_CPtr ut = conf_object(seL4_UntypedObject, 16);
    seL4_CPtr cn = conf_object(seL4_CapTableObject, 3);
    check_err(seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, ROOT, cn, D, 2, 6), seL4_NoError,
              "retype 6 endpoints into slots 2..7 of a sub-CNode (depth 64)");
    seL4_CPtr s = conf_slot();
    check_err(seL4_CNode_Move(ROOT, s, D, cn, 7, 3), seL4_NoError, "slot 7 of the sub-CNode holds one");
    check_range(seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, ROOT, cn, D, 0, 9), 1, 8,
                "9 objects into an 8-slot CNode -> RangeError [1, 8]");
    check_err(seL4_CNode_Revoke(ROOT, ut, D), seL4_NoError, "Revoke the untyped");
    check(seL4_DebugCapIdentify(s) == 0, "the moved child is gone too");
    check_eq(mem_left(ut), 65536, "after Revoke the untyped is empty again");
    check_err(retype(ut, seL4_UntypedObject, 16, s, 1), seL4_NoError,
              "reuse: retype an untyped covering all of it");
    check_err(retype(ut, seL4_EndpointObject, 0, conf_slot(), 1), seL4_NotEnoughMemory,
              "the child untyped took all of it -> NotEnoughMemory");
}

static void test_device(void)
{
    seL4_BootInfo *bi = runtime_bootinfo();
    seL4_CPtr dev = seL4_CapNull;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        if (bi->untypedList[i].isDevice && bi->untypedList[i].sizeBits >= 16) {
            dev = bi->untyped.start + i;
            break;
        }
    }
    check(dev != seL4_CapNull, "BootInfo lists a device untyped of at least 64 KiB");
    if (dev == seL4_CapNull) return;
    seL4_CPtr s = slots(3);
    check_err(retype(dev, seL4_TCBObject, 0, s, 1), seL4_InvalidArgument,
              "TCB from a device untyped -> InvalidArgument");
    check_eq(seL4_GetMR(0), 1, "InvalidArgument names argument 1");
    check_err(retype(dev, seL4_EndpointObject, 0, s, 1), seL4_InvalidArgument,
              "endpoint from a device untyped -> InvalidArgument");
    check_err(retype(dev, seL4_UntypedObject, 12, s, 1), seL4_NoError,
              "untyped from a device untyped");
    check_err(retype(s, seL4_CapTableObject, 2, s + 1, 1), seL4_InvalidArgument,
              "a device untyped's child is also device memory");
    check_err(retype(dev, seL4_X86_4K, 0, s + 1, 1), seL4_NoError, "frame from a device untyped");
    check_eq(seL4_DebugCapIdentify(s + 1), 1, "it is a frame cap");
    seL4_CNode_Revoke(ROOT, dev, D);
}

int main(void)
{
    conf_begin("untyped");
    probe_slot = conf_slot();
    test_object_sizes();
    test_watermark();
    test_errors();
    test_sub_cnode_and_reuse();
    test_device();
    conf_end();
}
