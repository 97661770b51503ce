/* C client of logd (include/logd/client.h). */
#include "logd/client.h"
#include "logd/op_kinds.h"
#include <runtime/string.h>
#include "names/protocol/name.h"

static const char *const level_names[LOGD_LEVEL_COUNT] = {"debug", "info", "warn", "error", "fatal"};

void logdc_init(struct svc_conn *c, seL4_CPtr cap)
{
    memset(c, 0, sizeof(*c));
    c->cap = cap;
    c->max_attempts = 8;
}

const char *logd_level_name(unsigned level) { return level < LOGD_LEVEL_COUNT ? level_names[level] : "?"; }

int logd_level_parse(const char *s)
{
    for (unsigned l = 0; l < LOGD_LEVEL_COUNT; l++) {
        if (strcmp(s, level_names[l]) == 0) return (int)l;
    }
    return -1;
}

/* Packs len bytes little-endian into ceil(len / 8) registers, the rest of the last zero. */
static unsigned pack(const char *s, size_t len, uint64_t *mr)
{
    unsigned n = (unsigned)((len + 7u) / 8u);
    for (unsigned k = 0; k < n; k++) mr[k] = 0;
    for (size_t i = 0; i < len; i++) mr[i / 8u] |= (uint64_t)(uint8_t)s[i] << (8u * (i % 8u));
    return n;
}

static void unpack(const uint64_t *mr, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++) out[i] = (char)(uint8_t)(mr[i / 8u] >> (8u * (i % 8u)));
    out[len] = '\0';
}

static struct svc_msg in, out;

int logdc_write(struct svc_conn *c, unsigned level, const char *text)
{
    size_t len = strnlen(text, LOGD_MSG_MAX);
    if (level >= LOGD_LEVEL_COUNT) return LOGDC_ERR_ARGS;
    in.label = LOGD_LABEL(LOGD_OP_WRITE);
    in.mr[0] = level | (uint64_t)len << 8;
    in.n = 1 + pack(text, len, &in.mr[1]);
    int err = svc_call_op(c, &logd_op_table, LOGD_OP_WRITE, 0, &in, &out);
    return err != SVC_OK ? LOGDC_ERR(err) : (int)out.label;
}

int logdc_query(struct svc_conn *c, uint64_t before, const struct logd_filter *f, struct logd_record *r)
{
    if (f->min_level > f->max_level || f->max_level >= LOGD_LEVEL_COUNT) return LOGDC_ERR_ARGS;
    in.label = LOGD_LABEL(LOGD_OP_QUERY);
    in.mr[0] = before;
    in.mr[1] = f->min_level | (uint64_t)f->max_level << 8;
    in.mr[2] = in.mr[3] = 0;
    if (f->sender != NULL && f->sender[0] != '\0' && name_pack(f->sender, &in.mr[2]) != 0) return LOGDC_ERR_ARGS;
    in.n = 4;
    int err = svc_call_op(c, &logd_op_table, LOGD_OP_QUERY, 0, &in, &out);
    if (err != SVC_OK) return LOGDC_ERR(err);
    if (out.label != LOGD_OK) return (int)out.label;
    uint64_t len = out.mr[1] >> 8 & 0xff;
    if (out.n < 4 || len > LOGD_MSG_MAX || out.n != 4 + (len + 7u) / 8u) return LOGD_ERR_BAD_REQUEST;
    r->seq = out.mr[0];
    r->level = (unsigned)(out.mr[1] & 0xff);
    unpack(&out.mr[2], 16, r->sender);
    r->sender[16] = '\0';
    unpack(&out.mr[4], (size_t)len, r->text);
    return LOGD_OK;
}
