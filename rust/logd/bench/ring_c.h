/*
 * The C baseline of logd's ring (rust/logd/src/{ring,protocol,server}.rs): the same
 * records, the same checks of a WRITE request (decode first, nothing changed on a
 * refusal), the same push.  Only the bench uses it (logd.c_baseline_insns_per_record);
 * it is what a C logd would do per record, to compare the Rust code's cost with.
 */
#pragma once
#include <logd/protocol.h>
#include <stdint.h>

struct ring_c_record {
    uint64_t seq;
    uint8_t level, name_len, text_len;
    char name[16];
    char text[LOGD_MSG_MAX];
};

struct ring_c {
    struct ring_c_record slots[LOGD_RING_RECORDS];
    uint64_t next_seq;
    struct {
        char s[16];
        uint8_t len;
    } names[LOGD_MAX_CLIENTS];
    uint64_t rejected;
};

struct ring_c_reply {
    uint64_t label;
    uint64_t mrs[4 + LOGD_MSG_MRS];
    unsigned len;
    int dirty_blob; /* -1: none */
};

void ring_c_init(struct ring_c *r);
/* Sets client `index`'s name (1..15 of [a-z0-9_-]); 0, or -1 if refused. */
int ring_c_set_name(struct ring_c *r, unsigned index, const char *name);
/* Handles a WRITE: label, extra caps, badge, registers; the reply in *out. */
void ring_c_write(struct ring_c *r, uint64_t label, uint64_t extra_caps, uint64_t badge, const uint64_t *mrs,
                  unsigned n, struct ring_c_reply *out);
