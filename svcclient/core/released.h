/*
 * What the supervisor (the RS) does to a client blocked in seL4_Call on a service that
 * died, and what the client sees (svcclient/README.md, "Calls that never hang").
 *
 * When an incarnation is killed, the RS reads the registers of every other service's
 * thread.  A thread whose rdx is seL4_SysCall and whose rdi is a slot holding a cap to the
 * dead service's endpoint is inside that Call (queued on the endpoint, or waiting for a
 * reply that will never come: non-MCS seL4 does not wake it).  The RS makes the Call
 * return: instruction pointer past the `syscall` instruction, message info = label
 * SVC_REPLY_RESTARTED with no registers, badge 0, then seL4_TCB_Resume semantics
 * (WriteRegisters with resume).  The client library classifies that reply as
 * SVC_CALL_RESTARTED and retries IDEMPOTENT and DEDUPED requests (same sequence number;
 * the service's exactly-once table answers a request applied before the crash) and
 * returns SVC_ERR_IN_DOUBT for UNSAFE ones.  No protocol uses this label for a reply.
 */
#pragma once

#define SVC_REPLY_RESTARTED 0x5253544eull /* "NTSR": released by the supervisor */
/* The x86-64 `syscall` instruction's length: FaultIP of a thread in a system call points
 * at it, the Call returns to FaultIP + 2. */
#define SVC_SYSCALL_INSN_LEN 2u

/* Slot where a client keeps the cap the name service gave it for service index k
 * (names/client): the RS releases Calls on it too.  Within every service's 256 slots. */
#define SVC_RESOLVED_SLOT(k) (192u + (k))
