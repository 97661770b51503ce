/*
 * Kernel objects and capabilities of the seL4 model (x86_64, non-MCS).
 *
 * Capabilities are plain structs with named fields (not the kernel's packed words);
 * objects that carry state (TCBs, endpoints, notifications, CNodes, paging
 * structures, ASID pools) are host allocations reached through cap.obj and keyed by
 * the physical address the untyped retype gave them.  Frames and untyped memory have
 * no host object: their bytes live in simulated RAM.
 *
 * The capability derivation tree is kept as seL4 keeps it: a doubly linked list of
 * slots in tree pre-order, with a "revocable" and a "first badged" flag per slot
 * (manual 3.1.5).  The numbers of the cap types are the kernel's own (they are what
 * seL4_DebugCapIdentify returns).
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sel4/types.h>
#include <sel4/errors.h>
#include <sel4/constants.h>
#include <sel4/faults.h>
#include <sel4/invocation.h>
#include <sel4/syscall.h>

/* ---- capability types: the kernel's 5-bit cap tags (odd = architecture caps) ---- */
enum cap_type {
    CAP_NULL = 0,
    CAP_UNTYPED = 2,
    CAP_ENDPOINT = 4,
    CAP_NOTIFICATION = 6,
    CAP_REPLY = 8,
    CAP_CNODE = 10,
    CAP_THREAD = 12,
    CAP_IRQ_CONTROL = 14,
    CAP_IRQ_HANDLER = 16,
    CAP_ZOMBIE = 18,
    CAP_DOMAIN = 20,
    CAP_FRAME = 1,
    CAP_PAGE_TABLE = 3,
    CAP_PAGE_DIRECTORY = 5,
    CAP_PDPT = 7,
    CAP_PML4 = 9,
    CAP_ASID_CONTROL = 11,
    CAP_ASID_POOL = 13,
    CAP_IO_SPACE = 15,
    CAP_IO_PORT = 19,
    CAP_IO_PORT_CONTROL = 31,
};

static inline bool cap_is_arch(unsigned type) { return (type & 1u) != 0; }

/* Rights bits, seL4_CapRights layout: write (send), read (receive), grant, grant-reply. */
enum {
    RIGHT_WRITE = 1u,
    RIGHT_READ = 2u,
    RIGHT_GRANT = 4u,
    RIGHT_GRANT_REPLY = 8u,
    RIGHTS_ALL = 15u,
};

/* Frame mapping rights (x86 vm_rights_t values). */
enum { VM_KERNEL_ONLY = 1, VM_READ_ONLY = 2, VM_READ_WRITE = 3 };

/* A zombie's type: a TCB, or a CNode of the given radix. */
#define ZOMBIE_TCB 0x7fu

/* Number of slots inside a TCB (tcbCTable, tcbVTable, tcbReply, tcbCaller, tcbBuffer). */
enum { TCB_CTABLE = 0, TCB_VTABLE, TCB_REPLY, TCB_CALLER, TCB_BUFFER, TCB_NUM_SLOTS };

/* Length of a thread's debug name, as in the debug kernel (TCB_NAME_LENGTH). */
#define TCB_NAME_LEN 848

struct tcb;
struct kobj;

typedef struct cap {
    uint8_t  type;          /* enum cap_type */
    uint8_t  rights;        /* RIGHT_* (endpoint, notification; reply: RIGHT_GRANT) */
    uint8_t  vm_rights;     /* frames: VM_* */
    uint8_t  size_bits;     /* untyped block size, CNode radix, frame page bits */
    uint8_t  guard_bits;    /* CNode guard size */
    uint8_t  zombie_type;   /* ZOMBIE_TCB or the radix of a zombie CNode */
    bool     is_device;     /* untyped, frame */
    bool     is_mapped;     /* page table / directory / PDPT / PML4 */
    bool     reply_master;  /* reply caps */
    uint16_t asid;          /* mapped ASID (frame, paging structures); ASID base (pool) */
    uint16_t irq;           /* IRQ handler */
    uint16_t port_first, port_last; /* I/O port range */
    uint64_t paddr;         /* object address; for reply caps the TCB's */
    uint64_t badge;         /* endpoint / notification badge */
    uint64_t guard;         /* CNode guard */
    uint64_t free_bytes;    /* untyped watermark, bytes (a multiple of 16) */
    uint64_t vaddr;         /* frame / paging structure mapped address */
    uint64_t zombie_number; /* slots of a zombie still to be cleared */
    struct kobj *obj;       /* host object, if the type has one */
} cap;

/* One capability slot with its place in the derivation tree. */
typedef struct cte {
    cap cap;
    struct cte *prev, *next;
    bool revocable, first_badged;
} cte;

/* ---- objects with host state ---- */
enum obj_kind {
    OBJ_TCB,
    OBJ_ENDPOINT,
    OBJ_NOTIFICATION,
    OBJ_CNODE,
    OBJ_PML4,
    OBJ_PDPT,
    OBJ_PD,
    OBJ_PT,
    OBJ_ASID_POOL,
    OBJ_NUM_KINDS
};

typedef struct kobj {
    struct kobj *next, *prev;  /* list of live objects (for teardown) */
    uint64_t paddr;
    uint8_t  kind;             /* enum obj_kind */
} kobj;

enum { EP_IDLE = 0, EP_SEND = 1, EP_RECV = 2 };
enum { NTFN_IDLE = 0, NTFN_WAITING = 1, NTFN_ACTIVE = 2 };

typedef struct tcb_queue { struct tcb *head, *end; } tcb_queue;

typedef struct endpoint {
    kobj hdr;
    uint8_t state;
    tcb_queue queue;
} endpoint;

typedef struct notification {
    kobj hdr;
    uint8_t state;
    uint64_t msg;          /* ntfnMsgIdentifier: OR of pending badges */
    tcb_queue queue;
    struct tcb *bound;     /* bound TCB */
} notification;

typedef struct cnode {
    kobj hdr;
    uint8_t radix;
    cte slot[];            /* 1 << radix slots */
} cnode;

/* Paging structure entries, x86 style: present, writable, user, page-size bits + address. */
enum {
    PTE_PRESENT = 1ull << 0,
    PTE_WRITE = 1ull << 1,
    PTE_USER = 1ull << 2,
    PTE_PAGE = 1ull << 7,      /* entry maps a page (large / huge at PD / PDPT level) */
};
#define PTE_ADDR_MASK 0x000ffffffffff000ull

struct sim_space;
typedef struct ptable {
    kobj hdr;
    uint8_t level;             /* 4 PML4, 3 PDPT, 2 PD, 1 PT */
    uint64_t e[512];
    struct ptable *child[512]; /* lower-level table for non-page present entries */
    struct ptable *parent;     /* table this one is linked into, if any */
    unsigned parent_index;
    struct sim_space *space;   /* PML4 only: the machine's address space */
} ptable;

typedef struct asid_pool {
    kobj hdr;
    ptable *vspace[512];       /* PML4 per low ASID bits */
} asid_pool;

/* ---- faults and lookup failures ---- */
enum lookup_fault_type { LF_INVALID_ROOT = 0, LF_MISSING_CAP = 1, LF_DEPTH_MISMATCH = 2, LF_GUARD_MISMATCH = 3 };

typedef struct lookup_fault {
    uint8_t type;          /* enum lookup_fault_type */
    uint8_t bits_left;
    uint8_t bits_found;
    uint64_t guard_found;
} lookup_fault;

typedef struct fault {
    uint8_t type;          /* seL4_Fault_* */
    bool in_recv_phase;    /* cap fault */
    bool instruction;      /* VM fault: instruction fetch */
    uint32_t fsr;          /* VM fault status (5 bits) */
    uint64_t addr;         /* cap fault cptr, VM fault address, unknown syscall number */
    uint32_t number;       /* user exception vector */
    uint32_t code;         /* user exception error code (28 bits) */
} fault;

/* ---- threads ---- */
enum thread_state {
    TS_INACTIVE = 0,
    TS_RUNNING = 1,
    TS_RESTART = 2,
    TS_BLOCKED_RECV = 3,
    TS_BLOCKED_SEND = 4,
    TS_BLOCKED_REPLY = 5,
    TS_BLOCKED_NTFN = 6,
    TS_IDLE = 7,
};

/* Register context indices, in the kernel's x86_64 order. */
enum reg {
    R_RDI = 0, R_RSI, R_RAX, R_RBX, R_RBP, R_R12, R_R13, R_R14, R_RDX, R_R10, R_R8, R_R9,
    R_R15, R_FLAGS, R_NEXTIP, R_ERROR, R_RSP, R_FAULTIP, R_R11, R_RCX, R_CS, R_SS,
    R_FS_BASE, R_GS_BASE, R_NUM
};
#define R_CAP R_RDI
#define R_BADGE R_RDI
#define R_MSGINFO R_RSI

typedef struct tcb {
    kobj hdr;
    cte slot[TCB_NUM_SLOTS];
    uint64_t ctx[R_NUM];
    uint8_t fpu[512] __attribute__((aligned(16)));
    bool fpu_valid;

    /* thread_state */
    uint8_t state;         /* enum thread_state */
    bool queued;           /* in a ready queue */
    void *blocking;        /* endpoint or notification */
    uint64_t blocking_badge;
    bool blocking_grant, blocking_grant_reply, blocking_is_call;

    uint64_t flags;        /* seL4_TCBFlag */
    notification *bound;
    fault fault;
    lookup_fault lookup_failure;
    uint8_t prio, mcp;
    uint64_t time_slice;
    uint64_t fault_handler;
    uint64_t ipc_buffer;

    struct tcb *sched_next, *sched_prev;
    struct tcb *ep_next, *ep_prev;
    struct tcb *dbg_next, *dbg_prev;   /* all threads, newest first (debug list) */

    char name[TCB_NAME_LEN];

    /* simulator bookkeeping */
    uint64_t insns;        /* user instructions executed */
    uint64_t syscalls;     /* kernel entries by syscall */
    bool hung;             /* fault injection: spins forever */
} tcb;

/* Registers of the message and of ReadRegisters/WriteRegisters, kernel order. */
extern const uint8_t msg_registers[4];
extern const uint8_t frame_registers[18];
extern const uint8_t gp_registers[2];
enum { N_MSG_REGISTERS = 4, N_FRAME_REGISTERS = 18, N_GP_REGISTERS = 2 };
