/*
 * seL4 system calls for x86_64 (manual 2.2 and 4; register use from libsel4's
 * sel4_arch_include/x86_64/sel4/sel4_arch/syscalls.h).  The `syscall` instruction
 * takes the syscall number in rdx, the capability (or badge on return) in rdi, the
 * message info in rsi and message registers 0-3 in r10, r8, r9 and r15; it clobbers
 * rcx and r11, and the kernel does not restore rsp, so it is kept in rbx across the
 * instruction.  Message registers beyond 3 live in the IPC buffer.
 */
#pragma once
#include <sel4/types.h>
#include <sel4/syscall.h>
#include <sel4/functions.h>

static inline void
x64_sys_send(seL4_Word sys, seL4_Word dest, seL4_Word info, seL4_Word mr0, seL4_Word mr1,
             seL4_Word mr2, seL4_Word mr3)
{
    register seL4_Word r10 __asm__("r10") = mr0;
    register seL4_Word r8 __asm__("r8") = mr1;
    register seL4_Word r9 __asm__("r9") = mr2;
    register seL4_Word r15 __asm__("r15") = mr3;
    __asm__ volatile("movq %%rsp, %%rbx\n\tsyscall\n\tmovq %%rbx, %%rsp"
                     : "+r"(r10), "+r"(r8), "+r"(r9), "+r"(r15), "+D"(dest), "+S"(info), "+d"(sys)
                     :
                     : "rbx", "rcx", "r11", "memory");
}

static inline void
x64_sys_recv(seL4_Word sys, seL4_Word src, seL4_Word *out_badge, seL4_Word *out_info,
             seL4_Word *mr0, seL4_Word *mr1, seL4_Word *mr2, seL4_Word *mr3)
{
    register seL4_Word r10 __asm__("r10");
    register seL4_Word r8 __asm__("r8");
    register seL4_Word r9 __asm__("r9");
    register seL4_Word r15 __asm__("r15");
    seL4_Word info;
    __asm__ volatile("movq %%rsp, %%rbx\n\tsyscall\n\tmovq %%rbx, %%rsp"
                     : "=r"(r10), "=r"(r8), "=r"(r9), "=r"(r15), "+D"(src), "=S"(info), "+d"(sys)
                     :
                     : "rbx", "rcx", "r11", "memory");
    *out_badge = src;
    *out_info = info;
    *mr0 = r10;
    *mr1 = r8;
    *mr2 = r9;
    *mr3 = r15;
}

static inline void
x64_sys_send_recv(seL4_Word sys, seL4_Word dest, seL4_Word *out_dest, seL4_Word info,
                  seL4_Word *out_info, seL4_Word *mr0, seL4_Word *mr1, seL4_Word *mr2,
                  seL4_Word *mr3)
{
    register seL4_Word r10 __asm__("r10") = *mr0;
    register seL4_Word r8 __asm__("r8") = *mr1;
    register seL4_Word r9 __asm__("r9") = *mr2;
    register seL4_Word r15 __asm__("r15") = *mr3;
    __asm__ volatile("movq %%rsp, %%rbx\n\tsyscall\n\tmovq %%rbx, %%rsp"
                     : "+r"(r10), "+r"(r8), "+r"(r9), "+r"(r15), "+D"(dest), "+S"(info), "+d"(sys)
                     :
                     : "rbx", "rcx", "r11", "memory");
    *out_dest = dest;
    *out_info = info;
    *mr0 = r10;
    *mr1 = r8;
    *mr2 = r9;
    *mr3 = r15;
}

static inline void x64_sys_null(seL4_Word sys)
{
    __asm__ volatile("movq %%rsp, %%rbx\n\tsyscall\n\tmovq %%rbx, %%rsp" : "+d"(sys) : : "rbx", "rcx", "r11", "rdi", "rsi", "memory");
}

/* Message registers 0-3 travel in CPU registers; load/store them from the IPC buffer. */
#define SEL4__MR_IN(i, n)  ((n) > (i) ? seL4_GetMR(i) : 0)

static inline void seL4_Send(seL4_CPtr dest, seL4_MessageInfo_t msgInfo)
{
    seL4_Word n = seL4_MessageInfo_get_length(msgInfo);
    x64_sys_send(seL4_SysSend, dest, msgInfo.words[0], SEL4__MR_IN(0, n), SEL4__MR_IN(1, n),
                 SEL4__MR_IN(2, n), SEL4__MR_IN(3, n));
}

static inline void seL4_SendWithMRs(seL4_CPtr dest, seL4_MessageInfo_t msgInfo, seL4_Word *mr0,
                                    seL4_Word *mr1, seL4_Word *mr2, seL4_Word *mr3)
{
    seL4_Word n = seL4_MessageInfo_get_length(msgInfo);
    x64_sys_send(seL4_SysSend, dest, msgInfo.words[0], (mr0 && n > 0) ? *mr0 : 0,
                 (mr1 && n > 1) ? *mr1 : 0, (mr2 && n > 2) ? *mr2 : 0, (mr3 && n > 3) ? *mr3 : 0);
}

static inline void seL4_NBSend(seL4_CPtr dest, seL4_MessageInfo_t msgInfo)
{
    seL4_Word n = seL4_MessageInfo_get_length(msgInfo);
    x64_sys_send(seL4_SysNBSend, dest, msgInfo.words[0], SEL4__MR_IN(0, n), SEL4__MR_IN(1, n),
                 SEL4__MR_IN(2, n), SEL4__MR_IN(3, n));
}

static inline void seL4_NBSendWithMRs(seL4_CPtr dest, seL4_MessageInfo_t msgInfo, seL4_Word *mr0,
                                      seL4_Word *mr1, seL4_Word *mr2, seL4_Word *mr3)
{
    seL4_Word n = seL4_MessageInfo_get_length(msgInfo);
    x64_sys_send(seL4_SysNBSend, dest, msgInfo.words[0], (mr0 && n > 0) ? *mr0 : 0,
                 (mr1 && n > 1) ? *mr1 : 0, (mr2 && n > 2) ? *mr2 : 0, (mr3 && n > 3) ? *mr3 : 0);
}

static inline void seL4_Reply(seL4_MessageInfo_t msgInfo)
{
    seL4_Word n = seL4_MessageInfo_get_length(msgInfo);
    x64_sys_send(seL4_SysReply, 0, msgInfo.words[0], SEL4__MR_IN(0, n), SEL4__MR_IN(1, n),
                 SEL4__MR_IN(2, n), SEL4__MR_IN(3, n));
}

static inline void seL4_ReplyWithMRs(seL4_MessageInfo_t msgInfo, seL4_Word *mr0, seL4_Word *mr1,
                                     seL4_Word *mr2, seL4_Word *mr3)
{
    seL4_Word n = seL4_MessageInfo_get_length(msgInfo);
    x64_sys_send(seL4_SysReply, 0, msgInfo.words[0], (mr0 && n > 0) ? *mr0 : 0,
                 (mr1 && n > 1) ? *mr1 : 0, (mr2 && n > 2) ? *mr2 : 0, (mr3 && n > 3) ? *mr3 : 0);
}

static inline void seL4_Signal(seL4_CPtr dest)
{
    x64_sys_send(seL4_SysSend, dest, seL4_MessageInfo_new(0, 0, 0, 1).words[0], 0, 0, 0, 0);
}

static inline seL4_MessageInfo_t seL4_Recv(seL4_CPtr src, seL4_Word *sender)
{
    seL4_Word badge, info, m0, m1, m2, m3;
    x64_sys_recv(seL4_SysRecv, src, &badge, &info, &m0, &m1, &m2, &m3);
    seL4_MessageInfo_t r = { { info } };
    seL4_SetMR(0, m0); seL4_SetMR(1, m1); seL4_SetMR(2, m2); seL4_SetMR(3, m3);
    if (sender) *sender = badge;
    return r;
}

static inline seL4_MessageInfo_t seL4_RecvWithMRs(seL4_CPtr src, seL4_Word *sender, seL4_Word *mr0,
                                                  seL4_Word *mr1, seL4_Word *mr2, seL4_Word *mr3)
{
    seL4_Word badge, info, m0, m1, m2, m3;
    x64_sys_recv(seL4_SysRecv, src, &badge, &info, &m0, &m1, &m2, &m3);
    seL4_MessageInfo_t r = { { info } };
    if (mr0) *mr0 = m0;
    if (mr1) *mr1 = m1;
    if (mr2) *mr2 = m2;
    if (mr3) *mr3 = m3;
    if (sender) *sender = badge;
    return r;
}

static inline seL4_MessageInfo_t seL4_NBRecv(seL4_CPtr src, seL4_Word *sender)
{
    seL4_Word badge, info, m0, m1, m2, m3;
    x64_sys_recv(seL4_SysNBRecv, src, &badge, &info, &m0, &m1, &m2, &m3);
    seL4_MessageInfo_t r = { { info } };
    seL4_SetMR(0, m0); seL4_SetMR(1, m1); seL4_SetMR(2, m2); seL4_SetMR(3, m3);
    if (sender) *sender = badge;
    return r;
}

static inline seL4_MessageInfo_t seL4_Call(seL4_CPtr dest, seL4_MessageInfo_t msgInfo)
{
    seL4_Word n = seL4_MessageInfo_get_length(msgInfo);
    seL4_Word info, m0 = SEL4__MR_IN(0, n), m1 = SEL4__MR_IN(1, n), m2 = SEL4__MR_IN(2, n),
                    m3 = SEL4__MR_IN(3, n);
    x64_sys_send_recv(seL4_SysCall, dest, &dest, msgInfo.words[0], &info, &m0, &m1, &m2, &m3);
    seL4_SetMR(0, m0); seL4_SetMR(1, m1); seL4_SetMR(2, m2); seL4_SetMR(3, m3);
    seL4_MessageInfo_t r = { { info } };
    return r;
}

static inline seL4_MessageInfo_t seL4_CallWithMRs(seL4_CPtr dest, seL4_MessageInfo_t msgInfo,
                                                  seL4_Word *mr0, seL4_Word *mr1, seL4_Word *mr2,
                                                  seL4_Word *mr3)
{
    seL4_Word n = seL4_MessageInfo_get_length(msgInfo);
    seL4_Word info, m0 = (mr0 && n > 0) ? *mr0 : 0, m1 = (mr1 && n > 1) ? *mr1 : 0,
                    m2 = (mr2 && n > 2) ? *mr2 : 0, m3 = (mr3 && n > 3) ? *mr3 : 0;
    x64_sys_send_recv(seL4_SysCall, dest, &dest, msgInfo.words[0], &info, &m0, &m1, &m2, &m3);
    if (mr0) *mr0 = m0;
    if (mr1) *mr1 = m1;
    if (mr2) *mr2 = m2;
    if (mr3) *mr3 = m3;
    seL4_MessageInfo_t r = { { info } };
    return r;
}

static inline seL4_MessageInfo_t seL4_ReplyRecv(seL4_CPtr src, seL4_MessageInfo_t msgInfo,
                                                seL4_Word *sender)
{
    seL4_Word n = seL4_MessageInfo_get_length(msgInfo);
    seL4_Word badge, info, m0 = SEL4__MR_IN(0, n), m1 = SEL4__MR_IN(1, n), m2 = SEL4__MR_IN(2, n),
                           m3 = SEL4__MR_IN(3, n);
    x64_sys_send_recv(seL4_SysReplyRecv, src, &badge, msgInfo.words[0], &info, &m0, &m1, &m2, &m3);
    seL4_SetMR(0, m0); seL4_SetMR(1, m1); seL4_SetMR(2, m2); seL4_SetMR(3, m3);
    if (sender) *sender = badge;
    seL4_MessageInfo_t r = { { info } };
    return r;
}

static inline seL4_MessageInfo_t seL4_ReplyRecvWithMRs(seL4_CPtr src, seL4_MessageInfo_t msgInfo,
                                                       seL4_Word *sender, seL4_Word *mr0,
                                                       seL4_Word *mr1, seL4_Word *mr2,
                                                       seL4_Word *mr3)
{
    seL4_Word n = seL4_MessageInfo_get_length(msgInfo);
    seL4_Word badge, info, m0 = (mr0 && n > 0) ? *mr0 : 0, m1 = (mr1 && n > 1) ? *mr1 : 0,
                           m2 = (mr2 && n > 2) ? *mr2 : 0, m3 = (mr3 && n > 3) ? *mr3 : 0;
    x64_sys_send_recv(seL4_SysReplyRecv, src, &badge, msgInfo.words[0], &info, &m0, &m1, &m2, &m3);
    if (mr0) *mr0 = m0;
    if (mr1) *mr1 = m1;
    if (mr2) *mr2 = m2;
    if (mr3) *mr3 = m3;
    if (sender) *sender = badge;
    seL4_MessageInfo_t r = { { info } };
    return r;
}

/* Sets the calling thread's TLS base (fs_base on x86_64) without a TCB cap. */
static inline void seL4_SetTLSBase(seL4_Word tls_base)
{
    x64_sys_send(seL4_SysSetTLSBase, tls_base, 0, 0, 0, 0, 0);
}

static inline void seL4_Yield(void) { x64_sys_null(seL4_SysYield); }

/* Notifications (manual 5): Signal sends, Wait blocks, Poll does not block. */
static inline void seL4_Wait(seL4_CPtr src, seL4_Word *sender) { seL4_Recv(src, sender); }
static inline seL4_MessageInfo_t seL4_Poll(seL4_CPtr src, seL4_Word *sender) { return seL4_NBRecv(src, sender); }

/* Debug syscalls: only on a kernel built with them (sel4/config.h): KernelPrinting for
 * the first three, KernelDebugBuild for the others, as in libsel4. */
#ifdef CONFIG_PRINTING
static inline void seL4_DebugPutChar(char c)
{
    x64_sys_send(seL4_SysDebugPutChar, (seL4_Word)(unsigned char)c, 0, 0, 0, 0, 0);
}

static inline void seL4_DebugPutString(const char *str)
{
    for (; *str; str++) seL4_DebugPutChar(*str);
}

static inline void seL4_DebugDumpScheduler(void) { x64_sys_null(seL4_SysDebugDumpScheduler); }
#endif

#ifdef CONFIG_DEBUG_BUILD
static inline void seL4_DebugHalt(void) { x64_sys_null(seL4_SysDebugHalt); }
static inline void seL4_DebugSnapshot(void) { x64_sys_null(seL4_SysDebugSnapshot); }

/* Returns the kernel's cap type number of `cap` (0 for an empty slot). */
static inline seL4_Uint32 seL4_DebugCapIdentify(seL4_CPtr cap)
{
    seL4_Word info = 0, m0 = 0, m1 = 0, m2 = 0, m3 = 0;
    x64_sys_send_recv(seL4_SysDebugCapIdentify, cap, &cap, 0, &info, &m0, &m1, &m2, &m3);
    return (seL4_Uint32)cap;
}

/* Names a thread in kernel debug output; the name is passed in the IPC buffer. */
static inline void seL4_DebugNameThread(seL4_CPtr tcb, const char *name)
{
    char *dst = (char *)&seL4_GetIPCBuffer()->msg[0];
    const unsigned long max = seL4_MsgMaxLength * sizeof(seL4_Word) - 1;
    unsigned long i = 0;
    while (i < max) {
        /* name is NUL-terminated: the loop stops at its end, whatever cppcheck assumes */
        // cppcheck-suppress arrayIndexOutOfBoundsCond
        char ch = name[i];
        if (ch == '\0') break;
        dst[i++] = ch;
    }
    dst[i] = '\0';
    x64_sys_send(seL4_SysDebugNameThread, tcb, 0, 0, 0, 0, 0);
}
#endif /* CONFIG_DEBUG_BUILD */
