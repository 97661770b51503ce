/* Receive loops that answer the reincarnation server's heartbeat pings (service.h). */
#include <runtime/runtime.h>
#include <runtime/service.h>

bool runtime_service_caps(runtime_service_t *svc)
{
    const runtime_startup_t *su = runtime_startup();
    if (su == NULL || su->version < 2 || su->service_ep == seL4_CapNull) return false;
    svc->ep = su->service_ep;
    svc->heartbeat_ack = su->heartbeat_ack;
    return true;
}

/* Answers pings in *badge; waits again while nothing else came. */
static seL4_MessageInfo_t answer_pings(const runtime_service_t *svc, seL4_MessageInfo_t info, seL4_Word *badge)
{
    while (*badge & RUNTIME_PING_BADGE) {
        if (svc->heartbeat_ack != seL4_CapNull) seL4_Signal(svc->heartbeat_ack);
        *badge &= ~(seL4_Word)RUNTIME_PING_BADGE;
        if (*badge != 0) break; /* other notification bits came with the ping */
        info = seL4_Recv(svc->ep, badge);
    }
    return info;
}

seL4_MessageInfo_t runtime_service_recv_on(const runtime_service_t *svc, seL4_Word *badge)
{
    seL4_Word b = 0;
    seL4_MessageInfo_t info = seL4_Recv(svc->ep, &b);
    info = answer_pings(svc, info, &b);
    *badge = b;
    return info;
}

seL4_MessageInfo_t runtime_service_reply_recv_on(const runtime_service_t *svc, seL4_MessageInfo_t reply,
                                                 seL4_Word *badge)
{
    seL4_Word b = 0;
    seL4_MessageInfo_t info = seL4_ReplyRecv(svc->ep, reply, &b);
    info = answer_pings(svc, info, &b);
    *badge = b;
    return info;
}

static const runtime_service_t *own_caps(void)
{
    static runtime_service_t caps;
    static bool known;
    if (!known) {
        if (!runtime_service_caps(&caps)) panic("runtime_service_recv: not started as a supervised service");
        known = true;
    }
    return &caps;
}

seL4_MessageInfo_t runtime_service_recv(seL4_Word *badge)
{
    return runtime_service_recv_on(own_caps(), badge);
}

seL4_MessageInfo_t runtime_service_reply_recv(seL4_MessageInfo_t reply, seL4_Word *badge)
{
    return runtime_service_reply_recv_on(own_caps(), reply, badge);
}
