/*
 * hello-c: hello-rs (rust/hello/src/main.rs) written in C with the C runtime, line for
 * line, so that test-rust-hello can check both against the same expectations and
 * sel4-sim can compare their sizes and instruction counts.  Protocol: see main.rs.
 */
#include <runtime/runtime.h>
#include <runtime/startup.h>
#include <runtime/stdio.h>

enum { HELLO_SUM = 1, HELLO_QUIT = 2 };

static seL4_CPtr endpoint_copy(const runtime_startup_t *su)
{
    if (su->caps_end == su->caps_start || su->empty_end == su->empty_start) {
        printf("%s: no endpoint or no free slot\n", su->name);
        return seL4_CapNull;
    }
    seL4_Word given = su->caps_start, slot = su->empty_start;
    seL4_Error err = seL4_CNode_Copy(PROGRAM_SLOT_CNODE, slot, seL4_WordBits, PROGRAM_SLOT_CNODE,
                                     given, seL4_WordBits, seL4_AllRights);
    printf("%s: CNode_Copy %lu -> %lu: error %d\n", su->name, (unsigned long)given,
           (unsigned long)slot, (int)err);
    return err == seL4_NoError ? slot : seL4_CapNull;
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
    seL4_CPtr ep = endpoint_copy(su);
    if (ep == seL4_CapNull) {
        return 100;
    }
    if (su->caps_end - su->caps_start > 1) {
        seL4_Error err = seL4_IRQHandler_Ack(su->caps_start + 1);
        printf("%s: IRQHandler_Ack: error %d\n", su->name, (int)err);
    }
    seL4_Error wrong = seL4_TCB_Suspend(PROGRAM_SLOT_CNODE);
    printf("%s: TCB_Suspend on a CNode cap: error %d\n", su->name, (int)wrong);
    unsigned served = serve(ep);
    printf("%s: served %u requests, exiting\n", su->name, served);
    return (int)served;
}
