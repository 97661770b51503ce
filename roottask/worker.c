/* HELLO's second thread: the other end of the IPC round trip, then a deliberate fault. */
#include "hello.h"
#include <runtime/runtime.h>
#include <runtime/stdio.h>

/* Stores to HELLO_FAULT_ADDR; the store's address is exported as hello_fault_ip. */
static __attribute__((noinline)) void fault_now(void)
{
    __asm__ volatile(".globl hello_fault_ip\n"
                     "hello_fault_ip:\n\t"
                     "movq $1, (%0)"
                     :
                     : "r"(HELLO_FAULT_ADDR)
                     : "memory");
}

void worker_main(void *arg)
{
    const worker_ctx_t *ctx = arg;

    /* 1. Receive a word and a cap from the root. */
    seL4_SetCapReceivePath(RUNTIME_CAP_CNODE, ctx->recv_slot, seL4_WordBits);
    seL4_MessageInfo_t info = seL4_Recv(ctx->ep, NULL);
    printf("worker: received label %lu, value %lu, %lu cap(s)\n",
           (unsigned long)seL4_MessageInfo_get_label(info), (unsigned long)seL4_GetMR(0),
           (unsigned long)seL4_MessageInfo_get_extraCaps(info));

    /* 2. Use the cap: signal the notification the root waits on. */
    seL4_Signal(ctx->recv_slot);

    /* 3. Call the root and print its reply. */
    seL4_SetMR(0, HELLO_GIFT + 1);
    info = seL4_Call(ctx->ep, seL4_MessageInfo_new(HELLO_PING, 0, 0, 1));
    printf("worker: reply label %lu, value %lu\n",
           (unsigned long)seL4_MessageInfo_get_label(info), (unsigned long)seL4_GetMR(0));

    /* 4. Fault on purpose; the root catches it on our fault endpoint. */
    printf("worker: writing to %#lx\n", HELLO_FAULT_ADDR);
    fault_now();
    printf("worker: still running after the fault?\n");
}
