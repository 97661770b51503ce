/* Conformance: what deleting and revoking objects does to threads that use them
 * (manual 3.2 "Deletion and revocation"), and a few related restart rules. */
#include "harness.h"

#define ROOT seL4_CapInitThreadCNode
#define D 64

static seL4_CPtr fault_ep;
static volatile seL4_Word progress[8];

static seL4_CPtr copy_of(seL4_CPtr src, seL4_Word badge)
{
    seL4_CPtr s = conf_slot();
    seL4_Error e = badge ? seL4_CNode_Mint(ROOT, s, D, ROOT, src, D, seL4_AllRights, badge)
                         : seL4_CNode_Copy(ROOT, s, D, ROOT, src, D, seL4_AllRights);
    if (e != seL4_NoError) conf_bail("copy failed: %s", conf_error_name(e));
    return s;
}

struct job { unsigned id; seL4_CPtr cap; seL4_Word value; };

static void sender(void *arg)
{
    struct job *j = arg;
    progress[j->id] = 1;
    seL4_SetMR(0, j->value);
    seL4_Send(j->cap, seL4_MessageInfo_new(0, 0, 0, 1));
    progress[j->id] = 2;
    conf_park();
}

static void receiver(void *arg)
{
    struct job *j = arg;
    progress[j->id] = 1;
    seL4_Recv(j->cap, NULL);
    progress[j->id] = 2;
    conf_park();
}

static void marker(void *arg)
{
    struct job *j = arg;
    progress[j->id] = 1;
    conf_park();
}

static void caller(void *arg)
{
    struct job *j = arg;
    for (;;) {
        progress[j->id]++;
        seL4_SetMR(0, progress[j->id]);
        seL4_Call(j->cap, seL4_MessageInfo_new(0, 0, 0, 1));
        progress[j->id] += 100;
    }
}

static void reset(void)
{
    for (unsigned i = 0; i < 8; i++) progress[i] = 0;
}

static seL4_CPtr fep(seL4_Word badge) { return copy_of(fault_ep, badge); }

static void test_endpoint_deletion(void)
{
    static struct job a, b;
    conf_thread_t ta, tb;
    reset();
    seL4_CPtr ep = conf_object(seL4_EndpointObject, 0);
    a.id = 0;
    a.cap = copy_of(ep, 0);
    a.value = 1;
    conf_thread_create(&ta, sender, &a, 100, fep(1));
    conf_settle();
    check_eq(progress[0], 1, "a thread blocks sending on an endpoint");
    seL4_CNode_Delete(ROOT, a.cap, D);
    conf_settle();
    check_eq(progress[0], 1, "deleting a cap to the endpoint (not the last) leaves it blocked");
    seL4_CNode_Delete(ROOT, ep, D);
    conf_settle();
    check_eq(progress[0], 2,
             "deleting the last cap wakes it; its restarted Send to the empty slot fails silently");

    ep = conf_object(seL4_EndpointObject, 0);
    b.id = 1;
    b.cap = ep;
    conf_thread_create(&tb, receiver, &b, 100, fep(2));
    conf_settle();
    check_eq(progress[1], 1, "a thread blocks receiving on an endpoint");
    seL4_CNode_Delete(ROOT, ep, D);
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, &badge);
    check(seL4_MessageInfo_get_label(info) == seL4_Fault_CapFault && badge == 2 &&
              seL4_GetMR(seL4_CapFault_InRecvPhase) == 1 &&
              seL4_GetMR(seL4_CapFault_LookupFailureType) == seL4_MissingCapability,
          "deleting the endpoint restarts its receiver, whose Recv then cap-faults");
    seL4_TCB_Suspend(tb.tcb);

    seL4_CPtr n = conf_object(seL4_NotificationObject, 0);
    static struct job c;
    conf_thread_t tc;
    c.id = 2;
    c.cap = n;
    conf_thread_create(&tc, receiver, &c, 100, fep(3));
    conf_settle();
    seL4_CNode_Delete(ROOT, n, D);
    info = seL4_Recv(fault_ep, &badge);
    check(seL4_MessageInfo_get_label(info) == seL4_Fault_CapFault && badge == 3 && progress[2] == 1,
          "deleting a notification restarts its waiter, whose Wait then cap-faults");
    seL4_TCB_Suspend(tc.tcb);
}

static void test_cancel_badged_sends(void)
{
    static struct job j5, j6;
    conf_thread_t t5, t6;
    reset();
    seL4_CPtr ep = conf_object(seL4_EndpointObject, 0);
    seL4_CPtr b5 = copy_of(ep, 5), b6 = copy_of(ep, 6);
    j5.id = 0;
    j5.cap = copy_of(b5, 0);
    j5.value = 55;
    j6.id = 1;
    j6.cap = b6;
    j6.value = 66;
    conf_thread_create(&t5, sender, &j5, 100, fep(4));
    conf_thread_create(&t6, sender, &j6, 100, fep(5));
    conf_settle();
    check(progress[0] == 1 && progress[1] == 1, "two threads block sending with badges 5 and 6");
    seL4_CNode_Delete(ROOT, j5.cap, D);
    conf_settle();
    check_eq(progress[0], 1, "deleting the badge-5 sender's cap does not wake it");
    check_err(seL4_CNode_CancelBadgedSends(ROOT, b5, D), seL4_NoError, "CancelBadgedSends(badge 5)");
    conf_settle();
    check(progress[0] == 2 && progress[1] == 1,
          "only the badge-5 sender was restarted (its Send then found no cap)");
    seL4_Word badge = 0;
    seL4_Recv(ep, &badge);
    check(badge == 6 && seL4_GetMR(0) == 66, "the badge-6 message is still queued");

    static struct job j0;
    conf_thread_t t0;
    j0.id = 7;
    j0.cap = ep;
    j0.value = 77;
    conf_thread_create(&t0, sender, &j0, 100, fep(6));
    conf_settle();
    check_err(seL4_CNode_CancelBadgedSends(ROOT, ep, D), seL4_NoError,
              "CancelBadgedSends with the unbadged original cap");
    conf_settle();
    check_eq(progress[7], 1, "...does nothing: the unbadged sender stays blocked");
    seL4_Recv(ep, &badge);
    check(badge == 0 && seL4_GetMR(0) == 77, "its message is still delivered");
    conf_settle();
    seL4_TCB_Suspend(t0.tcb);
}

static void test_tcb_deletion(void)
{
    static struct job a, b, m;
    conf_thread_t ta, tb, tm;
    reset();
    seL4_CPtr ep = conf_object(seL4_EndpointObject, 0);
    a.id = 0;
    a.cap = ep;
    a.value = 1;
    b.id = 1;
    b.cap = ep;
    b.value = 2;
    conf_thread_create(&ta, sender, &a, 100, seL4_CapNull);
    conf_settle();
    conf_thread_create(&tb, sender, &b, 100, seL4_CapNull);
    conf_settle();
    check_err(seL4_CNode_Delete(ROOT, ta.tcb, D), seL4_NoError, "delete the TCB of the first queued sender");
    seL4_Word badge;
    seL4_Recv(ep, &badge);
    check_eq(seL4_GetMR(0), 2, "it left the endpoint queue: the second sender's message comes first");

    m.id = 2;
    conf_thread_create(&tm, marker, &m, 100, seL4_CapNull);
    seL4_CNode_Delete(ROOT, tm.tcb, D);
    conf_settle();
    check_eq(progress[2], 0, "a runnable thread whose TCB is deleted never runs");

    /* The only cap to a TCB inside a CNode: deleting the CNode deletes the TCB. */
    static struct job m2;
    conf_thread_t tm2;
    m2.id = 3;
    seL4_CPtr cn = conf_object(seL4_CapTableObject, 2);
    conf_thread_create(&tm2, marker, &m2, 100, seL4_CapNull);
    check_err(seL4_CNode_Move(cn, 1, 2, ROOT, tm2.tcb, D), seL4_NoError, "move a TCB cap into a CNode");
    check_err(seL4_CNode_Delete(ROOT, cn, D), seL4_NoError, "delete the CNode");
    conf_settle();
    check_eq(progress[3], 0, "the thread whose last TCB cap was in the CNode never runs");

    /* Revoking the untyped a TCB came from destroys the thread. */
    static struct job m3;
    conf_thread_t tm3;
    m3.id = 4;
    seL4_CPtr ut = conf_object(seL4_UntypedObject, 12), tcb = conf_slot();
    seL4_Untyped_Retype(ut, seL4_TCBObject, 0, ROOT, 0, 0, tcb, 1);
    conf_thread_create_tcb(&tm3, tcb, marker, &m3, 100, seL4_CapNull);
    check_err(seL4_CNode_Revoke(ROOT, ut, D), seL4_NoError, "revoke the untyped the TCB came from");
    conf_settle();
    check(progress[4] == 0 && seL4_DebugCapIdentify(tcb) == 0, "the thread is gone and never ran");
}

static void test_restart_rules(void)
{
    static struct job c;
    conf_thread_t tc;
    reset();
    seL4_CPtr ep = conf_object(seL4_EndpointObject, 0);
    c.id = 0;
    c.cap = ep;
    conf_thread_create(&tc, caller, &c, 100, seL4_CapNull);
    seL4_Word badge;
    seL4_Recv(ep, &badge);
    check(seL4_GetMR(0) == 1 && progress[0] == 1, "a thread calls (request 1) and waits for the reply");
    check_err(seL4_TCB_Suspend(tc.tcb), seL4_NoError, "suspend it while it waits for the reply");
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    conf_settle();
    check_eq(progress[0], 1, "the reply went nowhere: suspending cancelled it");
    check_err(seL4_TCB_Resume(tc.tcb), seL4_NoError, "resume it");
    seL4_Recv(ep, &badge);
    check(seL4_GetMR(0) == 1 && progress[0] == 1,
          "it re-executes the same Call: the server receives request 1 again");
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    seL4_Recv(ep, &badge);
    check(seL4_GetMR(0) == 102 && progress[0] == 102, "after a real reply it continues with request 102");
    seL4_TCB_Suspend(tc.tcb);

    /* Resume acts only on stopped threads: inactive ones and ones waiting for a reply. */
    seL4_TCB_Resume(tc.tcb);
    seL4_Recv(ep, &badge);
    check_eq(seL4_GetMR(0), 102, "resumed after being suspended while waiting, it re-sends request 102");
    check_err(seL4_TCB_Resume(tc.tcb), seL4_NoError, "Resume it while it (unsuspended) waits for the reply");
    seL4_Recv(ep, &badge);
    check(seL4_GetMR(0) == 102 && progress[0] == 102,
          "Resume of a thread waiting for a reply makes it re-send its Call");
    seL4_TCB_Suspend(tc.tcb);

    static struct job rcv;
    conf_thread_t tr;
    rcv.id = 2;
    rcv.cap = conf_object(seL4_EndpointObject, 0);
    conf_thread_create(&tr, receiver, &rcv, 100, seL4_CapNull);
    conf_settle();
    check_err(seL4_TCB_Resume(tr.tcb), seL4_NoError, "Resume a thread blocked in Recv");
    conf_settle();
    seL4_SetMR(0, 5);
    seL4_Send(rcv.cap, seL4_MessageInfo_new(0, 0, 0, 1));
    conf_settle();
    check_eq(progress[2], 2, "...has no effect: it is still (once) in the queue and receives");

    /* Suspending and resuming a queued sender moves it to the back of the queue. */
    static struct job q1, q2;
    conf_thread_t tq1, tq2;
    seL4_CPtr qep = conf_object(seL4_EndpointObject, 0);
    q1.id = 3;
    q1.cap = qep;
    q1.value = 31;
    q2.id = 4;
    q2.cap = qep;
    q2.value = 32;
    conf_thread_create(&tq1, sender, &q1, 100, seL4_CapNull);
    conf_settle();
    conf_thread_create(&tq2, sender, &q2, 100, seL4_CapNull);
    conf_settle();
    seL4_TCB_Suspend(tq1.tcb);
    seL4_TCB_Resume(tq1.tcb);
    conf_settle();
    seL4_Recv(qep, &badge);
    seL4_Word v1 = seL4_GetMR(0);
    seL4_Recv(qep, &badge);
    check(v1 == 32 && seL4_GetMR(0) == 31,
          "a suspended and resumed sender re-sends from the back of the queue");

    seL4_CPtr n = conf_object(seL4_NotificationObject, 0);
    static struct job w;
    conf_thread_t tw;
    w.id = 5;
    w.cap = n;
    seL4_Signal(n); /* badge 0: the notification becomes active with an empty word */
    conf_thread_create(&tw, receiver, &w, 100, seL4_CapNull);
    conf_settle();
    check_eq(progress[5], 2, "a Signal with badge 0 still makes the next Wait return");
}

static void bad_fault_ep_thread(void *arg)
{
    struct job *j = arg;
    progress[j->id] = 1;
    __asm__ volatile("ud2");
    progress[j->id] = 2;
    conf_park();
}

static void test_bad_fault_endpoints(void)
{
    static struct job j;
    conf_thread_t t;
    reset();
    j.id = 0;
    seL4_CPtr n = conf_object(seL4_NotificationObject, 0);
    conf_thread_create(&t, bad_fault_ep_thread, &j, 100, n);
    conf_settle();
    seL4_Word badge = 0xdead;
    seL4_Poll(n, &badge);
    check(progress[0] == 1 && badge == 0, "a notification as fault endpoint: no message, the thread stops");
    j.id = 1;
    conf_thread_create(&t, bad_fault_ep_thread, &j, 100, conf_slot());
    conf_settle();
    check_eq(progress[1], 1, "an empty slot as fault endpoint: the thread stops");
}

int main(void)
{
    conf_begin("delete");
    fault_ep = conf_object(seL4_EndpointObject, 0);
    test_endpoint_deletion();
    test_cancel_badged_sends();
    test_tcb_deletion();
    test_restart_rules();
    test_bad_fault_endpoints();
    conf_end();
}
