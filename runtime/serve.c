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

seL4_Error runtime_serve(const runtime_service_t *svc, const runtime_serve_t *s)
{
    svc = caps_or_own(svc);
    bool served = false;
    runtime_request_t rq = { .mr = s->mr };
    seL4_MessageInfo_t info = runtime_service_recv_on(svc, &rq.badge);
    for (;;) {
        if (runtime_service_is_notification(rq.badge)) {
            seL4_Error err = s->notified != NULL ? s->notified(s->ctx, rq.badge) : seL4_NoError;
            if (err != seL4_NoError) return err;
            info = runtime_service_recv_on(svc, &rq.badge);
            continue;
        }
        rq.info = info;
        rq.n = 0;
        if (s->mr != NULL) {
            unsigned n = (unsigned)seL4_MessageInfo_get_length(info);
            rq.n = n <= seL4_MsgMaxLength ? n : seL4_MsgMaxLength;
            for (unsigned k = 0; k < rq.n; k++) s->mr[k] = seL4_GetMR((int)k);
        }
        rq.stop = seL4_NoError;
        seL4_MessageInfo_t reply = s->handle(s->ctx, &rq);
        if (rq.stop != seL4_NoError) return rq.stop;
        mark_recovery(s->recovery_name, &served);
        if (s->after_cap_reply != NULL && seL4_MessageInfo_get_extraCaps(reply) != 0) {
            seL4_Reply(reply);
            s->after_cap_reply(s->ctx);
            info = runtime_service_recv_on(svc, &rq.badge);
        } else {
            info = runtime_service_reply_recv_on(svc, reply, &rq.badge);
        }
    }
}
