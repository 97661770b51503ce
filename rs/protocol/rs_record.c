/* Recovery record: packing, checksum, validation (see rs_record.h). */
#include "rs/protocol/rs_record.h"

void rs_record_pack_policy(struct rs_record *r, const struct rs_policy *p, const struct rs_manifest *m)
{
    r->policy_now = p->now;
    for (uint32_t i = 0; i < RS_RECORD_SERVICES; i++) r->svc[i] = p->svc[i];
    uint64_t n = 0;
    for (uint32_t g = 0; g < RS_MAX_GROUPS; g++) {
        const struct rs_group_status *gs = &p->group[g];
        uint32_t keep = g < m->ngroups ? m->group[g].intensity : 0;
        if (keep > gs->nrestarts) keep = gs->nrestarts;
        if (keep > RS_MAX_INTENSITY) keep = RS_MAX_INTENSITY;
        r->group[g] = (struct rs_record_group){ .failed = gs->failed, .count = keep };
        for (uint32_t k = 0; k < keep; k++) { /* oldest kept first */
            uint32_t idx = (gs->head + RS_MAX_INTENSITY - keep + k) % RS_MAX_INTENSITY;
            r->times[n++] = gs->restart_at[idx];
        }
    }
    r->length = sizeof(*r) + n * 8u;
}

void rs_record_unpack_policy(const struct rs_record *r, struct rs_policy *out)
{
    out->m = NULL;
    out->now = r->policy_now;
    for (uint32_t i = 0; i < RS_RECORD_SERVICES; i++) out->svc[i] = r->svc[i];
    uint64_t n = 0;
    for (uint32_t g = 0; g < RS_MAX_GROUPS; g++) {
        struct rs_group_status *gs = &out->group[g];
        uint32_t count = r->group[g].count;
        gs->failed = (uint8_t)(r->group[g].failed != 0);
        gs->nrestarts = count;
        gs->head = count % RS_MAX_INTENSITY;
        for (uint32_t k = 0; k < RS_MAX_INTENSITY; k++) gs->restart_at[k] = k < count ? r->times[n + k] : 0;
        n += count;
    }
}

uint64_t rs_record_checksum(const struct rs_record *r)
{
    _Static_assert(sizeof(*r) % 8 == 0 && offsetof(struct rs_record, checksum) % 8 == 0, "whole words");
    const uint64_t *w = (const uint64_t *)r;
    const size_t skip = offsetof(struct rs_record, checksum) / 8;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t k = 0; k < r->length / 8; k++) {
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

int rs_record_check(const void *rec, size_t size, uint32_t nservices)
{
    if (size < sizeof(struct rs_record)) return RS_RECORD_BAD_VALUE;
    const struct rs_record *r = rec;
    if (r->magic == 0) return RS_RECORD_EMPTY;
    if (r->magic != RS_RECORD_MAGIC) return RS_RECORD_BAD_MAGIC;
    if (r->version != RS_RECORD_VERSION) return RS_RECORD_BAD_VERSION;
    if (r->length < sizeof(*r) || r->length > size || r->length > RS_RECORD_MAX_BYTES || r->length % 8 != 0) {
        return RS_RECORD_BAD_VALUE;
    }
    if (r->checksum != rs_record_checksum(r)) return RS_RECORD_BAD_CHECKSUM;
    uint64_t times = 0;
    for (uint32_t g = 0; g < RS_MAX_GROUPS; g++) {
        if (r->group[g].count > RS_MAX_INTENSITY) return RS_RECORD_BAD_VALUE;
        times += r->group[g].count;
    }
    if (r->length != sizeof(*r) + times * 8u) return RS_RECORD_BAD_VALUE;
    if (r->nservices != nservices || nservices > RS_RECORD_SERVICES) return RS_RECORD_BAD_VALUE;
    if (r->intent_op > RS_INTENT_KILL || (r->intent_op != RS_INTENT_NONE && r->intent_svc >= nservices)) {
        return RS_RECORD_BAD_VALUE;
    }
    return RS_RECORD_OK;
}
