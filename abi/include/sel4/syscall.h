/* System call numbers, x86_64 non-MCS (libsel4/include/api/syscall.xml); the debug syscalls
 * only on a kernel that has them (sel4/config.h). */
#pragma once
#include <sel4/macros.h>
#include <sel4/config.h>

typedef enum {
    seL4_SysCall = -1,
    seL4_SysReplyRecv = -2,
    seL4_SysSend = -3,
    seL4_SysNBSend = -4,
    seL4_SysRecv = -5,
    seL4_SysReply = -6,
    seL4_SysYield = -7,
    seL4_SysNBRecv = -8,
#ifdef CONFIG_PRINTING
    seL4_SysDebugPutChar = -9,
    seL4_SysDebugDumpScheduler = -10,
#endif
#ifdef CONFIG_DEBUG_BUILD
    seL4_SysDebugHalt = -11,
    seL4_SysDebugCapIdentify = -12,
    seL4_SysDebugSnapshot = -13,
    seL4_SysDebugNameThread = -14,
#endif
    seL4_SysSetTLSBase = -30, /* CONFIG_SET_TLS_BASE_SELF, on for x86_64 */
    SEL4_FORCE_LONG_ENUM(seL4_Syscall_ID)
} seL4_Syscall_ID;
