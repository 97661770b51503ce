/* The C baseline of logd's ring and WRITE handling (ring_c.h). */
#include "ring_c.h"
#include <string.h>

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

void ring_c_init(struct ring_c *r)
{
    memset(r, 0, sizeof(*r));
    r->next_seq = 1;
}

int ring_c_set_name(struct ring_c *r, unsigned index, const char *name)
{
    size_t len = strnlen(name, 16);
    if (index >= LOGD_MAX_CLIENTS || len == 0 || len > 15) return -1;
    for (size_t i = 0; i < len; i++) {
        if (!name_char(name[i])) return -1;
    }
    memset(r->names[index].s, 0, sizeof(r->names[index].s));
    memcpy(r->names[index].s, name, len);
    r->names[index].len = (uint8_t)len;
    return 0;
}

/* "#N" for a client without a name. */
static uint8_t unknown_name(unsigned index, char out[16])
{
    char digits[10];
    unsigned n = 0;
    do {
        digits[n++] = (char)('0' + index % 10);
        index /= 10;
    } while (index != 0 && n < sizeof(digits));
    memset(out, 0, 16);
    out[0] = '#';
    for (unsigned i = 0; i < n; i++) {
        out[1 + i] = digits[n - 1 - i];
    }
    return (uint8_t)(1 + n);
}

struct write_req {
    unsigned client;
    uint8_t level, len;
    char text[LOGD_MSG_MAX];
};

/* Checks a WRITE completely; LOGD_OK and *w, or an error (nothing changed). */
static uint64_t decode_write(uint64_t label, uint64_t extra_caps, uint64_t badge, const uint64_t *mrs,
                             unsigned n, struct write_req *w)
{
    if (label >> 20 != 0) return LOGD_ERR_BAD_REQUEST;
    if (((label >> 12) & 0xff) != LOGD_PROTOCOL_VERSION) return LOGD_ERR_VERSION;
    if (extra_caps != 0) return LOGD_ERR_BAD_CAP;
    if (badge == 0 || badge > LOGD_MAX_CLIENTS) return LOGD_ERR_DENIED;
    if ((label & 0xfff) != LOGD_OP_WRITE || n == 0) return LOGD_ERR_BAD_REQUEST;
    if (mrs[0] >> 16 != 0) return LOGD_ERR_BAD_REQUEST;
    uint64_t level = mrs[0] & 0xff, len = (mrs[0] >> 8) & 0xff;
    if (level >= LOGD_LEVEL_COUNT) return LOGD_ERR_BAD_LEVEL;
    if (len > LOGD_MSG_MAX || n - 1 > LOGD_MSG_MRS) return LOGD_ERR_TOO_BIG;
    if (n - 1 != (len + 7) / 8) return LOGD_ERR_BAD_REQUEST;
    /* The same algorithm as Text::from_words: whole registers copied (little endian),
     * the padding of the last one checked, then one pass over the text. */
    for (unsigned i = 0; i + 1 < n; i++) {
        uint64_t word = mrs[1 + i];
        uint64_t left = len - (uint64_t)i * 8;
        unsigned take = left < 8 ? (unsigned)left : 8u;
        if (take < 8 && (word >> (8 * take)) != 0) return LOGD_ERR_BAD_REQUEST;
        memcpy(&w->text[i * 8], &word, take);
    }
    const uint8_t *bytes = (const uint8_t *)&mrs[1]; /* the same bytes, little endian */
    for (uint64_t i = 0; i < len; i++) {
        uint8_t c = bytes[i];
        if (!((c >= 0x20 && c < 0x7f) || c == '\t')) return LOGD_ERR_BAD_TEXT;
    }
    w->client = (unsigned)(badge - 1);
    w->level = (uint8_t)level;
    w->len = (uint8_t)len;
    return LOGD_OK;
}

void ring_c_write(struct ring_c *r, uint64_t label, uint64_t extra_caps, uint64_t badge, const uint64_t *mrs,
                  unsigned n, struct ring_c_reply *out)
{
    struct write_req w;
    memset(out, 0, sizeof(*out));
    out->dirty_blob = -1;
    out->label = decode_write(label, extra_caps, badge, mrs, n, &w);
    if (out->label != LOGD_OK) {
        r->rejected++;
        return;
    }
    uint64_t seq = r->next_seq;
    struct ring_c_record *s = &r->slots[(seq - 1) % LOGD_RING_RECORDS];
    s->seq = seq;
    s->level = w.level;
    if (r->names[w.client].len != 0) {
        memcpy(s->name, r->names[w.client].s, 16);
        s->name_len = r->names[w.client].len;
    } else {
        s->name_len = unknown_name(w.client, s->name);
    }
    memset(s->text, 0, sizeof(s->text));
    memcpy(s->text, w.text, w.len);
    s->text_len = w.len;
    r->next_seq = seq + 1;
    out->mrs[0] = seq;
    out->len = 1;
    out->dirty_blob = (int)(((seq - 1) % LOGD_RING_RECORDS) / LOGD_BLOB_RECORDS);
}
