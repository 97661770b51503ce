/* The fake programs' system-call library (user_lib.h). */
#include <string.h>
#include "user_lib.h"

static __thread uint64_t *ipc;

void u_set_ipc_buffer(uint64_t vaddr) { ipc = fake_user(vaddr, 1024); }
uint64_t *u_ipc(void) { return ipc; }

static uint64_t mr_in(const uint64_t *mrs, unsigned len, unsigned i) { return mrs && i < len ? mrs[i] : 0; }

static void load_mrs(uint64_t info, const uint64_t *mrs)
{
    unsigned len = u_len(info);
    for (unsigned i = 4; i < len && ipc; i++)
        ipc[i + 1] = mrs[i];
}

static u_msg take(const sim_regs *r)
{
    u_msg m;
    memset(&m, 0, sizeof m);
    m.info = r->rsi;
    m.badge = r->rdi;
    m.mr[0] = r->r10;
    m.mr[1] = r->r8;
    m.mr[2] = r->r9;
    m.mr[3] = r->r15;
    for (unsigned i = 4; i < seL4_MsgMaxLength && ipc; i++)
        m.mr[i] = ipc[i + 1];
    return m;
}

static sim_regs sys_send(int64_t sys, uint64_t cptr, uint64_t info, const uint64_t *mrs)
{
    load_mrs(info, mrs);
    unsigned len = u_len(info);
    return fake_syscall(sys, cptr, info, mr_in(mrs, len, 0), mr_in(mrs, len, 1), mr_in(mrs, len, 2),
                        mr_in(mrs, len, 3));
}

u_msg u_call(uint64_t cptr, uint64_t info, const uint64_t *mrs)
{
    sim_regs r = sys_send(seL4_SysCall, cptr, info, mrs);
    return take(&r);
}
void u_send(uint64_t cptr, uint64_t info, const uint64_t *mrs) { sys_send(seL4_SysSend, cptr, info, mrs); }
void u_nbsend(uint64_t cptr, uint64_t info, const uint64_t *mrs) { sys_send(seL4_SysNBSend, cptr, info, mrs); }
void u_reply(uint64_t info, const uint64_t *mrs) { sys_send(seL4_SysReply, 0, info, mrs); }

u_msg u_reply_recv(uint64_t cptr, uint64_t info, const uint64_t *mrs)
{
    sim_regs r = sys_send(seL4_SysReplyRecv, cptr, info, mrs);
    return take(&r);
}

u_msg u_recv(uint64_t cptr)
{
    sim_regs r = fake_syscall(seL4_SysRecv, cptr, 0, 0, 0, 0, 0);
    return take(&r);
}

u_msg u_nbrecv(uint64_t cptr)
{
    sim_regs r = fake_syscall(seL4_SysNBRecv, cptr, 0, 0, 0, 0, 0);
    return take(&r);
}

void u_signal(uint64_t cptr) { fake_syscall(seL4_SysSend, cptr, u_info(0, 0, 0), 0, 0, 0, 0); }
u_msg u_wait(uint64_t cptr) { return u_recv(cptr); }
void u_yield(void) { fake_syscall(seL4_SysYield, 0, 0, 0, 0, 0, 0); }
void u_putchar(char c) { fake_syscall(seL4_SysDebugPutChar, (uint8_t)c, 0, 0, 0, 0, 0); }
void u_puts(const char *s)
{
    while (*s)
        u_putchar(*s++);
}
void u_halt(void) { fake_syscall(seL4_SysDebugHalt, 0, 0, 0, 0, 0, 0); }

uint64_t u_cap_identify(uint64_t cptr)
{
    sim_regs r = fake_syscall(seL4_SysDebugCapIdentify, cptr, 0, 0, 0, 0, 0);
    return r.rdi;
}

void u_name_thread(uint64_t tcb, const char *name)
{
    size_t n = strnlen(name, 900);
    memcpy(&ipc[1], name, n);
    ((char *)&ipc[1])[n] = '\0';
    fake_syscall(seL4_SysDebugNameThread, tcb, 0, 0, 0, 0, 0);
}

int u_invoke(uint64_t cptr, uint64_t label, const uint64_t *args, unsigned nargs,
             const uint64_t *caps, unsigned ncaps, u_msg *reply)
{
    for (unsigned i = 0; i < ncaps; i++)
        ipc[seL4_MsgMaxLength + 2 + i] = caps[i];
    u_msg m = u_call(cptr, u_info(label, ncaps, nargs), args);
    if (reply)
        *reply = m;
    return (int)u_label(m.info);
}

#define ROOT seL4_CapInitThreadCNode

int u_retype(uint64_t ut, uint64_t type, uint64_t bits, uint64_t dest, uint64_t n)
{
    uint64_t a[6] = { type, bits, 0, 0, dest, n };
    uint64_t c[1] = { ROOT };
    return u_invoke(ut, UntypedRetype, a, 6, c, 1, NULL);
}

int u_copy(uint64_t dest, uint64_t src, uint64_t rights)
{
    uint64_t a[5] = { dest, 64, src, 64, rights };
    uint64_t c[1] = { ROOT };
    return u_invoke(ROOT, CNodeCopy, a, 5, c, 1, NULL);
}

int u_mint(uint64_t dest, uint64_t src, uint64_t rights, uint64_t badge)
{
    uint64_t a[6] = { dest, 64, src, 64, rights, badge };
    uint64_t c[1] = { ROOT };
    return u_invoke(ROOT, CNodeMint, a, 6, c, 1, NULL);
}

int u_move(uint64_t dest, uint64_t src)
{
    uint64_t a[4] = { dest, 64, src, 64 };
    uint64_t c[1] = { ROOT };
    return u_invoke(ROOT, CNodeMove, a, 4, c, 1, NULL);
}

int u_delete(uint64_t slot)
{
    uint64_t a[2] = { slot, 64 };
    return u_invoke(ROOT, CNodeDelete, a, 2, NULL, 0, NULL);
}

int u_revoke(uint64_t slot)
{
    uint64_t a[2] = { slot, 64 };
    return u_invoke(ROOT, CNodeRevoke, a, 2, NULL, 0, NULL);
}

int u_map(uint64_t frame, uint64_t vaddr, uint64_t rights)
{
    uint64_t a[3] = { vaddr, rights, 0 };
    uint64_t c[1] = { seL4_CapInitThreadVSpace };
    return u_invoke(frame, X86PageMap, a, 3, c, 1, NULL);
}

uint64_t u_paddr(uint64_t frame)
{
    u_msg m;
    u_invoke(frame, X86PageGetAddress, NULL, 0, NULL, 0, &m);
    return m.mr[0];
}
