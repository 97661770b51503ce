/*
 * The RS side of issue 10 (services that survive their crashes), kept apart from the
 * process code: arenas kept across incarnations, and releasing clients blocked in a Call
 * on a service that died (svcclient/core/released.h).
 */
#pragma once
#include <sel4/sel4.h>
#include <stdbool.h>
#include <stdint.h>

/* After the address space `as` of service i is built: map its arena (created at the first
 * start) at RS_ARENA_VADDR.  seL4_NoError for a service without an arena. */
seL4_Error rs_survive_start(unsigned i, uint32_t as);

/* After incarnation of service i was destroyed: `final` (the memory-server client was
 * destroyed too) forgets the arena; then every client thread blocked in a Call on service
 * i is made to return SVC_REPLY_RESTARTED.  Returns the number of threads released. */
unsigned rs_survive_killed(unsigned i, bool final);

/* Threads released so far (all services). */
uint64_t rs_survive_released(void);
