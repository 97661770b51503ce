/* libFuzzer harness: the state-store decoder accepts or rejects any message without
 * undefined behaviour; an accepted request re-encodes to the same registers (its check
 * word included).  Some inputs get a matching check word, to reach the arguments. */
#include <stdint.h>
#include <string.h>
#include "store/protocol/errors.h"
#include "store/protocol/messages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint64_t mr[STORE_PUT2_MAX_MRS + 4], mr2[STORE_PUT2_MAX_MRS + 4];
    static struct store_request r, r2;
    uint64_t label = 0;
    if (size < 10) return 0;
    memcpy(&label, data, 8);
    label &= 0xFFFFFFFFFFFFFull;
    if (data[8] & 0x80) label = STORE_LABEL(data[8] & 0x7F);
    unsigned n = data[9] % (STORE_PUT2_MAX_MRS + 4), ncaps = data[9] >= 250;
    data += 10;
    size -= 10;
    memset(mr, 0, sizeof(mr));
    for (unsigned i = 0; i < n && size >= 8; i++, data += 8, size -= 8) memcpy(&mr[i], data, 8);
    if (n > 3 && (label & 0xFFF) == STORE_OP_PUT && (data[-1] & 1)) mr[2] = (n - 3) * 8 - (mr[2] % 8); /* plausible len */
    if (n > 6 && (label & 0xFFF) == STORE_OP_PUT2 && (data[-1] & 1)) { /* plausible lengths */
        mr[2] = (mr[2] % (n - 5)) * 8;
        mr[5] = (n - 6) * 8 - mr[2];
    }
    if (n < STORE_PUT2_MAX_MRS + 3 && (data[-1] & 2)) { /* a matching check word: reach the arguments */
        mr[n] = store_check_word(label, mr, n);
        n++;
    }
    int err = store_decode_request(label, mr, n, ncaps, &r);
    if (err < 0 || err >= STORE_ERR_COUNT) __builtin_trap();
    if (err != STORE_OK) return 0;
    uint64_t l2;
    unsigned n2 = store_encode_request(&r, &l2, mr2);
    if (n2 != n || l2 != label || memcmp(mr, mr2, n * sizeof(mr[0])) != 0) __builtin_trap();
    if (store_decode_request(l2, mr2, n2, ncaps, &r2) != STORE_OK || memcmp(&r, &r2, sizeof(r)) != 0) {
        __builtin_trap();
    }
    return 0;
}
