/*
 * Waiting for requests while answering the RS's heartbeat pings (bound-notification
 * deliveries with RUNTIME_PING_BADGE): a stand-in until runtime/service.c is merged.
 */
#pragma once
#include <runtime/startup.h>

static inline seL4_MessageInfo_t rs_service_answer_pings(const runtime_startup_t *su, seL4_MessageInfo_t info,
                                                         seL4_Word *badge)
{
    while (*badge & RUNTIME_PING_BADGE) {
        seL4_Signal(su->heartbeat_ack);
        info = seL4_Recv(su->service_ep, badge);
    }
    return info;
}

static inline seL4_MessageInfo_t rs_service_recv(const runtime_startup_t *su, seL4_Word *badge)
{
    seL4_MessageInfo_t info = seL4_Recv(su->service_ep, badge);
    return rs_service_answer_pings(su, info, badge);
}

static inline seL4_MessageInfo_t rs_service_reply_recv(const runtime_startup_t *su, seL4_MessageInfo_t reply,
                                                       seL4_Word *badge)
{
    seL4_MessageInfo_t info = seL4_ReplyRecv(su->service_ep, reply, badge);
    return rs_service_answer_pings(su, info, badge);
}
