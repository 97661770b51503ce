/*
 * Object invocations (manual ch. 10, "API reference").  Each stub packs its word
 * arguments into message registers in declaration order and its capability
 * arguments into the IPC buffer's extra-cap slots, as libsel4's generated stubs do,
 * and returns the error carried in the reply's label.  On an error, message
 * registers 0-3 hold the kernel's details (seL4_GetMR).
 */
#pragma once
#include <sel4/types.h>
#include <sel4/errors.h>
#include <sel4/invocation.h>
#include <sel4/syscalls.h>

/* Sends `nargs` words and `ncaps` caps to `service`; on return args[0..nret) hold the reply. */
static inline seL4_Error
seL4__Invoke(seL4_CPtr service, seL4_Word label, seL4_Word *args, unsigned nargs,
             const seL4_CPtr *caps, unsigned ncaps, unsigned nret)
{
    seL4_IPCBuffer *b = seL4_GetIPCBuffer();
    for (unsigned i = 0; i < ncaps; i++) b->caps_or_badges[i] = caps[i];
    for (unsigned i = 4; i < nargs; i++) b->msg[i] = args[i];
    seL4_Word m[4] = { 0, 0, 0, 0 };
    for (unsigned i = 0; i < nargs && i < 4; i++) m[i] = args[i];
    seL4_MessageInfo_t tag = seL4_MessageInfo_new(label, 0, ncaps, nargs);
    seL4_MessageInfo_t out = seL4_CallWithMRs(service, tag, &m[0], &m[1], &m[2], &m[3]);
    seL4_Error err = (seL4_Error)seL4_MessageInfo_get_label(out);
    /* Like libsel4: the error details go to the IPC buffer; results are read directly. */
    if (err != seL4_NoError) {
        for (unsigned i = 0; i < 4; i++) b->msg[i] = m[i];
    }
    for (unsigned i = 0; i < nret; i++) args[i] = i < 4 ? m[i] : b->msg[i];
    return err;
}
#define SEL4__NARGS(a) ((unsigned)(sizeof(a) / sizeof((a)[0])))

/* ---- Untyped (manual 10.3.14) ---- */
static inline seL4_Error
seL4_Untyped_Retype(seL4_Untyped _service, seL4_Word type, seL4_Word size_bits, seL4_CNode root,
                    seL4_Word node_index, seL4_Word node_depth, seL4_Word node_offset,
                    seL4_Word num_objects)
{
    seL4_Word a[] = { type, size_bits, node_index, node_depth, node_offset, num_objects };
    seL4_CPtr c[] = { root };
    return seL4__Invoke(_service, UntypedRetype, a, 6, c, 1, 0);
}

/* ---- CNode (manual 10.3.1) ---- */
static inline seL4_Error seL4_CNode_Revoke(seL4_CNode _service, seL4_Word index, seL4_Uint8 depth)
{
    seL4_Word a[] = { index, depth };
    return seL4__Invoke(_service, CNodeRevoke, a, 2, 0, 0, 0);
}

static inline seL4_Error seL4_CNode_Delete(seL4_CNode _service, seL4_Word index, seL4_Uint8 depth)
{
    seL4_Word a[] = { index, depth };
    return seL4__Invoke(_service, CNodeDelete, a, 2, 0, 0, 0);
}

static inline seL4_Error seL4_CNode_CancelBadgedSends(seL4_CNode _service, seL4_Word index,
                                                      seL4_Uint8 depth)
{
    seL4_Word a[] = { index, depth };
    return seL4__Invoke(_service, CNodeCancelBadgedSends, a, 2, 0, 0, 0);
}

/* Moves the caller's reply cap (non-MCS) into the slot at index/depth. */
static inline seL4_Error seL4_CNode_SaveCaller(seL4_CNode _service, seL4_Word index, seL4_Uint8 depth)
{
    seL4_Word a[] = { index, depth };
    return seL4__Invoke(_service, CNodeSaveCaller, a, 2, 0, 0, 0);
}

static inline seL4_Error
seL4_CNode_Copy(seL4_CNode _service, seL4_Word dest_index, seL4_Uint8 dest_depth, seL4_CNode src_root,
                seL4_Word src_index, seL4_Uint8 src_depth, seL4_CapRights_t rights)
{
    seL4_Word a[] = { dest_index, dest_depth, src_index, src_depth, rights.words[0] };
    seL4_CPtr c[] = { src_root };
    return seL4__Invoke(_service, CNodeCopy, a, 5, c, 1, 0);
}

static inline seL4_Error
seL4_CNode_Mint(seL4_CNode _service, seL4_Word dest_index, seL4_Uint8 dest_depth, seL4_CNode src_root,
                seL4_Word src_index, seL4_Uint8 src_depth, seL4_CapRights_t rights, seL4_Word badge)
{
    seL4_Word a[] = { dest_index, dest_depth, src_index, src_depth, rights.words[0], badge };
    seL4_CPtr c[] = { src_root };
    return seL4__Invoke(_service, CNodeMint, a, 6, c, 1, 0);
}

static inline seL4_Error
seL4_CNode_Move(seL4_CNode _service, seL4_Word dest_index, seL4_Uint8 dest_depth, seL4_CNode src_root,
                seL4_Word src_index, seL4_Uint8 src_depth)
{
    seL4_Word a[] = { dest_index, dest_depth, src_index, src_depth };
    seL4_CPtr c[] = { src_root };
    return seL4__Invoke(_service, CNodeMove, a, 4, c, 1, 0);
}

static inline seL4_Error
seL4_CNode_Mutate(seL4_CNode _service, seL4_Word dest_index, seL4_Uint8 dest_depth,
                  seL4_CNode src_root, seL4_Word src_index, seL4_Uint8 src_depth, seL4_Word badge)
{
    seL4_Word a[] = { dest_index, dest_depth, src_index, src_depth, badge };
    seL4_CPtr c[] = { src_root };
    return seL4__Invoke(_service, CNodeMutate, a, 5, c, 1, 0);
}

static inline seL4_Error
seL4_CNode_Rotate(seL4_CNode _service, seL4_Word dest_index, seL4_Uint8 dest_depth,
                  seL4_Word dest_badge, seL4_CNode pivot_root, seL4_Word pivot_index,
                  seL4_Uint8 pivot_depth, seL4_Word pivot_badge, seL4_CNode src_root,
                  seL4_Word src_index, seL4_Uint8 src_depth)
{
    seL4_Word a[] = { dest_index, dest_depth, dest_badge, pivot_index, pivot_depth, pivot_badge,
                      src_index, src_depth };
    seL4_CPtr c[] = { pivot_root, src_root };
    return seL4__Invoke(_service, CNodeRotate, a, 8, c, 2, 0);
}

/* ---- TCB (manual 10.3.13) ---- */
static inline seL4_Error
seL4_TCB_Configure(seL4_TCB _service, seL4_Word fault_ep, seL4_CNode cspace_root,
                   seL4_Word cspace_root_data, seL4_CPtr vspace_root, seL4_Word vspace_root_data,
                   seL4_Word buffer, seL4_CPtr bufferFrame)
{
    seL4_Word a[] = { fault_ep, cspace_root_data, vspace_root_data, buffer };
    seL4_CPtr c[] = { cspace_root, vspace_root, bufferFrame };
    return seL4__Invoke(_service, TCBConfigure, a, 4, c, 3, 0);
}

static inline seL4_Error
seL4_TCB_SetSpace(seL4_TCB _service, seL4_Word fault_ep, seL4_CNode cspace_root,
                  seL4_Word cspace_root_data, seL4_CPtr vspace_root, seL4_Word vspace_root_data)
{
    seL4_Word a[] = { fault_ep, cspace_root_data, vspace_root_data };
    seL4_CPtr c[] = { cspace_root, vspace_root };
    return seL4__Invoke(_service, TCBSetSpace, a, 3, c, 2, 0);
}

static inline seL4_Error seL4_TCB_SetIPCBuffer(seL4_TCB _service, seL4_Word buffer, seL4_CPtr bufferFrame)
{
    seL4_Word a[] = { buffer };
    seL4_CPtr c[] = { bufferFrame };
    return seL4__Invoke(_service, TCBSetIPCBuffer, a, 1, c, 1, 0);
}

static inline seL4_Error seL4_TCB_SetPriority(seL4_TCB _service, seL4_TCB authority, seL4_Word priority)
{
    seL4_Word a[] = { priority };
    seL4_CPtr c[] = { authority };
    return seL4__Invoke(_service, TCBSetPriority, a, 1, c, 1, 0);
}

static inline seL4_Error seL4_TCB_SetMCPriority(seL4_TCB _service, seL4_TCB authority, seL4_Word mcp)
{
    seL4_Word a[] = { mcp };
    seL4_CPtr c[] = { authority };
    return seL4__Invoke(_service, TCBSetMCPriority, a, 1, c, 1, 0);
}

static inline seL4_Error
seL4_TCB_SetSchedParams(seL4_TCB _service, seL4_TCB authority, seL4_Word mcp, seL4_Word priority)
{
    seL4_Word a[] = { mcp, priority };
    seL4_CPtr c[] = { authority };
    return seL4__Invoke(_service, TCBSetSchedParams, a, 2, c, 1, 0);
}

static inline seL4_Error seL4_TCB_Suspend(seL4_TCB _service)
{
    return seL4__Invoke(_service, TCBSuspend, 0, 0, 0, 0, 0);
}

static inline seL4_Error seL4_TCB_Resume(seL4_TCB _service)
{
    return seL4__Invoke(_service, TCBResume, 0, 0, 0, 0, 0);
}

static inline seL4_Error seL4_TCB_BindNotification(seL4_TCB _service, seL4_CPtr notification)
{
    seL4_CPtr c[] = { notification };
    return seL4__Invoke(_service, TCBBindNotification, 0, 0, c, 1, 0);
}

static inline seL4_Error seL4_TCB_UnbindNotification(seL4_TCB _service)
{
    return seL4__Invoke(_service, TCBUnbindNotification, 0, 0, 0, 0, 0);
}

static inline seL4_Error seL4_TCB_SetTLSBase(seL4_TCB _service, seL4_Word tls_base)
{
    seL4_Word a[] = { tls_base };
    return seL4__Invoke(_service, TCBSetTLSBase, a, 1, 0, 0, 0);
}

typedef struct { int error; seL4_Word flags; } seL4_TCB_SetFlags_t;

/* Clears then sets TCB flags (seL4_TCBFlag); returns the resulting flags. */
static inline seL4_TCB_SetFlags_t seL4_TCB_SetFlags(seL4_TCB _service, seL4_Word clear, seL4_Word set)
{
    seL4_Word a[] = { clear, set };
    seL4_TCB_SetFlags_t r;
    r.error = seL4__Invoke(_service, TCBSetFlags, a, 2, 0, 0, 1);
    r.flags = a[0];
    return r;
}

#define SEL4__USERCONTEXT_WORDS (sizeof(seL4_UserContext) / sizeof(seL4_Word))

static inline seL4_Error
seL4_TCB_ReadRegisters(seL4_TCB _service, seL4_Bool suspend_source, seL4_Uint8 arch_flags,
                       seL4_Word count, seL4_UserContext *regs)
{
    seL4_Word a[SEL4__USERCONTEXT_WORDS] = { (seL4_Word)(seL4_Uint8)suspend_source |
                                                 ((seL4_Word)arch_flags << 8),
                                             count };
    seL4_Error err = seL4__Invoke(_service, TCBReadRegisters, a, 2, 0, 0,
                                  (unsigned)SEL4__USERCONTEXT_WORDS);
    /* As libsel4 does, even on an error: the first four registers always, then up to count. */
    seL4_Word *out = (seL4_Word *)regs;
    for (seL4_Word i = 0; i < SEL4__USERCONTEXT_WORDS && (i < 4 || i < count); i++) out[i] = a[i];
    return err;
}

static inline seL4_Error
seL4_TCB_WriteRegisters(seL4_TCB _service, seL4_Bool resume_target, seL4_Uint8 arch_flags,
                        seL4_Word count, seL4_UserContext *regs)
{
    seL4_Word a[2 + SEL4__USERCONTEXT_WORDS];
    const seL4_Word *in = (const seL4_Word *)regs;
    a[0] = (seL4_Word)(seL4_Uint8)resume_target | ((seL4_Word)arch_flags << 8);
    a[1] = count;
    for (unsigned i = 0; i < SEL4__USERCONTEXT_WORDS; i++) a[2 + i] = in[i];
    return seL4__Invoke(_service, TCBWriteRegisters, a, 2 + (unsigned)SEL4__USERCONTEXT_WORDS, 0, 0, 0);
}

static inline seL4_Error
seL4_TCB_CopyRegisters(seL4_TCB _service, seL4_TCB source, seL4_Bool suspend_source,
                       seL4_Bool resume_target, seL4_Bool transfer_frame, seL4_Bool transfer_integer,
                       seL4_Uint8 arch_flags)
{
    seL4_Word a[] = { (seL4_Word)(seL4_Uint8)suspend_source | ((seL4_Word)(seL4_Uint8)resume_target << 1) |
                      ((seL4_Word)(seL4_Uint8)transfer_frame << 2) |
                      ((seL4_Word)(seL4_Uint8)transfer_integer << 3) | ((seL4_Word)arch_flags << 8) };
    seL4_CPtr c[] = { source };
    return seL4__Invoke(_service, TCBCopyRegisters, a, 1, c, 1, 0);
}

/* ---- IRQs (manual 10.3.3-10.3.4, x86 10.3.x) ---- */
static inline seL4_Error
seL4_IRQControl_Get(seL4_IRQControl _service, seL4_Word irq, seL4_CNode root, seL4_Word index,
                    seL4_Uint8 depth)
{
    seL4_Word a[] = { irq, index, depth };
    seL4_CPtr c[] = { root };
    return seL4__Invoke(_service, IRQIssueIRQHandler, a, 3, c, 1, 0);
}

static inline seL4_Error
seL4_IRQControl_GetIOAPIC(seL4_IRQControl _service, seL4_CNode root, seL4_Word index, seL4_Uint8 depth,
                          seL4_Word ioapic, seL4_Word pin, seL4_Word level, seL4_Word polarity,
                          seL4_Word vector)
{
    seL4_Word a[] = { index, depth, ioapic, pin, level, polarity, vector };
    seL4_CPtr c[] = { root };
    return seL4__Invoke(_service, X86IRQIssueIRQHandlerIOAPIC, a, 7, c, 1, 0);
}

static inline seL4_Error
seL4_IRQControl_GetMSI(seL4_IRQControl _service, seL4_CNode root, seL4_Word index, seL4_Uint8 depth,
                       seL4_Word pci_bus, seL4_Word pci_dev, seL4_Word pci_func, seL4_Word handle,
                       seL4_Word vector)
{
    seL4_Word a[] = { index, depth, pci_bus, pci_dev, pci_func, handle, vector };
    seL4_CPtr c[] = { root };
    return seL4__Invoke(_service, X86IRQIssueIRQHandlerMSI, a, 7, c, 1, 0);
}

static inline seL4_Error seL4_IRQHandler_Ack(seL4_IRQHandler _service)
{
    return seL4__Invoke(_service, IRQAckIRQ, 0, 0, 0, 0, 0);
}

static inline seL4_Error seL4_IRQHandler_SetNotification(seL4_IRQHandler _service, seL4_CPtr notification)
{
    seL4_CPtr c[] = { notification };
    return seL4__Invoke(_service, IRQSetIRQHandler, 0, 0, c, 1, 0);
}

static inline seL4_Error seL4_IRQHandler_Clear(seL4_IRQHandler _service)
{
    return seL4__Invoke(_service, IRQClearIRQHandler, 0, 0, 0, 0, 0);
}

/* ---- Domains (manual 10.3.2) ---- */
static inline seL4_Error seL4_DomainSet_Set(seL4_DomainSet _service, seL4_Uint8 domain, seL4_TCB thread)
{
    seL4_Word a[] = { domain };
    seL4_CPtr c[] = { thread };
    return seL4__Invoke(_service, DomainSetSet, a, 1, c, 1, 0);
}

static inline seL4_Error seL4_DomainSet_ScheduleConfigure(seL4_DomainSet _service, seL4_Word index,
                                                          seL4_Uint8 domain, seL4_Time duration)
{
    seL4_Word a[] = { index, domain, duration };
    return seL4__Invoke(_service, DomainScheduleConfigure, a, 3, 0, 0, 0);
}

static inline seL4_Error seL4_DomainSet_ScheduleSetStart(seL4_DomainSet _service, seL4_Word index)
{
    seL4_Word a[] = { index };
    return seL4__Invoke(_service, DomainScheduleSetStart, a, 1, 0, 0, 0);
}

/* ---- x86 I/O ports ---- */
static inline seL4_Error
seL4_X86_IOPortControl_Issue(seL4_X86_IOPortControl _service, seL4_Word first_port, seL4_Word last_port,
                             seL4_CNode root, seL4_Word index, seL4_Uint8 depth)
{
    seL4_Word a[] = { first_port, last_port, index, depth };
    seL4_CPtr c[] = { root };
    return seL4__Invoke(_service, X86IOPortControlIssue, a, 4, c, 1, 0);
}

typedef struct { int error; seL4_Uint8 result; } seL4_X86_IOPort_In8_t;
typedef struct { int error; seL4_Uint16 result; } seL4_X86_IOPort_In16_t;
typedef struct { int error; seL4_Uint32 result; } seL4_X86_IOPort_In32_t;

static inline seL4_X86_IOPort_In8_t seL4_X86_IOPort_In8(seL4_X86_IOPort _service, seL4_Uint16 port)
{
    seL4_Word a[] = { port };
    seL4_X86_IOPort_In8_t r;
    r.error = seL4__Invoke(_service, X86IOPortIn8, a, 1, 0, 0, 1);
    r.result = (seL4_Uint8)a[0];
    return r;
}

static inline seL4_X86_IOPort_In16_t seL4_X86_IOPort_In16(seL4_X86_IOPort _service, seL4_Uint16 port)
{
    seL4_Word a[] = { port };
    seL4_X86_IOPort_In16_t r;
    r.error = seL4__Invoke(_service, X86IOPortIn16, a, 1, 0, 0, 1);
    r.result = (seL4_Uint16)a[0];
    return r;
}

static inline seL4_X86_IOPort_In32_t seL4_X86_IOPort_In32(seL4_X86_IOPort _service, seL4_Uint16 port)
{
    seL4_Word a[] = { port };
    seL4_X86_IOPort_In32_t r;
    r.error = seL4__Invoke(_service, X86IOPortIn32, a, 1, 0, 0, 1);
    r.result = (seL4_Uint32)a[0];
    return r;
}

static inline seL4_Error seL4_X86_IOPort_Out8(seL4_X86_IOPort _service, seL4_Word port, seL4_Word data)
{
    seL4_Word a[] = { port, data };
    return seL4__Invoke(_service, X86IOPortOut8, a, 2, 0, 0, 0);
}

static inline seL4_Error seL4_X86_IOPort_Out16(seL4_X86_IOPort _service, seL4_Word port, seL4_Word data)
{
    seL4_Word a[] = { port, data };
    return seL4__Invoke(_service, X86IOPortOut16, a, 2, 0, 0, 0);
}

static inline seL4_Error seL4_X86_IOPort_Out32(seL4_X86_IOPort _service, seL4_Word port, seL4_Word data)
{
    seL4_Word a[] = { port, data };
    return seL4__Invoke(_service, X86IOPortOut32, a, 2, 0, 0, 0);
}

/* ---- x86_64 virtual memory (manual 7 and 10.4) ---- */
static inline seL4_Error
seL4_X86_ASIDControl_MakePool(seL4_X86_ASIDControl _service, seL4_Untyped untyped, seL4_CNode root,
                              seL4_Word index, seL4_Uint8 depth)
{
    seL4_Word a[] = { index, depth };
    seL4_CPtr c[] = { untyped, root };
    return seL4__Invoke(_service, X86ASIDControlMakePool, a, 2, c, 2, 0);
}

static inline seL4_Error seL4_X86_ASIDPool_Assign(seL4_X86_ASIDPool _service, seL4_CPtr vspace)
{
    seL4_CPtr c[] = { vspace };
    return seL4__Invoke(_service, X86ASIDPoolAssign, 0, 0, c, 1, 0);
}

static inline seL4_Error
seL4_X86_PDPT_Map(seL4_X86_PDPT _service, seL4_X64_PML4 pml4, seL4_Word vaddr, seL4_X86_VMAttributes attr)
{
    seL4_Word a[] = { vaddr, (seL4_Word)attr };
    seL4_CPtr c[] = { pml4 };
    return seL4__Invoke(_service, X86PDPTMap, a, 2, c, 1, 0);
}

static inline seL4_Error seL4_X86_PDPT_Unmap(seL4_X86_PDPT _service)
{
    return seL4__Invoke(_service, X86PDPTUnmap, 0, 0, 0, 0, 0);
}

static inline seL4_Error
seL4_X86_PageDirectory_Map(seL4_X86_PageDirectory _service, seL4_CPtr vspace, seL4_Word vaddr,
                           seL4_X86_VMAttributes attr)
{
    seL4_Word a[] = { vaddr, (seL4_Word)attr };
    seL4_CPtr c[] = { vspace };
    return seL4__Invoke(_service, X86PageDirectoryMap, a, 2, c, 1, 0);
}

static inline seL4_Error seL4_X86_PageDirectory_Unmap(seL4_X86_PageDirectory _service)
{
    return seL4__Invoke(_service, X86PageDirectoryUnmap, 0, 0, 0, 0, 0);
}

static inline seL4_Error
seL4_X86_PageTable_Map(seL4_X86_PageTable _service, seL4_CPtr vspace, seL4_Word vaddr,
                       seL4_X86_VMAttributes attr)
{
    seL4_Word a[] = { vaddr, (seL4_Word)attr };
    seL4_CPtr c[] = { vspace };
    return seL4__Invoke(_service, X86PageTableMap, a, 2, c, 1, 0);
}

static inline seL4_Error seL4_X86_PageTable_Unmap(seL4_X86_PageTable _service)
{
    return seL4__Invoke(_service, X86PageTableUnmap, 0, 0, 0, 0, 0);
}

static inline seL4_Error
seL4_X86_Page_Map(seL4_X86_Page _service, seL4_CPtr vspace, seL4_Word vaddr, seL4_CapRights_t rights,
                  seL4_X86_VMAttributes attr)
{
    seL4_Word a[] = { vaddr, rights.words[0], (seL4_Word)attr };
    seL4_CPtr c[] = { vspace };
    return seL4__Invoke(_service, X86PageMap, a, 3, c, 1, 0);
}

static inline seL4_Error seL4_X86_Page_Unmap(seL4_X86_Page _service)
{
    return seL4__Invoke(_service, X86PageUnmap, 0, 0, 0, 0, 0);
}

typedef struct { int error; seL4_Word paddr; } seL4_X86_Page_GetAddress_t;

static inline seL4_X86_Page_GetAddress_t seL4_X86_Page_GetAddress(seL4_X86_Page _service)
{
    seL4_Word a[1] = { 0 };
    seL4_X86_Page_GetAddress_t r;
    r.error = seL4__Invoke(_service, X86PageGetAddress, a, 0, 0, 0, 1);
    r.paddr = a[0];
    return r;
}
