/*
 * The RS's side of a service-loop test (test-service, test-serve): the service endpoint,
 * the notification bound to the worker's TCB (pings and IRQ bits are badged copies of
 * it), the heartbeat-ack notification, and a client cap of the endpoint with badge 5.
 */
#pragma once
#include <runtime/service.h>
#include <runtime/thread.h>
#include "root_check.h"

#define ACK_BADGE (1ull << 3)

typedef struct loop_rig {
    runtime_service_t svc; /* what the worker serves on */
    seL4_CPtr bound, ack, ping, irq, client;
    thread_t t;
} loop_rig_t;

static inline void loop_rig_init(loop_rig_t *r)
{
    r->svc.ep = alloc_object(seL4_EndpointObject, 0);
    r->bound = alloc_object(seL4_NotificationObject, 0);
    r->ack = alloc_object(seL4_NotificationObject, 0);
    r->svc.heartbeat_ack = mint(r->ack, ACK_BADGE);
    r->ping = mint(r->bound, RUNTIME_PING_BADGE);
    r->irq = mint(r->bound, RUNTIME_IRQ_BADGE);
    r->client = mint(r->svc.ep, 5);
}

/* Starts entry(arg) in a thread below the root task's priority (it runs only while the
 * root is blocked), with the notification bound to it. */
static inline void loop_rig_start(loop_rig_t *r, const char *name, thread_entry_fn entry, void *arg)
{
    check(thread_create(&r->t, name, entry, arg, 2, seL4_CapNull, 100) == seL4_NoError, "thread_create");
    check(seL4_TCB_BindNotification(r->t.tcb, r->bound) == seL4_NoError, "bind the heartbeat notification");
}
