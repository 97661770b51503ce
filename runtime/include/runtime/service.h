/*
 * The service side of supervision by the reincarnation server (rs/README.md): a receive
 * loop helper that answers the RS's heartbeat pings transparently.
 *
 * A supervised service's TCB has a notification bound to it; the RS pings by signalling
 * it with RUNTIME_PING_BADGE (bit 63).  While the service waits in seL4_Recv on its
 * endpoint, a signal on the bound notification is delivered instead of a message: the
 * badge is the notification word (the message info is then meaningless).  These wrappers
 * answer a delivery with the ping bit by seL4_Signal on the heartbeat-ack cap and wait
 * again, so service code sees only its messages and its own notification bits.
 *
 * Badge conventions (the RS mints the caps): bit 63 is the ping and never part of a
 * client's badge; RUNTIME_IRQ_BADGE (bit 62) marks IRQ deliveries of drivers whose IRQ
 * handler signals their bound notification.  A returned badge with any bit of
 * RUNTIME_NOTIFICATION_BITS set is a notification delivery, not a message (the ping bit
 * is already cleared then).  A service that is stuck never reaches these calls, misses
 * its heartbeat deadline and is restarted.
 */
#pragma once
#include <sel4/sel4.h>
#include <stdbool.h>

#include <runtime/startup.h>

#define RUNTIME_IRQ_BADGE         (1ull << 62)
#define RUNTIME_NOTIFICATION_BITS (RUNTIME_PING_BADGE | RUNTIME_IRQ_BADGE)

/* The caps the wrappers use: the endpoint the service receives on and the RS's
 * heartbeat-ack notification (seL4_CapNull: pings are consumed but not answered). */
typedef struct runtime_service {
    seL4_CPtr ep;
    seL4_CPtr heartbeat_ack;
} runtime_service_t;

/* The caps from this program's startup page (service_ep, heartbeat_ack); false if the
 * program was not started as a supervised service (no startup page, version < 2, or no
 * service endpoint). */
bool runtime_service_caps(runtime_service_t *svc);

/* seL4_Recv / seL4_ReplyRecv on svc->ep, answering pings until something else arrives.
 * *badge: the sender's badge, or the notification bits without the ping bit. */
seL4_MessageInfo_t runtime_service_recv_on(const runtime_service_t *svc, seL4_Word *badge);
seL4_MessageInfo_t runtime_service_reply_recv_on(const runtime_service_t *svc, seL4_MessageInfo_t reply,
                                                 seL4_Word *badge);

/* The same with the startup page's caps (runtime_service_caps must succeed, else the
 * program panics: it was not started by a supervisor). */
seL4_MessageInfo_t runtime_service_recv(seL4_Word *badge);
seL4_MessageInfo_t runtime_service_reply_recv(seL4_MessageInfo_t reply, seL4_Word *badge);

/* True if a badge returned by the wrappers is a notification delivery. */
static inline bool runtime_service_is_notification(seL4_Word badge)
{
    return (badge & RUNTIME_NOTIFICATION_BITS) != 0;
}
