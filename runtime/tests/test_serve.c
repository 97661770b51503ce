/*
 * test-serve: runtime_serve (runtime/serve.c), the receive loop of the supervised
 * services.  The root task plays the RS and the clients: a worker thread serves an
 * endpoint with a notification bound to its TCB; the root pings it, sends requests, IRQ
 * bits, a request answered with a cap and one that ends the loop, and checks what the
 * worker's handlers saw.
 */
#include <runtime/alloc.h>
#include <runtime/runtime.h>
#include <runtime/serve.h>
#include <runtime/stdio.h>
#include <runtime/thread.h>
#include "loop_rig.h"
#define OP_SUM 1u  /* -> MR0 = sum of the registers + badge */
#define OP_CAP 2u  /* -> a copy of the worker's `give` cap */
#define OP_STOP 3u /* the handler ends the loop with seL4_RangeError */

typedef struct shared {
    loop_rig_t rig;
    seL4_CPtr done;     /* the worker signals this after each notification and at its end */
    seL4_CPtr give;     /* sent by OP_CAP (copied into out first) */
    seL4_CPtr out;      /* the worker's slot for the copy it sends */
    seL4_Word notes, nnotes, requests, last_n, cap_replies, out_deleted;
    seL4_Error ended;   /* what runtime_serve returned */
    uint64_t mr[seL4_MsgMaxLength];
} shared_t;

static seL4_Error notified(void *ctx, seL4_Word badge)
{
    shared_t *sh = ctx;
    sh->notes |= badge;
    sh->nnotes++;
    seL4_Signal(sh->done);
    return seL4_NoError;
}

static seL4_MessageInfo_t handle(void *ctx, runtime_request_t *rq)
{
    shared_t *sh = ctx;
    sh->requests++;
    sh->last_n = rq->n;
    seL4_Word op = seL4_MessageInfo_get_label(rq->info);
    if (op == OP_STOP) {
        rq->stop = seL4_RangeError;
        return seL4_MessageInfo_new(0, 0, 0, 0);
    }
    if (op == OP_CAP) {
        seL4_Error err = seL4_CNode_Copy(ROOT, sh->out, seL4_WordBits, ROOT, sh->give, seL4_WordBits, seL4_AllRights);
        if (err != seL4_NoError) return seL4_MessageInfo_new(err, 0, 0, 0);
        seL4_SetCap(0, sh->out);
        return seL4_MessageInfo_new(0, 0, 1, 0);
    }
    uint64_t sum = rq->badge;
    for (unsigned k = 0; k < rq->n; k++) sum += rq->mr[k];
    seL4_SetMR(0, sum);
    return seL4_MessageInfo_new(0, 0, 0, 1);
}

static void after_cap_reply(void *ctx)
{
    shared_t *sh = ctx;
    sh->cap_replies++;
    sh->out_deleted += seL4_CNode_Delete(ROOT, sh->out, seL4_WordBits) == seL4_NoError;
}

static void worker(void *arg)
{
    shared_t *sh = arg;
    const runtime_serve_t s = {
        .handle = handle, .notified = notified, .after_cap_reply = after_cap_reply, .ctx = sh, .mr = sh->mr,
        .recovery_name = "serve-worker", /* no startup page: never printed */
    };
    sh->ended = runtime_serve(&sh->rig.svc, &s);
    seL4_Signal(sh->done);
    for (;;) seL4_TCB_Suspend(sh->rig.t.tcb);
}

static seL4_Word sum_call(seL4_CPtr ep, unsigned n)
{
    for (unsigned k = 0; k < n; k++) seL4_SetMR((int)k, 10u * (k + 1u));
    seL4_Call(ep, seL4_MessageInfo_new(OP_SUM, 0, 0, n));
    return seL4_GetMR(0);
}

int main(void)
{
    static shared_t sh;
    printf("test-serve: start\n");
    seL4_CPtr given = alloc_object(seL4_NotificationObject, 0);
    sh.done = alloc_object(seL4_NotificationObject, 0);
    sh.give = mint(given, 9);
    sh.out = alloc_slot();
    loop_rig_init(&sh.rig);
    seL4_CPtr ack = sh.rig.ack, ping = sh.rig.ping, irq = sh.rig.irq, client = sh.rig.client;
    loop_rig_start(&sh.rig, "serve-worker", worker, &sh);
    thread_t t = sh.rig.t;

    /* 1. A ping is answered on the ack cap; the handlers never see it. */
    seL4_Word w = 0;
    seL4_Signal(ping);
    seL4_Wait(ack, &w);
    check(w == ACK_BADGE, "ping answered with the heartbeat-ack signal");
    check(sum_call(client, 3) == 10 + 20 + 30 + 5, "a request: its registers copied for the handler, badge 5");
    check(sh.requests == 1 && sh.last_n == 3 && sh.nnotes == 0, "the handler saw one request of 3 registers, no notification");
    check(sum_call(client, 0) == 5 && sh.last_n == 0, "a request without registers");

    /* 2. Notification bits other than the ping go to `notified`, without the ping bit. */
    check(seL4_TCB_Suspend(t.tcb) == seL4_NoError, "suspend the worker");
    seL4_Signal(ping);
    seL4_Signal(irq);
    check(seL4_TCB_Resume(t.tcb) == seL4_NoError, "resume it (ping and IRQ pending)");
    seL4_Wait(sh.done, NULL);
    w = 0;
    seL4_Wait(ack, &w);
    check(w == ACK_BADGE && sh.nnotes == 1 && sh.notes == RUNTIME_IRQ_BADGE, "ping answered, IRQ bit to notified");

    /* 3. A reply with a cap: sent with Reply, then after_cap_reply clears the slot. */
    seL4_CPtr recv = alloc_slot();
    seL4_SetCapReceivePath(ROOT, recv, seL4_WordBits);
    seL4_MessageInfo_t r = seL4_Call(client, seL4_MessageInfo_new(OP_CAP, 0, 0, 0));
    check(seL4_MessageInfo_get_label(r) == 0 && seL4_MessageInfo_get_extraCaps(r) == 1, "a cap came with the reply");
    seL4_Signal(recv);
    seL4_Word got = 0;
    seL4_Poll(given, &got);
    check(got == 9, "it is the worker's cap (badge 9)");
    check(sum_call(client, 1) == 15, "the worker serves the next request");
    check(sh.cap_replies == 1 && sh.out_deleted == 1, "after_cap_reply ran once and cleared the sent cap's slot");

    /* 4. A handler's kernel error ends the loop, without a reply. */
    seL4_Send(client, seL4_MessageInfo_new(OP_STOP, 0, 0, 0));
    seL4_Wait(sh.done, NULL);
    check(sh.ended == seL4_RangeError, "runtime_serve returned the handler's error");
    check(sh.requests == 5 && sh.cap_replies == 1, "every request went to the handler once");

    printf("test-serve: %d passed, %d failed\n", passes, failures);
    return failures;
}
