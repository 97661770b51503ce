/*
 * test-service: runtime_service_recv_on / _reply_recv_on (runtime/service.c) answer the
 * supervisor's pings on the bound notification transparently.  The root task plays the
 * reincarnation server: a worker thread serves an endpoint with a notification bound
 * to its TCB; the root pings it (badge RUNTIME_PING_BADGE), sends requests and
 * driver-style IRQ bits (RUNTIME_IRQ_BADGE), and checks what the worker saw.
 */
#include <runtime/alloc.h>
#include <runtime/runtime.h>
#include <runtime/service.h>
#include <runtime/stdio.h>
#include <runtime/thread.h>
#include "loop_rig.h"

typedef struct shared {
    loop_rig_t rig;
    seL4_CPtr done;          /* the worker signals this after each notification it sees */
    seL4_Word notes;         /* notification badges the worker saw, OR-ed */
    seL4_Word nnotes;
    seL4_Word requests;
} shared_t;

/* Echo server: replies MR0 + badge; records notification deliveries. */
static void worker(void *arg)
{
    shared_t *sh = arg;
    seL4_Word badge;
    seL4_MessageInfo_t info = runtime_service_recv_on(&sh->rig.svc, &badge);
    for (;;) {
        if (runtime_service_is_notification(badge)) {
            sh->notes |= badge;
            sh->nnotes++;
            seL4_Signal(sh->done);
            info = runtime_service_recv_on(&sh->rig.svc, &badge);
            continue;
        }
        sh->requests++;
        (void)info;
        seL4_SetMR(0, seL4_GetMR(0) + badge);
        info = runtime_service_reply_recv_on(&sh->rig.svc, seL4_MessageInfo_new(0, 0, 0, 1), &badge);
    }
}

static seL4_Word call(seL4_CPtr ep, seL4_Word v)
{
    seL4_SetMR(0, v);
    seL4_Call(ep, seL4_MessageInfo_new(0, 0, 0, 1));
    return seL4_GetMR(0);
}

int main(void)
{
    static shared_t sh;
    printf("test-service: start\n");
    sh.done = alloc_object(seL4_NotificationObject, 0);
    loop_rig_init(&sh.rig);
    seL4_CPtr ack = sh.rig.ack, ping = sh.rig.ping, irq = sh.rig.irq, client = sh.rig.client;
    loop_rig_start(&sh.rig, "service-worker", worker, &sh);
    thread_t t = sh.rig.t;

    /* 1. A ping is answered on the ack cap; the service code never sees it. */
    seL4_Word w = 0;
    seL4_Signal(ping);
    seL4_Wait(ack, &w);
    check(w == ACK_BADGE, "ping answered with the heartbeat-ack signal");
    check(call(client, 10) == 15, "a request after the ping is served (10 + badge 5)");
    check(sh.nnotes == 0 && sh.requests == 1, "the worker saw one request and no notification");

    /* 2. A ping pending while a request arrives: both handled, in order. */
    seL4_Signal(ping);
    check(call(client, 20) == 25, "request served while a ping was pending");
    w = 0;
    seL4_Wait(ack, &w);
    check(w == ACK_BADGE, "... and the ping was answered too");

    /* 3. Pings answered by the reply-and-receive path (the worker is in ReplyRecv). */
    for (int k = 0; k < 3; k++) {
        seL4_Signal(ping);
        seL4_Wait(ack, &w);
    }
    check(sh.nnotes == 0 && sh.requests == 2, "three more pings, still invisible to the worker");

    /* 4. Other notification bits reach the service code, without the ping bit. */
    seL4_Signal(irq);
    seL4_Wait(sh.done, NULL);
    check(sh.nnotes == 1 && sh.notes == RUNTIME_IRQ_BADGE, "an IRQ bit is returned to the service");

    /* 5. Ping and IRQ in one delivery: ping answered, IRQ bit returned. */
    check(seL4_TCB_Suspend(t.tcb) == seL4_NoError, "suspend the worker");
    seL4_Signal(ping);
    seL4_Signal(irq);
    check(seL4_TCB_Resume(t.tcb) == seL4_NoError, "resume it (both bits pending)");
    seL4_Wait(sh.done, NULL);
    w = 0;
    seL4_Wait(ack, &w);
    check(w == ACK_BADGE, "combined delivery: ping answered");
    check(sh.nnotes == 2 && sh.notes == RUNTIME_IRQ_BADGE, "combined delivery: only the IRQ bit returned");
    check(call(client, 1) == 6, "the worker still serves requests");

    /* 6. A stuck service does not answer: no ack while it is suspended. */
    check(seL4_TCB_Suspend(t.tcb) == seL4_NoError, "suspend the worker again");
    seL4_Signal(ping);
    seL4_Word pending = 0;
    seL4_Poll(ack, &pending);
    check(pending == 0, "no answer from a suspended service");

    printf("test-service: %d passed, %d failed\n", passes, failures);
    return failures;
}
