/* The RS's recent console lines (log.h), captured from its printf (runtime/stdio.h). */
#include "rs/server/log.h"
#include "rs/protocol/rs_protocol.h"
#include <runtime/stdio.h>
#include <sel4/sel4.h>

static char lines[RS_LOG_LINES][RS_LOG_TEXT_MAX];
static uint8_t lengths[RS_LOG_LINES];
static uint64_t next_seq; /* lines numbered [next_seq - kept, next_seq) are kept */

void runtime_console_line(const char *text, unsigned n)
{
    if (n > 0 && text[n - 1] == '\n') n--;
    if (n > RS_LOG_TEXT_MAX) n = RS_LOG_TEXT_MAX;
    unsigned slot = (unsigned)(next_seq % RS_LOG_LINES);
    for (unsigned k = 0; k < n; k++) lines[slot][k] = text[k];
    lengths[slot] = (uint8_t)n;
    next_seq++;
}

unsigned rs_log_reply(uint64_t seq)
{
    uint64_t oldest = next_seq > RS_LOG_LINES ? next_seq - RS_LOG_LINES : 0;
    if (seq < oldest) seq = oldest;
    if (seq >= next_seq) {
        seL4_SetMR(0, next_seq);
        seL4_SetMR(1, 0);
        return 2;
    }
    unsigned slot = (unsigned)(seq % RS_LOG_LINES), n = lengths[slot];
    seL4_SetMR(0, seq);
    seL4_SetMR(1, n);
    for (unsigned w = 0; w < (n + 7) / 8; w++) {
        seL4_Word v = 0;
        for (unsigned b = 0; b < 8 && w * 8 + b < n; b++) v |= (seL4_Word)(uint8_t)lines[slot][w * 8 + b] << (8 * b);
        seL4_SetMR((int)(2 + w), v);
    }
    return 2 + (n + 7) / 8;
}
