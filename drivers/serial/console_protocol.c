/* The console protocol's codec (console_protocol.h). */
#include "drivers/serial/console_protocol.h"

size_t console_pack(const uint8_t *bytes, size_t n, uint64_t *words)
{
    size_t nw = CONSOLE_DATA_WORDS(n);
    for (size_t w = 0; w < nw; w++) {
        uint64_t v = 0;
        for (size_t b = 0; b < 8 && w * 8 + b < n; b++) {
            v |= (uint64_t)bytes[w * 8 + b] << (8 * b);
        }
        words[w] = v;
    }
    return nw;
}

void console_unpack(const uint64_t *words, size_t n, uint8_t *bytes)
{
    for (size_t i = 0; i < n; i++) {
        bytes[i] = (uint8_t)(words[i / 8] >> (8 * (i % 8)));
    }
}

int console_decode(uint64_t label, size_t length, size_t extra_caps, const uint64_t *mrs,
                   struct console_request *req)
{
    if (extra_caps != 0) {
        return CONSOLE_ERR_BAD_REQUEST;
    }
    if (label == CONSOLE_SYNC && length == 0) {
        req->label = CONSOLE_SYNC;
        req->n = 0;
        return CONSOLE_OK;
    }
    if (length < 1) {
        return CONSOLE_ERR_BAD_REQUEST;
    }
    if (label == CONSOLE_WRITE) {
        uint64_t n = mrs[0];
        if (n == 0 || n > CONSOLE_WRITE_MAX || length != 1 + CONSOLE_DATA_WORDS(n)) {
            return CONSOLE_ERR_BAD_REQUEST;
        }
        req->label = CONSOLE_WRITE;
        req->n = (uint32_t)n;
        console_unpack(mrs + 1, (size_t)n, req->data);
        return CONSOLE_OK;
    }
    if (label == CONSOLE_READ) {
        if (length != 3 || mrs[0] == 0 || mrs[0] > CONSOLE_READ_MAX) {
            return CONSOLE_ERR_BAD_REQUEST;
        }
        req->label = CONSOLE_READ;
        req->n = (uint32_t)mrs[0];
        req->generation = mrs[1];
        req->next_seq = mrs[2];
        return CONSOLE_OK;
    }
    return CONSOLE_ERR_BAD_REQUEST;
}

size_t console_encode_input(const struct console_input *in, uint64_t *mrs)
{
    mrs[0] = in->n;
    mrs[1] = in->flags;
    mrs[2] = in->generation;
    mrs[3] = in->seq;
    return CONSOLE_INPUT_HEADER + console_pack(in->data, in->n, mrs + CONSOLE_INPUT_HEADER);
}

int console_decode_input(uint64_t label, size_t length, size_t extra_caps, const uint64_t *mrs,
                         struct console_input *in)
{
    if (label != CONSOLE_INPUT || extra_caps != 0 || length < CONSOLE_INPUT_HEADER) {
        return -1;
    }
    uint64_t n = mrs[0];
    if (n > CONSOLE_READ_MAX || length != CONSOLE_INPUT_HEADER + CONSOLE_DATA_WORDS(n) ||
        (mrs[1] & ~(uint64_t)CONSOLE_FLAG_EOF) != 0) {
        return -1;
    }
    in->n = (uint32_t)n;
    in->flags = (uint32_t)mrs[1];
    in->generation = mrs[2];
    in->seq = mrs[3];
    console_unpack(mrs + CONSOLE_INPUT_HEADER, (size_t)n, in->data);
    return 0;
}
