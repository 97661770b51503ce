/*
 * The RS side of issue 10 (services that survive their crashes), kept apart from the
 * process code: arenas kept across incarnations, and releasing clients blocked in a Call
 * on a service that died (svcclient/core/released.h).
 */
#pragma once
#include <sel4/sel4.h>
#include <stdbool.h>
#include <stdint.h>
#include "rs/server/layout.h"
#include "svcclient/core/released.h"

/* After the address space `as` of service i is built: map its arena (created at the first
 * start) at RS_ARENA_VADDR.  seL4_NoError for a service without an arena. */
seL4_Error rs_survive_start(unsigned i, uint32_t as);

/* After incarnation of service i was destroyed: `final` (the memory-server client was
 * destroyed too) forgets the arena; then every client thread blocked in a Call on service
 * i is made to return SVC_REPLY_RESTARTED.  Returns the number of threads released. */
unsigned rs_survive_killed(unsigned i, bool final);

/* A new RS incarnation (take-over): finds the arena of every live service again (the
 * memory server's QUERY of RS_ARENA_VADDR in its address space gives the object). */
void rs_survive_take_over(void);

/* A new RS incarnation, before it receives anything: every service thread blocked in a
 * Call on a cap to the RS (a control request, a name-service query) was calling the dead
 * RS: waiting for its reply, which never comes, or still queued.  It is resumed
 * (seL4_TCB_Resume: the kernel sends the same Call again, to the new RS, which answers
 * it).  Returns the number of threads released. */
unsigned rs_survive_release_rs_callers(void);

/* Threads released so far (all services). */
uint64_t rs_survive_released(void);

/* ---- the name service's view of the RS (names/README.md, "Where bindings come from") ----
 * The name service (a service whose image is "names") gets one more cap after its grants:
 * the RS endpoint badged RS_BADGE_NAMES.  On it, RS_NAMES_GET (MR0-1 a name) answers the
 * RS's truth about that service: MR0 1 running / 2 not running, MR1 its generation, MR2
 * its index, and while running the service's endpoint (unbadged, the RS's original: it
 * survives restarts) as the one cap.  An unknown name: label RS_NAMES_UNKNOWN.  The name
 * service never trusts anything else to bind a name, and the RS never calls it (a
 * supervisor blocked in a call to a service that died would be stuck for ever). */
#define RS_BADGE_NAMES (RS_BADGE_MESSAGE | (1ull << 42))
#define RS_NAMES_GET 0x4e47u      /* "NG" */
/* The state store gets the same cap: RS_OWNER_GET (MR0 an owner id = a service's client id,
 * its index + 1) answers MR0 the service's generation, MR1-2 its store quota (entries,
 * bytes).  The store applies them as the RS's OWNER_SET / OWNER_START. */
#define RS_OWNER_GET 0x4f47u      /* "OG" */
#define RS_STORE_ENTRIES 48u
#define RS_STORE_BYTES 16384u
#define RS_NAMES_UNKNOWN 1u
#define RS_NAMES_BAD_REQUEST 2u
enum { RS_NAMES_RUNNING = 1, RS_NAMES_DOWN = 2 };

/* Extra caps service i gets after its grants (the query cap: 1 for names and store). */
unsigned rs_survive_extra_caps(unsigned i);
/* Puts them in service i's CNode from *slot on (advancing it). */
seL4_Error rs_survive_fill_cspace(unsigned i, seL4_Word *slot);
/* Answers a message with badge RS_BADGE_NAMES (reply info; caps set in the IPC buffer). */
seL4_MessageInfo_t rs_survive_names_request(seL4_MessageInfo_t info);
