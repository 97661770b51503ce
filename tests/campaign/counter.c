/*
 * counter: the service the campaign client (cworker.c) drives while sel4-sim injects
 * faults.  Caps: [0] its memory-server cap, [1] the client's endpoint (its channel).
 * Each request is decoded completely (label, length, caps, values) before anything
 * changes; a malformed one changes nothing and is answered with COUNTER_ERR.  A request
 * whose sequence number equals the last one applied is answered again without being
 * applied (the client resends after a restart).  The count lives in this incarnation's
 * memory only: nothing survives a restart yet (no state store), see README.md.
 */
#include <runtime/runtime.h>
#include <runtime/service.h>
#include <runtime/startup.h>
#include "counter.h"

struct add_request {
    seL4_Word seq;
};

/* Decode: true if `info` is a well-formed COUNTER_ADD; changes nothing. */
static bool decode_add(seL4_MessageInfo_t info, struct add_request *out)
{
    if (seL4_MessageInfo_get_label(info) != COUNTER_ADD ||
        seL4_MessageInfo_get_length(info) != COUNTER_ADD_WORDS ||
        seL4_MessageInfo_get_extraCaps(info) != 0 || seL4_MessageInfo_get_capsUnwrapped(info) != 0) {
        return false;
    }
    seL4_Word seq = seL4_GetMR(0);
    if (seq == 0 || seL4_GetMR(1) != COUNTER_MAGIC) {
        return false;
    }
    out->seq = seq;
    return true;
}

int main(void)
{
    const runtime_startup_t *su = runtime_startup();
    seL4_CPtr client = su->caps_start + 1;
    seL4_SetMR(0, su->generation);
    seL4_NBSend(client, seL4_MessageInfo_new(COUNTER_UP, 0, 0, 1));

    seL4_Word applied = 0, last_seq = 0;
    seL4_Word badge = 0;
    for (;;) {
        seL4_MessageInfo_t info = runtime_service_recv(&badge);
        if (runtime_service_is_notification(badge)) {
            continue;
        }
        struct add_request req;
        if (!decode_add(info, &req)) {
            seL4_SetMR(0, seL4_MessageInfo_get_label(info));
            seL4_Send(client, seL4_MessageInfo_new(COUNTER_ERR, 0, 0, 1));
            continue;
        }
        seL4_Word repeat = req.seq == last_seq;
        if (!repeat) {
            applied++;
            last_seq = req.seq;
        }
        seL4_SetMR(0, req.seq);
        seL4_SetMR(1, su->generation);
        seL4_SetMR(2, applied);
        seL4_SetMR(3, repeat);
        seL4_Send(client, seL4_MessageInfo_new(COUNTER_ACK, 0, 0, COUNTER_ACK_WORDS));
    }
}
