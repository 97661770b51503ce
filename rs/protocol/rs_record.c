/* Recovery record: checksum and validation (see rs_record.h). */
#include "rs/protocol/rs_record.h"

uint64_t rs_record_checksum(const struct rs_record *r)
{
    _Static_assert(sizeof(*r) % 8 == 0 && offsetof(struct rs_record, checksum) % 8 == 0, "whole words");
    const uint64_t *w = (const uint64_t *)r;
    const size_t skip = offsetof(struct rs_record, checksum) / 8;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t k = 0; k < sizeof(*r) / 8; k++) {
        h = (h ^ (k == skip ? 0 : w[k])) * 0x100000001b3ull; /* the checksum word counts as 0 */
    }
    return h;
}

void rs_record_seal(struct rs_record *r)
{
    r->magic = RS_RECORD_MAGIC;
    r->version = RS_RECORD_VERSION;
    r->checksum = rs_record_checksum(r);
}

int rs_record_check(const void *page, size_t size, uint32_t nservices)
{
    if (size < sizeof(struct rs_record)) return RS_RECORD_BAD_VALUE;
    const struct rs_record *r = page;
    if (r->magic == 0) return RS_RECORD_EMPTY;
    if (r->magic != RS_RECORD_MAGIC) return RS_RECORD_BAD_MAGIC;
    if (r->version != RS_RECORD_VERSION) return RS_RECORD_BAD_VERSION;
    if (r->checksum != rs_record_checksum(r)) return RS_RECORD_BAD_CHECKSUM;
    if (r->nservices != nservices || nservices > RS_RECORD_SERVICES) return RS_RECORD_BAD_VALUE;
    if (r->intent_op > RS_INTENT_KILL || (r->intent_op != RS_INTENT_NONE && r->intent_svc >= nservices)) {
        return RS_RECORD_BAD_VALUE;
    }
    return RS_RECORD_OK;
}
