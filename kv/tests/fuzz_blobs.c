/* libFuzzer harness: kv's start-up over arbitrary store blobs (kv_blobs.h): kvb_load takes
 * or refuses any bytes without undefined behaviour; whatever it took re-encodes (through a
 * request that rewrites it) to blobs it takes again; a loaded table that passes kvb_check
 * answers GET and LIST with valid codes. */
#include <stdint.h>
#include <string.h>
#include "kv/core/kv_blobs.h"
#include "kv/protocol/errors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct kvb k;
    static struct kvb_write w;
    static struct kv_request q;
    static struct kv_reply rep;
    if (kvb_init(&k, 8, 4) != KV_OK) __builtin_trap();
    /* Input: blobs of (kind/index byte, length byte pair, bytes). */
    while (size >= 3) {
        struct svc_name n;
        kvb_blob_name((data[0] & 0x80) ? 'c' : 'e', data[0] & 0x0f, &n);
        uint32_t len = ((uint32_t)data[1] | (uint32_t)data[2] << 8) % (STORE_VALUE_MAX + 1);
        data += 3;
        size -= 3;
        if (len > size) len = (uint32_t)size;
        int err = kvb_load(&k, &n, data, len);
        if (err != KV_OK && err != KV_ERR_CORRUPT && err != KV_ERR_BAD_REQUEST) __builtin_trap();
        data += len;
        size -= len;
    }
    if (kvb_check(&k) != KV_OK) return 0;
    for (uint32_t i = 0; i < k.n; i++) {
        if (k.e[i].klen == 0) continue;
        /* Rewriting an entry with itself (PUT without a sequence number) gives a blob that loads. */
        memset(&q, 0, sizeof(q));
        q.op = KV_OP_PUT;
        q.klen = k.e[i].klen;
        memcpy(q.key, k.e[i].key, q.klen);
        q.vlen = k.e[i].vlen;
        memcpy(q.value, k.e[i].value, q.vlen);
        kvb_handle(&k, 1, &q, &rep, &w);
        if (rep.err != KV_OK || w.n != 1 || kvb_apply(&k, &w) != KV_OK) __builtin_trap();
        q.op = KV_OP_GET;
        kvb_handle(&k, 1, &q, &rep, &w);
        if (rep.err != KV_OK || rep.mr[0] != k.e[i].vlen || w.n != 0) __builtin_trap();
    }
    memset(&q, 0, sizeof(q));
    q.op = KV_OP_LIST;
    kvb_handle(&k, 1, &q, &rep, &w);
    if (rep.err != KV_OK && rep.err != KV_ERR_NOT_FOUND) __builtin_trap();
    return 0;
}
