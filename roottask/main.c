/*
 * HELLO: the smallest complete seL4 system of the project.
 *   1. print a summary of BootInfo;
 *   2. retype an endpoint, a notification and a TCB;
 *   3. start a second thread in this address space (own stack, IPC buffer frame, TLS);
 *   4. IPC round trip with a cap transfer: send it a word and a badged notification cap,
 *      wait for its signal through that cap, answer its Call;
 *   5. catch its deliberate write to an unmapped page on its fault endpoint and print the
 *      decoded VM fault;
 *   6. end the run with runtime_exit(0) (or 1 if a check failed).
 * Everything printed is the same on the real kernel and on sel4-sim (no slot numbers or
 * kernel-chosen addresses beyond BootInfo's own summary).
 */
#include "hello.h"
#include <runtime/runtime.h>
#include <runtime/alloc.h>
#include <runtime/vspace.h>
#include <runtime/thread.h>
#include <runtime/fault.h>
#include <runtime/stdio.h>

#define WORKER_PRIO 254u   /* below ours (255): it runs only while we are blocked */
#define WORKER_STACK_PAGES 4u

static int failures;

static void check(bool ok, const char *what)
{
    if (!ok) {
        printf("FAIL: %s\n", what);
        failures++;
    }
}

static seL4_CPtr mint(seL4_CPtr src, seL4_Word badge)
{
    seL4_CPtr slot = alloc_slot();
    seL4_Error err = seL4_CNode_Mint(seL4_CapInitThreadCNode, slot, seL4_WordBits,
                                     seL4_CapInitThreadCNode, src, seL4_WordBits,
                                     seL4_AllRights, badge);
    return err == seL4_NoError ? slot : seL4_CapNull;
}

static bool start_worker(thread_t *t, seL4_CPtr tcb, seL4_CPtr fault_ep, worker_ctx_t *ctx)
{
    seL4_CPtr ipc_frame = alloc_object(seL4_X86_4K, 0);
    void *ipc = vspace_reserve(1);
    char *stack = vspace_alloc_pages(WORKER_STACK_PAGES, NULL);
    if (ipc_frame == seL4_CapNull || stack == NULL ||
        vspace_map_frame(seL4_CapInitThreadVSpace, ipc_frame, (seL4_Word)ipc, seL4_ReadWrite) !=
            seL4_NoError) {
        return false;
    }
#ifdef CONFIG_DEBUG_BUILD
    seL4_DebugNameThread(tcb, "hello-worker");
#endif
    seL4_Error err = thread_start(t, tcb, worker_main, ctx,
                                  stack + (WORKER_STACK_PAGES << seL4_PageBits), ipc, ipc_frame,
                                  fault_ep, WORKER_PRIO);
    printf("root: worker thread started at priority %u: %s\n", WORKER_PRIO,
           err == seL4_NoError ? "ok" : "error");
    return err == seL4_NoError;
}

static void round_trip(const worker_ctx_t *ctx, seL4_CPtr ntfn, seL4_CPtr ntfn_badged)
{
    /* Give the worker a word and the badged notification cap. */
    seL4_SetMR(0, HELLO_GIFT);
    seL4_SetCap(0, ntfn_badged);
    seL4_Send(ctx->ep, seL4_MessageInfo_new(HELLO_GIVE_CAP, 0, 1, 1));

    /* It signals through the cap it received: the badge tells which cap it used. */
    seL4_Word badge = 0;
    seL4_Wait(ntfn, &badge);
    printf("root: notification signalled, badge %#lx\n", (unsigned long)badge);
    check(badge == HELLO_NTFN_BADGE, "signal came through the transferred cap");

    /* Answer its Call. */
    seL4_Word sender = ~(seL4_Word)0;
    seL4_MessageInfo_t info = seL4_Recv(ctx->ep, &sender);
    seL4_Word value = seL4_GetMR(0);
    printf("root: call with label %lu, value %lu, badge %lu\n",
           (unsigned long)seL4_MessageInfo_get_label(info), (unsigned long)value,
           (unsigned long)sender);
    check(seL4_MessageInfo_get_label(info) == HELLO_PING && value == HELLO_GIFT + 1 && sender == 0,
          "call contents");
    seL4_SetMR(0, 2 * value);
    seL4_Reply(seL4_MessageInfo_new(HELLO_PONG, 0, 0, 1));
}

static void catch_fault(seL4_CPtr ep)
{
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    seL4_Word n = seL4_MessageInfo_get_length(info);
    seL4_Word mrs[seL4_MsgMaxLength];
    for (seL4_Word i = 0; i < n && i < seL4_MsgMaxLength; i++) {
        mrs[i] = seL4_GetMR((int)i);
    }
    fault_info_t f;
    bool ok = fault_decode(seL4_MessageInfo_get_label(info), mrs, n, &f);
    char line[160];
    fault_format(&f, line, sizeof(line));
    printf("root: fault message, badge %#lx, length %lu\n", (unsigned long)badge, (unsigned long)n);
    printf("root: %s\n", line);
    check(ok && badge == HELLO_FAULT_BADGE && f.type == seL4_Fault_VMFault, "a VM fault arrived");
    check(f.u.vm.addr == HELLO_FAULT_ADDR, "fault address");
    check(f.ip == (seL4_Word)hello_fault_ip, "fault IP is the faulting store");
    check((f.u.vm.fsr & 2) != 0 && !f.u.vm.prefetch, "fault is a data write");
    printf("root: fault address %s, IP %s the store instruction\n",
           f.u.vm.addr == HELLO_FAULT_ADDR ? "as chosen" : "UNEXPECTED",
           f.ip == (seL4_Word)hello_fault_ip ? "is" : "is NOT");
}

int main(void)
{
    printf("HELLO: seL4 root task\n");
    seL4_BootInfo *bi = runtime_bootinfo();
    check(boot_report(bi), "boot report");

    seL4_CPtr ep = alloc_object(seL4_EndpointObject, 0);
    seL4_CPtr ntfn = alloc_object(seL4_NotificationObject, 0);
    seL4_CPtr tcb = alloc_object(seL4_TCBObject, 0);
    seL4_CPtr ntfn_badged = mint(ntfn, HELLO_NTFN_BADGE);
    seL4_CPtr fault_ep = mint(ep, HELLO_FAULT_BADGE);
    worker_ctx_t ctx = { .ep = ep, .recv_slot = alloc_slot() };
    if (ep == seL4_CapNull || ntfn == seL4_CapNull || tcb == seL4_CapNull ||
        ntfn_badged == seL4_CapNull || fault_ep == seL4_CapNull || ctx.recv_slot == seL4_CapNull) {
        printf("root: could not create the objects\n");
        return 1;
    }
    printf("root: retyped an endpoint, a notification and a TCB\n");

    thread_t worker;
    if (!start_worker(&worker, tcb, fault_ep, &ctx)) {
        return 1;
    }
    round_trip(&ctx, ntfn, ntfn_badged);
    catch_fault(ep);

    printf("HELLO: %s\n", failures == 0 ? "all checks passed" : "some checks FAILED");
    return failures == 0 ? 0 : 1;
}
