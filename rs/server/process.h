/*
 * Creating and destroying a service's process (rs/README.md, "Processes").
 *
 * A service owns: an untyped of 2^untyped_bits bytes retyped once from the RS's pool
 * (every kernel object of an incarnation comes from it, so one revoke destroys them
 * all), an endpoint made once from the pool (it survives restarts, with its queue of
 * senders), and a memory-server client badge (its memory is charged to its own quota).
 * Its address space is created by the memory server; the loader (loader.c) fills it
 * from the ELF image in the RS's program archive.
 */
#pragma once
#include <sel4/sel4.h>
#include <stdbool.h>
#include <stdint.h>
#include "rs/core/manifest.h"

/* One-time set-up of service i (its untyped, endpoint, badged caps, quota).  Returns
 * seL4_NoError or the error of the first failing step (logged). */
seL4_Error rs_process_setup(const struct rs_manifest *m, unsigned i);

/* Starts incarnation `generation` of service i: address space, CSpace, TCB, heartbeat
 * notification.  On success *as is the memory-server handle of its address space.  On
 * failure everything made so far is destroyed again (rs_process_kill). */
seL4_Error rs_process_start(const struct rs_manifest *m, unsigned i, uint32_t generation, uint32_t *as);

/* Destroys the current incarnation: suspend, revoke the service's untyped (CNode, TCB,
 * notification and every cap in them), delete the RS's copies of memory-server caps,
 * then AS_DESTROY (restart) or CLIENT_DESTROY (stop: also the service's own objects).
 * `as` 0: no address space.  Safe to call on a half-made or already-destroyed process. */
seL4_Error rs_process_kill(unsigned i, uint32_t as, bool destroy_client);

/* Heartbeat ping and fault injection for the control interface. */
seL4_Error rs_process_ping(unsigned i);
/* The slots of service i's CSpace that hold caps to the RS's endpoint for requests (its
 * `control` grants, the name service's query cap): at most `max` into `slots`; returns
 * how many. */
unsigned rs_process_rs_caps(const struct rs_manifest *m, unsigned i, seL4_Word *slots, unsigned max);
seL4_Error rs_process_crash(unsigned i);   /* rip = 0: a VM fault through the normal path */
seL4_Error rs_process_hang(unsigned i);    /* suspend: it stops answering heartbeats */

/* The kernel's view of a stopped service: true if its untyped can be retyped whole
 * (nothing made from it is left); the object is deleted again at once. */
bool rs_process_untyped_empty(unsigned i, unsigned bits);
