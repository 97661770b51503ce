/* libFuzzer: the control-request decoder accepts only what re-encodes to the same message,
 * and never reads beyond the registers it is given. */
#include "rs/protocol/rs_protocol.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 10) return 0;
    uint64_t label = 0;
    memcpy(&label, data, 8);
    label &= 0x1FFFFF;
    unsigned ncaps = data[8] % 3;
    size_t n = (size - 9) / 8;
    if (n > 4) n = 4;
    uint64_t *mr = malloc(n ? n * 8 : 1); /* exactly n registers: ASan catches reads beyond */
    memcpy(mr, data + 9, n * 8);
    struct rs_request r;
    if (rs_decode_request(label, mr, (unsigned)n, ncaps, &r) == RS_OK) {
        uint64_t l2 = 0, m2[4];
        unsigned n2 = rs_encode_request(&r, &l2, m2);
        if (l2 != label || n2 != n || memcmp(m2, mr, n * 8) != 0) abort();
    }
    free(mr);
    return 0;
}
