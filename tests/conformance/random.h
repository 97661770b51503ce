/*
 * conf-random: seeded random invocation sequences over a sandbox (see random.c).
 * Shared between random.c (PRNG, sandbox, invocation and printing helpers, main loop)
 * and random-ops.c (one generator per kind of operation).
 */
#pragma once
#include "harness.h"

#define ROOT seL4_CapInitThreadCNode
/* Fixed root-CNode slots, so that lookup-failure details (which carry cptr bits) do not
 * depend on how many slots the image and the harness use. */
#define POOL_START 1024            /* first sandbox slot */
#define POOL 64                    /* sandbox slots in the root CNode */
#define POOL_SPARE 16              /* empty slots after the pool (retype may fill them) */
#define SLOT_RX_EP (POOL_START + POOL + POOL_SPARE)  /* endpoint the root task receives on */
#define SLOT_RX_NTFN (SLOT_RX_EP + 1)                 /* notification it polls */
#define SLOT_PROBE_TCB (SLOT_RX_EP + 2)               /* TCB to test whether RX_NTFN is bound */
#define SLOT_UT (SLOT_RX_EP + 3)                      /* the sandbox untyped */
#define SLOT_EMPTY (SLOT_RX_EP + 4)                   /* always empty */
#define SLOT_DEV_UT (SLOT_RX_EP + 5)                  /* a 1 MiB device untyped */
#define SLOT_LAST SLOT_DEV_UT
#define DEV_UT_BITS 20
#define SANDBOX_BITS 23            /* the sandbox untyped: 8 MiB */
#define REGION 0x10000000000ul     /* root-VSpace addresses the sandbox may map at */

/* Cap types as seL4_DebugCapIdentify reports them (x86_64). */
enum {
    T_NULL = 0, T_FRAME = 1, T_UNTYPED = 2, T_PT = 3, T_EP = 4, T_PD = 5, T_NTFN = 6,
    T_PDPT = 7, T_REPLY = 8, T_PML4 = 9, T_CNODE = 10, T_ASID_CONTROL = 11, T_TCB = 12,
    T_ASID_POOL = 13, T_IRQ_CONTROL = 14, T_IRQ_HANDLER = 16, T_ZOMBIE = 18, T_IOPORT = 19,
    T_DOMAIN = 20, T_IOPORT_CONTROL = 31,
};

/* ---- PRNG (splitmix64) ---- */
seL4_Word rnd(void);
seL4_Word pick(seL4_Word n);            /* uniform in [0, n), 0 for n == 0 */
bool chance(unsigned percent);

/* ---- The sandbox ---- */
#define pool0 ((seL4_CPtr)POOL_START)
#define sandbox_ut ((seL4_CPtr)SLOT_UT)  /* the untyped every sandbox object comes from */
extern seL4_Word sandbox_paddr;         /* its physical address */
extern seL4_Word dev_paddr;             /* SLOT_DEV_UT's physical address */
extern seL4_Word slot_type[POOL];       /* cap types after the last operation */

seL4_CPtr pool_slot(void);
/* A pool slot that is occupied (used) or empty (!used), if there is one. */
seL4_CPtr pool_used(bool used);
/* A pool slot holding a cap of `type` (a random pool slot when there is none). */
seL4_CPtr pool_of(seL4_Word type);
/* A cap from outside the pool that is safe to copy or pass (whitelist), or a pool slot. */
seL4_CPtr any_src(void);
seL4_Word depth(void);                  /* mostly 64, sometimes wrong */
seL4_Word word(void);                   /* a random-but-biased argument word */
seL4_Word rights(void);
seL4_Word vaddr(bool root_vspace);      /* biased to REGION, sometimes invalid */
/* Sandbox priorities stay below the IPC helper's (254): 0..253 mostly, sometimes > 255. */
#define HELPER_PRIO 254
#define SANDBOX_MAX_PRIO 253
seL4_Word prio(void);
seL4_Word safe_port(void);              /* I/O ports no device uses (0x2d8..0x2ff) */
seL4_Word safe_pin(void);               /* IOAPIC pins no device drives, or invalid */
/* A destination (CNode cap, index, depth) for CNode-style arguments: mostly a pool slot
 * of the root CNode (want 1: preferably an occupied one, 0: an empty one, -1: any),
 * sometimes a slot of a sandbox CNode, sometimes wrong. */
void cnode_ref(seL4_CPtr *node, seL4_Word *index, seL4_Word *dep, int want);
/* An (index, depth) inside a sandbox CNode: one level mostly, sometimes two or junk. */
void sub_ref(seL4_Word *index, seL4_Word *dep);

/* ---- Invocations and printing ---- */
/* seL4_Call on `cap` with `label`, `len` message words from a[] and `ncaps` extra caps
 * from c[]; the reply's MRs are left in the IPC buffer (seL4_GetMR). */
#define MAX_ARGS 24
seL4_MessageInfo_t invoke(seL4_CPtr cap, seL4_Word label, unsigned len, unsigned ncaps,
                          const seL4_Word *a, const seL4_CPtr *c);
/* Prints the operation's line: `what`, the reply's error and returned words.  With
 * `paddr_mr0`, MR0 of a successful reply is printed relative to sandbox_paddr (or, with
 * bit 62 set, to dev_paddr). */
void report(const char *what, seL4_MessageInfo_t r, bool paddr_mr0);
/* Prints an operation's line with its own text (no reply to show). */
void report_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A short name for a pool slot or an outside cap (p12, c5, ut, ...). */
const char *slot_name(seL4_CPtr slot);

/* The IPC helper: a thread at HELPER_PRIO (above every sandbox thread, below the root
 * task) that waits on SLOT_RX_EP and answers each message; it runs only while the root
 * task is blocked in a Call to it. */
extern seL4_IPCBuffer *helper_ipc;
#define HELPER_MAGIC 0x5a5a /* label of the root task's Calls to the helper */

/* ---- Operations (random-ops.c) ---- */
void random_op(void);
