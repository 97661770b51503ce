/*
 * Basic seL4 types for x86_64 (64-bit words), with libsel4's names.
 * Sources: seL4 reference manual ch. 2-4 (capabilities, message info) and
 * libsel4/include/sel4/shared_types.bf, libsel4/include/sel4/types.h (layouts).
 */
#pragma once
#include <sel4/macros.h>

typedef signed char        seL4_Int8;
typedef short              seL4_Int16;
typedef int                seL4_Int32;
typedef long               seL4_Int64;
typedef unsigned char      seL4_Uint8;
typedef unsigned short     seL4_Uint16;
typedef unsigned int       seL4_Uint32;
typedef unsigned long      seL4_Uint64;

typedef seL4_Int8   seL4_Bool;
typedef seL4_Uint64 seL4_Word;
typedef seL4_Word   seL4_CPtr;
typedef seL4_Word   seL4_NodeId;
typedef seL4_Word   seL4_PAddr;
typedef seL4_Word   seL4_Domain;
typedef seL4_Word   seL4_SlotPos;
typedef seL4_Word   seL4_Time;

#define seL4_WordBits        64
#define seL4_WordSizeBits    3
#define seL4_True            1
#define seL4_False           0
#define seL4_Null            ((void *)0)

/* Capability typedefs: every invocation names the object type of its first argument. */
typedef seL4_CPtr seL4_CNode;
typedef seL4_CPtr seL4_IRQHandler;
typedef seL4_CPtr seL4_IRQControl;
typedef seL4_CPtr seL4_TCB;
typedef seL4_CPtr seL4_Untyped;
typedef seL4_CPtr seL4_DomainSet;
typedef seL4_CPtr seL4_X86_ASIDControl;
typedef seL4_CPtr seL4_X86_ASIDPool;
typedef seL4_CPtr seL4_X86_IOPortControl;
typedef seL4_CPtr seL4_X86_IOPort;
typedef seL4_CPtr seL4_X86_IOSpace;
typedef seL4_CPtr seL4_X86_Page;
typedef seL4_CPtr seL4_X86_PageDirectory;
typedef seL4_CPtr seL4_X86_PageTable;
typedef seL4_CPtr seL4_X86_PDPT;
typedef seL4_CPtr seL4_X64_PML4;
typedef seL4_CPtr seL4_X86_EPTPML4;

/* seL4_MessageInfo: label:52 | capsUnwrapped:3 | extraCaps:2 | length:7 (manual 4.1). */
typedef struct seL4_MessageInfo { seL4_Uint64 words[1]; } seL4_MessageInfo_t;

static inline seL4_MessageInfo_t
seL4_MessageInfo_new(seL4_Uint64 label, seL4_Uint64 capsUnwrapped, seL4_Uint64 extraCaps,
                     seL4_Uint64 length)
{
    seL4_MessageInfo_t m;
    m.words[0] = ((label & 0xfffffffffffffull) << 12) | ((capsUnwrapped & 0x7u) << 9) |
                 ((extraCaps & 0x3u) << 7) | (length & 0x7fu);
    return m;
}
static inline seL4_Uint64 seL4_MessageInfo_get_label(seL4_MessageInfo_t m) { return m.words[0] >> 12; }
static inline seL4_Uint64 seL4_MessageInfo_get_capsUnwrapped(seL4_MessageInfo_t m) { return (m.words[0] >> 9) & 0x7u; }
static inline seL4_Uint64 seL4_MessageInfo_get_extraCaps(seL4_MessageInfo_t m) { return (m.words[0] >> 7) & 0x3u; }
static inline seL4_Uint64 seL4_MessageInfo_get_length(seL4_MessageInfo_t m) { return m.words[0] & 0x7fu; }
static inline seL4_MessageInfo_t seL4_MessageInfo_set_label(seL4_MessageInfo_t m, seL4_Uint64 v)
{ m.words[0] = (m.words[0] & 0xfffull) | ((v & 0xfffffffffffffull) << 12); return m; }
static inline seL4_MessageInfo_t seL4_MessageInfo_set_capsUnwrapped(seL4_MessageInfo_t m, seL4_Uint64 v)
{ m.words[0] = (m.words[0] & ~(0x7ull << 9)) | ((v & 0x7u) << 9); return m; }
static inline seL4_MessageInfo_t seL4_MessageInfo_set_extraCaps(seL4_MessageInfo_t m, seL4_Uint64 v)
{ m.words[0] = (m.words[0] & ~(0x3ull << 7)) | ((v & 0x3u) << 7); return m; }
static inline seL4_MessageInfo_t seL4_MessageInfo_set_length(seL4_MessageInfo_t m, seL4_Uint64 v)
{ m.words[0] = (m.words[0] & ~0x7full) | (v & 0x7fu); return m; }

/* seL4_CapRights: capAllowGrantReply:1 | capAllowGrant:1 | capAllowRead:1 | capAllowWrite:1 (bits 3..0). */
typedef struct seL4_CapRights { seL4_Uint64 words[1]; } seL4_CapRights_t;

static inline seL4_CapRights_t
seL4_CapRights_new(seL4_Uint64 grantReply, seL4_Uint64 grant, seL4_Uint64 read, seL4_Uint64 write)
{
    seL4_CapRights_t r;
    r.words[0] = ((grantReply & 1u) << 3) | ((grant & 1u) << 2) | ((read & 1u) << 1) | (write & 1u);
    return r;
}
static inline seL4_Uint64 seL4_CapRights_get_capAllowGrantReply(seL4_CapRights_t r) { return (r.words[0] >> 3) & 1u; }
static inline seL4_Uint64 seL4_CapRights_get_capAllowGrant(seL4_CapRights_t r) { return (r.words[0] >> 2) & 1u; }
static inline seL4_Uint64 seL4_CapRights_get_capAllowRead(seL4_CapRights_t r) { return (r.words[0] >> 1) & 1u; }
static inline seL4_Uint64 seL4_CapRights_get_capAllowWrite(seL4_CapRights_t r) { return r.words[0] & 1u; }

#define seL4_AllRights      seL4_CapRights_new(1, 1, 1, 1)
#define seL4_CanRead        seL4_CapRights_new(0, 0, 1, 0)
#define seL4_CanWrite       seL4_CapRights_new(0, 0, 0, 1)
#define seL4_CanGrant       seL4_CapRights_new(0, 1, 0, 0)
#define seL4_CanGrantReply  seL4_CapRights_new(1, 0, 0, 0)
#define seL4_NoWrite        seL4_CapRights_new(1, 1, 1, 0)
#define seL4_NoRead         seL4_CapRights_new(1, 1, 0, 1)
#define seL4_NoRights       seL4_CapRights_new(0, 0, 0, 0)
#define seL4_ReadWrite      seL4_CapRights_new(0, 0, 1, 1)

/* seL4_CNode_CapData: guard:58 | guardSize:6 (manual 3.1.6, "CNode guard"). */
typedef struct seL4_CNode_CapData { seL4_Uint64 words[1]; } seL4_CNode_CapData_t;

static inline seL4_CNode_CapData_t seL4_CNode_CapData_new(seL4_Uint64 guard, seL4_Uint64 guardSize)
{
    seL4_CNode_CapData_t d;
    d.words[0] = ((guard & 0x3ffffffffffffffull) << 6) | (guardSize & 0x3fu);
    return d;
}
static inline seL4_Uint64 seL4_CNode_CapData_get_guard(seL4_CNode_CapData_t d) { return d.words[0] >> 6; }
static inline seL4_Uint64 seL4_CNode_CapData_get_guardSize(seL4_CNode_CapData_t d) { return d.words[0] & 0x3fu; }

/* x86_64 register file as read and written by seL4_TCB_ReadRegisters / WriteRegisters,
 * in the order of the kernel's frameRegisters then gpRegisters. */
typedef struct seL4_UserContext_ {
    seL4_Word rip, rsp, rflags, rax, rbx, rcx, rdx, rsi, rdi, rbp,
              r8, r9, r10, r11, r12, r13, r14, r15, fs_base, gs_base;
} seL4_UserContext;

/* Page-table attributes passed to the x86 Map invocations (PAT index bits). */
typedef enum {
    seL4_X86_Default_VMAttributes = 0,
    seL4_X86_WriteBack = 0,
    seL4_X86_WriteThrough = 1,
    seL4_X86_CacheDisabled = 2,
    seL4_X86_Uncacheable = 3,
    seL4_X86_WriteCombining = 4,
    SEL4_FORCE_LONG_ENUM(seL4_X86_VMAttributes),
} seL4_X86_VMAttributes;
