/*
 * The reincarnation server's CSpace, badges and fixed addresses (rs/README.md).
 *
 * The RS's CSpace root is the cap store: a CNode of 2^RS_CNODE_BITS slots made by the
 * guardian (not from the RS's own untyped), so every cap in it outlives an RS
 * incarnation.  A new RS finds everything where the previous one left it.
 *
 *   1, 2, 3, 5   TCB, CNode, VSpace, fault endpoint (to the guardian): per incarnation
 *   8 ..         given by the guardian once (RS_SLOT_EP ... RS_SLOT_IRQ_PARK)
 *   32 ..        made by the first RS once (badged copies of its own endpoint/notification)
 *   RS_SVC_SLOT(i, k)   RS_SVC_SLOTS slots per service i (RS_SVC_* below)
 */
#pragma once
#include <sel4/sel4.h>
#include "rs/core/manifest.h" /* RS_MAX_SERVICES */

#define RS_CNODE_BITS 12u

enum {
    RS_SLOT_EP = 8,         /* the RS's endpoint (unbadged): control requests, exits */
    RS_SLOT_NTFN = 9,       /* the RS's notification (unbadged), bound to its TCB */
    RS_SLOT_MS = 10,        /* the memory server's endpoint, unbadged (for minting) */
    RS_SLOT_MS_ADMIN = 11,  /* the memory server, administrator badge */
    RS_SLOT_POOL = 12,      /* untyped: service untypeds and service endpoints */
    RS_SLOT_IRQ0 = 13,      /* IRQ handler for IRQ 0 (PIT), or null */
    RS_SLOT_PIT = 14,       /* I/O ports 0x40-0x43, or null */
    RS_SLOT_EXIT_PORT = 15, /* I/O port 0xF4 (isa-debug-exit), or null */
    RS_SLOT_IRQ4 = 16,      /* IRQ handler for IRQ 4 (COM1 UART), or null */
    RS_SLOT_COM1 = 17,      /* I/O ports 0x3F8-0x3FF (COM1 UART), or null */
    RS_SLOT_WD_ACK = 18,    /* the guardian's notification, badged: the watchdog answer */
    RS_SLOT_IRQ_PARK = 19,  /* a notification nobody waits on: IRQs of a dead driver */
    RS_SLOTS_GIVEN = 12,    /* slots 8..19 */

    RS_SLOT_FAULT_NTFN = 32,/* RS notification minted with RS_NTFN_FAULT (AS_SET_NOTIFY) */
    RS_SLOT_TICK_NTFN = 33, /* RS notification minted with RS_NTFN_TICK (timer driver) */
    RS_SLOT_CONTROL = 34,   /* RS endpoint minted with RS_BADGE_CONTROL */
    RS_SLOT_SCRATCH = 35,   /* free for a moment's use */
    RS_SLOT_SCRATCH2 = 36,
    RS_SLOT_SVC_BASE = 64,
};

/* Per-service slots: RS_SLOT_SVC_BASE + i * RS_SVC_SLOTS + k. */
enum {
    RS_SVC_UNTYPED = 0,  /* the service's own untyped (kept) */
    RS_SVC_EP = 1,       /* the endpoint the service serves on (kept, from the pool) */
    RS_SVC_MS = 2,       /* memory-server cap badged for the service (kept) */
    RS_SVC_SUPERVISOR = 3, /* RS endpoint badged RS_BADGE_EXIT | i (kept) */
    RS_SVC_ACK = 4,      /* RS notification badged 1 << i (kept) */
    RS_SVC_CNODE = 5,    /* per incarnation, from the service's untyped ... */
    RS_SVC_TCB = 6,
    RS_SVC_HB = 7,       /* heartbeat notification, bound to the TCB */
    RS_SVC_PING = 8,     /* RS_SVC_HB minted with RUNTIME_PING_BADGE */
    RS_SVC_VSPACE = 9,   /* from the memory server: AS_VSPACE */
    RS_SVC_FAULT_EP = 10,/* AS_FAULT_EP */
    RS_SVC_IPC = 11,     /* PAGE_CAP of the IPC buffer */
    RS_SVC_SLOTS = 16,
};
#define RS_SVC_SLOT(i, k) ((seL4_CPtr)(RS_SLOT_SVC_BASE + (i) * RS_SVC_SLOTS + (k)))

/* The service whose endpoint is the console (drivers/serial/PROTOCOL.md): a service
 * with a channel to it gets that channel's slot as its startup page's console_ep. */
#define RS_CONSOLE_SERVICE "console"

/* The service's CNode: 2^RS_SERVICE_CNODE_BITS slots (runtime/include/runtime/startup.h). */
#define RS_SERVICE_CNODE_BITS 8u

/* Badges.  A delivery on the RS endpoint with bit 61 set is a message; otherwise it is
 * the bound notification (seL4 gives no other way to tell them apart). */
#define RS_BADGE_MESSAGE (1ull << 61)
#define RS_BADGE_EXIT    (RS_BADGE_MESSAGE | (1ull << 40))   /* | service index */
#define RS_BADGE_CONTROL (RS_BADGE_MESSAGE | (1ull << 41))
#define RS_NTFN_TICK     (1ull << 63)
#define RS_NTFN_FAULT    (1ull << 62)
#define RS_NTFN_CLOCK    (1ull << 60)   /* the guardian's RTC tick (rs/core/watchdog.h) */
#define RS_NTFN_ACKS     0xFFFFFFFFull                       /* bit i: service i */

/* Memory-server badges: service i is client RS_MS_BADGE(i); the RS's own admin cap has
 * MS_ADMIN_BADGE | RS_MS_SELF. */
#define RS_MS_BADGE(i)   (0x100ull + (i))
#define RS_MS_SELF       0xFFull

/* The recovery record page, mapped read-write in every RS incarnation. */
#define RS_RECORD_VADDR  0x30000000ul

/* Guardian -> RS start-up arguments: its incarnation number; 1 in RS_ARG_COLD: start
 * every service from a clean slate (the first RS, or after RS_EXIT_NO_RECORD), 0: take
 * the running services over from the recovery record. */
enum { RS_ARG_INCARNATION = 0, RS_ARG_COLD = 1, RS_ARG_COUNT = 2 };

/* Exit status of an RS that found no usable recovery record (its predecessor died before
 * writing one, or while writing it): the guardian destroys everything the RSes made
 * (guardian/main.c, clean_slate) and starts a cold RS. */
#define RS_EXIT_NO_RECORD 5
