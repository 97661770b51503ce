/* libFuzzer harness: arbitrary request sequences (decoded from the input) against the
 * key-value core, with a re-attach after each: no undefined behaviour, every reply a valid
 * code, the arena always re-attaches and validates, and a repeated sequence number never
 * changes the state. */
#include <stdint.h>
#include <string.h>
#include "kv/core/kv.h"
#include "kv/protocol/errors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SIZE 8192u
static _Alignas(8) uint8_t mem[SIZE], snap[SIZE];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    struct kv k;
    if (arena_format(&a, mem, SIZE, 1024, 0, 0) != ARENA_OK) __builtin_trap();
    if (kv_attach(&k, &a, 8, 3) != KV_OK) __builtin_trap();
    static uint64_t mr[KV_REQUEST_MAX_MRS];
    static struct kv_request q;
    static struct kv_reply rep;
    while (size >= 4) {
        unsigned n = 1 + data[1] % KV_MAX_MRS;
        uint64_t label = KV_LABEL(1 + data[0] % (KV_OP_COUNT - 1));
        uint64_t badge = data[2] % 4;
        unsigned dup = data[3] & 1;
        data += 4;
        size -= 4;
        memset(mr, 0, sizeof(mr));
        for (unsigned i = 0; i < n && size > 0; i++) {
            mr[i] = data[0] % 8 == 0 ? data[0] : (uint64_t)data[0] * 0x0101010101ull;
            data++;
            size--;
        }
        if (n > 1) mr[1] %= 40; /* key lengths (PUT/DELETE/APPEND) */
        if (n > 0 && label == KV_LABEL(KV_OP_GET)) mr[0] %= 40;
        mr[n] = kv_check_word(label, mr, n);
        if (kv_decode_request(label, mr, n + 1, 0, &q) != KV_OK) continue;
        kv_handle(&k, badge, &q, &rep);
        if (rep.err < 0 || rep.err >= KV_ERR_COUNT || rep.mrs > KV_MAX_MRS) __builtin_trap();
        if (dup && q.seq != 0 && rep.err != KV_ERR_STALE_SEQ && rep.err != KV_ERR_BUSY && rep.err != KV_ERR_DENIED) {
            memcpy(snap, mem, SIZE);
            struct kv_reply again;
            kv_handle(&k, badge, &q, &again);
            if (again.err != rep.err || memcmp(snap, mem, SIZE) != 0) __builtin_trap();
        }
        if (arena_attach(&a, mem, SIZE, 0, 0) != ARENA_OK || kv_attach(&k, &a, 8, 3) != KV_OK) __builtin_trap();
    }
    return 0;
}
