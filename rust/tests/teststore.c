/*
 * teststore: a stand-in for the state-store server (store/PROTOCOL.md; the real server
 * is not written yet) in test-rust-logd, so that logd's store path runs on seL4: PUT and
 * GET of the protocol (decoded by store/protocol's codec), values kept in RAM, the badge
 * as the owner.  Not crash-safe and not supervised for that: test use only.
 *
 * One test hook: TESTSTORE_DROP_NEXT_PUT (label 0x7001, from any client) makes it
 * receive the next PUT and neither store nor answer it, so that its sender stays blocked
 * in the middle of a write (logtest then crashes logd there).
 */
#include <runtime/runtime.h>
#include <runtime/service.h>
#include <runtime/stdio.h>
#include <string.h>
#include "store/protocol/errors.h"
#include "store/protocol/messages.h"

#define TESTSTORE_DROP_NEXT_PUT 0x7001u
enum { ENTRIES = 32 };

struct entry {
    uint64_t owner; /* 0: free */
    struct svc_name name;
    uint32_t len;
    uint8_t value[STORE_VALUE_MAX];
};

static struct entry entries[ENTRIES];
static struct store_request req;
static uint64_t mr[seL4_MsgMaxLength];

static struct entry *find(uint64_t owner, const struct svc_name *name)
{
    for (unsigned i = 0; i < ENTRIES; i++) {
        if (entries[i].owner == owner && name_equal(&entries[i].name, name)) return &entries[i];
    }
    return NULL;
}

/* Handles a decoded request; the reply's label, its registers in mr[0..*n). */
static seL4_Word handle(uint64_t owner, unsigned *n)
{
    *n = 0;
    struct entry *e = find(owner, &req.name);
    switch (req.op) {
    case STORE_OP_HELLO:
        mr[0] = STORE_PROTOCOL_VERSION;
        *n = 1;
        return STORE_OK;
    case STORE_OP_PUT:
        for (unsigned i = 0; e == NULL && i < ENTRIES; i++) {
            if (entries[i].owner == 0) e = &entries[i];
        }
        if (e == NULL) return STORE_ERR_FULL;
        e->owner = owner;
        e->name = req.name;
        e->len = req.len;
        memcpy(e->value, req.value, req.len);
        return STORE_OK;
    case STORE_OP_GET:
        if (e == NULL) return STORE_ERR_NOT_FOUND;
        mr[0] = e->len;
        *n = 1 + store_pack_value(e->value, e->len, &mr[1]);
        return STORE_OK;
    default:
        return STORE_ERR_BAD_REQUEST; /* not needed by the test */
    }
}

int main(void)
{
    runtime_service_t svc;
    if (!runtime_service_caps(&svc)) {
        printf("teststore: not started as a supervised service\n");
        return 1;
    }
    bool drop_next_put = false, answer = false;
    seL4_MessageInfo_t reply = seL4_MessageInfo_new(0, 0, 0, 0);
    for (;;) {
        seL4_Word badge = 0;
        seL4_MessageInfo_t info = answer ? runtime_service_reply_recv_on(&svc, reply, &badge)
                                         : runtime_service_recv_on(&svc, &badge);
        answer = false;
        if (runtime_service_is_notification(badge)) continue;
        seL4_Word label = seL4_MessageInfo_get_label(info);
        unsigned len = (unsigned)seL4_MessageInfo_get_length(info);
        if (label == TESTSTORE_DROP_NEXT_PUT) {
            drop_next_put = true;
            reply = seL4_MessageInfo_new(STORE_OK, 0, 0, 0);
            answer = true;
            continue;
        }
        for (unsigned i = 0; i < len && i < seL4_MsgMaxLength; i++) {
            mr[i] = seL4_GetMR((int)i);
        }
        int err = store_decode_request(label, mr, len, (unsigned)seL4_MessageInfo_get_extraCaps(info), &req);
        if (err == STORE_OK && !STORE_OWNER_OK(badge)) err = STORE_ERR_DENIED;
        if (err == STORE_OK && req.op == STORE_OP_PUT && drop_next_put) {
            drop_next_put = false; /* no answer: the sender stays blocked in its Call */
            continue;
        }
        unsigned n = 0;
        if (err == STORE_OK) err = (int)handle(badge, &n);
        for (unsigned i = 0; i < n; i++) {
            seL4_SetMR((int)i, mr[i]);
        }
        reply = seL4_MessageInfo_new((seL4_Word)err, 0, 0, n);
        answer = true;
    }
}
