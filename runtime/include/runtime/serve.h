/*
 * The receive loop every supervised service runs (kv, store, names, the timer and serial
 * drivers): wait on the service endpoint (answering the RS's pings, service.h), hand a
 * notification delivery to `notified` and a message to `handle`, send handle's reply
 * and wait again, with seL4_ReplyRecv.  A reply that carries caps is sent with seL4_Reply
 * instead, then `after_cap_reply` drops the server's copy of what it sent (clears the
 * slot) before the next seL4_Recv.
 *
 * Services keep their policy in their handlers: decoding (with svc_request_label), the
 * badge checks and the reply are theirs; the loop only moves messages.
 */
#pragma once
#include <sel4/sel4.h>
#include <stdint.h>
#include <runtime/service.h>

/* One message as the loop received it. */
typedef struct runtime_request {
    seL4_MessageInfo_t info;
    seL4_Word badge;
    unsigned n;         /* registers copied into mr (min(length, seL4_MsgMaxLength)), 0 if mr is NULL */
    const uint64_t *mr; /* runtime_serve_t.mr */
    seL4_Error stop;    /* set by the handler: a kernel error that ends the loop (nothing is sent) */
} runtime_request_t;

typedef struct runtime_serve {
    /* The reply to a message (rq->stop: see above). */
    seL4_MessageInfo_t (*handle)(void *ctx, runtime_request_t *rq);
    /* A notification delivery (badge: its bits without the ping bit); a kernel error ends
     * the loop with that error.  NULL: ignored. */
    seL4_Error (*notified)(void *ctx, seL4_Word badge);
    /* After a reply with caps (seL4_Reply): release what was sent.  NULL: such replies are
     * sent like the others. */
    void (*after_cap_reply)(void *ctx);
    void *ctx;
    /* Where the message's registers are copied first (seL4_MsgMaxLength words), or NULL
     * to leave them in the IPC buffer. */
    uint64_t *mr;
    /* Non-NULL: in a restarted incarnation, after the first message was handled, prints
     * "NAME: gen G: first request served (t=TSC)" (make demo measures recovery up to it,
     * tools/demo.py). */
    const char *recovery_name;
} runtime_serve_t;

/* Serves on svc (NULL: the startup page's caps, as runtime_service_recv).  Returns only
 * the error a handler returned. */
seL4_Error runtime_serve(const runtime_service_t *svc, const runtime_serve_t *s);
