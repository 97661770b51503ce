/* libFuzzer harness: the key-value decoder accepts or rejects any message without
 * undefined behaviour; an accepted request re-encodes to the same registers (its check
 * word included).  Half the inputs get a matching check word, to reach the arguments. */
#include <stdint.h>
#include <string.h>
#include "kv/protocol/errors.h"
#include "kv/protocol/messages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t label = 0, mr[KV_REQUEST_MAX_MRS + 2] = { 0 }, mr2[KV_REQUEST_MAX_MRS + 2] = { 0 };
    if (size < 10) return 0;
    memcpy(&label, data, 8);
    label &= 0xFFFFFFFFFFFFFull;
    if (data[8] & 0x80) label = KV_LABEL(data[8] & 0x7F) | (data[8] & 0x40 ? 0x100 : 0);
    unsigned n = data[9] % (KV_MAX_MRS + 2), ncaps = data[9] >= 250, sealed = size & 1;
    data += 10;
    size -= 10;
    for (unsigned i = 0; i < n && size >= 8; i++, data += 8, size -= 8) memcpy(&mr[i], data, 8);
    if (label & 0x100) { /* plausible lengths and shapes: reach the key and value checks */
        uint32_t op = KV_LABEL_OP(label & ~(uint64_t)0x100);
        unsigned base = op == KV_OP_GET ? 0 : 1;
        mr[base] %= 40;
        uint8_t key[32];
        memcpy(key, &mr[base + 1], sizeof(key));
        for (uint64_t i = mr[base]; i < sizeof(key); i++) key[i] = 0;
        memcpy(&mr[base + 1], key, sizeof(key));
        if (op == KV_OP_PUT || op == KV_OP_APPEND) {
            mr[2 + KV_KEY_MRS] %= 270;
            n = 3 + KV_KEY_MRS + (unsigned)((mr[2 + KV_KEY_MRS] + 7) / 8);
            if (n > KV_MAX_MRS + 1) n = KV_MAX_MRS + 1;
        } else if (op == KV_OP_GET || op == KV_OP_DELETE) {
            n = base + 1 + KV_KEY_MRS;
        }
    }
    if (sealed || label & 0x100) { /* with a matching check word: reach the arguments */
        mr[n] = kv_check_word(label & ~(uint64_t)0x100, mr, n);
        n++;
    }
    label &= ~(uint64_t)0x100;
    struct kv_request r, r2;
    int err = kv_decode_request(label, mr, n, ncaps, &r);
    if (err < 0 || err >= KV_ERR_COUNT) __builtin_trap();
    if (err != KV_OK) return 0;
    uint64_t l2;
    unsigned n2 = kv_encode_request(&r, &l2, mr2);
    if (n2 != n || l2 != label || memcmp(mr, mr2, n * sizeof(mr[0])) != 0) __builtin_trap();
    if (kv_decode_request(l2, mr2, n2, ncaps, &r2) != KV_OK || memcmp(&r, &r2, sizeof(r)) != 0) __builtin_trap();
    return 0;
}
