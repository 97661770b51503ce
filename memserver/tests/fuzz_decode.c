/* libFuzzer harness: the request decoder must accept or reject any message without
 * undefined behaviour, and whatever it accepts must re-encode to the same message. */
#include <stdint.h>
#include <string.h>
#include "memserver/protocol/errors.h"
#include "memserver/protocol/messages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t label = 0, mr[MS_MAX_MRS] = { 0 };
    if (size < 10) return 0;
    memcpy(&label, data, 8);
    label &= 0xFFFFFFFFFFFFFull; /* seL4 labels have 52 bits */
    unsigned n = data[8] % (MS_MAX_MRS + 1), ncaps = data[9] % 4;
    data += 10;
    size -= 10;
    for (unsigned i = 0; i < n && size >= 8; i++, data += 8, size -= 8) memcpy(&mr[i], data, 8);
    struct ms_request r;
    int err = ms_decode_request(label, mr, n, ncaps, &r);
    if (err < 0 || err >= MS_ERR_COUNT) __builtin_trap();
    if (err == MS_OK) {
        uint64_t l2, mr2[MS_MAX_MRS] = { 0 };
        unsigned n2 = ms_encode_request(&r, &l2, mr2);
        struct ms_request r2;
        if (n2 != n || l2 != label) __builtin_trap();
        if (ms_decode_request(l2, mr2, n2, ncaps, &r2) != MS_OK) __builtin_trap();
        /* OBJ_WRITE's data points into the register arrays: compare what they hold. */
        if (r.op == MS_OP_OBJ_WRITE &&
            memcmp(mr + MS_WRITE_HEADER, mr2 + MS_WRITE_HEADER, (n - MS_WRITE_HEADER) * sizeof(uint64_t)))
            __builtin_trap();
        r.write.data = r2.write.data = 0;
        if (memcmp(&r, &r2, sizeof(r))) __builtin_trap();
    }
    return 0;
}
