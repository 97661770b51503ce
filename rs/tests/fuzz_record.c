/* libFuzzer: checking a corrupt recovery record never reads beyond it, and a record that
 * passes the check unpacks into a policy state with its counts in range. */
#include "rs/protocol/rs_record.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static union { struct rs_record r; uint64_t w[RS_RECORD_MAX_BYTES / 8]; } u;
    static struct rs_policy p;
    if (size < 2) return 0;
    uint32_t nservices = data[0] % (RS_RECORD_SERVICES + 2);
    size_t n = size - 1 < sizeof(u) ? size - 1 : sizeof(u);
    memset(&u, 0, sizeof(u));
    memcpy(&u, data + 1, n);
    if (data[size - 1] & 1 && u.r.length >= sizeof(u.r) && u.r.length <= n && u.r.length % 8 == 0) {
        rs_record_seal(&u.r); /* also explore records with a valid checksum */
    }
    /* only the bytes the input gave are "available": the check must stay inside them */
    uint8_t *copy = malloc(n);
    memcpy(copy, &u, n);
    if (n >= sizeof(u.r) && ((uintptr_t)copy & 7) == 0 && rs_record_check(copy, n, nservices) == RS_RECORD_OK) {
        const struct rs_record *r = (const struct rs_record *)copy;
        if (r->length > n || r->nservices != nservices) abort();
        rs_record_unpack_policy(r, &p);
        for (uint32_t g = 0; g < RS_MAX_GROUPS; g++) {
            if (p.group[g].nrestarts > RS_MAX_INTENSITY || p.group[g].head >= RS_MAX_INTENSITY) abort();
        }
    }
    free(copy);
    return 0;
}
