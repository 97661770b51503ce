/* Fuzzes console_decode: any message is refused or decoded within bounds, and a decoded
 * WRITE packs back to the same registers. */
#include <stdlib.h>
#include <string.h>

#include "drivers/serial/console_protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t mrs[CONSOLE_MAX_WORDS + 40] = { 0 };
    if (size < 3) return 0;
    uint64_t label = data[0] % 6;
    size_t length = data[1] % (sizeof mrs / sizeof mrs[0] + 1);
    size_t caps = data[2] % 3;
    size_t n = size - 3 < sizeof mrs ? size - 3 : sizeof mrs;
    memcpy(mrs, data + 3, n);
    if (length > 0 && (data[0] & 0x80)) mrs[0] %= CONSOLE_WRITE_MAX + 2; /* reach the valid sizes */
    /* The reader's side: an INPUT either refused or within bounds, and re-encoded the same. */
    static struct console_input in;
    if (console_decode_input(label, length, caps, mrs, &in) == 0) {
        uint64_t back[CONSOLE_MAX_WORDS];
        if (in.n > CONSOLE_READ_MAX || console_encode_input(&in, back) != length) abort();
    }
    static struct console_request r;
    if (console_decode(label, length, caps, mrs, &r) != CONSOLE_OK) return 0;
    if (r.label == CONSOLE_WRITE) {
        if (r.n == 0 || r.n > CONSOLE_WRITE_MAX || length != 1 + CONSOLE_DATA_WORDS(r.n)) abort();
        uint64_t back[CONSOLE_DATA_WORDS(CONSOLE_WRITE_MAX)];
        console_pack(r.data, r.n, back);
        /* the bytes beyond n in the last word are not part of the message */
        for (size_t w = 0; w + 1 < CONSOLE_DATA_WORDS(r.n); w++) {
            if (back[w] != mrs[1 + w]) abort();
        }
    } else if (r.label == CONSOLE_SYNC) {
        if (length != 0) abort();
    } else if (r.label == CONSOLE_READ) {
        if (r.n == 0 || r.n > CONSOLE_READ_MAX || length != 3) abort();
    } else {
        abort();
    }
    return 0;
}
