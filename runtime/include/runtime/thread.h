/*
 * Threads in the calling program's own address space and CSpace (caps 2 and 3, see
 * runtime.h), with priority authority from its own TCB (cap 1).
 *
 * A thread needs a TCB, a stack, a TLS block and an IPC buffer backed by a frame cap.
 * thread_start takes them from the caller; the TLS block (static TLS image of the
 * program, x86_64 variant II, fs:0 pointing to itself) is carved from the top of the
 * stack, so the usable stack is a little smaller than given.  thread_create (root task
 * only) allocates everything with alloc.h and vspace.h.
 */
#pragma once
#include <sel4/sel4.h>

typedef struct thread {
    seL4_CPtr tcb;            /* TCB cap (in the caller's CSpace) */
    seL4_IPCBuffer *ipc;      /* the thread's IPC buffer (page-aligned, mapped) */
    void *stack_top;          /* initial stack pointer region top (below the TLS block) */
    void *tls;                /* thread pointer (fs base) of the thread */
} thread_t;

typedef void (*thread_entry_fn)(void *arg);

/* Configures `tcb` (an unused TCB object) to run entry(arg) on the stack ending at
 * `stack_top` (16-byte aligned, at least 4 KiB) with the IPC buffer `ipc` backed by
 * frame cap `ipc_frame`, fault endpoint `fault_ep` (a CPtr in this CSpace, or
 * seL4_CapNull), priority `prio`, and resumes it.  If entry returns, the thread
 * suspends itself.  Returns seL4_NoError or the first failing invocation's error. */
seL4_Error thread_start(thread_t *t, seL4_CPtr tcb, thread_entry_fn entry, void *arg,
                        void *stack_top, seL4_IPCBuffer *ipc, seL4_CPtr ipc_frame,
                        seL4_CPtr fault_ep, seL4_Word prio);

/* Root task: allocates a TCB, a stack of `stack_pages` pages and an IPC-buffer frame,
 * then thread_start.  `name` is given to the kernel (seL4_DebugNameThread). */
seL4_Error thread_create(thread_t *t, const char *name, thread_entry_fn entry, void *arg,
                         seL4_Word stack_pages, seL4_CPtr fault_ep, seL4_Word prio);

/* Bytes of TLS that thread_start takes from the top of a stack. */
seL4_Word thread_tls_bytes(void);
