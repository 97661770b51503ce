/*
 * What the supervisor (the RS) does to a client blocked in seL4_Call on a service that
 * died, and what the client sees (svcclient/README.md, "Calls that never hang").
 *
 * When an incarnation is killed, the RS reads the registers of every other service's
 * thread.  A thread whose rdx is seL4_SysCall and whose rdi is a slot holding a cap to the
 * dead service's endpoint is inside that Call (queued on the endpoint, or waiting for a
 * reply that will never come: non-MCS seL4 does not wake it).  If the request's label
 * has SVC_LABEL_RESTARTABLE (svc_call sets it), the RS makes the Call return: instruction
 * pointer past the `syscall` instruction, message info = label SVC_REPLY_RESTARTED with no
 * registers, badge 0 (WriteRegisters with resume); otherwise it resumes the thread and
 * the kernel sends the Call again.  The client library classifies that reply as
 * SVC_CALL_RESTARTED and retries IDEMPOTENT and DEDUPED requests (same sequence number;
 * the service's exactly-once table answers a request applied before the crash) and
 * returns SVC_ERR_IN_DOUBT for UNSAFE ones.  No protocol uses this label for a reply.
 */
#pragma once
#include <stdint.h>

#define SVC_REPLY_RESTARTED 0x5253544eull /* "NTSR": released by the supervisor */
/* A request sent by svc_call (which handles SVC_REPLY_RESTARTED) carries this bit in its
 * label; services strip it before decoding (svc_request_label).  A Call without it (a
 * client that does not use the library) is not answered with an error: the RS resumes
 * the thread (seL4_TCB_Resume: the kernel restarts the Call), so it is sent again and
 * waits in the endpoint's queue for the next incarnation -- right for requests that may
 * be repeated, which is all such a client can assume of a call that never returned. */
#define SVC_LABEL_RESTARTABLE (1ull << 50)
static inline uint64_t svc_request_label(uint64_t label) { return label & ~SVC_LABEL_RESTARTABLE; }

/* The x86-64 `syscall` instruction's length: FaultIP of a thread in a system call points
 * at it, the Call returns to FaultIP + 2. */
#define SVC_SYSCALL_INSN_LEN 2u

/* Slot where a client keeps the cap the name service gave it for service index k
 * (names/client): the RS releases Calls on it too.  Within every service's 256 slots. */
#define SVC_RESOLVED_SLOT(k) (192u + (k))
