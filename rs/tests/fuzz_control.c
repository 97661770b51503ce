/* libFuzzer: the control-request decoder accepts only what re-encodes to the same message
 * (its check word included), never reads beyond the registers it is given, and refuses
 * with RS_ERR_CHECK every single bit flip of a request it accepted. */
#include "rs/protocol/rs_protocol.h"
#include <stdlib.h>
#include <string.h>

/* A request rs_encode_request made from r (a decoded one): one bit of its label (52 bits)
 * or of a register, chosen by `pick`, flipped: must be refused as damaged. */
static void flip_one(const struct rs_request *r, unsigned pick)
{
    uint64_t label = 0, m[RS_REQUEST_MAX_MRS];
    unsigned n = rs_encode_request(r, &label, m);
    unsigned bit = pick % (52u + 64u * n);
    if (bit < 52u) label ^= 1ull << bit;
    else m[(bit - 52u) / 64u] ^= 1ull << ((bit - 52u) % 64u);
    struct rs_request d;
    if (rs_decode_request(label, m, n, 0, &d) != RS_ERR_CHECK) abort();
}

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
    /* the fuzzer seldom finds a check word: half the inputs get theirs */
    if (n > 0 && (data[8] & 0x80)) mr[n - 1] = rs_check_word(label, mr, (unsigned)n - 1);
    struct rs_request r;
    if (rs_decode_request(label, mr, (unsigned)n, ncaps, &r) == RS_OK) {
        uint64_t l2 = 0, m2[RS_REQUEST_MAX_MRS];
        unsigned n2 = rs_encode_request(&r, &l2, m2);
        if (l2 != label || n2 != n || memcmp(m2, mr, n * 8) != 0) abort();
        flip_one(&r, (unsigned)data[size - 1] * 7u + (unsigned)size);
    }
    free(mr);
    return 0;
}
