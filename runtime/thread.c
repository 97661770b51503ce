/*
 * Threads in the program's own spaces (see thread.h).  The new thread starts in
 * thread_trampoline with rdi pointing at a thread_boot record on its stack; the
 * trampoline sets its TLS base and IPC-buffer pointer, then calls entry(arg).
 */
#include <runtime/thread.h>
#include <runtime/runtime.h>
#include <runtime/alloc.h>
#include <runtime/vspace.h>
#include <runtime/string.h>
#include "tls.h"

typedef struct thread_boot {
    thread_entry_fn entry;
    void *arg;
    seL4_Word tp;
    seL4_IPCBuffer *ipc;
    seL4_CPtr tcb;
} thread_boot_t;

static _Noreturn void thread_trampoline(thread_boot_t *boot)
{
    seL4_SetTLSBase(boot->tp);
    seL4_SetIPCBuffer(boot->ipc);
    boot->entry(boot->arg);
    for (;;) {
        seL4_TCB_Suspend(boot->tcb);
    }
}

static seL4_Word align_down16(seL4_Word v) { return v & ~(seL4_Word)15; }

seL4_Word thread_tls_bytes(void) { return (tls_area_bytes() + 15u) & ~(seL4_Word)15u; }

seL4_Error thread_start(thread_t *t, seL4_CPtr tcb, thread_entry_fn entry, void *arg,
                        void *stack_top, seL4_IPCBuffer *ipc, seL4_CPtr ipc_frame,
                        seL4_CPtr fault_ep, seL4_Word prio)
{
    /* Stack layout from the top down: TLS area, boot record, then the stack proper. */
    seL4_Word top = align_down16((seL4_Word)stack_top);
    seL4_Word tls_area = top - thread_tls_bytes();
    seL4_Word boot_at = align_down16(tls_area - sizeof(thread_boot_t));
    thread_boot_t *boot = (thread_boot_t *)boot_at;
    boot->entry = entry;
    boot->arg = arg;
    boot->tp = tls_init_area((void *)tls_area);
    boot->ipc = ipc;
    boot->tcb = tcb;

    t->tcb = tcb;
    t->ipc = ipc;
    t->stack_top = (void *)boot_at;
    t->tls = (void *)boot->tp;

    seL4_Error err = seL4_TCB_Configure(tcb, fault_ep, RUNTIME_CAP_CNODE, 0, RUNTIME_CAP_VSPACE, 0,
                                        (seL4_Word)ipc, ipc_frame);
    if (err != seL4_NoError) {
        return err;
    }
    err = seL4_TCB_SetPriority(tcb, RUNTIME_CAP_TCB, prio);
    if (err != seL4_NoError) {
        return err;
    }
    /* Enter thread_trampoline as if called: rsp + 8 is 16-byte aligned. */
    seL4_UserContext regs;
    memset(&regs, 0, sizeof(regs));
    regs.rip = (seL4_Word)thread_trampoline;
    regs.rsp = boot_at - 8;
    regs.rdi = boot_at;
    regs.fs_base = boot->tp;
    return seL4_TCB_WriteRegisters(tcb, 1, 0, sizeof(regs) / sizeof(seL4_Word), &regs);
}

seL4_Error thread_create(thread_t *t, const char *name, thread_entry_fn entry, void *arg,
                         seL4_Word stack_pages, seL4_CPtr fault_ep, seL4_Word prio)
{
    seL4_CPtr tcb = alloc_object(seL4_TCBObject, 0);
    seL4_CPtr ipc_frame = seL4_CapNull;
    void *ipc = vspace_alloc_pages(1, &ipc_frame);
    char *stack = vspace_alloc_pages(stack_pages, NULL);
    if (tcb == seL4_CapNull || ipc == NULL || stack == NULL || stack_pages == 0) {
        return seL4_NotEnoughMemory;
    }
#ifdef CONFIG_DEBUG_BUILD
    seL4_DebugNameThread(tcb, name);
#else
    (void)name; /* a release kernel keeps no thread names */
#endif
    return thread_start(t, tcb, entry, arg, stack + (stack_pages << seL4_PageBits), ipc,
                        ipc_frame, fault_ep, prio);
}
