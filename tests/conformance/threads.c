/*
 * Conformance: seeded random multi-thread IPC and scheduling (a differential test).
 *
 * Each round (one seed) retypes fresh objects from one untyped: 4-6 TCBs, 3 endpoints
 * (each with an unbadged cap, a badged cap and a badged cap without Grant/GrantReply) and
 * 3 notifications (unbadged and badged caps; some bound to threads).  The threads share
 * the root task's CSpace and VSpace and each runs a script of random steps fixed before
 * the round starts (threads-script.c): Send, NBSend, Call, Recv, NBRecv, ReplyRecv, Reply,
 * Signal, Wait, Poll, Yield, SetPriority of itself or another thread, Suspend or Resume of
 * another thread, and short computations.  After each step a thread appends an event
 * (what the kernel returned) to a log in shared memory.
 *
 * Nothing depends on timing: computations are a few thousand instructions, far below a
 * time slice, so the order of events follows only from the kernel's scheduling rules.
 * The root task starts the threads at priority 255 (so none runs yet), drops to a
 * priority no thread has (logging when it runs again), and then to 1, below every
 * thread: when it runs again every thread has finished or is blocked.  It then prints
 * the log and each thread's final position, raises itself to 255 and revokes the
 * untyped, destroying the round's objects.  The expected output is what the real kernel
 * printed.  CONF_THREADS_SEED and CONF_THREADS_ROUNDS can be set at compile time (CMake
 * cache variables) to compare more seeds by hand.
 */
#include "threads.h"
#include <runtime/string.h>

#ifndef CONF_THREADS_SEED
#define CONF_THREADS_SEED 1
#endif
#ifndef CONF_THREADS_ROUNDS
#define CONF_THREADS_ROUNDS 10
#endif

#define ROOT seL4_CapInitThreadCNode
#define D 64
#define STACK_WORDS 1024
/* Message words sent by the root task (never look like a thread's, see thr_mr_value). */
#define ROOT_MR_MARK 0x7007ul
#define ROOT_MR(k) ((ROOT_MR_MARK << 32) | (seL4_Word)(k))

static seL4_Word stacks[THR_MAX][STACK_WORDS] __attribute__((aligned(16)));
static seL4_IPCBuffer *ipc_bufs[THR_MAX];
static seL4_CPtr ipc_frames[THR_MAX];

struct round_state g_round;
static struct event g_log[THR_MAX_EVENTS];
static volatile unsigned g_nlog;
static volatile unsigned g_overflow;

/* ---- The event log ---- */
static struct event *log_next(unsigned tid, unsigned step, unsigned op)
{
    unsigned i = g_nlog;
    if (i >= THR_MAX_EVENTS) {
        g_overflow = 1;
        return NULL;
    }
    g_nlog = i + 1;
    struct event *e = &g_log[i];
    memset(e, 0, sizeof(*e));
    e->tid = (uint8_t)tid;
    e->step = (uint8_t)step;
    e->op = (uint8_t)op;
    return e;
}

/* Records a received message: badge, label, length and up to THR_LOG_MRS words. */
static void log_message(unsigned tid, unsigned step, unsigned op, seL4_Word badge,
                        seL4_MessageInfo_t info)
{
    struct event *e = log_next(tid, step, op);
    if (!e) return;
    e->has_msg = 1;
    e->badge = badge;
    e->label = seL4_MessageInfo_get_label(info);
    e->len = seL4_MessageInfo_get_length(info);
    for (seL4_Word i = 0; i < e->len && i < THR_LOG_MRS; i++) e->mr[i] = seL4_GetMR((int)i);
    e->extra = (uint8_t)seL4_MessageInfo_get_extraCaps(info);
    e->unwrapped = (uint8_t)seL4_MessageInfo_get_capsUnwrapped(info);
    if (e->unwrapped & 1) e->badge0 = seL4_GetBadge(0);
    if (tid < THR_MAX) e->slot_type = (uint8_t)seL4_DebugCapIdentify(g_round.recv_slot[tid]);
}

/* The same for a receive, which may also get a fault message (labels 1..7; script and
 * root-task labels are larger): only the fault's label, length and badge are kept (its
 * words are register values and addresses), and for an unknown syscall RAX. */
static void log_receive(unsigned tid, unsigned step, unsigned op, seL4_Word badge,
                        seL4_MessageInfo_t info)
{
    log_message(tid, step, op, badge, info);
    seL4_Word label = seL4_MessageInfo_get_label(info);
    if (label == 0 || label >= 0x10 || !g_nlog) return;
    struct event *e = &g_log[g_nlog - 1];
    if (e->tid != tid || e->op != op) return;
    e->is_fault = 1;
    seL4_Word rax = e->mr[0];
    memset(e->mr, 0, sizeof(e->mr));
    if (e->label == seL4_Fault_UnknownSyscall) e->mr[0] = rax;
}

/* Recv or NBRecv with the message info and message registers zeroed first: a receive
 * that gets no message (a failed NBRecv, a bound notification's signal) leaves them as
 * they were, and what the compiler left there must not reach the output. */
static seL4_MessageInfo_t recv_clean(seL4_Word sys, seL4_CPtr src, seL4_Word *badge)
{
    register seL4_Word r10 __asm__("r10") = 0;
    register seL4_Word r8 __asm__("r8") = 0;
    register seL4_Word r9 __asm__("r9") = 0;
    register seL4_Word r15 __asm__("r15") = 0;
    seL4_Word info = 0, dest = src;
    __asm__ volatile("movq %%rsp, %%rbx\n\tsyscall\n\tmovq %%rbx, %%rsp"
                     : "+r"(r10), "+r"(r8), "+r"(r9), "+r"(r15), "+D"(dest), "+S"(info), "+d"(sys)
                     :
                     : "rbx", "rcx", "r11", "memory");
    seL4_SetMR(0, r10);
    seL4_SetMR(1, r8);
    seL4_SetMR(2, r9);
    seL4_SetMR(3, r15);
    *badge = dest;
    seL4_MessageInfo_t m = { { info } };
    return m;
}

/* An unknown system call with RAX, RSI and RDI set to known values. */
static void unknown_syscall(seL4_Word value)
{
    register seL4_Word rax __asm__("rax") = value;
    register seL4_Word rdx __asm__("rdx") = 100; /* no such syscall */
    register seL4_Word rdi __asm__("rdi") = value + 1;
    register seL4_Word rsi __asm__("rsi") = value + 2;
    __asm__ volatile("movq %%rsp, %%rbx\n\tsyscall\n\tmovq %%rbx, %%rsp"
                     : "+r"(rax), "+r"(rdx), "+r"(rdi), "+r"(rsi)
                     :
                     : "rbx", "rcx", "r8", "r9", "r10", "r11", "r15", "memory");
}

static void log_word(unsigned tid, unsigned step, unsigned op, seL4_Word w)
{
    struct event *e = log_next(tid, step, op);
    if (e) e->word = w;
}

/* ---- Thread bodies ---- */
static seL4_CPtr cap_of(unsigned i)
{
    return i < THR_NEP_CAPS ? g_round.ep_caps[i] : g_round.ntfn_caps[(i - THR_NEP_CAPS) % THR_NNTFN_CAPS];
}

static void set_message(const struct thr *t, unsigned step, const struct step *s)
{
    for (unsigned i = 0; i < s->len; i++) seL4_SetMR((int)i, thr_mr_value(t->id, step, i));
    for (unsigned i = 0; i < s->ncaps; i++) seL4_SetCap((int)i, cap_of(s->caps[i]));
}

static seL4_MessageInfo_t message_info(const struct step *s)
{
    return seL4_MessageInfo_new(s->label, 0, s->ncaps, s->len);
}

/* After a receive: empty the receive slot (most of the time) for the next cap. */
static void clear_slot(const struct thr *t, const struct step *s)
{
    if (s->clear) seL4_CNode_Delete(ROOT, g_round.recv_slot[t->id], D);
}

static void run_step(struct thr *t, unsigned i)
{
    const struct step *s = &t->steps[i];
    seL4_Word badge = 0;
    seL4_MessageInfo_t info;
    switch (s->op) {
    case OP_SEND:
        set_message(t, i, s);
        seL4_Send(g_round.ep_caps[s->cap], message_info(s));
        log_word(t->id, i, s->op, 0);
        break;
    case OP_NBSEND:
        set_message(t, i, s);
        seL4_NBSend(g_round.ep_caps[s->cap], message_info(s));
        log_word(t->id, i, s->op, 0);
        break;
    case OP_CALL:
        set_message(t, i, s);
        info = seL4_Call(g_round.ep_caps[s->cap], message_info(s));
        log_message(t->id, i, s->op, 0, info);
        clear_slot(t, s);
        break;
    case OP_RECV:
        info = recv_clean((seL4_Word)seL4_SysRecv, g_round.ep_caps[s->cap], &badge);
        log_receive(t->id, i, s->op, badge, info);
        clear_slot(t, s);
        break;
    case OP_NBRECV:
        info = recv_clean((seL4_Word)seL4_SysNBRecv, g_round.ep_caps[s->cap], &badge);
        log_receive(t->id, i, s->op, badge, info);
        clear_slot(t, s);
        break;
    case OP_REPLYRECV:
        set_message(t, i, s);
        info = seL4_ReplyRecv(g_round.ep_caps[s->cap], message_info(s), &badge);
        log_receive(t->id, i, s->op, badge, info);
        clear_slot(t, s);
        break;
    case OP_REPLY:
        set_message(t, i, s);
        seL4_Reply(message_info(s));
        log_word(t->id, i, s->op, 0);
        break;
    case OP_SIGNAL:
        seL4_Signal(g_round.ntfn_caps[s->cap]);
        log_word(t->id, i, s->op, 0);
        break;
    case OP_WAIT:
        seL4_Wait(g_round.ntfn_caps[s->cap], &badge);
        log_word(t->id, i, s->op, badge);
        break;
    case OP_POLL:
        seL4_Poll(g_round.ntfn_caps[s->cap], &badge);
        log_word(t->id, i, s->op, badge);
        break;
    case OP_YIELD:
        seL4_Yield();
        log_word(t->id, i, s->op, 0);
        break;
    case OP_SETPRIO: {
        seL4_Error e = seL4_TCB_SetPriority(g_round.tcb[s->target], seL4_CapInitThreadTCB, s->prio);
        if (e == seL4_NoError) g_round.thr[s->target].prio = s->prio;
        log_word(t->id, i, s->op, (seL4_Word)e);
        break;
    }
    case OP_SUSPEND:
        log_word(t->id, i, s->op, (seL4_Word)seL4_TCB_Suspend(g_round.tcb[s->target]));
        break;
    case OP_RESUME:
        log_word(t->id, i, s->op, (seL4_Word)seL4_TCB_Resume(g_round.tcb[s->target]));
        break;
    case OP_CANCELBADGED:
        log_word(t->id, i, s->op, (seL4_Word)seL4_CNode_CancelBadgedSends(ROOT, g_round.ep_caps[s->cap], D));
        break;
    case OP_UNBIND:
        log_word(t->id, i, s->op, (seL4_Word)seL4_TCB_UnbindNotification(g_round.tcb[s->target]));
        break;
    case OP_DESTROY: {
        /* endpoint 2 (or notification 2) with all its caps: its waiters are restarted */
        seL4_CPtr first = s->cap ? g_round.ntfn_caps[4] : g_round.ep_caps[6];
        seL4_Error e = seL4_CNode_Revoke(ROOT, first, D);
        if (e == seL4_NoError) {
            if (s->cap) g_round.ntfn2_gone = true;
            else g_round.ep2_gone = true;
            e = seL4_CNode_Delete(ROOT, first, D);
        }
        log_word(t->id, i, s->op, (seL4_Word)e);
        break;
    }
    case OP_SAVECALLER:
        log_word(t->id, i, s->op, (seL4_Word)seL4_CNode_SaveCaller(ROOT, g_round.saved_slot[t->id], D));
        break;
    case OP_SENDREPLY:
        set_message(t, i, s);
        seL4_Send(g_round.saved_slot[t->id], message_info(s));
        log_word(t->id, i, s->op, 0);
        break;
    case OP_REGS: {
        seL4_UserContext regs;
        memset(&regs, 0, sizeof(regs));
        seL4_Word n = sizeof(regs) / sizeof(seL4_Word);
        seL4_Error e = seL4_TCB_ReadRegisters(g_round.tcb[s->target], s->flags & 1, 0, n, &regs);
        if (e == seL4_NoError)
            e = seL4_TCB_WriteRegisters(g_round.tcb[s->target], (s->flags >> 1) & 1, 0, n, &regs);
        log_word(t->id, i, s->op, (seL4_Word)e);
        break;
    }
    case OP_DOMAIN:
        log_word(t->id, i, s->op, (seL4_Word)seL4_DomainSet_Set(seL4_CapDomain, 0, g_round.tcb[s->target]));
        break;
    case OP_BIND:
        log_word(t->id, i, s->op,
                 (seL4_Word)seL4_TCB_BindNotification(g_round.tcb[s->target], g_round.ntfn_caps[s->cap]));
        break;
    case OP_KILL: {
        seL4_Error e = seL4_CNode_Delete(ROOT, g_round.tcb[s->target], D);
        if (e == seL4_NoError) g_round.thr[s->target].dead = true;
        log_word(t->id, i, s->op, (seL4_Word)e);
        break;
    }
    case OP_FAULT:
        unknown_syscall(thr_mr_value(t->id, i, 0xf));
        log_word(t->id, i, s->op, 0);
        break;
    default: { /* OP_COMPUTE: a few thousand instructions at most */
        volatile seL4_Word acc = 0;
        for (seL4_Word k = 0; k < s->prio; k++) acc = acc * 3 + k;
        log_word(t->id, i, s->op, 0);
        break;
    }
    }
}

static void thread_main(void *arg)
{
    struct thr *t = arg;
    seL4_SetCapReceivePath(ROOT, g_round.recv_slot[t->id], D);
    for (unsigned i = 0; i < t->nsteps; i++) {
        t->pos = i;
        run_step(t, i);
    }
    t->pos = t->nsteps;
    log_word(t->id, t->nsteps, OP_END, 0);
    /* returning makes the thread suspend itself (thread_start's trampoline) */
}

/* ---- Printing ---- */
static const char *cap_name(unsigned i)
{
    return i < THR_NEP_CAPS ? thr_ep_cap_name(i) : thr_ntfn_cap_name(i - THR_NEP_CAPS);
}

static int fmt_step(char *buf, size_t size, const struct thr *t, unsigned i)
{
    if (i >= t->nsteps) return snprintf(buf, size, "end");
    const struct step *s = &t->steps[i];
    switch (s->op) {
    case OP_SEND: case OP_NBSEND: case OP_CALL: case OP_REPLYRECV:
        return snprintf(buf, size, "%s %s l%lx n%u%s%s%s%s", thr_op_name(s->op), thr_ep_cap_name(s->cap),
                        s->label, s->len, s->ncaps ? " +" : "", s->ncaps ? cap_name(s->caps[0]) : "",
                        s->ncaps > 1 ? "," : "", s->ncaps > 1 ? cap_name(s->caps[1]) : "");
    case OP_RECV: case OP_NBRECV:
        return snprintf(buf, size, "%s %s", thr_op_name(s->op), thr_ep_cap_name(s->cap));
    case OP_REPLY: case OP_SENDREPLY:
        return snprintf(buf, size, "%s l%lx n%u%s%s%s%s", thr_op_name(s->op), s->label, s->len,
                        s->ncaps ? " +" : "", s->ncaps ? cap_name(s->caps[0]) : "",
                        s->ncaps > 1 ? "," : "", s->ncaps > 1 ? cap_name(s->caps[1]) : "");
    case OP_SIGNAL: case OP_WAIT: case OP_POLL:
        return snprintf(buf, size, "%s %s", thr_op_name(s->op), thr_ntfn_cap_name(s->cap));
    case OP_SETPRIO:
        return snprintf(buf, size, "%s t%u %lu", thr_op_name(s->op), s->target, s->prio);
    case OP_CANCELBADGED:
        return snprintf(buf, size, "%s %s", thr_op_name(s->op), thr_ep_cap_name(s->cap));
    case OP_DESTROY:
        return snprintf(buf, size, "%s %s", thr_op_name(s->op), s->cap ? "n2" : "e2");
    case OP_BIND:
        return snprintf(buf, size, "%s t%u %s", thr_op_name(s->op), s->target, thr_ntfn_cap_name(s->cap));
    case OP_REGS:
        return snprintf(buf, size, "%s t%u%s%s", thr_op_name(s->op), s->target,
                        (s->flags & 1) ? " suspend" : "", (s->flags & 2) ? " resume" : "");
    case OP_SUSPEND: case OP_RESUME: case OP_UNBIND: case OP_KILL: case OP_DOMAIN:
        return snprintf(buf, size, "%s t%u", thr_op_name(s->op), s->target);
    default:
        return snprintf(buf, size, "%s", thr_op_name(s->op));
    }
}

static void print_event(unsigned round, unsigned n, const struct event *e)
{
    char line[150];
    int len;
    if (e->tid == THR_ROOT_ID) {
        len = snprintf(line, sizeof(line), "%s", thr_op_name(e->op));
        if (e->op == OP_ROOT_RAN)
            len += snprintf(line + len, sizeof(line) - (size_t)len, " p%lu", e->word);
        else if (e->op == OP_KICK_NBSEND || e->op == OP_KICK_NBRECV)
            len += snprintf(line + len, sizeof(line) - (size_t)len, " %s for t%lu",
                            thr_ep_cap_name(e->step), e->word);
        else if (e->op == OP_KICK_SIGNAL)
            len += snprintf(line + len, sizeof(line) - (size_t)len, " %s for t%lu",
                            thr_ntfn_cap_name(e->step), e->word);
        else if (e->op == OP_KICK_RESUME)
            len += snprintf(line + len, sizeof(line) - (size_t)len, " t%lu -> e%u", e->word, e->step);
    } else {
        len = snprintf(line, sizeof(line), "t%u.%u ", e->tid, e->step);
        len += fmt_step(line + len, sizeof(line) - (size_t)len, &g_round.thr[e->tid], e->step);
    }
    if (len > 0 && (size_t)len < sizeof(line)) {
        if (e->is_fault) {
            len += snprintf(line + len, sizeof(line) - (size_t)len, " -> fault b%lx l%lx n%lu", e->badge,
                            e->label, e->len);
            if (e->label == seL4_Fault_UnknownSyscall && len > 0 && (size_t)len < sizeof(line))
                snprintf(line + len, sizeof(line) - (size_t)len, " rax %lx", e->mr[0]);
        } else if (e->has_msg) {
            len += snprintf(line + len, sizeof(line) - (size_t)len, " -> b%lx l%lx n%lu", e->badge,
                            e->label, e->len);
            for (seL4_Word i = 0; i < e->len && i < THR_LOG_MRS && len > 0 && (size_t)len < sizeof(line); i++)
                len += snprintf(line + len, sizeof(line) - (size_t)len, " %lx", e->mr[i]);
            if ((e->extra || e->unwrapped) && len > 0 && (size_t)len < sizeof(line))
                len += snprintf(line + len, sizeof(line) - (size_t)len, " caps %u/%u", e->extra, e->unwrapped);
            if ((e->unwrapped & 1) && len > 0 && (size_t)len < sizeof(line))
                len += snprintf(line + len, sizeof(line) - (size_t)len, " ub%lx", e->badge0);
            if (e->slot_type && len > 0 && (size_t)len < sizeof(line))
                snprintf(line + len, sizeof(line) - (size_t)len, " slot %u", e->slot_type);
        } else if (e->op == OP_WAIT || e->op == OP_POLL) {
            snprintf(line + len, sizeof(line) - (size_t)len, " -> b%lx", e->word);
        } else if (e->op == OP_SETPRIO || e->op == OP_SUSPEND || e->op == OP_RESUME ||
                   e->op == OP_CANCELBADGED || e->op == OP_UNBIND || e->op == OP_DESTROY ||
                   e->op == OP_KILL || e->op == OP_BIND || e->op == OP_DOMAIN || e->op == OP_REGS ||
                   e->op == OP_SAVECALLER) {
            snprintf(line + len, sizeof(line) - (size_t)len, " -> e%lu", e->word);
        }
    }
    check(true, "%u.%u %s", round, n, line);
}

static void print_final(unsigned round)
{
    for (unsigned t = 0; t < g_round.nthr; t++) {
        const struct thr *th = &g_round.thr[t];
        char what[100];
        fmt_step(what, sizeof(what), th, th->pos);
        if (th->dead)
            check(true, "%u final t%u p%lu: destroyed in step %u (%s)", round, t, th->prio, th->pos, what);
        else if (th->pos >= th->nsteps)
            check(true, "%u final t%u p%lu: finished", round, t, th->prio);
        else
            check(true, "%u final t%u p%lu: stopped in step %u (%s)", round, t, th->prio, th->pos, what);
    }
}

/* ---- One round ---- */
static seL4_CPtr g_ut;
static seL4_CPtr g_slots; /* first of THR_SLOTS consecutive root-CNode slots */

static seL4_Error retype(seL4_Word type, seL4_CPtr slot)
{
    return seL4_Untyped_Retype(g_ut, type, 0, ROOT, 0, 0, slot, 1);
}

static void make_objects(void)
{
    seL4_CPtr s = g_slots;
    seL4_Error e = seL4_NoError;
    for (unsigned i = 0; i < THR_MAX && e == seL4_NoError; i++) {
        g_round.tcb[i] = s++;
        e = retype(seL4_TCBObject, g_round.tcb[i]);
    }
    for (unsigned i = 0; i < THR_NEP && e == seL4_NoError; i++) {
        seL4_CPtr ep = s++, b = s++, nog = s++;
        e = retype(seL4_EndpointObject, ep);
        if (e == seL4_NoError)
            e = seL4_CNode_Mint(ROOT, b, D, ROOT, ep, D, seL4_AllRights, g_round.ep_badge[i]);
        if (e == seL4_NoError)
            e = seL4_CNode_Mint(ROOT, nog, D, ROOT, ep, D, seL4_CapRights_new(0, 0, 1, 1),
                                g_round.ep_badge[i] + 0x100);
        g_round.ep_caps[i * 3] = ep;
        g_round.ep_caps[i * 3 + 1] = b;
        g_round.ep_caps[i * 3 + 2] = nog;
    }
    for (unsigned i = 0; i < THR_MAX; i++) g_round.recv_slot[i] = s++;
    for (unsigned i = 0; i < THR_MAX; i++) g_round.saved_slot[i] = s++;
    for (unsigned i = 0; i < THR_NNTFN && e == seL4_NoError; i++) {
        seL4_CPtr n = s++, b = s++;
        e = retype(seL4_NotificationObject, n);
        if (e == seL4_NoError)
            e = seL4_CNode_Mint(ROOT, b, D, ROOT, n, D, seL4_AllRights, g_round.ntfn_badge[i]);
        g_round.ntfn_caps[i * 2] = n;
        g_round.ntfn_caps[i * 2 + 1] = b;
    }
    if (e != seL4_NoError) conf_bail("making the round's objects failed: %s", conf_error_name(e));
}

static void start_threads(void)
{
    for (unsigned k = 0; k < g_round.nthr; k++) {
        unsigned i = g_round.start_order[k];
        struct thr *t = &g_round.thr[i];
        if (t->bound >= 0) {
            seL4_Error e = seL4_TCB_BindNotification(g_round.tcb[i], g_round.ntfn_caps[t->bound * 2]);
            if (e != seL4_NoError) conf_bail("BindNotification failed: %s", conf_error_name(e));
        }
        thread_t th;
        seL4_CPtr fault_ep = t->fault_ep >= 0 ? g_round.ep_caps[t->fault_ep] : seL4_CapNull;
        seL4_Error e = thread_start(&th, g_round.tcb[i], thread_main, t, &stacks[i][STACK_WORDS],
                                    ipc_bufs[i], ipc_frames[i], fault_ep, t->prio);
        if (e != seL4_NoError) conf_bail("thread_start failed: %s", conf_error_name(e));
    }
}

/* Every message a thread received must carry the words of a step that sent one. */
static bool messages_consistent(void)
{
    for (unsigned n = 0; n < g_nlog; n++) {
        const struct event *e = &g_log[n];
        if (!e->has_msg || e->len == 0 || e->len > THR_LOG_MRS) continue;
        unsigned tid = (unsigned)(e->mr[0] >> 12) - 1, step = (unsigned)(e->mr[0] >> 4) & 0xff;
        if ((e->mr[0] >> 32) == ROOT_MR_MARK) continue; /* from the root task */
        /* not a script message: a signal (Recv woken by a bound notification) or a kernel
         * error reply (Call on an empty slot) */
        if (tid >= g_round.nthr || e->mr[0] != thr_mr_value(tid, step, 0)) continue;
        if (step >= g_round.thr[tid].nsteps) return false;
        const struct step *s = &g_round.thr[tid].steps[step];
        bool sends = s->op == OP_SEND || s->op == OP_NBSEND || s->op == OP_CALL ||
                     s->op == OP_REPLY || s->op == OP_REPLYRECV || s->op == OP_SENDREPLY;
        if (!sends || s->label != e->label || s->len != e->len) return false;
        for (unsigned i = 1; i < e->len; i++)
            if (e->mr[i] != thr_mr_value(tid, step, i)) return false;
    }
    return true;
}

static bool stuck(unsigned t)
{
    return g_round.thr[t].pos < g_round.thr[t].nsteps && !g_round.thr[t].dead;
}

static bool all_finished(void)
{
    for (unsigned t = 0; t < g_round.nthr; t++)
        if (stuck(t)) return false;
    return true;
}

/* Run by the root task at priority 1, so only when every thread has finished or is
 * blocked: wakes a random unfinished thread in a way that fits the step it is stuck in
 * (a message for a receiver, a receive -- and a reply -- for a sender, a signal for a
 * waiter, else Resume), and lets the threads run on, up to THR_KICKS times. */
static void kicks(void)
{
    for (unsigned k = 0; k < THR_KICKS && !all_finished(); k++) {
        unsigned cand[THR_MAX] = { 0 }, nc = 0;
        for (unsigned t = 0; t < g_round.nthr; t++)
            if (stuck(t)) cand[nc++] = t;
        unsigned t = cand[thr_pick(nc)];
        const struct step *s = &g_round.thr[t].steps[g_round.thr[t].pos];
        unsigned op = s->op;
        if (thr_pick(100) < 15) op = OP_RESUME;
        if ((op <= OP_REPLYRECV && s->cap >= 6 && g_round.ep2_gone) ||
            ((op == OP_WAIT || op == OP_POLL) && s->cap >= 4 && g_round.ntfn2_gone))
            op = OP_RESUME; /* never use a destroyed object's (now empty) slot */
        seL4_Word badge = 0;
        switch (op) {
        case OP_RECV: case OP_NBRECV: case OP_REPLYRECV:
            seL4_SetMR(0, ROOT_MR(k));
            seL4_NBSend(g_round.ep_caps[s->cap], seL4_MessageInfo_new(0x700 + k, 0, 0, 1));
            log_word(THR_ROOT_ID, s->cap, OP_KICK_NBSEND, t);
            break;
        case OP_SEND: case OP_NBSEND: case OP_CALL: {
            seL4_MessageInfo_t info = recv_clean((seL4_Word)seL4_SysNBRecv, g_round.ep_caps[s->cap], &badge);
            log_receive(THR_ROOT_ID, s->cap, OP_KICK_NBRECV, badge, info);
            if (g_nlog) g_log[g_nlog - 1].word = t;
            seL4_SetMR(0, ROOT_MR(0x100 + k));
            seL4_Reply(seL4_MessageInfo_new(0x710 + k, 0, 0, 1));
            break;
        }
        case OP_WAIT: case OP_POLL:
            seL4_Signal(g_round.ntfn_caps[s->cap]);
            log_word(THR_ROOT_ID, s->cap, OP_KICK_SIGNAL, t);
            break;
        default: {
            seL4_Error e = seL4_TCB_Resume(g_round.tcb[t]);
            log_word(THR_ROOT_ID, (unsigned)e, OP_KICK_RESUME, t);
            break;
        }
        }
    }
}

static void run_round(unsigned round, unsigned seed)
{
    g_nlog = 0;
    g_overflow = 0;
    g_round.ep2_gone = g_round.ntfn2_gone = false;
    thr_generate(seed);
    make_objects();
    char line[150];
    int len = snprintf(line, sizeof(line), "%u setup seed %u: %u threads, prios", round, seed, g_round.nthr);
    for (unsigned i = 0; i < g_round.nthr && len > 0 && (size_t)len < sizeof(line); i++)
        len += snprintf(line + len, sizeof(line) - (size_t)len, " %lu%s%s", g_round.thr[i].prio,
                        g_round.thr[i].bound >= 0 ? "*" : "",
                        g_round.thr[i].fault_ep >= 0 ? thr_ep_cap_name((unsigned)g_round.thr[i].fault_ep) : "");
    if (len > 0 && (size_t)len < sizeof(line))
        len += snprintf(line + len, sizeof(line) - (size_t)len, ", start");
    for (unsigned i = 0; i < g_round.nthr && len > 0 && (size_t)len < sizeof(line); i++)
        len += snprintf(line + len, sizeof(line) - (size_t)len, " t%u", g_round.start_order[i]);
    if (len > 0 && (size_t)len < sizeof(line))
        snprintf(line + len, sizeof(line) - (size_t)len, ", root %lu", g_round.root_mid);
    check(true, "%s", line);
    start_threads();

    /* Let the threads above root_mid run; note when the root task gets the CPU back. */
    seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, g_round.root_mid);
    log_word(THR_ROOT_ID, 0, OP_ROOT_RAN, g_round.root_mid);
    if ((g_round.root_op == 1 && g_round.root_cap % THR_NNTFN_CAPS >= 4 && g_round.ntfn2_gone) ||
        (g_round.root_op == 2 && g_round.root_cap % THR_NEP_CAPS >= 6 && g_round.ep2_gone))
        g_round.root_op = 3; /* never use a destroyed object's (now empty) slot */
    switch (g_round.root_op) {
    case 1: seL4_Signal(g_round.ntfn_caps[g_round.root_cap % THR_NNTFN_CAPS]); break;
    case 2:
        seL4_SetMR(0, ROOT_MR(0x77));
        seL4_NBSend(g_round.ep_caps[g_round.root_cap % THR_NEP_CAPS], seL4_MessageInfo_new(0x77, 0, 0, 1));
        break;
    case 3: seL4_Yield(); break;
    default: break;
    }
    if (g_round.root_op) log_word(THR_ROOT_ID, 0, OP_ROOT_OP1 + g_round.root_op - 1, 0);
    /* Below every thread: back only when all have finished or are blocked. */
    seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, 1);
    log_word(THR_ROOT_ID, 0, OP_ROOT_RAN, 1);
    kicks();
    seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, 255);

    unsigned n = g_nlog;
    for (unsigned i = 0; i < n; i++) print_event(round, i, &g_log[i]);
    print_final(round);
    check(!g_overflow, "round %u: the event log did not overflow (%u events)", round, n);
    check(messages_consistent(), "round %u: every received script message matches the step that sent it", round);
    check_err(seL4_CNode_Revoke(ROOT, g_ut, D), seL4_NoError, "round %u: revoke the round's untyped", round);
}

int main(void)
{
    conf_begin("threads");
    g_ut = conf_object(seL4_UntypedObject, 16);
    g_slots = conf_slot();
    for (unsigned i = 1; i < THR_SLOTS; i++)
        if (conf_slot() != g_slots + i) conf_bail("slots are not consecutive");
    for (unsigned i = 0; i < THR_MAX; i++) ipc_bufs[i] = conf_page(&ipc_frames[i]);
    for (unsigned r = 0; r < CONF_THREADS_ROUNDS; r++) run_round(r, CONF_THREADS_SEED + r);
    conf_end();
}
