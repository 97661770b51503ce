/* What an appended-to key may hold (append_check.h). */
#include "kv/client/append_check.h"

void kvac_reset(struct kvac *t, uint8_t first)
{
    t->len = 0;
    t->first = first;
    t->state = KVAC_SURE;
}

void kvac_appended(struct kvac *t, uint64_t newlen)
{
    if (newlen > (uint64_t)t->len + 1) {
        t->duplicated += newlen - t->len - 1;
    } else if (newlen < (uint64_t)t->len + 1) {
        t->lost += t->len + 1 - newlen;
    }
    if (newlen != (uint64_t)t->len + 1) {
        t->state = KVAC_DAMAGED;
        return;
    }
    t->len++;
}

void kvac_append_unknown(struct kvac *t)
{
    if (t->state == KVAC_SURE) t->state = KVAC_APPEND_DOUBT;
}

void kvac_delete_unknown(struct kvac *t)
{
    if (t->state == KVAC_SURE) t->state = KVAC_DELETE_DOUBT;
}

void kvac_deleted(struct kvac *t) { kvac_reset(t, (uint8_t)(t->first + t->len + 1)); }

/* value[0, len) are the key's first len bytes. */
static bool prefix(const struct kvac *t, const uint8_t *value, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        if (value[i] != (uint8_t)(t->first + i)) return false;
    }
    return true;
}

int kvac_read(struct kvac *t, bool found, const uint8_t *value, uint32_t len)
{
    if (t->state == KVAC_DAMAGED) {
        if (!found) kvac_deleted(t);
        return 0; /* already counted */
    }
    bool ok = false;
    if (!found && t->state == KVAC_DELETE_DOUBT) {
        kvac_deleted(t); /* the DELETE in doubt was applied */
        return 0;
    }
    if (!found) {
        ok = t->len == 0; /* never created (an APPEND in doubt was not applied) */
    } else if (len == t->len && prefix(t, value, len)) {
        ok = len > 0; /* an APPEND or DELETE in doubt was not applied */
    } else if (len == t->len + 1 && t->state == KVAC_APPEND_DOUBT && prefix(t, value, len)) {
        ok = true; /* the APPEND in doubt was applied, once */
        t->len++;
    }
    if (ok) {
        t->state = KVAC_SURE;
        return 0;
    }
    t->lost++;
    t->state = KVAC_DAMAGED;
    return 1;
}
