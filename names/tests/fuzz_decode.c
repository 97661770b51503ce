/* libFuzzer harness: the request decoder accepts or rejects any message without undefined
 * behaviour; whatever it accepts re-encodes to the same message and decodes the same. */
#include <stdint.h>
#include <string.h>
#include "names/protocol/errors.h"
#include "names/protocol/messages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t label = 0, mr[NAMES_MAX_MRS] = { 0 };
    if (size < 10) return 0;
    memcpy(&label, data, 8);
    label &= 0xFFFFFFFFFFFFFull;
    if (data[8] & 0x80) label = NAMES_LABEL(data[8] & 0x7F); /* reach the ops often */
    unsigned n = data[9] % (NAMES_MAX_MRS + 1), ncaps = (data[9] >> 4) % 3;
    data += 10;
    size -= 10;
    for (unsigned i = 0; i < n && size >= 8; i++, data += 8, size -= 8) memcpy(&mr[i], data, 8);
    struct names_request r;
    int err = names_decode_request(label, mr, n, ncaps, &r);
    if (err < 0 || err >= NAMES_ERR_COUNT) __builtin_trap();
    if (err == NAMES_OK) {
        uint64_t l2, mr2[NAMES_MAX_MRS] = { 0 };
        unsigned n2 = names_encode_request(&r, &l2, mr2);
        if (n2 != n || l2 != label || memcmp(mr, mr2, n * sizeof(mr[0])) != 0) __builtin_trap();
        struct names_request r2;
        if (names_decode_request(l2, mr2, n2, ncaps, &r2) != NAMES_OK) __builtin_trap();
        if (memcmp(&r, &r2, sizeof(r)) != 0) __builtin_trap();
    }
    return 0;
}
