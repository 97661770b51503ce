/* Control-protocol codec (pure functions; fuzzed).  See rs_protocol.h. */
#include "rs/protocol/rs_protocol.h"
#include "store/protocol/messages.h"

static const uint8_t nregs[RS_OP_COUNT] = {
    [RS_OP_LIST] = 1, [RS_OP_FIND] = 2, [RS_OP_STOP] = 1, [RS_OP_START] = 1,
    [RS_OP_RESTART] = 1, [RS_OP_CRASH] = 1, [RS_OP_HANG] = 1, [RS_OP_ABORT] = 1, [RS_OP_AUDIT] = 1,
    [RS_OP_LOG] = 1,
};

static void unpack_name(uint64_t a, uint64_t b, char *name)
{
    for (unsigned k = 0; k < 8; k++) {
        name[k] = (char)(a >> (8 * k));
        name[8 + k] = (char)(b >> (8 * k));
    }
}

static uint64_t pack8(const char *p)
{
    uint64_t v = 0;
    for (unsigned k = 0; k < 8; k++) v |= (uint64_t)(uint8_t)p[k] << (8 * k);
    return v;
}

uint64_t rs_check_word(uint64_t label, const uint64_t *mr, unsigned n) { return store_check_word(label, mr, n); }

int rs_decode_request(uint64_t label, const uint64_t *mr, unsigned n, unsigned ncaps, struct rs_request *out)
{
    struct rs_request z = { 0 };
    *out = z;
    if (n == 0 || n > RS_REQUEST_MAX_MRS || ncaps != 0) return RS_ERR_BAD_REQUEST;
    if (mr[n - 1] != rs_check_word(label, mr, n - 1)) return RS_ERR_CHECK;
    n--; /* the arguments */
    if (label >> 20) return RS_ERR_BAD_REQUEST;
    if (((label >> 12) & 0xFFu) != RS_PROTOCOL_VERSION) return RS_ERR_VERSION;
    uint32_t op = (uint32_t)(label & 0xFFFu);
    if (op == 0 || op >= RS_OP_COUNT || n != nregs[op]) return RS_ERR_BAD_REQUEST;
    out->op = op;
    switch (op) {
    case RS_OP_FIND: {
        unpack_name(mr[0], mr[1], out->name);
        /* 1..15 characters, then NULs only */
        unsigned len = 0;
        while (len < RS_NAME_BYTES && out->name[len] != '\0') len++;
        if (len == 0 || len >= RS_NAME_BYTES) return RS_ERR_BAD_REQUEST;
        for (unsigned k = len; k < RS_NAME_BYTES; k++) {
            if (out->name[k] != '\0') return RS_ERR_BAD_REQUEST;
        }
        return RS_OK;
    }
    case RS_OP_ABORT:
        if (mr[0] > RS_ABORT_IN_REQUEST) return RS_ERR_BAD_REQUEST;
        out->when = mr[0];
        return RS_OK;
    case RS_OP_LOG:
        out->when = mr[0];
        return RS_OK;
    default:
        if (mr[0] >= 32u) return RS_ERR_UNKNOWN_SERVICE;
        out->index = (uint32_t)mr[0];
        return RS_OK;
    }
}

static unsigned encode_args(const struct rs_request *r, uint64_t *mr)
{
    switch (r->op) {
    case RS_OP_FIND:
        mr[0] = pack8(r->name);
        mr[1] = pack8(r->name + 8);
        return 2;
    case RS_OP_ABORT:
    case RS_OP_LOG:
        mr[0] = r->when;
        return 1;
    default:
        mr[0] = r->index;
        return 1;
    }
}

unsigned rs_encode_request(const struct rs_request *r, uint64_t *label, uint64_t *mr)
{
    *label = RS_LABEL(r->op);
    unsigned n = encode_args(r, mr);
    mr[n] = rs_check_word(*label, mr, n);
    return n + 1;
}

unsigned rs_encode_list(const struct rs_list_entry *e, uint64_t *mr)
{
    mr[0] = pack8(e->name);
    mr[1] = pack8(e->name + 8);
    mr[2] = (uint64_t)e->state | (uint64_t)e->restart_type << 8 | (uint64_t)e->end << 16 |
            (uint64_t)e->fault_kind << 24;
    mr[3] = (uint64_t)e->generation | (uint64_t)e->restarts << 32;
    mr[4] = e->fault_addr;
    mr[5] = e->fault_ip;
    mr[6] = e->fault_code;
    mr[7] = e->pages_used;
    mr[8] = e->pages_quota;
    mr[9] = e->started_at;
    mr[10] = e->ended_at;
    mr[11] = e->now;
    mr[12] = e->ms_free_pages;
    return RS_LIST_WORDS;
}

int rs_decode_list(const uint64_t *mr, unsigned n, struct rs_list_entry *e)
{
    if (n != RS_LIST_WORDS) return RS_ERR_BAD_REQUEST;
    unpack_name(mr[0], mr[1], e->name);
    e->name[RS_NAME_BYTES - 1] = '\0';
    e->state = (uint32_t)(mr[2] & 0xFFu);
    e->restart_type = (uint32_t)((mr[2] >> 8) & 0xFFu);
    e->end = (uint32_t)((mr[2] >> 16) & 0xFFu);
    e->fault_kind = (uint32_t)((mr[2] >> 24) & 0xFFu);
    e->generation = (uint32_t)mr[3];
    e->restarts = (uint32_t)(mr[3] >> 32);
    e->fault_addr = mr[4];
    e->fault_ip = mr[5];
    e->fault_code = mr[6];
    e->pages_used = mr[7];
    e->pages_quota = mr[8];
    e->started_at = mr[9];
    e->ended_at = mr[10];
    e->now = mr[11];
    e->ms_free_pages = mr[12];
    return RS_OK;
}

const char *rs_err_name(int err)
{
    static const char *const names[] = {
        "RS_OK", "RS_ERR_BAD_REQUEST", "RS_ERR_VERSION", "RS_ERR_UNKNOWN_SERVICE",
        "RS_ERR_DENIED", "RS_ERR_STATE", "RS_ERR_KERNEL", "RS_ERR_CHECK",
    };
    return err >= 0 && err < (int)(sizeof(names) / sizeof(names[0])) ? names[err] : "RS_ERR_?";
}
