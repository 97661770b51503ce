/* Name-service client library (names_client.h). */
#include "names/client/names_client.h"
#include "svcclient/core/released.h"
#include "names/protocol/op_kinds.h"
#include <runtime/startup.h>
#include <runtime/string.h>

static struct svc_msg in, out;

void namesc_init(struct namesc *n, seL4_CPtr cap)
{
    memset(n, 0, sizeof(*n));
    n->conn.cap = cap;
    n->conn.max_attempts = 64;
}

static int request(struct namesc *n, uint32_t op, const char *name, uint64_t gen)
{
    struct names_request q;
    memset(&q, 0, sizeof(q));
    q.op = op;
    size_t len = strlen(name);
    if (len == 0 || len > NAME_MAX_LEN) return NAMES_ERR_BAD_NAME;
    memcpy(q.name.s, name, len);
    q.generation = gen;
    in.n = names_encode_request(&q, &in.label, in.mr);
    if (in.label == 0) return NAMES_ERR_BAD_NAME;
    seL4_SetCapReceivePath(PROGRAM_SLOT_CNODE, NAMESC_RECV_SLOT, seL4_WordBits);
    int err = svc_call_op(&n->conn, &names_op_table, op, 0, &in, &out);
    seL4_SetCapReceivePath(seL4_CapNull, 0, 0); /* open only for this call's answer */
    return err == SVC_OK ? (int)out.label : NAMESC_ERR(err);
}

/* A LOOKUP reply: generation, index; the cap moved to its slot. */
static int take_cap(int err, uint64_t *gen, seL4_CPtr *slot)
{
    if (err != NAMES_OK) return err;
    if (out.n != 2 || out.mr[1] >= 32) {
        (void)seL4_CNode_Delete(PROGRAM_SLOT_CNODE, NAMESC_RECV_SLOT, seL4_WordBits);
        return NAMES_ERR_BAD_REQUEST;
    }
    seL4_CPtr dest = SVC_RESOLVED_SLOT(out.mr[1]);
    (void)seL4_CNode_Delete(PROGRAM_SLOT_CNODE, dest, seL4_WordBits);
    if (seL4_CNode_Move(PROGRAM_SLOT_CNODE, dest, seL4_WordBits, PROGRAM_SLOT_CNODE, NAMESC_RECV_SLOT,
                        seL4_WordBits) != seL4_NoError) {
        return NAMES_ERR_KERNEL;
    }
    *gen = out.mr[0];
    *slot = dest;
    return NAMES_OK;
}

int namesc_lookup(struct namesc *n, const char *name, uint64_t *gen, seL4_CPtr *slot)
{
    return take_cap(request(n, NAMES_OP_LOOKUP, name, 0), gen, slot);
}

int namesc_lookup_if_newer(struct namesc *n, const char *name, uint64_t known, uint64_t *gen, seL4_CPtr *slot)
{
    return take_cap(request(n, NAMES_OP_LOOKUP_IF_NEWER, name, known), gen, slot);
}

int namesc_check(struct namesc *n, const char *name, uint64_t gen)
{
    return request(n, NAMES_OP_CHECK, name, gen);
}
