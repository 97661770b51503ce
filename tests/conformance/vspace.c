/* Conformance: x86_64 virtual memory (manual 7): paging-structure order, frame mapping
 * rules and errors, unmapping, large pages, GetAddress and ASID pools. */
#include "harness.h"

#define ROOT seL4_CapInitThreadCNode
#define D 64
#define VS seL4_CapInitThreadVSpace
#define ATTR seL4_X86_Default_VMAttributes
#define BASE 0x8000000000ul      /* PML4 slot 1: nothing mapped there at boot */
#define LARGE (BASE + 0x400000ul) /* 2 MiB-aligned, in the same page directory */

static seL4_CPtr report_ep;
static seL4_Word probe_badge = 100;

struct probe_args { seL4_Word addr, write, value; };
static volatile struct probe_args pargs;

static void probe_thread(void *arg)
{
    (void)arg;
    seL4_Word v = 0;
    if (pargs.write)
        *(volatile seL4_Word *)pargs.addr = pargs.value;
    else
        v = *(volatile seL4_Word *)pargs.addr;
    seL4_SetMR(0, v);
    seL4_Send(report_ep, seL4_MessageInfo_new(0x600d, 0, 0, 1));
    conf_park();
}

/* Accesses `addr` from a new thread: returns 0 on success (the value read in *out), or
 * 0x1000 | FSR if the access caused a VM fault at `addr`. */
static seL4_Word probe(seL4_Word addr, bool write, seL4_Word value, seL4_Word *out)
{
    pargs.addr = addr;
    pargs.write = write;
    pargs.value = value;
    seL4_CPtr fep = conf_slot();
    seL4_CNode_Mint(ROOT, fep, D, ROOT, report_ep, D, seL4_AllRights, probe_badge++);
    conf_thread_t t;
    conf_thread_create(&t, probe_thread, NULL, 100, fep);
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(report_ep, &badge);
    seL4_Word label = seL4_MessageInfo_get_label(info), r;
    if (label == 0x600d) {
        if (out) *out = seL4_GetMR(0);
        r = 0;
    } else if (label == seL4_Fault_VMFault && seL4_GetMR(seL4_VMFault_Addr) == addr) {
        r = 0x1000 | seL4_GetMR(seL4_VMFault_FSR);
    } else {
        r = 0xbad0000 | label;
    }
    seL4_TCB_Suspend(t.tcb);
    return r;
}

static seL4_Error map4k(seL4_CPtr f, seL4_Word vaddr, seL4_CapRights_t r)
{
    return seL4_X86_Page_Map(f, VS, vaddr, r, ATTR);
}

static seL4_CPtr pt_at_base;

static void test_structure_order(void)
{
    seL4_CPtr f = conf_object(seL4_X86_4K, 0);
    seL4_CPtr pdpt = conf_object(seL4_X86_PDPTObject, 0), pdpt2 = conf_object(seL4_X86_PDPTObject, 0);
    seL4_CPtr pd = conf_object(seL4_X86_PageDirectoryObject, 0), pd2 = conf_object(seL4_X86_PageDirectoryObject, 0);
    seL4_CPtr pt = conf_object(seL4_X86_PageTableObject, 0), pt2 = conf_object(seL4_X86_PageTableObject, 0);
    pt_at_base = pt;

    check_lookup(map4k(f, BASE, seL4_ReadWrite), 0, seL4_MissingCapability, 1, 39, 0, 0,
                 "Page_Map with no PDPT -> FailedLookup, 39 bits left");
    check_lookup(seL4_X86_PageTable_Map(pt, VS, BASE, ATTR), 0, seL4_MissingCapability, 1, 39, 0, 0,
                 "PageTable_Map with no PDPT -> FailedLookup, 39 bits left");
    check_lookup(seL4_X86_PageDirectory_Map(pd, VS, BASE, ATTR), 0, seL4_MissingCapability, 1, 39, 0,
                 0, "PageDirectory_Map with no PDPT -> FailedLookup, 39 bits left");
    check_err(seL4_X86_PDPT_Map(pdpt, VS, BASE, ATTR), seL4_NoError, "PDPT_Map");
    check_err(seL4_X86_PDPT_Map(pdpt, VS, BASE + (1ul << 39), ATTR), seL4_InvalidCapability,
              "PDPT_Map of an already mapped PDPT -> InvalidCapability");
    check_err(seL4_X86_PDPT_Map(pdpt2, VS, BASE, ATTR), seL4_DeleteFirst,
              "a second PDPT for the same slot -> DeleteFirst");
    check_lookup(map4k(f, BASE, seL4_ReadWrite), 0, seL4_MissingCapability, 1, 30, 0, 0,
                 "Page_Map with no page directory -> FailedLookup, 30 bits left");
    check_lookup(seL4_X86_PageTable_Map(pt, VS, BASE, ATTR), 0, seL4_MissingCapability, 1, 30, 0, 0,
                 "PageTable_Map with no page directory -> FailedLookup, 30 bits left");
    check_err(seL4_X86_PageDirectory_Map(pd, VS, BASE, ATTR), seL4_NoError, "PageDirectory_Map");
    check_err(seL4_X86_PageDirectory_Map(pd2, VS, BASE, ATTR), seL4_DeleteFirst,
              "a second page directory for the same slot -> DeleteFirst");
    check_lookup(map4k(f, BASE, seL4_ReadWrite), 0, seL4_MissingCapability, 1, 21, 0, 0,
                 "Page_Map with no page table -> FailedLookup, 21 bits left");
    check_err(seL4_X86_PageTable_Map(pt, VS, BASE, ATTR), seL4_NoError, "PageTable_Map");
    check_err(seL4_X86_PageTable_Map(pt, VS, BASE + (1ul << 21), ATTR), seL4_InvalidCapability,
              "PageTable_Map of an already mapped page table -> InvalidCapability");
    check_err(seL4_X86_PageTable_Map(pt2, VS, BASE, ATTR), seL4_DeleteFirst,
              "a second page table for the same slot -> DeleteFirst");
    check_err(map4k(f, BASE, seL4_ReadWrite), seL4_NoError, "Page_Map once all levels exist");
    seL4_Word v = 1;
    check(probe(BASE, false, 0, &v) == 0 && v == 0, "a thread reads 0 from the new (zeroed) frame");
    check(probe(BASE + 8, true, 0x1234, NULL) == 0 && probe(BASE + 8, false, 0, &v) == 0 && v == 0x1234,
          "a thread writes and reads it back");
}

static void test_frame_rules(void)
{
    seL4_CPtr f = conf_object(seL4_X86_4K, 0), g = conf_object(seL4_X86_4K, 0);
    seL4_CPtr ntfn = conf_object(seL4_NotificationObject, 0);
    seL4_CPtr pml4 = conf_object(seL4_X64_PML4Object, 0);
    seL4_Word v = 0;
    check_err(map4k(f, BASE + 0x1800, seL4_ReadWrite), seL4_AlignmentError,
              "Page_Map at an address that is not 4 KiB aligned -> AlignmentError");
    check_err(map4k(f, 0x800000000000ul, seL4_ReadWrite), seL4_InvalidArgument,
              "Page_Map in the kernel half (0x800000000000) -> InvalidArgument");
    check_eq(seL4_GetMR(0), 0, "InvalidArgument names argument 0 (vaddr)");
    check_err(map4k(f, 0x7ffffffff000ul, seL4_ReadWrite), seL4_InvalidArgument,
              "Page_Map of the last user page (end above USER_TOP) -> InvalidArgument");
    check_err(seL4_X86_Page_Map(f, ntfn, BASE + 0x1000, seL4_ReadWrite, ATTR), seL4_InvalidCapability,
              "Page_Map into a notification -> InvalidCapability");
    check_eq(seL4_GetMR(0), 1, "InvalidCapability names cap 1 (the VSpace)");
    check_err(seL4_X86_Page_Map(f, pml4, BASE + 0x1000, seL4_ReadWrite, ATTR), seL4_InvalidCapability,
              "Page_Map into a PML4 without an ASID -> InvalidCapability");

    check_err(map4k(f, BASE + 0x1000, seL4_ReadWrite), seL4_NoError, "map a frame");
    check(probe(BASE + 0x1000, true, 0xf1, NULL) == 0, "it is writable");
    check_err(map4k(f, BASE + 0x2000, seL4_ReadWrite), seL4_InvalidArgument,
              "mapping the same frame cap at a second address -> InvalidArgument");
    check_err(map4k(f, BASE + 0x1000, seL4_CanRead), seL4_NoError,
              "mapping it again at the same address with read-only rights (remap)");
    check_eq(probe(BASE + 0x1000, true, 1, NULL), 0x1007, "a write now faults (FSR 7: present, write, user)");
    check(probe(BASE + 0x1000, false, 0, &v) == 0 && v == 0xf1, "a read still works");
    check_err(map4k(f, BASE + 0x1000, seL4_ReadWrite), seL4_NoError, "remap it read-write again");
    check(probe(BASE + 0x1000, true, 0xf1, NULL) == 0, "writes work again after the upgrade");
    check_err(map4k(g, BASE + 0x1000, seL4_ReadWrite), seL4_NoError,
              "mapping a different frame over a mapped 4 KiB page is allowed");
    check(probe(BASE + 0x1000, false, 0, &v) == 0 && v == 0, "the new frame replaced the old one");

    seL4_CPtr ro = conf_slot(), wo = conf_slot(), h = conf_object(seL4_X86_4K, 0);
    seL4_CNode_Copy(ROOT, ro, D, ROOT, h, D, seL4_CanRead);
    check_err(map4k(ro, BASE + 0x3000, seL4_ReadWrite), seL4_NoError,
              "map a read-only frame cap asking for read-write");
    check_eq(probe(BASE + 0x3000, true, 1, NULL), 0x1007, "the cap's rights win: writes fault");
    seL4_CPtr h2 = conf_object(seL4_X86_4K, 0);
    seL4_CNode_Copy(ROOT, wo, D, ROOT, h2, D, seL4_AllRights);
    check_err(map4k(wo, BASE + 0x4000, seL4_CanWrite), seL4_NoError,
              "map with write-only rights (unsupported) succeeds");
    check_eq(probe(BASE + 0x4000, false, 0, NULL), 0x1005,
             "...but as a kernel-only mapping: a user read faults (FSR 5)");

    check_err(seL4_X86_Page_Unmap(f), seL4_NoError, "Page_Unmap");
    check_err(seL4_X86_Page_Unmap(f), seL4_NoError, "Page_Unmap of an unmapped frame");
    check_err(seL4_X86_Page_Unmap(g), seL4_NoError, "unmap the frame that replaced it");
    check_eq(probe(BASE + 0x1000, false, 0, NULL), 0x1004, "after unmapping a read faults (FSR 4)");
    check_err(map4k(f, BASE + 0x5000, seL4_ReadWrite), seL4_NoError,
              "an unmapped frame can be mapped at a new address");
    check(probe(BASE + 0x5000, false, 0, &v) == 0 && v == 0xf1, "its contents are kept");
}

static void test_large_pages(void)
{
    seL4_CPtr lp = conf_object(seL4_X86_LargePageObject, 0), lp2 = conf_object(seL4_X86_LargePageObject, 0);
    check_err(seL4_X86_Page_Map(lp, VS, LARGE + 0x1000, seL4_ReadWrite, ATTR), seL4_AlignmentError,
              "a 2 MiB page at a 4 KiB-aligned address -> AlignmentError");
    check_err(seL4_X86_Page_Map(lp, VS, BASE, seL4_ReadWrite, ATTR), seL4_DeleteFirst,
              "a 2 MiB page where a page table is mapped -> DeleteFirst");
    check_err(seL4_X86_Page_Map(lp, VS, LARGE, seL4_ReadWrite, ATTR), seL4_NoError, "map a 2 MiB page");
    seL4_Word v = 1;
    check(probe(LARGE + 0x1ff000, true, 0x77, NULL) == 0 && probe(LARGE + 0x1ff000, false, 0, &v) == 0 &&
              v == 0x77,
          "its last 4 KiB are accessible");
    seL4_CPtr pt = conf_object(seL4_X86_PageTableObject, 0);
    check_err(seL4_X86_PageTable_Map(pt, VS, LARGE, ATTR), seL4_DeleteFirst,
              "a page table where a 2 MiB page is mapped -> DeleteFirst");
    check_lookup(map4k(conf_object(seL4_X86_4K, 0), LARGE + 0x3000, seL4_ReadWrite), 0,
                 seL4_MissingCapability, 1, 21, 0, 0,
                 "a 4 KiB page inside a 2 MiB mapping -> FailedLookup (no page table)");
    check_err(seL4_X86_Page_Map(lp2, VS, LARGE, seL4_ReadWrite, ATTR), seL4_NoError,
              "a second 2 MiB page over the first is allowed");
    check(probe(LARGE + 0x1ff000, false, 0, &v) == 0 && v == 0, "...and replaces it");
    seL4_X86_Page_GetAddress_t a = seL4_X86_Page_GetAddress(lp);
    check(a.error == seL4_NoError && (a.paddr & 0x1fffff) == 0, "GetAddress of a 2 MiB page is 2 MiB aligned");
}

static void test_get_address(void)
{
    seL4_CPtr ut = conf_object(seL4_UntypedObject, 16);
    seL4_CPtr f1 = conf_slot(), f2 = conf_slot();
    seL4_Untyped_Retype(ut, seL4_X86_4K, 0, ROOT, 0, 0, f1, 1);
    seL4_Untyped_Retype(ut, seL4_X86_4K, 0, ROOT, 0, 0, f2, 1);
    seL4_X86_Page_GetAddress_t a1 = seL4_X86_Page_GetAddress(f1), a2 = seL4_X86_Page_GetAddress(f2);
    check(a1.error == seL4_NoError && a2.error == seL4_NoError && (a1.paddr & 0xfff) == 0 &&
              a2.paddr == a1.paddr + 4096,
          "GetAddress: consecutive frames from one untyped are 4 KiB apart");
    seL4_BootInfo *bi = runtime_bootinfo();
    seL4_Word dev = bi->untyped.end;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        if (bi->untypedList[i].isDevice && bi->untypedList[i].sizeBits >= 12) {
            dev = i;
            break;
        }
    }
    if (dev == bi->untyped.end) {
        check(false, "BootInfo lists a device untyped");
        return;
    }
    seL4_CPtr df = conf_slot();
    seL4_Untyped_Retype(bi->untyped.start + dev, seL4_X86_4K, 0, ROOT, 0, 0, df, 1);
    a1 = seL4_X86_Page_GetAddress(df);
    check(a1.error == seL4_NoError && a1.paddr == bi->untypedList[dev].paddr,
          "GetAddress of a device frame = the device untyped's BootInfo paddr");
}

static void test_table_removal(void)
{
    seL4_CPtr f = conf_object(seL4_X86_4K, 0), copy = conf_slot();
    check_err(map4k(f, BASE + 0x6000, seL4_ReadWrite), seL4_NoError, "map a frame under the page table");
    check(probe(BASE + 0x6000, true, 5, NULL) == 0, "it is accessible");
    seL4_CNode_Copy(ROOT, copy, D, ROOT, pt_at_base, D, seL4_AllRights);
    check_err(seL4_X86_PageTable_Unmap(pt_at_base), seL4_RevokeFirst,
              "PageTable_Unmap while another cap to it exists -> RevokeFirst");
    seL4_CNode_Delete(ROOT, copy, D);
    check_err(seL4_X86_PageTable_Unmap(pt_at_base), seL4_NoError, "PageTable_Unmap");
    check_eq(probe(BASE + 0x6000, false, 0, NULL), 0x1004, "frames below an unmapped page table are gone");
    check_err(seL4_X86_PageTable_Map(pt_at_base, VS, BASE, ATTR), seL4_NoError, "map the page table again");
    check_eq(probe(BASE + 0x6000, false, 0, NULL), 0x1004, "it comes back empty: the old entries were cleared");
    check_err(map4k(f, BASE + 0x9000, seL4_ReadWrite), seL4_InvalidArgument,
              "the frame cap still records its mapping: mapping it elsewhere -> InvalidArgument");
    seL4_Word v = 0;
    check(map4k(f, BASE + 0x6000, seL4_ReadWrite) == seL4_NoError &&
              probe(BASE + 0x6000, false, 0, &v) == 0 && v == 5,
          "mapping it again at its recorded address works, contents kept");
    check_err(seL4_CNode_Delete(ROOT, pt_at_base, D), seL4_NoError, "delete the page table cap");
    check_eq(probe(BASE + 0x5000, false, 0, NULL), 0x1004, "deleting the page table unmaps everything below it");
    check_lookup(map4k(conf_object(seL4_X86_4K, 0), BASE + 0x7000, seL4_ReadWrite), 0,
                 seL4_MissingCapability, 1, 21, 0, 0, "and the slot has no page table any more");
}

static void test_directory_unmap(void)
{
    const seL4_Word base2 = BASE + (1ul << 30); /* next page directory slot of the PDPT */
    seL4_CPtr pd = conf_object(seL4_X86_PageDirectoryObject, 0), pt = conf_object(seL4_X86_PageTableObject, 0);
    seL4_CPtr f = conf_object(seL4_X86_4K, 0);
    check_err(seL4_X86_PageDirectory_Map(pd, VS, base2, ATTR), seL4_NoError, "map a second page directory");
    check_err(seL4_X86_PageTable_Map(pt, VS, base2, ATTR), seL4_NoError, "a page table in it");
    check_err(map4k(f, base2, seL4_ReadWrite), seL4_NoError, "and a frame");
    check(probe(base2, true, 9, NULL) == 0, "the frame is accessible");
    check_err(seL4_X86_PageDirectory_Unmap(pd), seL4_NoError, "PageDirectory_Unmap");
    check_eq(probe(base2, false, 0, NULL), 0x1004, "everything below an unmapped page directory is gone");
    check_lookup(seL4_X86_PageTable_Map(conf_object(seL4_X86_PageTableObject, 0), VS, base2, ATTR), 0,
                 seL4_MissingCapability, 1, 30, 0, 0, "the PDPT slot is empty again (30 bits left)");
    check_err(seL4_X86_PageDirectory_Map(pd, VS, base2, ATTR), seL4_NoError,
              "the unmapped page directory can be mapped again");
    check_eq(probe(base2, false, 0, NULL), 0x1004, "it comes back empty");
}

static void test_sharing_and_zeroing(void)
{
    const seL4_Word base3 = BASE + (2ul << 30);
    seL4_CPtr pd = conf_object(seL4_X86_PageDirectoryObject, 0), pt = conf_object(seL4_X86_PageTableObject, 0);
    seL4_X86_PageDirectory_Map(pd, VS, base3, ATTR);
    seL4_X86_PageTable_Map(pt, VS, base3, ATTR);
    seL4_CPtr ut = conf_object(seL4_UntypedObject, 12), f = conf_slot(), copy = conf_slot();
    seL4_Untyped_Retype(ut, seL4_X86_4K, 0, ROOT, 0, 0, f, 1);
    seL4_CNode_Copy(ROOT, copy, D, ROOT, f, D, seL4_AllRights);
    check(map4k(f, base3, seL4_ReadWrite) == seL4_NoError && map4k(copy, base3 + 0x1000, seL4_ReadWrite) == seL4_NoError,
          "two caps to one frame mapped at two addresses");
    seL4_Word v = 0;
    check(probe(base3, true, 0xfeed, NULL) == 0 && probe(base3 + 0x1000, false, 0, &v) == 0 && v == 0xfeed,
          "a write through one mapping is seen through the other");
    check_err(seL4_CNode_Delete(ROOT, copy, D), seL4_NoError, "delete the second (mapped) frame cap");
    check_eq(probe(base3 + 0x1000, false, 0, NULL), 0x1004, "deleting a mapped frame cap unmaps it");
    check(probe(base3, false, 0, &v) == 0 && v == 0xfeed, "the other mapping is unaffected");
    check_err(seL4_CNode_Revoke(ROOT, ut, D), seL4_NoError, "revoke the untyped (deletes the frame)");
    check_eq(probe(base3, false, 0, NULL), 0x1004, "its mapping is gone too");
    seL4_Untyped_Retype(ut, seL4_X86_4K, 0, ROOT, 0, 0, f, 1);
    check(map4k(f, base3, seL4_ReadWrite) == seL4_NoError && probe(base3, false, 0, &v) == 0 && v == 0,
          "a frame retyped again from the same memory reads as zero");
}

static void test_asid(void)
{
    seL4_CPtr ut13 = conf_object(seL4_UntypedObject, 13), ut12 = conf_object(seL4_UntypedObject, 12);
    seL4_CPtr pool = conf_slot(), pool2 = conf_slot();
    check_err(seL4_X86_ASIDControl_MakePool(seL4_CapASIDControl, ut13, ROOT, pool, D),
              seL4_InvalidCapability, "MakePool from an 8 KiB untyped -> InvalidCapability");
    check_eq(seL4_GetMR(0), 1, "InvalidCapability names cap 1 (the untyped)");
    seL4_CPtr child = conf_slot();
    seL4_Untyped_Retype(ut12, seL4_EndpointObject, 0, ROOT, 0, 0, child, 1);
    check_err(seL4_X86_ASIDControl_MakePool(seL4_CapASIDControl, ut12, ROOT, pool, D), seL4_RevokeFirst,
              "MakePool from an untyped with children -> RevokeFirst");
    seL4_CNode_Delete(ROOT, child, D);
    check_err(seL4_X86_ASIDControl_MakePool(seL4_CapASIDControl, ut12, ROOT, pool, D), seL4_NoError,
              "MakePool from a 4 KiB untyped");
    check_err(seL4_X86_ASIDControl_MakePool(seL4_CapASIDControl, ut12, ROOT, pool2, D), seL4_RevokeFirst,
              "MakePool again from the same untyped -> RevokeFirst");
    seL4_CPtr pml4 = conf_object(seL4_X64_PML4Object, 0), pdpt = conf_object(seL4_X86_PDPTObject, 0);
    seL4_CPtr ntfn = conf_object(seL4_NotificationObject, 0);
    check_err(seL4_X86_ASIDPool_Assign(pool, ntfn), seL4_InvalidCapability,
              "Assign a notification -> InvalidCapability");
    check_err(seL4_X86_PDPT_Map(pdpt, pml4, BASE, ATTR), seL4_InvalidCapability,
              "PDPT_Map into a PML4 without an ASID -> InvalidCapability");
    check_err(seL4_X86_ASIDPool_Assign(pool, pml4), seL4_NoError, "Assign a new PML4 to the new pool");
    check_err(seL4_X86_ASIDPool_Assign(pool, pml4), seL4_InvalidCapability,
              "Assign the same PML4 again -> InvalidCapability");
    check_err(seL4_X86_PDPT_Map(pdpt, pml4, BASE, ATTR), seL4_NoError, "PDPT_Map into the new VSpace");
    check_lookup(seL4_X86_Page_Map(conf_object(seL4_X86_4K, 0), pml4, BASE, seL4_ReadWrite, ATTR), 0,
                 seL4_MissingCapability, 1, 30, 0, 0, "Page_Map there -> FailedLookup, 30 bits left");
    seL4_CPtr f = conf_object(seL4_X86_4K, 0);
    check_err(seL4_X86_Page_Map(f, pml4, 0x1000, seL4_ReadWrite, ATTR), seL4_FailedLookup,
              "Page_Map at an address without a PDPT in the new VSpace -> FailedLookup");
    check_err(map4k(f, BASE + 0x1000, seL4_ReadWrite), seL4_FailedLookup,
              "the root VSpace has no page table at BASE any more -> FailedLookup");
    check_err(seL4_X86_ASIDPool_Assign(seL4_CapInitThreadASIDPool, conf_object(seL4_X64_PML4Object, 0)),
              seL4_NoError, "Assign a PML4 to the initial ASID pool");
}

/* ---- A thread in a second address space ---- */
extern char __image_start[], __image_end[];

/* Maps `frame` at `vaddr` in `vspace`, creating missing paging structures. */
static seL4_Error map_in(seL4_CPtr vspace, seL4_CPtr frame, seL4_Word vaddr, seL4_CapRights_t r)
{
    for (int tries = 0; tries < 4; tries++) {
        seL4_Error e = seL4_X86_Page_Map(frame, vspace, vaddr, r, ATTR);
        if (e != seL4_FailedLookup) return e;
        seL4_Word bits = seL4_GetMR(2);
        if (bits >= 39) {
            e = seL4_X86_PDPT_Map(conf_object(seL4_X86_PDPTObject, 0), vspace, vaddr, ATTR);
        } else if (bits >= 30) {
            e = seL4_X86_PageDirectory_Map(conf_object(seL4_X86_PageDirectoryObject, 0), vspace, vaddr, ATTR);
        } else {
            e = seL4_X86_PageTable_Map(conf_object(seL4_X86_PageTableObject, 0), vspace, vaddr, ATTR);
        }
        if (e != seL4_NoError) return e;
    }
    return seL4_FailedLookup;
}

static seL4_Error map_copy_in(seL4_CPtr vspace, seL4_CPtr frame, seL4_Word vaddr, seL4_CapRights_t r)
{
    seL4_CPtr c = conf_slot();
    seL4_Error e = seL4_CNode_Copy(ROOT, c, D, ROOT, frame, D, seL4_AllRights);
    return e != seL4_NoError ? e : map_in(vspace, c, vaddr, r);
}

#define SHARED_X (BASE + (3ul << 30)) /* mapped in both spaces, to different frames */
static volatile seL4_Word other_marker, other_seen;

static void other_space_thread(void *arg)
{
    (void)arg;
    other_marker = 1;                           /* .bss: a frame shared with the root task */
    other_seen = *(volatile seL4_Word *)SHARED_X; /* its own frame at SHARED_X */
    other_marker = 2;
    (void)*(volatile seL4_Word *)(BASE + 0x5000); /* mapped only in the root task's space */
    other_marker = 3;
    conf_park();
}

static seL4_CPtr second_pml4, second_their_view;

static void unmap_watcher(void *arg)
{
    seL4_CPtr go = (seL4_CPtr)arg;
    for (int round = 0; round < 2; round++) {
        seL4_Word v = *(volatile seL4_Word *)SHARED_X;
        seL4_SetMR(0, v);
        seL4_Send(report_ep, seL4_MessageInfo_new(0x600d, 0, 0, 1));
        seL4_Wait(go, NULL);
    }
    conf_park();
}

/* Unmapping a page from another (inactive) address space must take effect there. */
static void test_unmap_in_other_vspace(void)
{
    seL4_CPtr go = conf_object(seL4_NotificationObject, 0), fe = conf_slot();
    seL4_CNode_Mint(ROOT, fe, D, ROOT, report_ep, D, seL4_AllRights, 0x79);
    conf_thread_t t;
    conf_thread_create(&t, unmap_watcher, (void *)go, 100, fe);
    seL4_CPtr ipc_copy = conf_slot();
    seL4_CNode_Copy(ROOT, ipc_copy, D, ROOT, t.ipc_frame, D, seL4_AllRights);
    map_in(second_pml4, ipc_copy, (seL4_Word)t.ipc, seL4_ReadWrite);
    seL4_TCB_SetSpace(t.tcb, fe, ROOT, 0, second_pml4, 0);
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(report_ep, &badge);
    check(seL4_MessageInfo_get_label(info) == 0x600d && seL4_GetMR(0) == 0x2222,
          "a thread in the second VSpace reads its frame at the shared address");
    check_err(seL4_X86_Page_Unmap(second_their_view), seL4_NoError,
              "the root task unmaps that frame from the second VSpace");
    seL4_Signal(go);
    info = seL4_Recv(report_ep, &badge);
    check(seL4_MessageInfo_get_label(info) == seL4_Fault_VMFault && badge == 0x79 &&
              seL4_GetMR(seL4_VMFault_Addr) == SHARED_X,
          "its next read of that address faults");
    seL4_TCB_Suspend(t.tcb);
}

static void test_second_vspace(void)
{
    seL4_CPtr pml4 = conf_object(seL4_X64_PML4Object, 0);
    second_pml4 = pml4;
    check_err(seL4_X86_ASIDPool_Assign(seL4_CapInitThreadASIDPool, pml4), seL4_NoError,
              "a new VSpace with an ASID from the initial pool");
    seL4_BootInfo *bi = runtime_bootinfo();
    seL4_Word base = (seL4_Word)__image_start & ~4095ul;
    bool ok = true;
    for (seL4_CPtr f = bi->userImageFrames.start; f < bi->userImageFrames.end; f++)
        ok = ok && map_copy_in(pml4, f, base + (f - bi->userImageFrames.start) * 4096, seL4_ReadWrite) == seL4_NoError;
    check(ok, "map copies of all image frames at the same addresses in the new VSpace");

    seL4_CPtr mine = conf_object(seL4_X86_4K, 0), theirs = conf_object(seL4_X86_4K, 0);
    seL4_CPtr their_view = conf_slot();
    seL4_CNode_Copy(ROOT, their_view, D, ROOT, theirs, D, seL4_AllRights);
    second_their_view = their_view;
    check(conf_map(mine, SHARED_X, seL4_ReadWrite) == seL4_NoError &&
              map_in(pml4, their_view, SHARED_X, seL4_ReadWrite) == seL4_NoError,
          "one address, a different frame in each VSpace");
    *(volatile seL4_Word *)SHARED_X = 0x1111;
    seL4_CPtr tv = conf_slot();
    seL4_CNode_Copy(ROOT, tv, D, ROOT, theirs, D, seL4_AllRights);
    check_err(conf_map(tv, SHARED_X + 0x1000, seL4_ReadWrite), seL4_NoError,
              "the root task also maps theirs elsewhere");
    *(volatile seL4_Word *)(SHARED_X + 0x1000) = 0x2222;

    other_marker = 0;
    conf_thread_t t;
    seL4_CPtr fe = conf_slot();
    seL4_CNode_Mint(ROOT, fe, D, ROOT, report_ep, D, seL4_AllRights, 0x77);
    conf_thread_create(&t, other_space_thread, NULL, 100, fe);
    seL4_CPtr ipc_copy = conf_slot();
    seL4_CNode_Copy(ROOT, ipc_copy, D, ROOT, t.ipc_frame, D, seL4_AllRights);
    check_err(map_in(pml4, ipc_copy, (seL4_Word)t.ipc, seL4_ReadWrite), seL4_NoError,
              "map the thread's IPC buffer there too");
    check_err(seL4_TCB_SetSpace(t.tcb, fe, ROOT, 0, pml4, 0), seL4_NoError,
              "move the (not yet running) thread into the new VSpace");
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(report_ep, &badge);
    check(seL4_MessageInfo_get_label(info) == seL4_Fault_VMFault && badge == 0x77 &&
              seL4_GetMR(seL4_VMFault_Addr) == BASE + 0x5000 && other_marker == 2,
          "it runs there: an address mapped only in the root task's VSpace faults");
    check_eq(other_seen, 0x2222, "at the shared address it sees its own frame, not the root task's");
    check_eq(*(volatile seL4_Word *)SHARED_X, 0x1111, "the root task still sees its frame there");
    seL4_TCB_Suspend(t.tcb);
}

/* A thread whose VSpace root is revoked before it runs cannot fetch its first instruction. */
static void never_runs(void *arg)
{
    (void)arg;
    other_marker = 99;
    conf_park();
}

static void test_revoked_vspace(void)
{
    seL4_CPtr pml4 = conf_object(seL4_X64_PML4Object, 0);
    seL4_X86_ASIDPool_Assign(seL4_CapInitThreadASIDPool, pml4);
    seL4_CPtr fe = conf_slot();
    seL4_CNode_Mint(ROOT, fe, D, ROOT, report_ep, D, seL4_AllRights, 0x78);
    other_marker = 0;
    conf_thread_t t;
    conf_thread_create(&t, never_runs, NULL, 100, fe);
    check_err(seL4_TCB_SetSpace(t.tcb, fe, ROOT, 0, pml4, 0), seL4_NoError,
              "give a not-yet-run thread an empty VSpace");
    check_err(seL4_CNode_Revoke(ROOT, pml4, D), seL4_NoError,
              "revoke the PML4 cap (deleting the thread's copy of it)");
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(report_ep, &badge);
    check(seL4_MessageInfo_get_label(info) == seL4_Fault_VMFault && badge == 0x78 &&
              seL4_GetMR(seL4_VMFault_IP) == seL4_GetMR(seL4_VMFault_Addr) && other_marker == 0,
          "a thread without a VSpace faults fetching its first instruction (IP = Addr)");
    check_eq(seL4_GetMR(seL4_VMFault_FSR), 0x4, "FSR 0x4: nothing is mapped for it");
    seL4_TCB_Suspend(t.tcb);
}

/* ---- Code in data pages: writes, aliases and remapping must reach instruction fetch ---- */
typedef seL4_Word (*code_fn)(void);

/* Writes "mov $value, %eax; ret" at `at`. */
static void put_code(volatile unsigned char *at, unsigned value)
{
    at[0] = 0xb8;
    at[1] = (unsigned char)value;
    at[2] = (unsigned char)(value >> 8);
    at[3] = 0;
    at[4] = 0;
    at[5] = 0xc3;
}

static void test_code_pages(void)
{
    seL4_CPtr f;
    volatile unsigned char *page = conf_page(&f);
    code_fn fn = (code_fn)(seL4_Word)page;
    put_code(page, 42);
    check_eq(fn(), 42, "code written into a data page runs (no NX)");
    put_code(page, 43);
    check_eq(fn(), 43, "rewriting it changes what runs");
    seL4_CPtr alias = conf_slot();
    seL4_CNode_Copy(ROOT, alias, D, ROOT, f, D, seL4_AllRights);
    const seL4_Word alias_at = BASE + (3ul << 30) + 0x10000;
    check_err(conf_map(alias, alias_at, seL4_ReadWrite), seL4_NoError, "map the page a second time");
    code_fn fn2 = (code_fn)alias_at;
    check_eq(fn2(), 43, "the alias runs the same code");
    put_code(page, 44);
    check_eq(fn2(), 44, "a write through one mapping changes the code run through the other");
    seL4_X86_Page_Unmap(alias);
    seL4_CPtr g = conf_object(seL4_X86_4K, 0);
    check_err(conf_map(g, alias_at, seL4_ReadWrite), seL4_NoError, "map a different frame at the alias address");
    put_code((volatile unsigned char *)alias_at, 45);
    check_eq(fn2(), 45, "after remapping, the new frame's code runs");
}

static void code_sender(void *arg)
{
    for (int i = 0; i < 30; i++) seL4_SetMR(i, 0);
    seL4_SetMR(20, 0x0000c30000002eb8ull); /* mov $46, %eax; ret */
    seL4_Send((seL4_CPtr)arg, seL4_MessageInfo_new(0, 0, 0, 30));
    conf_park();
}

/* The kernel writes message words into the receiver's IPC buffer: code there must change too. */
static void test_code_written_by_kernel(void)
{
    volatile unsigned char *at = (volatile unsigned char *)&seL4_GetIPCBuffer()->msg[20];
    put_code(at, 41);
    check_eq(((code_fn)(seL4_Word)at)(), 41, "code placed in the root task's IPC buffer runs");
    seL4_CPtr ep = conf_object(seL4_EndpointObject, 0);
    conf_thread_t t;
    conf_thread_create(&t, code_sender, (void *)ep, 100, seL4_CapNull);
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    check(seL4_MessageInfo_get_length(info) == 30 && seL4_GetMR(20) == 0x0000c30000002eb8ull,
          "a 30-word message whose word 20 holds new code arrives");
    check_eq(((code_fn)(seL4_Word)at)(), 46, "the code the kernel wrote there is what runs");
}

/* ---- 1 GiB pages (from a device untyped: 512 MiB of RAM has no 1 GiB untyped) ---- */
#define HUGE_AT 0x10000000000ul /* PML4 slot 2 */
static void test_huge_pages(void)
{
    seL4_BootInfo *bi = runtime_bootinfo();
    seL4_Word dev = bi->untyped.end - bi->untyped.start;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        if (bi->untypedList[i].isDevice && bi->untypedList[i].sizeBits >= 30) {
            dev = i;
            break;
        }
    }
    seL4_CPtr hp = conf_slot(), hp2 = conf_slot(), copy = conf_slot();
    check_err(seL4_Untyped_Retype(bi->untyped.start + dev, seL4_X64_HugePageObject, 0, ROOT, 0, 0, hp, 1),
              seL4_NoError, "retype a 1 GiB page from a device untyped of at least 1 GiB");
    seL4_X86_Page_GetAddress_t a = seL4_X86_Page_GetAddress(hp);
    check(a.error == seL4_NoError && a.paddr == bi->untypedList[dev].paddr && (a.paddr & 0x3ffffffful) == 0,
          "GetAddress of the 1 GiB page = the untyped's paddr, 1 GiB aligned");
    check_lookup(seL4_X86_Page_Map(hp, VS, HUGE_AT, seL4_ReadWrite, ATTR), 0, seL4_MissingCapability, 1, 39,
                 0, 0, "mapping a 1 GiB page with no PDPT -> FailedLookup, 39 bits left");
    seL4_CPtr pdpt = conf_object(seL4_X86_PDPTObject, 0), pd = conf_object(seL4_X86_PageDirectoryObject, 0);
    check_err(seL4_X86_PDPT_Map(pdpt, VS, HUGE_AT, ATTR), seL4_NoError, "map a PDPT for it");
    check_err(seL4_X86_Page_Map(hp, VS, HUGE_AT + 0x200000, seL4_ReadWrite, ATTR), seL4_AlignmentError,
              "a 1 GiB page at a 2 MiB-aligned address -> AlignmentError");
    check_err(seL4_X86_PageDirectory_Map(pd, VS, HUGE_AT, ATTR), seL4_NoError, "a page directory in the slot");
    check_err(seL4_X86_Page_Map(hp, VS, HUGE_AT, seL4_ReadWrite, ATTR), seL4_DeleteFirst,
              "a 1 GiB page where a page directory is mapped -> DeleteFirst");
    check_err(seL4_X86_PageDirectory_Unmap(pd), seL4_NoError, "unmap the page directory");
    check_err(seL4_X86_Page_Map(hp, VS, HUGE_AT, seL4_ReadWrite, ATTR), seL4_NoError, "map the 1 GiB page");
    check_err(seL4_X86_PageDirectory_Map(pd, VS, HUGE_AT, ATTR), seL4_DeleteFirst,
              "a page directory where a 1 GiB page is mapped -> DeleteFirst");
    check_lookup(map4k(conf_object(seL4_X86_4K, 0), HUGE_AT + 0x5000, seL4_ReadWrite), 0, seL4_MissingCapability,
                 1, 30, 0, 0, "a 4 KiB page inside the 1 GiB mapping -> FailedLookup, 30 bits left");
    check_lookup(seL4_X86_Page_Map(conf_object(seL4_X86_LargePageObject, 0), VS, HUGE_AT + 0x200000,
                                   seL4_ReadWrite, ATTR),
                 0, seL4_MissingCapability, 1, 30, 0, 0, "a 2 MiB page inside it -> FailedLookup, 30 bits left");
    check_err(seL4_X86_Page_Map(hp, VS, HUGE_AT + (1ul << 30), seL4_ReadWrite, ATTR), seL4_InvalidArgument,
              "mapping the mapped 1 GiB page at a second address -> InvalidArgument");
    check_err(seL4_X86_Page_Map(hp, VS, HUGE_AT, seL4_CanRead, ATTR), seL4_NoError,
              "remap it read-only at the same address");
    check_eq(probe(HUGE_AT + 0x3ffff000ul, true, 1, NULL), 0x1007, "a write to its last page faults (FSR 7)");
    seL4_CNode_Copy(ROOT, copy, D, ROOT, hp, D, seL4_AllRights);
    a = seL4_X86_Page_GetAddress(copy);
    check(a.error == seL4_NoError && a.paddr == bi->untypedList[dev].paddr, "GetAddress through an unmapped copy");
    check_err(seL4_Untyped_Retype(bi->untyped.start + dev, seL4_X64_HugePageObject, 0, ROOT, 0, 0, hp2, 1),
              bi->untypedList[dev].sizeBits > 30 ? seL4_NoError : seL4_NotEnoughMemory,
              "a second 1 GiB page from the same untyped (if it has room)");
    if (seL4_DebugCapIdentify(hp2) == 1) {
        check_err(seL4_X86_Page_Map(hp2, VS, HUGE_AT, seL4_ReadWrite, ATTR), seL4_NoError,
                  "a second 1 GiB page over the first is allowed");
        a = seL4_X86_Page_GetAddress(hp2);
        check_eq(a.paddr - bi->untypedList[dev].paddr, 1ul << 30, "...it is the next GiB of the untyped");
        check_err(seL4_X86_Page_Unmap(hp), seL4_NoError, "unmapping the replaced page is harmless");
        check_eq(probe(HUGE_AT + 0x3ffff000ul, true, 1, NULL), 0, "the replacing page stays mapped (writable)");
        seL4_X86_Page_Unmap(hp2);
    }
    check_err(seL4_X86_Page_Unmap(hp), seL4_NoError, "Page_Unmap of the 1 GiB page");
    check_eq(probe(HUGE_AT, false, 0, NULL), 0x1004, "after the unmap a read faults (FSR 4)");
    check_err(seL4_X86_PageDirectory_Map(pd, VS, HUGE_AT, ATTR), seL4_NoError,
              "the PDPT slot is free for a page directory again");
    check_err(seL4_X86_Page_Unmap(hp), seL4_NoError, "Page_Unmap of the unmapped 1 GiB page");
    seL4_X86_PageDirectory_Unmap(pd);
}

/* ---- PDPT_Unmap and what it does to the structures below ---- */
#define PDPT_AT 0x18000000000ul /* PML4 slot 3 */
static void test_pdpt_unmap(void)
{
    seL4_CPtr pdpt = conf_object(seL4_X86_PDPTObject, 0), pd = conf_object(seL4_X86_PageDirectoryObject, 0);
    seL4_CPtr pt = conf_object(seL4_X86_PageTableObject, 0), f = conf_object(seL4_X86_4K, 0);
    seL4_CPtr copy = conf_slot();
    check(seL4_X86_PDPT_Map(pdpt, VS, PDPT_AT, ATTR) == seL4_NoError &&
              seL4_X86_PageDirectory_Map(pd, VS, PDPT_AT, ATTR) == seL4_NoError &&
              seL4_X86_PageTable_Map(pt, VS, PDPT_AT, ATTR) == seL4_NoError && map4k(f, PDPT_AT, seL4_ReadWrite) == seL4_NoError,
          "PDPT, page directory, page table and frame in PML4 slot 3");
    check(probe(PDPT_AT, true, 0x33, NULL) == 0, "the frame is accessible");
    seL4_CNode_Copy(ROOT, copy, D, ROOT, pdpt, D, seL4_AllRights);
    check_err(seL4_X86_PDPT_Unmap(pdpt), seL4_RevokeFirst, "PDPT_Unmap while another cap to it exists -> RevokeFirst");
    seL4_CNode_Delete(ROOT, copy, D);
    check_err(seL4_X86_PDPT_Unmap(pdpt), seL4_NoError, "PDPT_Unmap");
    check_eq(probe(PDPT_AT, false, 0, NULL), 0x1004, "everything below an unmapped PDPT is gone");
    check_lookup(map4k(conf_object(seL4_X86_4K, 0), PDPT_AT + 0x1000, seL4_ReadWrite), 0, seL4_MissingCapability,
                 1, 39, 0, 0, "the PML4 slot is empty: Page_Map -> FailedLookup, 39 bits left");
    check_err(seL4_X86_PDPT_Unmap(pdpt), seL4_NoError, "PDPT_Unmap of an unmapped PDPT");
    check_err(seL4_X86_PDPT_Map(pdpt, VS, PDPT_AT, ATTR), seL4_NoError, "map the PDPT again");
    check_eq(probe(PDPT_AT, false, 0, NULL), 0x1004, "it comes back empty");
    check_err(seL4_X86_PageDirectory_Map(pd, VS, PDPT_AT, ATTR), seL4_InvalidCapability,
              "the page directory cap still says mapped: PageDirectory_Map -> InvalidCapability");
    check_lookup(map4k(f, PDPT_AT, seL4_ReadWrite), 0, seL4_MissingCapability, 1, 30, 0, 0,
                 "the frame at its recorded address: no page directory -> FailedLookup, 30 bits left");
    check_err(seL4_X86_PageDirectory_Unmap(pd), seL4_NoError, "PageDirectory_Unmap of the orphaned page directory");
    check_err(seL4_X86_PageDirectory_Map(pd, VS, PDPT_AT, ATTR), seL4_NoError, "...then it can be mapped again");
    check_lookup(map4k(f, PDPT_AT, seL4_ReadWrite), 0, seL4_MissingCapability, 1, 21, 0, 0,
                 "the unmap cleared it: no page table -> FailedLookup, 21 bits left");
    check_err(seL4_X86_PageTable_Map(pt, VS, PDPT_AT, ATTR), seL4_InvalidCapability,
              "the page table cap still says mapped -> InvalidCapability");
    check_err(seL4_X86_PageTable_Unmap(pt), seL4_NoError, "PageTable_Unmap of the orphaned page table");
    check_err(seL4_X86_PageTable_Map(pt, VS, PDPT_AT, ATTR), seL4_NoError, "...then it maps again");
    seL4_Word v = 0;
    check(map4k(f, PDPT_AT, seL4_ReadWrite) == seL4_NoError && probe(PDPT_AT, false, 0, &v) == 0 && v == 0x33,
          "the frame maps again at its recorded address with its contents");
    check_err(seL4_X86_PDPT_Map(conf_object(seL4_X86_PDPTObject, 0), VS, 0x7f8000000000ul, ATTR), seL4_NoError,
              "PDPT_Map in the last user PML4 slot (0x7f8000000000)");
    check_err(seL4_X86_PDPT_Map(conf_object(seL4_X86_PDPTObject, 0), VS, 0x800000000000ul, ATTR),
              seL4_InvalidArgument, "PDPT_Map at 0x800000000000 (kernel half) -> InvalidArgument");
    check_err(seL4_X86_PDPT_Map(conf_object(seL4_X86_PDPTObject, 0), VS, PDPT_AT + 0x123456789ul, ATTR),
              seL4_DeleteFirst, "PDPT_Map at an unaligned address in a used slot -> DeleteFirst (low bits ignored)");
    check_err(seL4_CNode_Delete(ROOT, pdpt, D), seL4_NoError, "delete the mapped PDPT cap");
    check_eq(probe(PDPT_AT, false, 0, NULL), 0x1004, "deleting it unmapped everything below");
    check_err(seL4_X86_PDPT_Map(conf_object(seL4_X86_PDPTObject, 0), VS, PDPT_AT, ATTR), seL4_NoError,
              "the PML4 slot is free again");
}

/* ---- VM attributes (write-through, cache-disabled, PAT bits) ---- */
#define ATTR_AT (PDPT_AT + 0x40000000ul)
static void test_vm_attributes(void)
{
    static const seL4_Word attrs[] = { seL4_X86_WriteThrough, seL4_X86_CacheDisabled, seL4_X86_Uncacheable,
                                       seL4_X86_WriteCombining, 7, 0xfffffffful, ~0ul };
    seL4_CPtr pd = conf_object(seL4_X86_PageDirectoryObject, 0), pt = conf_object(seL4_X86_PageTableObject, 0);
    check_err(seL4_X86_PageDirectory_Map(pd, VS, ATTR_AT, 7), seL4_NoError,
              "PageDirectory_Map with attributes 7 (all cache bits)");
    check_err(seL4_X86_PageTable_Map(pt, VS, ATTR_AT, seL4_X86_CacheDisabled), seL4_NoError,
              "PageTable_Map with CacheDisabled");
    for (unsigned i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
        seL4_CPtr f = conf_object(seL4_X86_4K, 0);
        seL4_Word at = ATTR_AT + 0x1000 * (i + 1), v = 0;
        check_err(seL4_X86_Page_Map(f, VS, at, seL4_ReadWrite, attrs[i]), seL4_NoError,
                  "Page_Map with attributes 0x%lx", attrs[i]);
        check(probe(at, true, 0xa0 + i, NULL) == 0 && probe(at, false, 0, &v) == 0 && v == 0xa0 + i,
              "...the page is readable and writable");
    }
    seL4_CPtr lp = conf_object(seL4_X86_LargePageObject, 0);
    check_err(seL4_X86_Page_Map(lp, VS, ATTR_AT + 0x200000, seL4_ReadWrite, seL4_X86_WriteCombining),
              seL4_NoError, "a 2 MiB page with WriteCombining");
    check_err(seL4_X86_PDPT_Map(conf_object(seL4_X86_PDPTObject, 0), VS, 0x20000000000ul, ~0ul), seL4_NoError,
              "PDPT_Map with all attribute bits set");
}

/* ---- Device frames: memory nothing answers, and frames beyond the CPU's physical address
 * width (QEMU's Nehalem: 40 bits; the kernel hands out device untypeds up to 2^47) ---- */
static seL4_CPtr device_frame(seL4_Word min_paddr, seL4_Word max_paddr)
{
    seL4_BootInfo *bi = runtime_bootinfo();
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        seL4_UntypedDesc *u = &bi->untypedList[i];
        if (!u->isDevice || u->paddr < min_paddr || u->paddr >= max_paddr) continue;
        seL4_CPtr f = conf_slot();
        if (seL4_Untyped_Retype(bi->untyped.start + i, seL4_X86_4K, 0, ROOT, 0, 0, f, 1) == seL4_NoError)
            return f;
    }
    return seL4_CapNull;
}

#define DEV_AT 0x28000000000ul /* PML4 slot 5 */
static void test_device_frames(void)
{
    /* 0x20000000..0x3fffffff: above the 512 MiB of RAM, below the PCI hole */
    seL4_CPtr f = device_frame(0x20000000ul, 0x40000000ul);
    seL4_Word v = 1;
    check(f != seL4_CapNull && conf_map(f, DEV_AT, seL4_ReadWrite) == seL4_NoError,
          "map a device frame from the unassigned range above RAM");
    check(probe(DEV_AT, false, 0, &v) == 0 && v == 0, "a read there returns 0");
    check(probe(DEV_AT, true, 0x77, NULL) == 0 && probe(DEV_AT, false, 0, &v) == 0 && v == 0,
          "a write there is discarded: it reads back 0");

    seL4_CPtr high = device_frame(1ul << 40, 1ul << 48);
    check(high != seL4_CapNull && conf_map(high, DEV_AT + 0x1000, seL4_ReadWrite) == seL4_NoError,
          "map a device frame at a physical address above 2^40 (the kernel accepts it)");
    /* QEMU reports the reserved-bit fault without the present bit */
    check_eq(probe(DEV_AT + 0x1000, false, 0, NULL), 0x100c, "a read faults: FSR 0xc (reserved bit, user)");
    check_eq(probe(DEV_AT + 0x1000, true, 1, NULL), 0x100e, "a write faults: FSR 0xe (reserved bit, write, user)");
}

/* ---- Retyping 1 GiB pages from untypeds that are too small ---- */
static void test_huge_retype_errors(void)
{
    seL4_CPtr ut = conf_object(seL4_UntypedObject, 22), s = conf_slot();
    check_err(seL4_Untyped_Retype(ut, seL4_X64_HugePageObject, 0, ROOT, 0, 0, s, 1), seL4_NotEnoughMemory,
              "retype a 1 GiB page from a 4 MiB untyped -> NotEnoughMemory");
    check_eq(seL4_GetMR(0), 1ul << 22, "...MR0 = the 4 MiB still free");
    check_err(seL4_Untyped_Retype(ut, seL4_X64_HugePageObject, 40, ROOT, 0, 0, s, 1), seL4_NotEnoughMemory,
              "the size argument is ignored for frames: the same error with size 40");
    check_eq(seL4_DebugCapIdentify(s), 0, "...and the slot stays empty");
}

int main(void)
{
    conf_begin("vspace");
    report_ep = conf_object(seL4_EndpointObject, 0);
    test_structure_order();
    test_frame_rules();
    test_large_pages();
    test_get_address();
    test_table_removal();
    test_directory_unmap();
    test_sharing_and_zeroing();
    test_second_vspace();
    test_unmap_in_other_vspace();
    test_revoked_vspace();
    test_code_pages();
    test_code_written_by_kernel();
    test_asid();
    test_huge_pages();
    test_pdpt_unmap();
    test_vm_attributes();
    test_device_frames();
    test_huge_retype_errors();
    conf_end();
}
