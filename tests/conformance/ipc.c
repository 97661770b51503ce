/* Conformance: endpoint IPC (manual 4): Send/Recv, Call/Reply, ReplyRecv, NBSend, NBRecv,
 * badges, message lengths and capability transfer. */
#include "harness.h"

#define ROOT seL4_CapInitThreadCNode
#define D 64

/* ---- A receiver thread that records what it got ---- */
struct rx {
    seL4_CPtr ep, done;
    seL4_CPtr recv_cnode, recv_slot; /* receive path for caps (0 = none) */
    volatile seL4_Word badge, label, len, extra, unwrapped, count;
    volatile seL4_Word mr[10], badge0, badge1;
};

static void rx_thread(void *arg)
{
    struct rx *r = arg;
    for (;;) {
        seL4_SetCapReceivePath(r->recv_cnode, r->recv_slot, r->recv_cnode ? D : 0);
        seL4_Word badge = 0;
        seL4_MessageInfo_t info = seL4_Recv(r->ep, &badge);
        r->badge = badge;
        r->label = seL4_MessageInfo_get_label(info);
        r->len = seL4_MessageInfo_get_length(info);
        r->extra = seL4_MessageInfo_get_extraCaps(info);
        r->unwrapped = seL4_MessageInfo_get_capsUnwrapped(info);
        for (int i = 0; i < 10; i++) r->mr[i] = seL4_GetMR(i);
        r->badge0 = seL4_GetBadge(0);
        r->badge1 = seL4_GetBadge(1);
        r->count++;
        seL4_Signal(r->done);
    }
}

/* Sends `len` words 100, 101, ... with `label` through `cap`, and waits until the receiver
 * has recorded the message. */
static void send_and_wait(struct rx *r, seL4_CPtr cap, seL4_Word label, seL4_Word len,
                          unsigned ncaps, seL4_CPtr c0, seL4_CPtr c1)
{
    for (seL4_Word i = 0; i < len && i < seL4_MsgMaxLength; i++) seL4_SetMR((int)i, 100 + i);
    seL4_SetCap(0, c0);
    seL4_SetCap(1, c1);
    seL4_Send(cap, seL4_MessageInfo_new(label, 0, ncaps, len));
    seL4_Wait(r->done, NULL);
}

static seL4_CPtr mint(seL4_CPtr src, seL4_CapRights_t rights, seL4_Word badge)
{
    seL4_CPtr s = conf_slot();
    seL4_Error e = seL4_CNode_Mint(ROOT, s, D, ROOT, src, D, rights, badge);
    if (e != seL4_NoError) conf_bail("mint failed: %s", conf_error_name(e));
    return s;
}

static bool empty(seL4_CPtr slot) { return seL4_DebugCapIdentify(slot) == 0; }

static void test_send_recv(void)
{
    static struct rx r;
    r.ep = conf_object(seL4_EndpointObject, 0);
    r.done = conf_object(seL4_NotificationObject, 0);
    conf_thread_t th;
    conf_thread_create(&th, rx_thread, &r, 100, seL4_CapNull);
    conf_settle();

    send_and_wait(&r, r.ep, 0x42, 3, 0, 0, 0);
    check(r.label == 0x42 && r.len == 3 && r.mr[0] == 100 && r.mr[1] == 101 && r.mr[2] == 102,
          "Send to a waiting receiver delivers label and 3 message registers");
    check_eq(r.badge, 0, "an unbadged cap delivers badge 0");
    seL4_CPtr badged = mint(r.ep, seL4_AllRights, 0x1234);
    send_and_wait(&r, badged, 1, 1, 0, 0, 0);
    check_eq(r.badge, 0x1234, "a badged cap delivers its badge");
    send_and_wait(&r, r.ep, 2, 10, 0, 0, 0);
    check(r.len == 10 && r.mr[4] == 104 && r.mr[9] == 109,
          "10 message registers (4..9 through the IPC buffer)");
    th.ipc->msg[6] = 0x5eed;
    send_and_wait(&r, r.ep, 2, 5, 0, 0, 0);
    check(r.len == 5 && r.mr[4] == 104 && th.ipc->msg[6] == 0x5eed,
          "a 5-word message leaves the receiver's buffer words beyond it untouched");
    send_and_wait(&r, r.ep, 3, 127, 0, 0, 0);
    check_eq(r.len, seL4_MsgMaxLength, "length 127 is cut to seL4_MsgMaxLength (120)");
    send_and_wait(&r, r.ep, 0xfffffffffffffull, 0, 0, 0, 0);
    check(r.label == 0xfffffffffffffull && r.len == 0, "a 52-bit label and length 0 arrive intact");

    /* Send blocks until there is a receiver. */
    seL4_Word before = r.count;
    seL4_TCB_Suspend(th.tcb);
    seL4_TCB_Resume(th.tcb); /* restarts its Recv */
    seL4_SetMR(0, 5);
    seL4_Send(r.ep, seL4_MessageInfo_new(4, 0, 0, 1));
    seL4_Wait(r.done, NULL);
    check(r.count == before + 1 && r.label == 4 && r.mr[0] == 5,
          "Send blocked until the resumed receiver was back in Recv");

    /* Capability transfer. */
    seL4_CPtr ntfn = conf_object(seL4_NotificationObject, 0);
    seL4_CPtr slot = conf_slot();
    r.recv_cnode = ROOT;
    r.recv_slot = slot;
    send_and_wait(&r, r.ep, 5, 1, 1, ntfn, 0);
    check(r.extra == 1 && r.unwrapped == 0 && !empty(slot) &&
              seL4_DebugCapIdentify(slot) == seL4_DebugCapIdentify(ntfn),
          "a cap is transferred into the receive slot (extraCaps 1)");
    send_and_wait(&r, r.ep, 6, 1, 1, ntfn, 0);
    check(r.extra == 0 && r.len == 1 && r.mr[0] == 100,
          "receive slot occupied: message delivered, no cap (extraCaps 0)");
    seL4_CNode_Delete(ROOT, slot, D);
    seL4_CPtr nogrant = mint(r.ep, seL4_CapRights_new(1, 0, 1, 1), 0);
    send_and_wait(&r, nogrant, 7, 1, 1, ntfn, 0);
    check(r.extra == 0 && empty(slot), "sending through a cap without Grant transfers no cap");
    send_and_wait(&r, r.ep, 8, 1, 2, ntfn, ntfn);
    check(r.extra == 1 && !empty(slot), "two caps but one receive slot: only the first is transferred");
    seL4_CNode_Delete(ROOT, slot, D);
    seL4_CPtr badged9 = mint(r.ep, seL4_AllRights, 9);
    send_and_wait(&r, r.ep, 9, 1, 1, badged9, 0);
    check(r.extra == 1 && r.unwrapped == 1 && r.badge0 == 9 && empty(slot),
          "a badged cap to the same endpoint is unwrapped: badge 9 delivered, no cap");
    send_and_wait(&r, r.ep, 10, 1, 2, badged9, ntfn);
    check(r.extra == 2 && r.unwrapped == 1 && r.badge0 == 9 && !empty(slot),
          "unwrapped cap then a real cap: extraCaps 2, capsUnwrapped 0b01");
    seL4_CNode_Delete(ROOT, slot, D);
    send_and_wait(&r, r.ep, 11, 1, 2, ntfn, badged9);
    check(r.extra == 2 && r.unwrapped == 2 && r.badge1 == 9 && !empty(slot),
          "real cap then unwrapped cap: extraCaps 2, capsUnwrapped 0b10");
    seL4_CNode_Delete(ROOT, slot, D);
    seL4_CPtr busy_ut = conf_object(seL4_UntypedObject, 12), busy_child = conf_slot();
    seL4_Untyped_Retype(busy_ut, seL4_EndpointObject, 0, ROOT, 0, 0, busy_child, 1);
    send_and_wait(&r, r.ep, 20, 1, 2, ntfn, busy_ut);
    check(r.extra == 1 && !empty(slot), "second cap is an untyped with children: only the first is transferred");
    seL4_CNode_Delete(ROOT, slot, D);
    send_and_wait(&r, r.ep, 21, 1, 2, busy_ut, ntfn);
    check(r.extra == 0 && empty(slot), "first cap is an untyped with children: the transfer stops at once");
    send_and_wait(&r, r.ep, 12, 1, 1, r.ep, 0);
    check(r.extra == 1 && r.unwrapped == 1 && r.badge0 == 0 && empty(slot),
          "an unbadged cap to the same endpoint is unwrapped too (badge 0)");
    r.recv_cnode = 0;
    send_and_wait(&r, r.ep, 13, 1, 1, ntfn, 0);
    check(r.extra == 0 && empty(slot), "no receive path: no cap transferred");
    send_and_wait(&r, r.ep, 14, 1, 1, badged9, 0);
    check(r.extra == 1 && r.unwrapped == 1 && r.badge0 == 9,
          "no receive path: unwrapping still works");
    seL4_CPtr nogrant_b = mint(r.ep, seL4_CapRights_new(1, 0, 1, 1), 0);
    send_and_wait(&r, nogrant_b, 15, 1, 1, badged9, 0);
    check(r.extra == 0 && r.unwrapped == 0, "without Grant not even unwrapping happens");
    r.recv_cnode = ROOT;
    before = r.count;
    seL4_SetCap(0, (seL4_CPtr)1 << 40); /* lookup fails: guard mismatch */
    seL4_NBSend(r.ep, seL4_MessageInfo_new(16, 0, 1, 1));
    conf_settle();
    check_eq(r.count, before, "NBSend whose extra cap cannot be looked up is dropped");
    seL4_SetMR(0, 1);
    seL4_NBSend(r.ep, seL4_MessageInfo_new(17, 0, 0, 1));
    seL4_Wait(r.done, NULL);
    check(r.count == before + 1 && r.label == 17, "NBSend to a waiting receiver is delivered");
    seL4_TCB_Suspend(th.tcb);
}

/* ---- Non-blocking operations and queueing ---- */
struct sender { seL4_CPtr cap; seL4_Word value; };
static void sender_thread(void *arg)
{
    struct sender *s = arg;
    seL4_SetMR(0, s->value);
    seL4_Send(s->cap, seL4_MessageInfo_new(0, 0, 0, 1));
    conf_park();
}

static void test_nonblocking(void)
{
    seL4_CPtr ep = conf_object(seL4_EndpointObject, 0);
    seL4_CPtr b1 = mint(ep, seL4_AllRights, 1), b2 = mint(ep, seL4_AllRights, 2);
    seL4_Word badge = 77;
    seL4_NBRecv(ep, &badge);
    check_eq(badge, 0, "NBRecv with no sender returns badge 0");
    seL4_SetMR(0, 1);
    seL4_NBSend(b1, seL4_MessageInfo_new(0, 0, 0, 1));
    badge = 77;
    seL4_NBRecv(ep, &badge);
    check_eq(badge, 0, "NBSend with no receiver is dropped (nothing to NBRecv)");

    static struct sender s1, s2;
    s1.cap = b1; s1.value = 11;
    s2.cap = b2; s2.value = 22;
    conf_thread_t t1, t2;
    conf_thread_create(&t1, sender_thread, &s1, 100, seL4_CapNull);
    conf_settle(); /* t1 blocks in Send first */
    conf_thread_create(&t2, sender_thread, &s2, 100, seL4_CapNull);
    conf_settle();
    seL4_MessageInfo_t info = seL4_NBRecv(ep, &badge);
    check(badge == 1 && seL4_GetMR(0) == 11 && seL4_MessageInfo_get_length(info) == 1,
          "NBRecv takes a waiting sender's message (first queued: badge 1)");
    seL4_Recv(ep, &badge);
    check(badge == 2 && seL4_GetMR(0) == 22, "Recv takes the second sender's message (FIFO)");
    badge = 77;
    seL4_NBRecv(ep, &badge);
    check_eq(badge, 0, "the queue is empty again");
}

/* ---- Call / Reply / ReplyRecv ---- */
static volatile seL4_Word served;
static void server_thread(void *arg)
{
    seL4_CPtr ep = (seL4_CPtr)arg;
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    for (;;) {
        served++;
        seL4_Word label = seL4_MessageInfo_get_label(info);
        seL4_SetMR(0, seL4_GetMR(0) * 2);
        seL4_SetMR(1, badge);
        seL4_SetMR(2, seL4_MessageInfo_get_length(info));
        if (label == 99) {
            /* Reply, then wait with a plain Recv. */
            seL4_Reply(seL4_MessageInfo_new(label + 1, 0, 0, 3));
            info = seL4_Recv(ep, &badge);
        } else {
            info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(label + 1, 0, 0, 3), &badge);
        }
    }
}

static void test_call_reply(void)
{
    seL4_CPtr ep = conf_object(seL4_EndpointObject, 0);
    conf_thread_t th;
    conf_thread_create(&th, server_thread, (void *)ep, 100, seL4_CapNull);
    seL4_SetMR(0, 21);
    seL4_MessageInfo_t r = seL4_Call(ep, seL4_MessageInfo_new(7, 0, 0, 1));
    check(seL4_MessageInfo_get_label(r) == 8 && seL4_MessageInfo_get_length(r) == 3 &&
              seL4_GetMR(0) == 42 && seL4_GetMR(1) == 0 && seL4_GetMR(2) == 1,
          "Call: the server's reply (label 8, MR0 42) comes back to the caller");
    seL4_CPtr b = mint(ep, seL4_AllRights, 0x55);
    seL4_SetMR(0, 5);
    r = seL4_Call(b, seL4_MessageInfo_new(1, 0, 0, 1));
    check(seL4_MessageInfo_get_label(r) == 2 && seL4_GetMR(0) == 10 && seL4_GetMR(1) == 0x55,
          "Call through a badged cap: the server sees badge 0x55; ReplyRecv answered");
    seL4_SetMR(0, 1);
    r = seL4_Call(ep, seL4_MessageInfo_new(99, 0, 0, 1));
    check(seL4_MessageInfo_get_label(r) == 100 && seL4_GetMR(0) == 2, "Reply then Recv");
    seL4_SetMR(0, 3);
    r = seL4_Call(ep, seL4_MessageInfo_new(3, 0, 0, 1));
    check(seL4_MessageInfo_get_label(r) == 4 && seL4_GetMR(0) == 6 && served == 4,
          "a fourth Call is served (4 requests in all)");
    seL4_CPtr readonly = mint(ep, seL4_CanRead, 0);
    r = seL4_Call(readonly, seL4_MessageInfo_new(3, 0, 0, 1));
    check_eq(seL4_MessageInfo_get_label(r), seL4_InvalidCapability,
             "Call through a cap without write right -> InvalidCapability");
    check_eq(served, 4, "...and the server saw nothing");
}

/* ---- Reply caps and their rights (the root task acts as the server) ---- */
struct client {
    seL4_CPtr cap, done, slot;
    volatile seL4_Word label, extra, mr0, count;
};

static void client_thread(void *arg)
{
    struct client *c = arg;
    seL4_SetCapReceivePath(ROOT, c->slot, D);
    seL4_SetMR(0, 7);
    seL4_MessageInfo_t info = seL4_Call(c->cap, seL4_MessageInfo_new(1, 0, 0, 1));
    c->label = seL4_MessageInfo_get_label(info);
    c->extra = seL4_MessageInfo_get_extraCaps(info);
    c->mr0 = seL4_GetMR(0);
    c->count++;
    seL4_Signal(c->done);
    conf_park();
}

/* Starts a client calling through `client_cap`, receives its call through `server_cap`
 * and replies with one word and (if `cap` is set) one cap. */
static void serve_one(struct client *c, seL4_CPtr client_cap, seL4_CPtr server_cap, seL4_CPtr cap,
                      bool wait_done)
{
    c->cap = client_cap;
    c->slot = conf_slot();
    c->count = 0;
    conf_thread_t t;
    conf_thread_create(&t, client_thread, c, 100, seL4_CapNull);
    seL4_Word badge;
    seL4_Recv(server_cap, &badge);
    seL4_SetMR(0, seL4_GetMR(0) + 1);
    seL4_SetCap(0, cap);
    seL4_Reply(seL4_MessageInfo_new(0x33, 0, cap ? 1 : 0, 1));
    if (wait_done) {
        seL4_Wait(c->done, NULL);
    } else {
        conf_settle();
    }
}

static void test_reply_rights(void)
{
    static struct client c;
    seL4_CPtr ep = conf_object(seL4_EndpointObject, 0), ntfn = conf_object(seL4_NotificationObject, 0);
    c.done = conf_object(seL4_NotificationObject, 0);
    seL4_CPtr srv_nogrant = mint(ep, seL4_CapRights_new(1, 0, 1, 1), 0);
    seL4_CPtr cli_grantreply = mint(ep, seL4_CapRights_new(1, 0, 0, 1), 0);
    seL4_CPtr cli_writeonly = mint(ep, seL4_CanWrite, 0);

    serve_one(&c, ep, ep, ntfn, true);
    check(c.count == 1 && c.label == 0x33 && c.mr0 == 8 && c.extra == 1 && !empty(c.slot),
          "Reply from a server whose cap has Grant transfers a cap to the caller");
    serve_one(&c, ep, srv_nogrant, ntfn, true);
    check(c.count == 1 && c.label == 0x33 && c.extra == 0 && empty(c.slot),
          "Reply from a server that received through a cap without Grant transfers no cap");
    serve_one(&c, cli_grantreply, ep, 0, true);
    check(c.count == 1 && c.mr0 == 8, "Call through a cap with GrantReply but no Grant gets its reply");
    serve_one(&c, cli_writeonly, ep, 0, false);
    check_eq(c.count, 0, "Call through a cap with neither Grant nor GrantReply never gets a reply");

    /* A second Recv before replying drops the first caller's reply cap. */
    c.cap = ep;
    c.slot = conf_slot();
    c.count = 0;
    conf_thread_t t;
    conf_thread_create(&t, client_thread, &c, 100, seL4_CapNull);
    seL4_Word badge;
    seL4_Recv(ep, &badge);
    seL4_CPtr ep2 = conf_object(seL4_EndpointObject, 0);
    seL4_NBRecv(ep2, &badge); /* receives nothing, but still discards the reply cap */
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    conf_settle();
    check_eq(c.count, 0, "after another receive the server can no longer reply to the first caller");

    /* CNode_SaveCaller (non-MCS): the pending reply cap moves into a slot. */
    static struct client c2;
    c2.done = conf_object(seL4_NotificationObject, 0);
    c2.cap = ep;
    c2.slot = conf_slot();
    conf_thread_t t2;
    conf_thread_create(&t2, client_thread, &c2, 100, seL4_CapNull);
    seL4_Recv(ep, &badge);
    seL4_CPtr rslot = conf_slot(), rslot2 = conf_slot();
    seL4_SetMR(0, rslot);
    seL4_SetMR(1, D);
    seL4_MessageInfo_t r = seL4_Call(ROOT, seL4_MessageInfo_new(CNodeSaveCaller, 0, 0, 2));
    check(seL4_MessageInfo_get_label(r) == seL4_NoError && seL4_DebugCapIdentify(rslot) == 8,
          "CNode_SaveCaller puts a reply cap (type 8) into the slot");
    seL4_SetMR(0, rslot2);
    seL4_SetMR(1, D);
    r = seL4_Call(ROOT, seL4_MessageInfo_new(CNodeSaveCaller, 0, 0, 2));
    check(seL4_MessageInfo_get_label(r) == seL4_NoError && empty(rslot2),
          "SaveCaller with no pending caller leaves the slot empty");
    seL4_SetMR(0, rslot);
    seL4_SetMR(1, D);
    r = seL4_Call(ROOT, seL4_MessageInfo_new(CNodeSaveCaller, 0, 0, 2));
    check_eq(seL4_MessageInfo_get_label(r), seL4_DeleteFirst, "SaveCaller into an occupied slot -> DeleteFirst");
    seL4_SetMR(0, 41);
    seL4_Send(rslot, seL4_MessageInfo_new(0x44, 0, 0, 1));
    seL4_Wait(c2.done, NULL);
    check(c2.count == 1 && c2.label == 0x44 && c2.mr0 == 41, "Send on the saved reply cap answers the caller");
    check(empty(rslot), "the reply cap is used up");
}

static void ten_word_sender(void *arg)
{
    for (int i = 0; i < 10; i++) seL4_SetMR(i, 200 + (seL4_Word)i);
    seL4_Send((seL4_CPtr)arg, seL4_MessageInfo_new(0x25, 0, 0, 10));
    conf_park();
}

/* ---- A receiver without an IPC buffer gets only the register message words ---- */
static void test_no_ipc_buffer(void)
{
    static struct rx r;
    r.ep = conf_object(seL4_EndpointObject, 0);
    r.done = conf_object(seL4_NotificationObject, 0);
    conf_thread_t th;
    conf_thread_create(&th, rx_thread, &r, 100, seL4_CapNull);
    check_err(seL4_TCB_SetIPCBuffer(th.tcb, 0, seL4_CapNull), seL4_NoError,
              "take away a receiver's kernel IPC buffer");
    conf_settle();
    send_and_wait(&r, r.ep, 0x21, 10, 0, 0, 0);
    check(r.label == 0x21 && r.len == 4 && r.mr[0] == 100 && r.mr[3] == 103,
          "a 10-word message arrives as 4 words (the registers) without a receive buffer");
    seL4_CPtr ntfn = conf_object(seL4_NotificationObject, 0);
    r.recv_cnode = ROOT;
    r.recv_slot = conf_slot();
    send_and_wait(&r, r.ep, 0x22, 1, 1, ntfn, 0);
    check(r.extra == 0 && empty(r.recv_slot), "...and no cap can be transferred to it");

    /* A read-only IPC buffer cap: the kernel can read but not write the buffer. */
    seL4_CPtr ro = conf_slot();
    seL4_CNode_Copy(ROOT, ro, D, ROOT, th.ipc_frame, D, seL4_CanRead);
    check_err(seL4_TCB_SetIPCBuffer(th.tcb, (seL4_Word)th.ipc, ro), seL4_NoError,
              "give the receiver its buffer back through a read-only frame cap");
    r.recv_cnode = 0;
    send_and_wait(&r, r.ep, 0x23, 10, 0, 0, 0);
    check(r.label == 0x23 && r.len == 4, "a receive buffer mapped read-only for the kernel: only 4 words arrive");
    check_err(seL4_TCB_SetIPCBuffer(th.tcb, (seL4_Word)th.ipc, th.ipc_frame), seL4_NoError,
              "restore the read-write buffer cap");
    send_and_wait(&r, r.ep, 0x24, 10, 0, 0, 0);
    check(r.len == 10 && r.mr[9] == 109, "...and 10-word messages arrive whole again");
    seL4_TCB_Suspend(th.tcb);

    /* A sender's buffer only has to be readable. */
    seL4_CPtr ep = conf_object(seL4_EndpointObject, 0);
    conf_thread_t s;
    conf_thread_create(&s, ten_word_sender, (void *)ep, 100, seL4_CapNull);
    seL4_CPtr ro2 = conf_slot();
    seL4_CNode_Copy(ROOT, ro2, D, ROOT, s.ipc_frame, D, seL4_CanRead);
    seL4_TCB_SetIPCBuffer(s.tcb, (seL4_Word)s.ipc, ro2);
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    check(seL4_MessageInfo_get_label(info) == 0x25 && seL4_MessageInfo_get_length(info) == 10 &&
              seL4_GetMR(9) == 209,
          "a sender whose buffer cap is read-only still sends all 10 words");
}

/* ---- Message words in registers: CallWithMRs / RecvWithMRs / ReplyWithMRs ---- */
struct mr_server { seL4_CPtr ep; volatile seL4_Word got[6], len, sentinel_kept; };
static void mr_server_thread(void *arg)
{
    struct mr_server *sv = arg;
    seL4_IPCBuffer *b = seL4_GetIPCBuffer();
    for (int i = 0; i < 4; i++) b->msg[i] = 0x5e000 + (seL4_Word)i;
    seL4_Word m0 = 0, m1 = 0, m2 = 0, m3 = 0, badge;
    seL4_MessageInfo_t info = seL4_RecvWithMRs(sv->ep, &badge, &m0, &m1, &m2, &m3);
    sv->got[0] = m0;
    sv->got[1] = m1;
    sv->got[2] = m2;
    sv->got[3] = m3;
    sv->got[4] = b->msg[4];
    sv->got[5] = b->msg[5];
    sv->len = seL4_MessageInfo_get_length(info);
    sv->sentinel_kept = b->msg[0] == 0x5e000 && b->msg[3] == 0x5e003;
    m0 = 0x700;
    m1 = 0x701;
    m2 = 0x702;
    b->msg[0] = 0xbad;
    seL4_ReplyWithMRs(seL4_MessageInfo_new(0x77, 0, 0, 3), &m0, &m1, &m2, NULL);
    conf_park();
}

static void test_register_words(void)
{
    static struct mr_server sv;
    sv.ep = conf_object(seL4_EndpointObject, 0);
    conf_thread_t t;
    conf_thread_create(&t, mr_server_thread, &sv, 100, seL4_CapNull);
    conf_settle();
    seL4_IPCBuffer *b = seL4_GetIPCBuffer();
    b->msg[0] = 0xaaa0;
    b->msg[1] = 0xaaa1;
    b->msg[4] = 0x604;
    b->msg[5] = 0x605;
    seL4_Word m0 = 0x600, m1 = 0x601, m2 = 0x602, m3 = 0x603;
    seL4_MessageInfo_t r = seL4_CallWithMRs(sv.ep, seL4_MessageInfo_new(5, 0, 0, 6), &m0, &m1, &m2, &m3);
    check(sv.len == 6 && sv.got[0] == 0x600 && sv.got[3] == 0x603 && sv.got[4] == 0x604 && sv.got[5] == 0x605,
          "CallWithMRs of 6 words: words 0-3 arrive in registers, 4-5 in the IPC buffer");
    check_eq(sv.sentinel_kept, 1, "the receiver's buffer words 0-3 are not written");
    check(seL4_MessageInfo_get_label(r) == 0x77 && seL4_MessageInfo_get_length(r) == 3 && m0 == 0x700 &&
              m1 == 0x701 && m2 == 0x702,
          "ReplyWithMRs of 3 words: the caller gets them in registers");
    check(b->msg[0] == 0xaaa0 && b->msg[1] == 0xaaa1, "...and its buffer words 0-1 are not written");
    check_eq(m3, 0x603, "a 3-word reply leaves the caller's fourth message register (r15) as it was");
}

/* ---- Message info edge cases ---- */
static void test_message_info(void)
{
    static struct rx r;
    r.ep = conf_object(seL4_EndpointObject, 0);
    r.done = conf_object(seL4_NotificationObject, 0);
    r.recv_cnode = ROOT;
    r.recv_slot = conf_slot();
    conf_thread_t th;
    conf_thread_create(&th, rx_thread, &r, 100, seL4_CapNull);
    conf_settle();
    /* label 0x123, capsUnwrapped 0b111, extraCaps 0, length 2: the sender's unwrapped bits are ignored */
    seL4_Word raw = (0x123ul << 12) | (7ul << 9) | 2;
    x64_sys_send(seL4_SysSend, r.ep, raw, 1, 2, 0, 0);
    seL4_Wait(r.done, NULL);
    check(r.label == 0x123 && r.len == 2 && r.unwrapped == 0 && r.extra == 0,
          "capsUnwrapped bits set by the sender are not delivered");
    raw = (0x124ul << 12) | 121;
    x64_sys_send(seL4_SysSend, r.ep, raw, 1, 2, 3, 4);
    seL4_Wait(r.done, NULL);
    check(r.label == 0x124 && r.len == 120, "length 121 arrives as 120");
    raw = (0xffffffffffffful << 12) | (3ul << 7) | 1;
    seL4_SetCap(0, 0);
    seL4_SetCap(1, 0);
    seL4_SetCap(2, 0);
    x64_sys_send(seL4_SysSend, r.ep, raw, 9, 0, 0, 0);
    seL4_Wait(r.done, NULL);
    check(r.label == 0xffffffffffffful && r.len == 1 && r.extra == 0 && seL4_DebugCapIdentify(r.recv_slot) == 0,
          "extraCaps 3 naming cptr 0 (an empty slot, not a failed lookup): delivered with extraCaps 0");
    seL4_CPtr n = conf_object(seL4_NotificationObject, 0);
    seL4_SetCap(0, n);
    seL4_SetCap(1, n);
    seL4_SetCap(2, n);
    x64_sys_send(seL4_SysSend, r.ep, raw, 9, 0, 0, 0);
    seL4_Wait(r.done, NULL);
    check(r.label == 0xffffffffffffful && r.len == 1 && r.extra == 1 && r.mr[0] == 9,
          "extraCaps 3 with three caps, one receive slot: all-ones label, 1 cap arrives");
    seL4_TCB_Suspend(th.tcb);
}

/* ---- Endpoint system calls on notification caps and the reverse ---- */
static volatile seL4_Word sig_stage;
static void ep_signaller(void *arg)
{
    sig_stage = 1;
    seL4_Signal((seL4_CPtr)arg); /* an endpoint: this is a Send of label 0, length 1 */
    sig_stage = 2;
    conf_park();
}

static void test_cross_objects(void)
{
    seL4_CPtr n = conf_object(seL4_NotificationObject, 0), nb = mint(n, seL4_AllRights, 0x30);
    seL4_CPtr nb2 = mint(n, seL4_AllRights, 0x0c);
    seL4_Word badge = 0;
    seL4_SetMR(0, 0x99);
    seL4_Send(nb, seL4_MessageInfo_new(0x55, 0, 0, 1));
    seL4_NBSend(nb2, seL4_MessageInfo_new(0x56, 0, 0, 1));
    seL4_Poll(n, &badge);
    check_eq(badge, 0x3c, "Send and NBSend on notification caps signal them (badges OR-ed)");
    seL4_MessageInfo_t r = seL4_Call(nb, seL4_MessageInfo_new(0x57, 0, 0, 2));
    check(seL4_MessageInfo_get_label(r) == 0 && seL4_MessageInfo_get_length(r) == 0,
          "Call on a notification cap signals it and returns an empty reply");
    badge = 0;
    seL4_Poll(n, &badge);
    check_eq(badge, 0x30, "...the notification got the Call's badge");
    seL4_Signal(nb);
    badge = 0;
    seL4_Recv(n, &badge);
    check_eq(badge, 0x30, "Recv on a signalled notification returns its word like Wait");
    badge = 77;
    seL4_NBRecv(n, &badge);
    check_eq(badge, 0, "NBRecv on an idle notification returns 0 like Poll");

    seL4_CPtr ep = conf_object(seL4_EndpointObject, 0);
    conf_thread_t t;
    sig_stage = 0;
    conf_thread_create(&t, ep_signaller, (void *)ep, 100, seL4_CapNull);
    conf_settle();
    check_eq(sig_stage, 1, "Signal on an endpoint with no receiver blocks like Send");
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    check(seL4_MessageInfo_get_label(info) == 0 && seL4_MessageInfo_get_length(info) == 1 && badge == 0,
          "the receiver gets a message of label 0 and length 1");
    conf_settle();
    check_eq(sig_stage, 2, "...and the signaller continues");
    seL4_CPtr ro_ep = mint(ep, seL4_CanRead, 0);
    r = seL4_Call(ro_ep, seL4_MessageInfo_new(0, 0, 0, 0));
    check_eq(seL4_MessageInfo_get_label(r), seL4_InvalidCapability,
             "Call on an endpoint cap without Write -> InvalidCapability");
}

/* ---- Reply with nobody to reply to ---- */
static void test_reply_nothing(void)
{
    seL4_SetMR(0, 0x123);
    seL4_SetMR(1, 0x456);
    seL4_Word m0 = 0x123, m1 = 0x456;
    seL4_ReplyWithMRs(seL4_MessageInfo_new(1, 0, 0, 2), &m0, &m1, NULL, NULL);
    check(m0 == 0x123 && m1 == 0x456, "Reply with no caller returns and does nothing");
    seL4_CPtr n = conf_object(seL4_NotificationObject, 0), nb = mint(n, seL4_AllRights, 4);
    seL4_Signal(nb);
    seL4_Word badge = 0;
    seL4_ReplyRecv(n, seL4_MessageInfo_new(2, 0, 0, 0), &badge);
    check_eq(badge, 4, "ReplyRecv with no caller is a plain receive (here on a notification)");
}

/* ---- A badged endpoint cap with GrantReply but no Grant ---- */
static void test_grant_reply_badged(void)
{
    static struct client c;
    seL4_CPtr ep = conf_object(seL4_EndpointObject, 0);
    c.done = conf_object(seL4_NotificationObject, 0);
    seL4_CPtr cli = mint(ep, seL4_CapRights_new(1, 0, 0, 1), 0x42);
    c.cap = cli;
    c.slot = conf_slot();
    c.count = 0;
    conf_thread_t t;
    conf_thread_create(&t, client_thread, &c, 100, seL4_CapNull);
    seL4_Word badge = 0;
    seL4_Recv(ep, &badge);
    check_eq(badge, 0x42, "Call through a badged cap with Write and GrantReply: the server sees badge 0x42");
    seL4_CPtr rslot = conf_slot();
    check(seL4_CNode_SaveCaller(ROOT, rslot, D) == seL4_NoError && seL4_DebugCapIdentify(rslot) == 8,
          "...and there is a reply cap to save");
    seL4_SetMR(0, 1);
    seL4_Send(rslot, seL4_MessageInfo_new(0x34, 0, 0, 1));
    seL4_Wait(c.done, NULL);
    check(c.count == 1 && c.label == 0x34, "the saved reply cap answers it");

    seL4_CPtr cli2 = mint(ep, seL4_CanWrite, 0x43);
    c.cap = cli2;
    c.slot = conf_slot();
    c.count = 0;
    conf_thread_create(&t, client_thread, &c, 100, seL4_CapNull);
    seL4_Recv(ep, &badge);
    seL4_CPtr rslot2 = conf_slot();
    seL4_CNode_SaveCaller(ROOT, rslot2, D);
    check(badge == 0x43 && seL4_DebugCapIdentify(rslot2) == 0,
          "Call through a badged cap with neither Grant nor GrantReply: no reply cap to save");
    conf_settle();
    check_eq(c.count, 0, "...and that caller stays blocked");
}

int main(void)
{
    conf_begin("ipc");
    test_send_recv();
    test_nonblocking();
    test_call_reply();
    test_reply_rights();
    test_no_ipc_buffer();
    test_register_words();
    test_message_info();
    test_cross_objects();
    test_reply_nothing();
    test_grant_reply_badged();
    conf_end();
}
