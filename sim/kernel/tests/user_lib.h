/*
 * A tiny libsel4 for the fake user programs of the kernel-model tests: every call
 * goes through fake_syscall with the x86_64 register convention (rdx syscall number,
 * rdi cptr, rsi message info, r10/r8/r9/r15 MR0-3, the rest in the IPC buffer).
 */
#pragma once
#include <stdint.h>
#include <sel4/types.h>
#include <sel4/errors.h>
#include <sel4/constants.h>
#include <sel4/invocation.h>
#include <sel4/syscall.h>
#include <sel4/bootinfo.h>
#include "fake_machine.h"

/* Per program: its IPC buffer (host pointer to 128 words) — set before using the calls. */
void u_set_ipc_buffer(uint64_t vaddr);
uint64_t *u_ipc(void);

/* Result of a system call as the thread sees it. */
typedef struct u_msg {
    uint64_t info, badge;
    uint64_t mr[seL4_MsgMaxLength];
} u_msg;

static inline uint64_t u_info(uint64_t label, unsigned caps, unsigned len)
{
    return (label << 12) | ((uint64_t)caps << 7) | len;
}
static inline uint64_t u_label(uint64_t info) { return info >> 12; }
static inline unsigned u_len(uint64_t info) { return (unsigned)(info & 0x7f); }

/* Invokes `cptr` with `label`, words and caps; returns the error and the reply. */
int u_invoke(uint64_t cptr, uint64_t label, const uint64_t *args, unsigned nargs,
             const uint64_t *caps, unsigned ncaps, u_msg *reply);
/* Raw IPC. */
u_msg u_call(uint64_t cptr, uint64_t info, const uint64_t *mrs);
void u_send(uint64_t cptr, uint64_t info, const uint64_t *mrs);
void u_nbsend(uint64_t cptr, uint64_t info, const uint64_t *mrs);
u_msg u_recv(uint64_t cptr);
u_msg u_nbrecv(uint64_t cptr);
void u_reply(uint64_t info, const uint64_t *mrs);
u_msg u_reply_recv(uint64_t cptr, uint64_t info, const uint64_t *mrs);
void u_signal(uint64_t cptr);
u_msg u_wait(uint64_t cptr);
void u_yield(void);
void u_putchar(char c);
void u_puts(const char *s);
void u_halt(void);
uint64_t u_cap_identify(uint64_t cptr);
void u_name_thread(uint64_t tcb, const char *name);

/* Convenience wrappers of object invocations (root CNode, depth 64). */
int u_retype(uint64_t ut, uint64_t type, uint64_t bits, uint64_t dest, uint64_t n);
int u_copy(uint64_t dest, uint64_t src, uint64_t rights);
int u_mint(uint64_t dest, uint64_t src, uint64_t rights, uint64_t badge);
int u_move(uint64_t dest, uint64_t src);
int u_delete(uint64_t slot);
int u_revoke(uint64_t slot);
int u_map(uint64_t frame, uint64_t vaddr, uint64_t rights);
uint64_t u_paddr(uint64_t frame);
