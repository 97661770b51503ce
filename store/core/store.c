/* State store: validation of the arena region and every request (see store.h). */
#include <string.h>
#include "store/core/store.h"
#include "store/protocol/errors.h"

struct owner_rec {
    uint64_t owner, generation;
    uint32_t max_entries, max_bytes, restarts, sum;
};

struct entry_hdr {
    uint64_t owner;
    char name[16];
    uint32_t len, sum;
};

_Static_assert(sizeof(struct owner_rec) == STORE_OWNER_REC, "owner record layout");
_Static_assert(sizeof(struct entry_hdr) == STORE_ENTRY_HEADER, "entry header layout");

static uint32_t fold(uint64_t h) { return (uint32_t)(h ^ (h >> 32)); }

static uint32_t owner_sum(const struct owner_rec *o) { return fold(arena_fnv(ARENA_FNV_START, o, 28)); }

static uint32_t entry_sum(const struct entry_hdr *h, const uint8_t *value)
{
    return fold(arena_fnv(arena_fnv(ARENA_FNV_START, h, 28), value, h->len));
}

uint32_t store_region_size(uint32_t n_entries)
{
    return STORE_MAX_OWNERS * STORE_OWNER_REC + n_entries * STORE_ENTRY_SIZE;
}

uint32_t store_entries_for(uint32_t size)
{
    uint32_t fixed = STORE_MAX_OWNERS * STORE_OWNER_REC;
    return size < fixed ? 0 : (size - fixed) / STORE_ENTRY_SIZE;
}

uint32_t store_log_need(uint32_t n_entries)
{
    uint32_t forget = arena_log_cost(STORE_OWNER_REC) + n_entries * arena_log_cost(8);
    uint32_t put2 = 2u * arena_log_cost(STORE_ENTRY_SIZE);
    return forget > put2 ? forget : put2;
}

static uint32_t owner_off(const struct store *s, uint32_t i) { return s->off + i * STORE_OWNER_REC; }

static uint32_t entry_off(const struct store *s, uint32_t i)
{
    return s->off + STORE_MAX_OWNERS * STORE_OWNER_REC + i * STORE_ENTRY_SIZE;
}

static struct owner_rec get_owner(const struct store *s, uint32_t i)
{
    struct owner_rec o;
    memcpy(&o, arena_data(s->a) + owner_off(s, i), sizeof(o));
    return o;
}

static struct entry_hdr get_entry(const struct store *s, uint32_t i)
{
    struct entry_hdr h;
    memcpy(&h, arena_data(s->a) + entry_off(s, i), sizeof(h));
    return h;
}

static const uint8_t *entry_value(const struct store *s, uint32_t i)
{
    return arena_data(s->a) + entry_off(s, i) + STORE_ENTRY_HEADER;
}

static int find_owner(const struct store *s, uint64_t owner)
{
    for (uint32_t i = 0; i < STORE_MAX_OWNERS; i++) {
        if (get_owner(s, i).owner == owner) return (int)i;
    }
    return -1;
}

static int find_entry(const struct store *s, uint64_t owner, const struct svc_name *name)
{
    for (uint32_t i = 0; i < s->n_entries; i++) {
        struct entry_hdr h = get_entry(s, i);
        if (h.owner == owner && memcmp(h.name, name->s, sizeof(h.name)) == 0) return (int)i;
    }
    return -1;
}

static int free_entry(const struct store *s)
{
    for (uint32_t i = 0; i < s->n_entries; i++) {
        if (get_entry(s, i).owner == 0) return (int)i;
    }
    return -1;
}

static void usage(const struct store *s, uint64_t owner, uint32_t *entries, uint32_t *bytes)
{
    *entries = *bytes = 0;
    for (uint32_t i = 0; i < s->n_entries; i++) {
        struct entry_hdr h = get_entry(s, i);
        if (h.owner != owner) continue;
        (*entries)++;
        *bytes += h.len;
    }
}

static int entry_valid(const struct store *s, uint32_t i)
{
    struct entry_hdr h = get_entry(s, i);
    if (!STORE_OWNER_OK(h.owner) || find_owner(s, h.owner) < 0) return 0;
    uint64_t mr[NAME_MRS];
    memcpy(mr, h.name, sizeof(mr));
    struct svc_name n;
    if (name_unpack(mr, &n) != 0) return 0;
    if (h.len > STORE_VALUE_MAX || h.sum != entry_sum(&h, entry_value(s, i))) return 0;
    for (uint32_t j = 0; j < i; j++) {
        struct entry_hdr o = get_entry(s, j);
        if (o.owner == h.owner && memcmp(o.name, h.name, sizeof(h.name)) == 0) return 0;
    }
    return 1;
}

static int owner_valid(const struct store *s, uint32_t i)
{
    static const struct owner_rec zero_owner;
    struct owner_rec o = get_owner(s, i);
    if (memcmp(&o, &zero_owner, sizeof(o)) == 0) return 1;
    return STORE_OWNER_OK(o.owner) && o.sum == owner_sum(&o) && find_owner(s, o.owner) == (int)i;
}

int store_attach(struct store *s, struct arena *a, uint32_t off, uint32_t size)
{
    s->a = a;
    s->off = off;
    s->n_entries = store_entries_for(size);
    if (s->n_entries == 0 || off > arena_data_size(a) || size > arena_data_size(a) - off ||
        a->log_cap < store_log_need(s->n_entries)) {
        return STORE_ERR_BAD_REQUEST;
    }
    for (uint32_t i = 0; i < STORE_MAX_OWNERS; i++) {
        if (!owner_valid(s, i)) return STORE_ERR_CORRUPT; /* also a duplicate */
    }
    for (uint32_t i = 0; i < s->n_entries; i++) {
        if (get_entry(s, i).owner != 0 && !entry_valid(s, i)) return STORE_ERR_CORRUPT;
    }
    return STORE_OK;
}

/* Writes `n` bytes of zeros at each offset of offs[0, count), as many per transaction as
 * the log takes. */
static int zero_all(struct store *s, const uint32_t *offs, uint32_t count, uint32_t n)
{
    static const uint8_t zeros[STORE_OWNER_REC];
    for (uint32_t k = 0; k < count;) {
        if (arena_tx_begin(s->a) != ARENA_OK) return STORE_ERR_INTERNAL;
        uint32_t first = k;
        while (k < count && arena_tx_room(s->a) >= arena_log_cost(n)) {
            if (arena_tx_write(s->a, offs[k], zeros, n) != ARENA_OK) break;
            k++;
        }
        if (k == first || arena_tx_commit(s->a) != ARENA_OK) {
            arena_tx_abort(s->a);
            return STORE_ERR_INTERNAL;
        }
    }
    return STORE_OK;
}

_Static_assert(64 >= STORE_MAX_OWNERS, "store_repair: one batch holds every owner record");

int store_repair(struct store *s, struct store_damage *d)
{
    static uint32_t offs[64]; /* >= STORE_MAX_OWNERS */
    uint32_t count = 0;
    d->owners = d->entries = 0;
    for (uint32_t i = 0; i < STORE_MAX_OWNERS; i++) {
        if (!owner_valid(s, i)) offs[count++] = owner_off(s, i);
    }
    int err = zero_all(s, offs, count, STORE_OWNER_REC);
    if (err != STORE_OK) return err;
    d->owners = count;
    /* Entries after the owners: one whose owner record went is dropped too.  A later
     * duplicate of a name is invalid, the first one is kept. */
    do {
        count = 0;
        for (uint32_t i = 0; i < s->n_entries && count < sizeof(offs) / sizeof(offs[0]); i++) {
            if (get_entry(s, i).owner != 0 && !entry_valid(s, i)) offs[count++] = entry_off(s, i);
        }
        err = zero_all(s, offs, count, 8); /* owner 0: a free entry */
        if (err != STORE_OK) return err;
        d->entries += count;
    } while (count == sizeof(offs) / sizeof(offs[0]));
    return STORE_OK;
}

/* Commits the transaction opened by the caller; any arena error aborts it. */
static int finish(struct store *s, int err)
{
    if (err != ARENA_OK) {
        arena_tx_abort(s->a);
        return STORE_ERR_INTERNAL;
    }
    return arena_tx_commit(s->a) == ARENA_OK ? STORE_OK : STORE_ERR_INTERNAL;
}

static int write_owner(struct store *s, uint32_t i, struct owner_rec o)
{
    o.sum = owner_sum(&o);
    int err = arena_tx_begin(s->a);
    if (err == ARENA_OK) err = arena_tx_write(s->a, owner_off(s, i), &o, sizeof(o));
    return finish(s, err);
}

static int do_put(struct store *s, uint64_t owner, const struct owner_rec *o,
                  const struct store_request *q)
{
    uint32_t used_entries, used_bytes;
    usage(s, owner, &used_entries, &used_bytes);
    int i = find_entry(s, owner, &q->name);
    uint32_t old_len = i >= 0 ? get_entry(s, (uint32_t)i).len : 0;
    if (i < 0 && used_entries + 1 > o->max_entries) return STORE_ERR_QUOTA;
    if ((uint64_t)used_bytes - old_len + q->len > o->max_bytes) return STORE_ERR_QUOTA;
    if (i < 0) i = free_entry(s);
    if (i < 0) return STORE_ERR_FULL;
    uint8_t rec[STORE_ENTRY_SIZE] = { 0 };
    struct entry_hdr h = { 0 };
    h.owner = owner;
    memcpy(h.name, q->name.s, sizeof(h.name));
    h.len = q->len;
    h.sum = entry_sum(&h, q->value);
    memcpy(rec, &h, sizeof(h));
    memcpy(rec + STORE_ENTRY_HEADER, q->value, q->len);
    int err = arena_tx_begin(s->a);
    if (err == ARENA_OK) {
        err = arena_tx_write(s->a, entry_off(s, (uint32_t)i), rec, STORE_ENTRY_HEADER + q->len);
    }
    return finish(s, err);
}

/* The entry record (header and value) of a PUT of (name, len, value) by owner. */
static uint32_t make_record(uint8_t rec[STORE_ENTRY_SIZE], uint64_t owner, const struct svc_name *name, uint32_t len,
                            const uint8_t *value)
{
    memset(rec, 0, STORE_ENTRY_SIZE);
    struct entry_hdr h = { 0 };
    h.owner = owner;
    memcpy(h.name, name->s, sizeof(h.name));
    h.len = len;
    h.sum = entry_sum(&h, value);
    memcpy(rec, &h, sizeof(h));
    memcpy(rec + STORE_ENTRY_HEADER, value, len);
    return STORE_ENTRY_HEADER + len;
}

/* PUT2: both entries in one transaction; quota and room checked for the pair first. */
static int do_put2(struct store *s, uint64_t owner, const struct owner_rec *o, const struct store_request *q)
{
    uint32_t used_entries, used_bytes;
    usage(s, owner, &used_entries, &used_bytes);
    int a = find_entry(s, owner, &q->name), b = find_entry(s, owner, &q->name2);
    uint64_t bytes = (uint64_t)used_bytes + q->len + q->len2;
    bytes -= a >= 0 ? get_entry(s, (uint32_t)a).len : 0;
    bytes -= b >= 0 ? get_entry(s, (uint32_t)b).len : 0;
    uint32_t new_entries = (a < 0) + (b < 0);
    if ((uint64_t)used_entries + new_entries > o->max_entries || bytes > o->max_bytes) return STORE_ERR_QUOTA;
    for (uint32_t i = 0; i < s->n_entries && (a < 0 || b < 0); i++) {
        if (get_entry(s, i).owner != 0 || (int)i == a || (int)i == b) continue;
        if (a < 0) {
            a = (int)i;
        } else {
            b = (int)i;
        }
    }
    if (a < 0 || b < 0) return STORE_ERR_FULL;
    static uint8_t rec[2][STORE_ENTRY_SIZE];
    uint32_t la = make_record(rec[0], owner, &q->name, q->len, q->value);
    uint32_t lb = make_record(rec[1], owner, &q->name2, q->len2, q->value2);
    int err = arena_tx_begin(s->a);
    if (err == ARENA_OK) err = arena_tx_write(s->a, entry_off(s, (uint32_t)a), rec[0], la);
    if (err == ARENA_OK) err = arena_tx_write(s->a, entry_off(s, (uint32_t)b), rec[1], lb);
    return finish(s, err);
}

static int do_forget(struct store *s, uint32_t oi, uint64_t owner)
{
    static const uint8_t zeros[STORE_OWNER_REC];
    int err = arena_tx_begin(s->a);
    if (err == ARENA_OK) err = arena_tx_write(s->a, owner_off(s, oi), zeros, sizeof(zeros));
    for (uint32_t i = 0; i < s->n_entries && err == ARENA_OK; i++) {
        if (get_entry(s, i).owner == owner) err = arena_tx_write(s->a, entry_off(s, i), zeros, 8);
    }
    return finish(s, err);
}

static int owner_request(struct store *s, uint64_t owner, const struct store_request *q,
                         struct store_reply *rep)
{
    if (!STORE_OWNER_OK(owner)) return STORE_ERR_DENIED;
    int oi = find_owner(s, owner);
    if (oi < 0) return STORE_ERR_UNKNOWN_OWNER;
    struct owner_rec o = get_owner(s, (uint32_t)oi);
    uint32_t used_entries, used_bytes;
    switch (q->op) {
    case STORE_OP_PUT:
        return do_put(s, owner, &o, q);
    case STORE_OP_PUT2:
        return do_put2(s, owner, &o, q);
    case STORE_OP_GET: {
        int i = find_entry(s, owner, &q->name);
        if (i < 0) return STORE_ERR_NOT_FOUND;
        struct entry_hdr h = get_entry(s, (uint32_t)i);
        rep->mr[0] = h.len;
        rep->mrs = 1 + store_pack_value(entry_value(s, (uint32_t)i), h.len, rep->mr + 1);
        return STORE_OK;
    }
    case STORE_OP_DELETE: {
        int i = find_entry(s, owner, &q->name);
        if (i < 0) return STORE_ERR_NOT_FOUND;
        static const uint8_t zeros[STORE_ENTRY_HEADER];
        int err = arena_tx_begin(s->a);
        if (err == ARENA_OK) err = arena_tx_write(s->a, entry_off(s, (uint32_t)i), zeros, sizeof(zeros));
        return finish(s, err);
    }
    case STORE_OP_LIST: {
        uint64_t seen = 0;
        for (uint32_t i = 0; i < s->n_entries; i++) {
            struct entry_hdr h = get_entry(s, i);
            if (h.owner != owner || seen++ != q->index) continue;
            memcpy(rep->mr, h.name, 16);
            rep->mr[2] = h.len;
            rep->mrs = 3;
            return STORE_OK;
        }
        return STORE_ERR_NOT_FOUND;
    }
    case STORE_OP_GET_INCARNATION:
        rep->mr[0] = o.generation;
        rep->mr[1] = o.restarts;
        rep->mr[2] = o.restarts > 0;
        rep->mrs = 3;
        return STORE_OK;
    default: /* QUOTA_GET */
        usage(s, owner, &used_entries, &used_bytes);
        rep->mr[0] = used_entries;
        rep->mr[1] = o.max_entries;
        rep->mr[2] = used_bytes;
        rep->mr[3] = o.max_bytes;
        rep->mrs = 4;
        return STORE_OK;
    }
}

static int admin_request(struct store *s, const struct store_request *q)
{
    int oi = find_owner(s, q->owner);
    struct owner_rec o = { 0 };
    if (oi >= 0) {
        o = get_owner(s, (uint32_t)oi);
    } else if (q->op != STORE_OP_OWNER_SET) {
        return STORE_ERR_UNKNOWN_OWNER;
    }
    switch (q->op) {
    case STORE_OP_OWNER_SET:
        if (oi < 0) {
            oi = find_owner(s, 0);
            if (oi < 0) return STORE_ERR_FULL;
            o.owner = q->owner;
        }
        o.max_entries = (uint32_t)q->max_entries;
        o.max_bytes = (uint32_t)q->max_bytes;
        return write_owner(s, (uint32_t)oi, o);
    case STORE_OP_OWNER_START:
        if (q->generation <= o.generation) return STORE_ERR_STALE;
        if (o.generation != 0 && o.restarts < UINT32_MAX) o.restarts++;
        o.generation = q->generation;
        return write_owner(s, (uint32_t)oi, o);
    default: /* OWNER_FORGET */
        return do_forget(s, (uint32_t)oi, q->owner);
    }
}

void store_handle(struct store *s, uint64_t badge, const struct store_request *req,
                  struct store_reply *rep)
{
    rep->mrs = 0;
    switch (req->op) {
    case STORE_OP_HELLO:
        rep->mr[0] = STORE_PROTOCOL_VERSION;
        rep->mrs = 1;
        rep->err = STORE_OK;
        break;
    case STORE_OP_OWNER_SET:
    case STORE_OP_OWNER_START:
    case STORE_OP_OWNER_FORGET:
        rep->err = badge == STORE_ADMIN_BADGE ? admin_request(s, req) : STORE_ERR_DENIED;
        break;
    case STORE_OP_PUT:
    case STORE_OP_PUT2:
    case STORE_OP_GET:
    case STORE_OP_DELETE:
    case STORE_OP_LIST:
    case STORE_OP_GET_INCARNATION:
    case STORE_OP_QUOTA_GET:
        rep->err = owner_request(s, badge, req, rep);
        break;
    default:
        rep->err = STORE_ERR_BAD_REQUEST;
        break;
    }
    if (rep->err != STORE_OK) rep->mrs = 0;
}

static uint64_t digest_of(const struct store *s, uint64_t owner, const struct svc_name *name)
{
    int i = find_entry(s, owner, name);
    if (i < 0) return 0;
    struct entry_hdr h = get_entry(s, (uint32_t)i);
    return h.len <= STORE_VALUE_MAX ? store_value_digest(entry_value(s, (uint32_t)i), h.len) : 0;
}

void store_digests(const struct store *s, uint64_t badge, const struct store_request *req, struct store_reply *rep)
{
    if (rep->err != STORE_OK || (req->op != STORE_OP_PUT && req->op != STORE_OP_PUT2)) return;
    rep->mr[0] = digest_of(s, badge, &req->name);
    rep->mrs = 1;
    if (req->op == STORE_OP_PUT2) rep->mr[rep->mrs++] = digest_of(s, badge, &req->name2);
}
