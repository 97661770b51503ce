/*
 * hello-c: hello-rs (rust/hello/src/main.rs) written in C with the C runtime, line for
 * line, so that test-rust-hello can check both against the same expectations and
 * sel4-sim can compare their sizes and instruction counts.  Protocol: see main.rs.
 */
#include <runtime/runtime.h>
#include <runtime/startup.h>
#include <runtime/stdio.h>

enum { HELLO_SUM = 1, HELLO_QUIT = 2 };
#define NOTIFICATION_BADGE 0x10ul

/* Prints the error as hello-rs does; true if it is `want`. */
static bool expect(const runtime_startup_t *su, const char *what, seL4_Error got, seL4_Error want)
{
    printf("%s: %s: error %d%s\n", su->name, what, (int)got, got == want ? "" : " MISMATCH");
    return got == want;
}

/* Prints a word result as hello-rs does; true if it is `want`. */
static bool expect_word(const runtime_startup_t *su, const char *what, seL4_Word got, seL4_Word want)
{
    printf("%s: %s %lu%s\n", su->name, what, (unsigned long)got, got == want ? "" : " MISMATCH");
    return got == want;
}

/* Signal, Poll, Wait and Yield as hello-rs checks them (main.rs, check_notification). */
static int check_notification(const runtime_startup_t *su, seL4_CPtr ntfn)
{
    seL4_Word polled = 0, polled_again = 0, waited = 0;
    seL4_Signal(ntfn);
    seL4_Poll(ntfn, &polled);
    seL4_Poll(ntfn, &polled_again);
    seL4_Signal(ntfn);
    seL4_Wait(ntfn, &waited);
    seL4_Yield();
    int mismatches = 0;
    mismatches += !expect_word(su, "Signal, then Poll: badge", polled, NOTIFICATION_BADGE);
    mismatches += !expect_word(su, "Poll again: badge", polled_again, 0);
    mismatches += !expect_word(su, "Signal, then Wait: badge", waited, NOTIFICATION_BADGE);
    return mismatches;
}

/* The invocations hello-rs checks (main.rs, check_invocations), in the same order. */
static int check_invocations(const runtime_startup_t *su, seL4_CPtr given, seL4_CPtr irq)
{
    const seL4_CPtr cnode = PROGRAM_SLOT_CNODE;
    const seL4_Word s = su->empty_start;
    const seL4_Uint8 d = seL4_WordBits;
    int mismatches = 0;
    mismatches += !expect(su, "CNode_Copy to the first free slot",
                          seL4_CNode_Copy(cnode, s, d, cnode, given, d, seL4_AllRights), seL4_NoError);
    mismatches += !expect(su, "CNode_Mint with badge 5",
                          seL4_CNode_Mint(cnode, s + 1, d, cnode, given, d, seL4_AllRights, 5),
                          seL4_NoError);
    mismatches += !expect(su, "CNode_Move", seL4_CNode_Move(cnode, s + 2, d, cnode, s + 1, d),
                          seL4_NoError);
    mismatches += !expect(su, "CNode_Move onto a full slot",
                          seL4_CNode_Move(cnode, s, d, cnode, s + 2, d), seL4_DeleteFirst);
    mismatches += !expect(su, "CNode_Delete", seL4_CNode_Delete(cnode, s + 2, d), seL4_NoError);
    mismatches += !expect(su, "CNode_Revoke", seL4_CNode_Revoke(cnode, s, d), seL4_NoError);
    mismatches += !expect(su, "IRQHandler_Ack", seL4_IRQHandler_Ack(irq), seL4_NoError);
    mismatches += !expect(su, "TCB_Suspend on a CNode cap", seL4_TCB_Suspend(cnode),
                          seL4_IllegalOperation);
    return mismatches;
}

static unsigned serve(seL4_CPtr ep)
{
    unsigned served = 0;
    seL4_Word badge = 0;
    seL4_MessageInfo_t request = seL4_Recv(ep, &badge);
    for (;;) {
        seL4_MessageInfo_t reply;
        switch (seL4_MessageInfo_get_label(request)) {
        case HELLO_SUM: {
            seL4_Word n = seL4_MessageInfo_get_length(request);
            n = n < seL4_MsgMaxLength ? n : seL4_MsgMaxLength;
            seL4_Word sum = 0;
            for (seL4_Word i = 0; i < n; i++) {
                sum += seL4_GetMR((int)i);
            }
            seL4_SetMR(0, sum);
            seL4_SetMR(1, n);
            seL4_SetMR(2, badge);
            reply = seL4_MessageInfo_new(0, 0, 0, 3);
            break;
        }
        case HELLO_QUIT:
            seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
            return served;
        default:
            reply = seL4_MessageInfo_new(seL4_IllegalOperation, 0, 0, 0);
            break;
        }
        served++;
        request = seL4_ReplyRecv(ep, reply, &badge);
    }
}

int main(void)
{
    const runtime_startup_t *su = runtime_startup();
    if (su == NULL) {
        return 100;
    }
    printf("%s: %lu args, caps [%lu, %lu), free [%lu, %lu), CNode 2^%lu\n", su->name,
           (unsigned long)su->nargs, (unsigned long)su->caps_start, (unsigned long)su->caps_end,
           (unsigned long)su->empty_start, (unsigned long)su->empty_end,
           (unsigned long)su->cnode_size_bits);
    if (su->nargs > 0 && su->args[0] == 0) {
        panic("deliberate crash of %s", su->name);
    }
    if (su->caps_end - su->caps_start < 3 || su->empty_end - su->empty_start < 3) {
        printf("%s: needs 3 caps and 3 free slots\n", su->name);
        return 100;
    }
    int mismatches = check_invocations(su, su->caps_start, su->caps_start + 1) +
                     check_notification(su, su->caps_start + 2);
    unsigned served = serve(su->empty_start);
    printf("%s: served %u requests, exiting\n", su->name, served);
    return mismatches > 0 ? 100 + mismatches : (int)served;
}
