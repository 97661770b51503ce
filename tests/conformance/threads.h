/*
 * conf-threads: shared declarations of the round state (threads.c runs a round,
 * threads-script.c makes up its random threads and scripts).
 */
#pragma once
#include "harness.h"
#include <stdint.h>

/* Compile-time knobs (CMake cache variables) for comparing bigger rounds by hand; the
 * expected output is for 6 and 24. */
#ifndef CONF_THREADS_MAX
#define CONF_THREADS_MAX 6
#endif
#ifndef CONF_THREADS_STEPS
#define CONF_THREADS_STEPS 24
#endif
_Static_assert(CONF_THREADS_MAX >= 4 && CONF_THREADS_MAX <= 12, "4..12 threads");
_Static_assert(CONF_THREADS_STEPS >= 8 && CONF_THREADS_STEPS <= 200, "8..200 steps");

enum {
    THR_MAX = CONF_THREADS_MAX,       /* threads per round, at most */
    THR_MAX_STEPS = CONF_THREADS_STEPS, /* script steps per thread, at most */
    THR_NEP = 3,          /* endpoints; caps per endpoint: unbadged, badged, badged without grant */
    THR_NEP_CAPS = THR_NEP * 3,
    THR_NNTFN = 3,        /* notifications; caps per notification: unbadged, badged */
    THR_NNTFN_CAPS = THR_NNTFN * 2,
    THR_SLOTS = THR_MAX + THR_NEP_CAPS + THR_NNTFN_CAPS + 2 * THR_MAX, /* + receive, saved-reply slots */
    THR_MAX_EVENTS = 1024,
    THR_LOG_MRS = 6,      /* message words kept per event (messages are at most this long) */
    THR_ROOT_ID = 255,    /* event thread id of the root task */
    THR_KICKS = 2 * THR_MAX, /* wake-ups by the root task per round, at most */
};

enum op {
    OP_SEND, OP_NBSEND, OP_CALL, OP_RECV, OP_NBRECV, OP_REPLYRECV, OP_REPLY, OP_SIGNAL,
    OP_WAIT, OP_POLL, OP_YIELD, OP_SETPRIO, OP_SUSPEND, OP_RESUME, OP_COMPUTE,
    OP_CANCELBADGED,       /* CNode_CancelBadgedSends on a badged endpoint cap */
    OP_UNBIND,             /* TCB_UnbindNotification of a thread */
    OP_DESTROY,            /* revoke and delete endpoint 2 or notification 2 */
    OP_FAULT,              /* an unknown system call (number 100): a fault message */
    OP_KILL,               /* delete another thread's TCB cap (the TCB is destroyed) */
    OP_BIND,               /* TCB_BindNotification of a thread to notification 0 or 1 */
    OP_DOMAIN,             /* DomainSet_Set of a thread to domain 0 (re-queues it at the head) */
    OP_REGS,               /* ReadRegisters of a thread (maybe suspending it), write them back
                            * (maybe resuming it): it redoes the system call it was in */
    OP_SAVECALLER,         /* CNode_SaveCaller into the thread's own saved-reply slot */
    OP_SENDREPLY,          /* Send (a reply) on that slot */
    N_SCRIPT_OPS,
    OP_END = N_SCRIPT_OPS, /* a thread finished its script */
    OP_ROOT_RAN,           /* the root task got the CPU back at a priority */
    OP_ROOT_OP1,           /* root task: Signal, NBSend, Yield */
    OP_ROOT_OP2,
    OP_ROOT_OP3,
    OP_KICK_SIGNAL,        /* root task, when every thread is blocked: wake one */
    OP_KICK_NBSEND,
    OP_KICK_NBRECV,
    OP_KICK_RESUME,
};

struct step {
    uint8_t op;
    uint8_t cap;      /* index into ep_caps or ntfn_caps (Destroy: 0 endpoint 2, 1 ntfn 2) */
    uint8_t target;   /* thread index (SetPriority, Suspend, Resume) */
    uint8_t len;      /* message length */
    uint8_t ncaps;    /* extra caps sent (0-2): caps[] index into ep_caps, then ntfn_caps */
    uint8_t caps[2];
    uint8_t clear;    /* receives: delete the receive slot's cap afterwards */
    uint8_t flags;    /* Regs: bit 0 suspend when reading, bit 1 resume when writing */
    seL4_Word label;
    seL4_Word prio;   /* SetPriority: new priority; Compute: loop count */
};

struct thr {
    unsigned id, nsteps;
    struct step steps[THR_MAX_STEPS];
    volatile unsigned pos;    /* step being run (nsteps: finished) */
    volatile seL4_Word prio;  /* current priority (as last set successfully) */
    int bound;                /* notification bound to it, or -1 */
    unsigned role;            /* 0 mixed, 1 server, 2 client (step weights) */
    int fault_ep;             /* index into ep_caps of its fault handler, or -1 */
    volatile bool dead;       /* its TCB was deleted */
};

struct round_state {
    unsigned nthr;
    struct thr thr[THR_MAX];
    unsigned start_order[THR_MAX];
    seL4_Word ep_badge[THR_NEP], ntfn_badge[THR_NNTFN];
    seL4_Word root_mid;       /* priority the root task drops to first (no thread has it) */
    unsigned root_op, root_cap;
    seL4_CPtr tcb[THR_MAX];
    seL4_CPtr ep_caps[THR_NEP_CAPS];
    seL4_CPtr ntfn_caps[THR_NNTFN_CAPS];
    seL4_CPtr recv_slot[THR_MAX];       /* each thread's cap receive slot */
    seL4_CPtr saved_slot[THR_MAX];      /* each thread's slot for SaveCaller */
    volatile bool ep2_gone, ntfn2_gone;  /* destroyed by a Destroy step */
};

struct event {
    uint8_t tid, step, op, has_msg, is_fault;
    uint8_t extra, unwrapped, slot_type;  /* caps received, and the receive slot's cap type */
    seL4_Word badge0;                     /* first unwrapped badge */
    seL4_Word word;                 /* badge of Wait/Poll, error of TCB invocations */
    seL4_Word badge, label, len;    /* received message */
    seL4_Word mr[THR_LOG_MRS];
};

extern struct round_state g_round;

/* Makes up round `seed`: threads, priorities, bindings, badges and scripts. */
void thr_generate(unsigned seed);
const char *thr_op_name(unsigned op);
/* The round's random numbers (after thr_generate: the root task's kicks): 0..n-1. */
unsigned thr_pick(unsigned n);
const char *thr_ep_cap_name(unsigned cap);
const char *thr_ntfn_cap_name(unsigned cap);

/* Message word i sent by step `step` of thread `tid`. */
static inline seL4_Word thr_mr_value(unsigned tid, unsigned step, unsigned i)
{
    return ((seL4_Word)(tid + 1) << 12) | ((seL4_Word)step << 4) | i;
}
