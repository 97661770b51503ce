/*
 * Encoding and decoding of name-registry messages (pure functions; fuzzed).  The decoder
 * checks everything that needs no registry state; the core checks the rest.
 */
#include "names/protocol/errors.h"
#include "names/protocol/messages.h"

/* Message registers and maximum extra caps of each op. */
static const struct { uint8_t mrs, caps; } shape[NAMES_OP_COUNT] = {
    [NAMES_OP_HELLO] = { 0, 0 },  [NAMES_OP_BIND] = { 3, 1 },           [NAMES_OP_UNBIND] = { 2, 0 },
    [NAMES_OP_LOOKUP] = { 2, 0 }, [NAMES_OP_LOOKUP_IF_NEWER] = { 3, 0 }, [NAMES_OP_CHECK] = { 3, 0 },
    [NAMES_OP_LIST] = { 1, 0 },   [NAMES_OP_WAIT_BOUND] = { 2, 0 },
};

int names_decode_request(uint64_t label, const uint64_t *mr, unsigned n, unsigned ncaps,
                         struct names_request *out)
{
    struct names_request z = { 0 };
    *out = z;
    if (label >> 20) return NAMES_ERR_BAD_REQUEST;
    if (NAMES_LABEL_VERSION(label) != NAMES_PROTOCOL_VERSION) return NAMES_ERR_VERSION;
    uint32_t op = (uint32_t)NAMES_LABEL_OP(label);
    if (op == 0 || op >= NAMES_OP_COUNT) return NAMES_ERR_BAD_REQUEST;
    if (n != shape[op].mrs) return NAMES_ERR_BAD_REQUEST;
    if (ncaps > shape[op].caps) return NAMES_ERR_BAD_CAP;
    struct names_request r = { 0 };
    r.op = op;
    r.ncaps = ncaps;
    switch (op) {
    case NAMES_OP_BIND:
    case NAMES_OP_UNBIND:
    case NAMES_OP_LOOKUP:
    case NAMES_OP_LOOKUP_IF_NEWER:
    case NAMES_OP_CHECK:
    case NAMES_OP_WAIT_BOUND:
        if (name_unpack(mr, &r.name) != 0) return NAMES_ERR_BAD_NAME;
        if (n == 3) r.generation = mr[2];
        if (op == NAMES_OP_BIND && r.generation == 0) return NAMES_ERR_STALE; /* 0 = never */
        break;
    case NAMES_OP_LIST:
        r.index = mr[0];
        break;
    default: /* HELLO */
        break;
    }
    *out = r;
    return NAMES_OK;
}

unsigned names_encode_request(const struct names_request *r, uint64_t *label, uint64_t *mr)
{
    *label = NAMES_LABEL(r->op);
    switch (r->op) {
    case NAMES_OP_BIND:
    case NAMES_OP_UNBIND:
    case NAMES_OP_LOOKUP:
    case NAMES_OP_LOOKUP_IF_NEWER:
    case NAMES_OP_CHECK:
    case NAMES_OP_WAIT_BOUND:
        if (name_pack(r->name.s, mr) != 0) {
            *label = 0;
            return 0;
        }
        if (r->op == NAMES_OP_UNBIND || r->op == NAMES_OP_LOOKUP || r->op == NAMES_OP_WAIT_BOUND) return 2;
        mr[2] = r->generation;
        return 3;
    case NAMES_OP_LIST:
        mr[0] = r->index;
        return 1;
    default:
        return 0;
    }
}

unsigned names_encode_list(const struct names_list_result *l, uint64_t *mr)
{
    if (name_pack(l->name.s, mr) != 0) mr[0] = mr[1] = 0;
    mr[2] = l->state;
    mr[3] = l->generation;
    return 4;
}

int names_decode_list(const uint64_t *mr, unsigned n, struct names_list_result *l)
{
    if (n != 4) return NAMES_ERR_BAD_REQUEST;
    if (name_unpack(mr, &l->name) != 0) return NAMES_ERR_BAD_NAME;
    if (mr[2] != NAMES_STATE_BOUND && mr[2] != NAMES_STATE_UNBOUND) return NAMES_ERR_BAD_REQUEST;
    l->state = (uint32_t)mr[2];
    l->generation = mr[3];
    return NAMES_OK;
}
