/* Conformance: notifications (manual 5): Signal, Wait, Poll, badges OR-ed together,
 * waiter queues and notifications bound to a TCB. */
#include "harness.h"

#define ROOT seL4_CapInitThreadCNode
#define D 64

static seL4_CPtr mint(seL4_CPtr src, seL4_Word badge)
{
    seL4_CPtr s = conf_slot();
    seL4_Error e = seL4_CNode_Mint(ROOT, s, D, ROOT, src, D, seL4_AllRights, badge);
    if (e != seL4_NoError) conf_bail("mint failed: %s", conf_error_name(e));
    return s;
}

static seL4_Word poll(seL4_CPtr n)
{
    seL4_Word badge = 0xdead;
    seL4_Poll(n, &badge);
    return badge;
}

struct waiter {
    seL4_CPtr obj, done; /* obj: notification to Wait on, or endpoint to Recv on */
    volatile seL4_Word badge, count, label;
};

static void waiter_thread(void *arg)
{
    struct waiter *w = arg;
    for (;;) {
        seL4_Word badge = 0;
        seL4_MessageInfo_t info = seL4_Recv(w->obj, &badge);
        w->badge = badge;
        w->label = seL4_MessageInfo_get_label(info);
        w->count++;
        seL4_Signal(w->done);
    }
}

static void test_signal_poll(void)
{
    seL4_CPtr n = conf_object(seL4_NotificationObject, 0);
    seL4_CPtr b1 = mint(n, 0x1), b4 = mint(n, 0x4), bhi = mint(n, 0x8000000000000000ul);
    check_eq(poll(n), 0, "Poll on an idle notification returns badge 0");
    seL4_Signal(b1);
    check_eq(poll(n), 0x1, "Signal then Poll returns the badge");
    check_eq(poll(n), 0, "Poll cleared the notification");
    seL4_Signal(b1);
    seL4_Signal(b4);
    seL4_Signal(b4);
    check_eq(poll(n), 0x5, "two Signals with badges 1 and 4 are OR-ed (0x5)");
    seL4_Signal(bhi);
    seL4_Signal(b1);
    check_eq(poll(n), 0x8000000000000001ul, "badge bit 63 is kept");
    seL4_Signal(b4);
    seL4_Word badge = 0;
    seL4_Wait(n, &badge);
    check_eq(badge, 0x4, "Wait on an active notification returns at once with the badge");
    seL4_Signal(n);
    check_eq(poll(n), 0, "Signal through the unbadged cap delivers badge 0");
}

static void test_waiters(void)
{
    seL4_CPtr n = conf_object(seL4_NotificationObject, 0);
    seL4_CPtr b2 = mint(n, 0x2), b8 = mint(n, 0x8);
    static struct waiter w1, w2;
    w1.obj = w2.obj = n;
    w1.done = conf_object(seL4_NotificationObject, 0);
    w2.done = conf_object(seL4_NotificationObject, 0);
    conf_thread_t t1, t2;
    conf_thread_create(&t1, waiter_thread, &w1, 100, seL4_CapNull);
    conf_settle();
    conf_thread_create(&t2, waiter_thread, &w2, 100, seL4_CapNull);
    conf_settle();
    seL4_Signal(b2);
    seL4_Wait(w1.done, NULL);
    check(w1.count == 1 && w1.badge == 0x2 && w2.count == 0,
          "a Signal wakes only the first waiter (badge 2)");
    seL4_Signal(b8);
    seL4_Wait(w2.done, NULL);
    check(w2.count == 1 && w2.badge == 0x8 && w1.count == 1, "the next Signal wakes the second waiter");
    conf_settle(); /* both threads back in Wait */
    seL4_Signal(b2);
    seL4_Signal(b8);
    seL4_Wait(w1.done, NULL);
    seL4_Wait(w2.done, NULL);
    check((w1.badge | w2.badge) == 0xa && w1.badge != w2.badge,
          "two Signals to two waiters are not OR-ed: each waiter gets one badge");
    conf_settle();
    check_eq(poll(n), 0, "nothing is left pending");
    seL4_CPtr other = conf_object(seL4_TCBObject, 0);
    check_err(seL4_TCB_BindNotification(other, n), seL4_IllegalOperation,
              "a notification with waiting threads cannot be bound -> IllegalOperation");
    seL4_TCB_Suspend(t1.tcb);
    seL4_TCB_Suspend(t2.tcb);
    seL4_Signal(b2);
    check_eq(poll(n), 0x2, "suspended waiters were removed from the queue: the signal stays pending");
    check_err(seL4_TCB_BindNotification(other, n), seL4_NoError, "with no waiters left it can be bound");
}

static void test_bound(void)
{
    seL4_CPtr ep = conf_object(seL4_EndpointObject, 0);
    seL4_CPtr n = conf_object(seL4_NotificationObject, 0);
    seL4_CPtr b3 = mint(n, 0x3), b4 = mint(n, 0x4);
    static struct waiter w;
    w.obj = ep;
    w.done = conf_object(seL4_NotificationObject, 0);
    conf_thread_t t;
    conf_thread_create(&t, waiter_thread, &w, 100, seL4_CapNull);
    check_err(seL4_TCB_BindNotification(t.tcb, n), seL4_NoError, "bind a notification to a thread");
    conf_settle(); /* the thread is now blocked in Recv on the endpoint */
    seL4_Signal(b3);
    seL4_Wait(w.done, NULL);
    check(w.count == 1 && w.badge == 0x3,
          "signalling the bound notification wakes the thread blocked in Recv (badge 3)");
    conf_settle();
    seL4_SetMR(0, 1);
    seL4_Send(ep, seL4_MessageInfo_new(0x77, 0, 0, 1));
    seL4_Wait(w.done, NULL);
    check(w.count == 2 && w.badge == 0 && w.label == 0x77,
          "an endpoint message still arrives normally (badge 0, label 0x77)");

    /* A pending signal is delivered by the next Recv on the endpoint. */
    conf_settle();
    seL4_TCB_Suspend(t.tcb);
    seL4_Signal(b4);
    seL4_TCB_Resume(t.tcb);
    seL4_Wait(w.done, NULL);
    check(w.count == 3 && w.badge == 0x4, "a signal pending before Recv is delivered by Recv");
    conf_settle();
    check_err(seL4_TCB_UnbindNotification(t.tcb), seL4_NoError, "unbind");
    seL4_Signal(b3);
    conf_settle();
    check(w.count == 3 && poll(n) == 0x3, "after unbinding, a Signal no longer wakes the Recv");

    /* Bound notification and NBRecv by the root task itself. */
    seL4_CPtr n2 = conf_object(seL4_NotificationObject, 0);
    seL4_CPtr ep2 = conf_object(seL4_EndpointObject, 0);
    seL4_CPtr b5 = mint(n2, 0x5);
    check_err(seL4_TCB_BindNotification(seL4_CapInitThreadTCB, n2), seL4_NoError,
              "bind a notification to the root task");
    seL4_Signal(b5);
    seL4_Word badge = 0;
    seL4_NBRecv(ep2, &badge);
    check_eq(badge, 0x5, "NBRecv on an empty endpoint returns the pending bound signal");
    badge = 0xdead;
    seL4_NBRecv(ep2, &badge);
    check_eq(badge, 0, "...only once");
    check_err(seL4_TCB_UnbindNotification(seL4_CapInitThreadTCB), seL4_NoError, "unbind it again");
}

int main(void)
{
    conf_begin("notification");
    test_signal_poll();
    test_waiters();
    test_bound();
    conf_end();
}
