/* Conformance: scheduling (manual 6.1): priorities, Yield round robin, MCP limits,
 * preemption on wake-up, and the order of ready queues. */
#include "harness.h"
#include <runtime/string.h>

#define ROOT seL4_CapInitThreadCNode
#define D 64

static char order[64];
static volatile unsigned n_order;

static void note(char c)
{
    if (n_order < sizeof(order) - 1) order[n_order++] = c;
    order[n_order] = '\0';
}

static void reset(void)
{
    n_order = 0;
    order[0] = '\0';
}

/* Checks the recorded order against `want`. */
static void check_order(const char *want, const char *desc)
{
    char detail_desc[160];
    snprintf(detail_desc, sizeof(detail_desc), "%s (order %s)", desc, want);
    check(strcmp(order, want) == 0, "%s", detail_desc);
    if (strcmp(order, want) != 0) printf("# got order \"%s\"\n", order);
}

struct job { char name; unsigned rounds; seL4_CPtr ntfn; };

static void noter(void *arg)
{
    struct job *j = arg;
    note(j->name);
    conf_park();
}

static void yielder(void *arg)
{
    struct job *j = arg;
    for (unsigned i = 0; i < j->rounds; i++) {
        note(j->name);
        seL4_Yield();
    }
    conf_park();
}

static void waiter(void *arg)
{
    struct job *j = arg;
    seL4_Wait(j->ntfn, NULL);
    note(j->name);
    conf_park();
}

static void signaller(void *arg)
{
    struct job *j = arg;
    seL4_Signal(j->ntfn);
    note(j->name);
    conf_park();
}

static void test_priorities(void)
{
    static struct job a = { 'a', 0, 0 }, b = { 'b', 0, 0 }, c = { 'c', 0, 0 };
    conf_thread_t ta, tb, tc;
    reset();
    conf_thread_create(&ta, noter, &a, 50, seL4_CapNull);
    conf_thread_create(&tb, noter, &b, 100, seL4_CapNull);
    conf_thread_create(&tc, noter, &c, 75, seL4_CapNull);
    check_eq(n_order, 0, "lower-priority threads do not run while the root task (255) runs");
    seL4_Yield();
    check_eq(n_order, 0, "Yield does not let lower-priority threads run");
    conf_settle();
    check_order("bca", "when the root task blocks, threads run highest priority first");

    static struct job x = { 'x', 0, 0 }, y = { 'y', 0, 0 };
    conf_thread_t tx, ty;
    reset();
    conf_thread_create(&tx, noter, &x, 90, seL4_CapNull);
    conf_thread_create(&ty, noter, &y, 90, seL4_CapNull);
    conf_settle();
    check_order("yx", "of two equal-priority threads started in turn, the later one runs first");
}

static void test_yield(void)
{
    static struct job p = { 'p', 3, 0 }, q = { 'q', 3, 0 }, r = { 'r', 3, 0 };
    conf_thread_t tp, tq, tr;
    reset();
    conf_thread_create(&tp, yielder, &p, 80, seL4_CapNull);
    conf_settle(); /* p alone: runs its 3 rounds, Yield returns to it each time */
    check_order("ppp", "Yield with no other thread at the same priority continues the caller");
    reset();
    p.rounds = 0;
    q.rounds = 3;
    r.rounds = 3;
    static struct job s = { 's', 3, 0 };
    conf_thread_t ts;
    conf_thread_create(&tq, yielder, &q, 80, seL4_CapNull);
    conf_thread_create(&tr, yielder, &r, 80, seL4_CapNull);
    conf_thread_create(&ts, yielder, &s, 80, seL4_CapNull);
    conf_settle();
    check_order("srqsrqsrq", "Yield round robin among three equal-priority threads");
    (void)tp;
}

static void test_preemption(void)
{
    static struct job h, l;
    h.name = 'H';
    l.name = 'L';
    h.ntfn = l.ntfn = conf_object(seL4_NotificationObject, 0);
    conf_thread_t th, tl;
    reset();
    conf_thread_create(&th, waiter, &h, 200, seL4_CapNull);
    conf_settle();
    check_eq(n_order, 0, "a priority-200 thread waits on a notification");
    conf_thread_create(&tl, signaller, &l, 100, seL4_CapNull);
    conf_settle();
    check_order("HL", "a signal to a higher-priority waiter preempts the signaller");

    static struct job e = { 'e', 0, 0 };
    conf_thread_t te;
    reset();
    conf_thread_create(&te, noter, &e, 255, seL4_CapNull);
    check_eq(n_order, 0, "a new thread at the root task's own priority does not preempt it");
    seL4_Yield();
    check_order("e", "after the root task yields, it runs");

    static struct job m = { 'm', 0, 0 };
    conf_thread_t tm;
    reset();
    conf_thread_create(&tm, noter, &m, 120, seL4_CapNull);
    check_err(seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, 110), seL4_NoError,
              "the root task lowers its own priority to 110");
    check_order("m", "the waiting priority-120 thread ran at once");
    check_err(seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, 255), seL4_NoError,
              "the root task raises its priority back to 255 (its MCP)");
    static struct job k = { 'k', 0, 0 };
    conf_thread_t tk;
    reset();
    conf_thread_create(&tk, noter, &k, 100, seL4_CapNull);
    check_err(seL4_TCB_SetPriority(tk.tcb, seL4_CapInitThreadTCB, 255), seL4_NoError,
              "raise a runnable thread to 255");
    check_eq(n_order, 0, "equal priority: it does not preempt the caller");
    seL4_Yield();
    check_order("k", "it runs when the root task yields");
}

struct self_args { seL4_CPtr tcb, done; volatile seL4_Word e1, e2, e3, e4; };
static void self_prio(void *arg)
{
    struct self_args *a = arg;
    a->e1 = seL4_TCB_SetPriority(a->tcb, a->tcb, 60);
    a->e2 = seL4_GetMR(1);
    a->e3 = seL4_TCB_SetPriority(a->tcb, a->tcb, 40);
    a->e4 = seL4_TCB_SetMCPriority(a->tcb, a->tcb, 51);
    seL4_Signal(a->done);
    conf_park();
}

static void test_mcp(void)
{
    static struct self_args sa;
    seL4_CPtr tcb = conf_object(seL4_TCBObject, 0);
    sa.tcb = tcb;
    sa.done = conf_object(seL4_NotificationObject, 0);
    check_err(seL4_TCB_SetMCPriority(tcb, seL4_CapInitThreadTCB, 50), seL4_NoError,
              "give a new thread MCP 50");
    conf_thread_t t;
    /* thread_start sets the priority with the root task's authority */
    {
        seL4_CPtr ipc_frame;
        seL4_IPCBuffer *ipc = conf_page(&ipc_frame);
        static seL4_Word stack[2048] __attribute__((aligned(16)));
        seL4_Error e = thread_start(&t.t, tcb, self_prio, &sa, &stack[2048], ipc, ipc_frame,
                                    seL4_CapNull, 45);
        check_err(e, seL4_NoError, "start it at priority 45");
    }
    seL4_Wait(sa.done, NULL);
    check(sa.e1 == seL4_RangeError && sa.e2 == 50,
          "the thread cannot raise itself to 60 above its MCP (RangeError, max 50)");
    check_err((seL4_Error)sa.e3, seL4_NoError, "it can set itself to 40");
    check_err((seL4_Error)sa.e4, seL4_RangeError, "it cannot raise its own MCP to 51");
}

/* ---- IPC and priorities ---- */
struct ipc_job { char name; seL4_CPtr cap; };

static void ipc_sender(void *arg)
{
    struct ipc_job *j = arg;
    seL4_SetMR(0, (seL4_Word)j->name);
    seL4_Send(j->cap, seL4_MessageInfo_new(0, 0, 0, 1));
    conf_park();
}

static void ipc_waiter(void *arg)
{
    struct ipc_job *j = arg;
    seL4_Wait(j->cap, NULL);
    note(j->name);
    conf_park();
}

static void ipc_server(void *arg)
{
    struct ipc_job *j = arg;
    seL4_Recv(j->cap, NULL);
    note('1');
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    note('2');
    conf_park();
}

static void ipc_client(void *arg)
{
    struct ipc_job *j = arg;
    note('c');
    seL4_Call(j->cap, seL4_MessageInfo_new(0, 0, 0, 0));
    note('C');
    conf_park();
}

static void test_ipc_priorities(void)
{
    seL4_CPtr ep = conf_object(seL4_EndpointObject, 0);
    static struct ipc_job lo, hi;
    conf_thread_t tl, th;
    lo.name = 'l';
    lo.cap = ep;
    hi.name = 'h';
    hi.cap = ep;
    conf_thread_create(&tl, ipc_sender, &lo, 50, seL4_CapNull);
    conf_settle();
    conf_thread_create(&th, ipc_sender, &hi, 150, seL4_CapNull);
    conf_settle();
    seL4_Word badge;
    seL4_Recv(ep, &badge);
    char first = (char)seL4_GetMR(0);
    seL4_Recv(ep, &badge);
    char second = (char)seL4_GetMR(0);
    check(first == 'l' && second == 'h',
          "endpoint queues are FIFO, not by priority (low-priority sender queued first is received first)");

    seL4_CPtr n = conf_object(seL4_NotificationObject, 0);
    static struct ipc_job wl, wh;
    conf_thread_t twl, twh;
    wl.name = 'l';
    wl.cap = n;
    wh.name = 'h';
    wh.cap = n;
    reset();
    conf_thread_create(&twl, ipc_waiter, &wl, 60, seL4_CapNull);
    conf_settle();
    conf_thread_create(&twh, ipc_waiter, &wh, 160, seL4_CapNull);
    conf_settle();
    seL4_Signal(n);
    conf_settle();
    check_order("l", "a Signal wakes the first waiter, not the highest-priority one");
    seL4_Signal(n);
    conf_settle();

    static struct ipc_job srv, cli;
    conf_thread_t ts, tc;
    srv.cap = cli.cap = conf_object(seL4_EndpointObject, 0);
    reset();
    conf_thread_create(&ts, ipc_server, &srv, 100, seL4_CapNull);
    conf_settle();
    conf_thread_create(&tc, ipc_client, &cli, 200, seL4_CapNull);
    conf_settle();
    check_order("c1C2", "Call to a lower-priority server; its Reply switches straight back to the client");
}

/* ---- Priority changes by running threads ---- */
struct prio_job { seL4_CPtr self, other; };

static void raiser(void *arg)
{
    struct prio_job *j = arg;
    note('a');
    seL4_TCB_SetPriority(j->other, seL4_CapInitThreadTCB, 150);
    note('A');
    seL4_TCB_SetPriority(j->self, seL4_CapInitThreadTCB, 40);
    note('z');
    seL4_TCB_Suspend(j->self);
    note('!');
    conf_park();
}

static void plain(void *arg)
{
    (void)arg;
    note('b');
    conf_park();
}

static void plain2(void *arg)
{
    (void)arg;
    note('q');
    conf_park();
}

static void test_priority_changes(void)
{
    static struct prio_job j;
    conf_thread_t ta, tb, tq;
    reset();
    conf_thread_create(&tb, plain, NULL, 50, seL4_CapNull);
    conf_thread_create(&tq, plain2, NULL, 45, seL4_CapNull);
    j.other = tb.tcb;
    conf_thread_create(&ta, raiser, &j, 100, seL4_CapNull);
    j.self = ta.tcb;
    conf_settle();
    check_order("abAqz", "raising a ready thread above the caller preempts it; lowering oneself yields to higher ones");
    check_eq(n_order, 5, "a thread that suspends itself runs no further");
}

/* ---- Domains (one domain in this configuration) ---- */
static void test_domains(void)
{
    seL4_CPtr t = conf_object(seL4_TCBObject, 0), n = conf_object(seL4_NotificationObject, 0);
    check_err(seL4_DomainSet_Set(seL4_CapDomain, 0, t), seL4_NoError, "DomainSet_Set domain 0");
    check_err(seL4_DomainSet_Set(seL4_CapDomain, 1, t), seL4_InvalidArgument,
              "DomainSet_Set domain 1 (only one domain) -> InvalidArgument");
    check_eq(seL4_GetMR(0), 0, "InvalidArgument names argument 0");
    check_err(seL4_DomainSet_Set(seL4_CapDomain, 0, n), seL4_InvalidArgument,
              "DomainSet_Set with a notification instead of a TCB -> InvalidArgument");
    check_eq(seL4_GetMR(0), 1, "InvalidArgument names argument 1");
    seL4_MessageInfo_t r = seL4_Call(seL4_CapDomain, seL4_MessageInfo_new(DomainSetSet, 0, 0, 0));
    check_eq(seL4_MessageInfo_get_label(r), seL4_TruncatedMessage, "DomainSet_Set without arguments -> TruncatedMessage");
    r = seL4_Call(seL4_CapDomain, seL4_MessageInfo_new(CNodeCopy, 0, 0, 1));
    check_eq(seL4_MessageInfo_get_label(r), seL4_IllegalOperation, "a CNode label on the domain cap -> IllegalOperation");
}

/* ---- Time slices ---- */
static volatile seL4_Word spin_a, spin_b;
static seL4_CPtr spin_done;
#define SPIN_N 20000000ul

static void spin_until(void *arg)
{
    (void)arg;
    while (spin_a < SPIN_N) spin_a++;
    seL4_Signal(spin_done);
    conf_park();
}

static void spin_forever(void *arg)
{
    (void)arg;
    for (;;) spin_b++;
}

static void test_timeslice(void)
{
    spin_done = conf_object(seL4_NotificationObject, 0);
    conf_thread_t ta, tb;
    conf_thread_create(&tb, spin_forever, NULL, 90, seL4_CapNull);
    conf_thread_create(&ta, spin_until, NULL, 90, seL4_CapNull);
    seL4_Wait(spin_done, NULL);
    seL4_TCB_Suspend(tb.tcb);
    check(spin_a == SPIN_N && spin_b > 0,
          "two equal-priority threads that never block share the CPU (timer time slices)");
    seL4_Word b = spin_b;
    conf_settle();
    check_eq(spin_b, b, "the suspended spinner no longer runs");
}

/* ---- DomainSet invocations beyond the basics (one domain, a 2-entry schedule) ---- */
static seL4_Word domain_call(seL4_Word label, seL4_Word len, seL4_Word a0, seL4_Word a1, seL4_Word a2,
                             unsigned ncaps, seL4_CPtr cap)
{
    seL4_SetMR(0, a0);
    seL4_SetMR(1, a1);
    seL4_SetMR(2, a2);
    seL4_SetCap(0, cap);
    return seL4_MessageInfo_get_label(seL4_Call(seL4_CapDomain, seL4_MessageInfo_new(label, 0, ncaps, len)));
}

static void test_domain_schedule(void)
{
    seL4_CPtr t = conf_object(seL4_TCBObject, 0), copy = conf_slot();
    check_eq(domain_call(DomainSetSet, 1, 0x100, 0, 0, 1, t), seL4_InvalidArgument,
             "DomainSet_Set with domain word 0x100 -> InvalidArgument (the whole word is checked)");
    check_eq(domain_call(DomainSetSet, 1, 1, 0, 0, 0, 0), seL4_InvalidArgument,
             "DomainSet_Set domain 1 without a cap -> InvalidArgument (domain checked first)");
    check_eq(domain_call(DomainSetSet, 1, 0, 0, 0, 0, 0), seL4_TruncatedMessage,
             "DomainSet_Set domain 0 without a cap -> TruncatedMessage");
    check_err(seL4_DomainSet_Set(seL4_CapDomain, 0, seL4_CapInitThreadTCB), seL4_NoError,
              "DomainSet_Set on the calling thread itself");
    seL4_CNode_Copy(seL4_CapInitThreadCNode, copy, 64, seL4_CapInitThreadCNode, seL4_CapDomain, 64, seL4_AllRights);
    check_err(seL4_DomainSet_Set(copy, 0, t), seL4_NoError, "DomainSet_Set through a copy of the domain cap");

    check_eq(domain_call(DomainScheduleConfigure, 2, 0, 0, 0, 0, 0), seL4_TruncatedMessage,
             "DomainSet_ScheduleConfigure with 2 words -> TruncatedMessage");
    check_range(seL4_DomainSet_ScheduleConfigure(seL4_CapDomain, 1, 0, 5), 0, 0,
                "ScheduleConfigure index 1 (the end marker must stay) -> RangeError [0, 0]");
    check_range(seL4_DomainSet_ScheduleConfigure(seL4_CapDomain, 0, 1, 5), 0, 0,
                "ScheduleConfigure domain 1 -> RangeError [0, 0]");
    check_err(seL4_DomainSet_ScheduleConfigure(seL4_CapDomain, 0, 0, 1ul << 56), seL4_InvalidArgument,
              "ScheduleConfigure duration 2^56 -> InvalidArgument");
    check_eq(seL4_GetMR(0), 2, "...names argument 2");
    check_err(seL4_DomainSet_ScheduleConfigure(seL4_CapDomain, 0, 0, 0), seL4_InvalidArgument,
              "ScheduleConfigure duration 0 at the start index -> InvalidArgument");
    check_eq(seL4_GetMR(0), 2, "...names argument 2");
    check_err(seL4_DomainSet_ScheduleConfigure(seL4_CapDomain, 0, 0, (1ul << 56) - 1), seL4_NoError,
              "ScheduleConfigure index 0, domain 0, the largest duration");
    check_err(seL4_DomainSet_ScheduleConfigure(seL4_CapDomain, 0, 0, 3), seL4_NoError,
              "ScheduleConfigure index 0, duration 3 ticks");
    check_eq(domain_call(DomainScheduleSetStart, 0, 0, 0, 0, 0, 0), seL4_TruncatedMessage,
             "DomainSet_ScheduleSetStart without arguments -> TruncatedMessage");
    check_range(seL4_DomainSet_ScheduleSetStart(seL4_CapDomain, 2), 0, 1, "ScheduleSetStart 2 -> RangeError [0, 1]");
    check_err(seL4_DomainSet_ScheduleSetStart(seL4_CapDomain, 1), seL4_InvalidArgument,
              "ScheduleSetStart at the end marker -> InvalidArgument");
    check_eq(seL4_GetMR(0), 0, "...names argument 0");
    check_err(seL4_DomainSet_ScheduleSetStart(seL4_CapDomain, 0), seL4_NoError, "ScheduleSetStart 0");
    spin_a = 0;
    spin_b = 0;
    conf_thread_t ta, tb;
    conf_thread_create(&tb, spin_forever, NULL, 90, seL4_CapNull);
    conf_thread_create(&ta, spin_until, NULL, 90, seL4_CapNull);
    seL4_Wait(spin_done, NULL);
    seL4_TCB_Suspend(tb.tcb);
    check(spin_a == SPIN_N && spin_b > 0,
          "with a 3-tick domain schedule (one domain) equal-priority spinners still share the CPU");
    check_eq(domain_call(DomainSetSet + 3, 0, 0, 0, 0, 0, 0), seL4_IllegalOperation,
             "an unknown label on the domain cap -> IllegalOperation");
}

int main(void)
{
    conf_begin("sched");
    test_priorities();
    test_yield();
    test_preemption();
    test_mcp();
    test_ipc_priorities();
    test_priority_changes();
    test_domains();
    test_timeslice();
    test_domain_schedule();
    conf_end();
}
