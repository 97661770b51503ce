/* The receive loop of a supervised service (serve.h). */
#include <runtime/serve.h>
#include <runtime/runtime.h>
#include <runtime/startup.h>
#include <runtime/stdio.h>
#include <runtime/tsc.h>

static const runtime_service_t *caps_or_own(const runtime_service_t *svc)
{
    static runtime_service_t own;
    static bool known;
    if (svc != NULL) return svc;
    if (!known) {
        if (!runtime_service_caps(&own)) panic("runtime_serve: not started as a supervised service");
        known = true;
    }
    return &own;
}

/* Copies the message's registers (at most seL4_MsgMaxLength) into mr; returns how many.
 * Locals only, so that the loop is a load and a store per register. */
static unsigned copy_mrs(seL4_MessageInfo_t info, uint64_t *mr)
{
    const seL4_IPCBuffer *ipc = seL4_GetIPCBuffer();
    unsigned n = (unsigned)seL4_MessageInfo_get_length(info);
    if (n > seL4_MsgMaxLength) n = seL4_MsgMaxLength;
    for (unsigned k = 0; k < n; k++) mr[k] = ipc->msg[k];
    return n;
}

/* Prints the recovery line once, after the first message a restarted incarnation served. */
static void mark_recovery(const char *name, bool *served)
{
    if (*served || name == NULL) return;
    *served = true;
    const runtime_startup_t *su = runtime_startup();
    if (su == NULL || !su->restarted) return;
    printf("%s: gen %lu: first request served (t=%lu)\n", name, (unsigned long)su->generation,
           (unsigned long)runtime_tsc());
}

/* What the loop does after one message. */
enum next { NEXT_RECV, NEXT_REPLY_RECV, NEXT_CAP_REPLY, NEXT_STOP };

/* One message (rq->badge and info as received): the reply in *reply, and what to do
 * next.  Not inlined, so that runtime_serve's loop keeps nothing but pointers in registers
 * across its system call: a register corrupted while the service waits there (most of its
 * time) then faults or changes nothing, where a constant kept in a register (the label
 * mask, the notification bits) would turn every later request into an error for the
 * rest of the incarnation's life: a service that answers heartbeats and refuses
 * everything (campaign seed 1 run 3: the store's r13, its label mask, corrupted). */
static __attribute__((noinline)) enum next one_message(const runtime_serve_t *s, seL4_MessageInfo_t info,
                                                       runtime_request_t *rq, bool *served,
                                                       seL4_MessageInfo_t *reply)
{
    if (runtime_service_is_notification(rq->badge)) {
        rq->stop = s->notified != NULL ? s->notified(s->ctx, rq->badge) : seL4_NoError;
        return rq->stop != seL4_NoError ? NEXT_STOP : NEXT_RECV;
    }
    rq->info = info;
    rq->n = s->mr != NULL ? copy_mrs(info, s->mr) : 0;
    rq->stop = seL4_NoError;
    *reply = s->handle(s->ctx, rq);
    if (rq->stop != seL4_NoError) return NEXT_STOP;
    mark_recovery(s->recovery_name, served);
    if (s->after_cap_reply != NULL && seL4_MessageInfo_get_extraCaps(*reply) != 0) return NEXT_CAP_REPLY;
    return NEXT_REPLY_RECV;
}

seL4_Error runtime_serve(const runtime_service_t *svc, const runtime_serve_t *s)
{
    svc = caps_or_own(svc);
    bool served = false;
    runtime_request_t rq = { .mr = s->mr };
    seL4_MessageInfo_t info = runtime_service_recv_on(svc, &rq.badge);
    for (;;) {
        seL4_MessageInfo_t reply = seL4_MessageInfo_new(0, 0, 0, 0);
        switch (one_message(s, info, &rq, &served, &reply)) {
        case NEXT_STOP:
            return rq.stop;
        case NEXT_RECV:
            info = runtime_service_recv_on(svc, &rq.badge);
            break;
        case NEXT_CAP_REPLY:
            seL4_Reply(reply);
            s->after_cap_reply(s->ctx);
            info = runtime_service_recv_on(svc, &rq.badge);
            break;
        default:
            info = runtime_service_reply_recv_on(svc, reply, &rq.badge);
            break;
        }
    }
}
