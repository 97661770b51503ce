/* libFuzzer: checking a corrupt recovery-record page never crashes, and a record that
 * passes the check has every value in range. */
#include "rs/protocol/rs_record.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct rs_record r;
    if (size < 2) return 0;
    uint32_t nservices = data[0] % (RS_RECORD_SERVICES + 2);
    memset(&r, 0, sizeof(r));
    memcpy(&r, data + 1, size - 1 < sizeof(r) ? size - 1 : sizeof(r));
    if (data[size - 1] & 1) rs_record_seal(&r); /* also explore records with a valid checksum */
    if (rs_record_check(&r, sizeof(r), nservices) == RS_RECORD_OK) {
        if (r.nservices > RS_RECORD_SERVICES || (r.intent_op != RS_INTENT_NONE && r.intent_svc >= r.nservices)) abort();
    }
    return 0;
}
