/* State store core: owners, authority by badge, quotas, incarnations, listing, forget,
 * survival across re-attach, and a crash at every byte of a PUT and an OWNER_FORGET. */
#include <stdbool.h>
#include <string.h>
#include "check.h"
#include "crash.h"
#include "store/core/store.h"
#include "store/protocol/errors.h"

#define SIZE (64u * 1024u)
#define LOG 4096u
#define ADMIN STORE_ADMIN_BADGE

static _Alignas(8) uint8_t mem[SIZE], img[SIZE];
static struct arena arena;
static struct store st;

static void attach(uint8_t *m, arena_store_fn fn, void *ctx)
{
    CHECK_EQ(arena_attach(&arena, m, SIZE, fn, ctx), ARENA_OK);
    CHECK_EQ(store_attach(&st, &arena, 0, arena_data_size(&arena)), STORE_OK);
}

/* Encode, decode and handle, as the server does; a PUT's or PUT2's answer must carry the
 * digest of each value as sent. */
static int call(uint64_t badge, const struct store_request *q, struct store_reply *rep)
{
    static uint64_t mr[STORE_PUT2_MAX_MRS];
    static struct store_request d;
    uint64_t label;
    unsigned n = store_encode_request(q, &label, mr);
    int err = store_decode_request(label, mr, n, 0, &d);
    if (err != STORE_OK) return err;
    store_handle(&st, badge, &d, rep);
    store_digests(&st, badge, &d, rep);
    bool whole = st.a->store == 0; /* not a store that "crashes" part-way (crash.h) */
    if (whole && rep->err == STORE_OK && d.op == STORE_OP_PUT) {
        CHECK_EQ(rep->mrs, 1);
        CHECK_EQ(rep->mr[0], store_value_digest(q->value, q->len));
    }
    if (whole && rep->err == STORE_OK && d.op == STORE_OP_PUT2) {
        CHECK_EQ(rep->mrs, 2);
        CHECK_EQ(rep->mr[0], store_value_digest(q->value, q->len));
        CHECK_EQ(rep->mr[1], store_value_digest(q->value2, q->len2));
    }
    return rep->err;
}

static struct store_reply rep;

static int put(uint64_t badge, const char *name, const char *value)
{
    struct store_request q = { 0 };
    q.op = STORE_OP_PUT;
    test_set_name(q.name.s, sizeof(q.name.s), name);
    q.len = (uint32_t)strlen(value);
    memcpy(q.value, value, q.len);
    return call(badge, &q, &rep);
}

static int get(uint64_t badge, const char *name, char *out)
{
    struct store_request q = { 0 };
    q.op = STORE_OP_GET;
    test_set_name(q.name.s, sizeof(q.name.s), name);
    int err = call(badge, &q, &rep);
    if (err == STORE_OK) {
        CHECK(store_unpack_value(rep.mr + 1, rep.mrs - 1, (uint32_t)rep.mr[0], (uint8_t *)out) == 0);
        out[rep.mr[0]] = '\0';
    }
    return err;
}

static int simple(uint64_t badge, uint32_t op, const char *name, uint64_t a, uint64_t b, uint64_t c)
{
    struct store_request q = { 0 };
    q.op = op;
    if (name) test_set_name(q.name.s, sizeof(q.name.s), name);
    q.owner = a;
    q.index = a;
    q.max_entries = b;
    q.generation = b;
    q.max_bytes = c;
    return call(badge, &q, &rep);
}

static void test_owners_and_quotas(void)
{
    char v[STORE_VALUE_MAX + 1];
    CHECK_EQ(put(5, "a", "x"), STORE_ERR_UNKNOWN_OWNER);
    CHECK_EQ(simple(5, STORE_OP_OWNER_SET, 0, 5, 2, 10), STORE_ERR_DENIED);
    CHECK_EQ(simple(ADMIN, STORE_OP_OWNER_SET, 0, 5, 2, 10), STORE_OK);
    CHECK_EQ(simple(ADMIN, STORE_OP_OWNER_SET, 0, 6, 8, 1000), STORE_OK);
    CHECK_EQ(put(0, "a", "x"), STORE_ERR_DENIED);
    CHECK_EQ(put(ADMIN, "a", "x"), STORE_ERR_DENIED);
    CHECK_EQ(put(5, "a", "hello"), STORE_OK);
    CHECK_EQ(put(5, "b", "world"), STORE_OK);
    CHECK_EQ(put(5, "c", "!"), STORE_ERR_QUOTA);        /* 3 entries > 2 */
    CHECK_EQ(put(5, "b", "world!"), STORE_ERR_QUOTA);   /* 11 bytes > 10 */
    CHECK_EQ(put(5, "b", "worl"), STORE_OK);            /* replace, 9 bytes */
    CHECK_EQ(get(5, "b", v), STORE_OK);
    CHECK(strcmp(v, "worl") == 0);
    /* Only the owner sees its entries: same name, other owner. */
    CHECK_EQ(get(6, "a", v), STORE_ERR_NOT_FOUND);
    CHECK_EQ(put(6, "a", "six"), STORE_OK);
    CHECK_EQ(get(5, "a", v), STORE_OK);
    CHECK(strcmp(v, "hello") == 0);
    CHECK_EQ(get(6, "a", v), STORE_OK);
    CHECK(strcmp(v, "six") == 0);
    CHECK_EQ(simple(5, STORE_OP_QUOTA_GET, 0, 0, 0, 0), STORE_OK);
    CHECK(rep.mr[0] == 2 && rep.mr[1] == 2 && rep.mr[2] == 9 && rep.mr[3] == 10);
    CHECK_EQ(simple(5, STORE_OP_DELETE, "a", 0, 0, 0), STORE_OK);
    CHECK_EQ(simple(5, STORE_OP_DELETE, "a", 0, 0, 0), STORE_ERR_NOT_FOUND);
    CHECK_EQ(get(5, "a", v), STORE_ERR_NOT_FOUND);
    CHECK_EQ(put(5, "c", "!"), STORE_OK);
    /* LIST: the caller's entries only. */
    CHECK_EQ(simple(5, STORE_OP_LIST, 0, 0, 0, 0), STORE_OK);
    CHECK_EQ(rep.mrs, 3);
    CHECK_EQ(simple(5, STORE_OP_LIST, 0, 1, 0, 0), STORE_OK);
    CHECK_EQ(simple(5, STORE_OP_LIST, 0, 2, 0, 0), STORE_ERR_NOT_FOUND);
    CHECK_EQ(simple(6, STORE_OP_LIST, 0, 1, 0, 0), STORE_ERR_NOT_FOUND);
    /* Largest value. */
    memset(v, 'z', STORE_VALUE_MAX);
    v[STORE_VALUE_MAX] = '\0';
    CHECK_EQ(put(6, "big", v), STORE_OK);
    memset(v, 0, sizeof(v));
    CHECK_EQ(get(6, "big", v), STORE_OK);
    CHECK_EQ(strlen(v), STORE_VALUE_MAX);
}

static void test_incarnations(void)
{
    CHECK_EQ(simple(5, STORE_OP_GET_INCARNATION, 0, 0, 0, 0), STORE_OK);
    CHECK(rep.mr[0] == 0 && rep.mr[1] == 0 && rep.mr[2] == 0);
    CHECK_EQ(simple(ADMIN, STORE_OP_OWNER_START, 0, 5, 1, 0), STORE_OK);
    CHECK_EQ(simple(5, STORE_OP_GET_INCARNATION, 0, 0, 0, 0), STORE_OK);
    CHECK(rep.mr[0] == 1 && rep.mr[1] == 0 && rep.mr[2] == 0); /* first start */
    CHECK_EQ(simple(ADMIN, STORE_OP_OWNER_START, 0, 5, 1, 0), STORE_ERR_STALE);
    CHECK_EQ(simple(ADMIN, STORE_OP_OWNER_START, 0, 5, 3, 0), STORE_OK);
    CHECK_EQ(simple(5, STORE_OP_GET_INCARNATION, 0, 0, 0, 0), STORE_OK);
    CHECK(rep.mr[0] == 3 && rep.mr[1] == 1 && rep.mr[2] == 1); /* a restart */
    CHECK_EQ(simple(ADMIN, STORE_OP_OWNER_START, 0, 9, 1, 0), STORE_ERR_UNKNOWN_OWNER);
    CHECK_EQ(simple(5, STORE_OP_OWNER_START, 0, 5, 4, 0), STORE_ERR_DENIED);
}

static void test_survives_reattach(void)
{
    char v[STORE_VALUE_MAX + 1];
    memcpy(img, mem, SIZE); /* the arena as the next incarnation finds it */
    attach(img, 0, 0);
    CHECK_EQ(get(5, "b", v), STORE_OK);
    CHECK(strcmp(v, "worl") == 0);
    CHECK_EQ(simple(5, STORE_OP_GET_INCARNATION, 0, 0, 0, 0), STORE_OK);
    CHECK_EQ(rep.mr[0], 3);
    /* Damage to a stored value (a wild write, not a torn one) is detected at attach. */
    int b = -1;
    struct svc_name nb = { "b" };
    for (uint32_t i = 0; i < st.n_entries && b < 0; i++) {
        if (memcmp(arena_data(&arena) + STORE_MAX_OWNERS * STORE_OWNER_REC + i * STORE_ENTRY_SIZE + 8,
                   nb.s, 16) == 0) b = (int)i;
    }
    CHECK(b >= 0);
    img[arena.data_off + STORE_MAX_OWNERS * STORE_OWNER_REC + (uint32_t)b * STORE_ENTRY_SIZE + STORE_ENTRY_HEADER] ^= 1;
    CHECK_EQ(arena_attach(&arena, img, SIZE, 0, 0), ARENA_OK);
    CHECK_EQ(store_attach(&st, &arena, 0, arena_data_size(&arena)), STORE_ERR_CORRUPT);
    /* Repair drops the damaged entry only (reported), the rest is served as before. */
    struct store_damage d;
    CHECK_EQ(store_repair(&st, &d), STORE_OK);
    CHECK_EQ(d.owners, 0);
    CHECK_EQ(d.entries, 1);
    CHECK_EQ(store_attach(&st, &arena, 0, arena_data_size(&arena)), STORE_OK);
    CHECK_EQ(get(5, "b", v), STORE_ERR_NOT_FOUND);
    CHECK_EQ(simple(5, STORE_OP_GET_INCARNATION, 0, 0, 0, 0), STORE_OK);
    /* An entry committed for an owner id that does not exist (campaign seed 7 run 24: a
     * corrupted register held the owner in PUT2) and a corrupted owner record: both
     * dropped; another owner's entries kept. */
    memcpy(img, mem, SIZE);
    CHECK_EQ(arena_attach(&arena, img, SIZE, 0, 0), ARENA_OK);
    CHECK_EQ(store_attach(&st, &arena, 0, arena_data_size(&arena)), STORE_OK);
    int used = -1, other = -1;
    for (uint32_t i = 0; i < st.n_entries; i++) {
        uint64_t owner;
        memcpy(&owner, arena_data(&arena) + STORE_MAX_OWNERS * STORE_OWNER_REC + i * STORE_ENTRY_SIZE, 8);
        if (owner != 0 && used < 0) used = (int)i;
        if (owner == 0 && other < 0) other = (int)i;
    }
    CHECK(used >= 0 && other >= 0);
    uint8_t *eu = img + arena.data_off + STORE_MAX_OWNERS * STORE_OWNER_REC + (uint32_t)used * STORE_ENTRY_SIZE;
    uint8_t *eo = img + arena.data_off + STORE_MAX_OWNERS * STORE_OWNER_REC + (uint32_t)other * STORE_ENTRY_SIZE;
    memcpy(eo, eu, STORE_ENTRY_SIZE);
    uint64_t phantom = 0xffff80cdf3b8db6dull;
    memcpy(eo, &phantom, 8);
    img[arena.data_off + STORE_OWNER_REC * 31 + 3] = 0x55; /* owner record 31: not all zero, no checksum */
    CHECK_EQ(store_attach(&st, &arena, 0, arena_data_size(&arena)), STORE_ERR_CORRUPT);
    CHECK_EQ(store_repair(&st, &d), STORE_OK);
    CHECK_EQ(d.owners, 1);
    CHECK_EQ(d.entries, 1);
    CHECK_EQ(store_attach(&st, &arena, 0, arena_data_size(&arena)), STORE_OK);
    CHECK_EQ(store_repair(&st, &d), STORE_OK); /* nothing left to drop */
    /* a digest looked up under an owner that has no such entry: 0 (kv then reads back) */
    static struct store_request q0;
    static struct store_reply r0;
    memset(&q0, 0, sizeof(q0));
    q0.op = STORE_OP_PUT;
    memcpy(q0.name.s, "b", 2);
    r0.err = STORE_OK;
    store_digests(&st, 0x3d838, &q0, &r0);
    CHECK_EQ(r0.mrs, 1);
    CHECK_EQ(r0.mr[0], 0);
    CHECK_EQ(d.owners + d.entries, 0);
    /* and it survives the arena's own recovery */
    CHECK_EQ(arena_attach(&arena, img, SIZE, 0, 0), ARENA_OK);
    CHECK_EQ(store_attach(&st, &arena, 0, arena_data_size(&arena)), STORE_OK);
    attach(mem, 0, 0);
}

/* Crash at every byte of one request; the re-attached store validates and holds the state
 * of before or after, switching once. */
static void crash_every_byte(uint64_t badge, const struct store_request *q, const char *what)
{
    static _Alignas(8) uint8_t before[SIZE], after[SIZE];
    memcpy(before, mem, SIZE);
    memcpy(after, mem, SIZE);
    struct crash c = crash_after(UINT64_MAX);
    attach(after, crash_store, &c);
    CHECK_EQ(call(badge, q, &rep), STORE_OK);
    uint64_t total = c.written;
    int bad = 0, switched = 0;
    for (uint64_t k = 0; k <= total; k++) {
        memcpy(img, before, SIZE);
        c = crash_after(k);
        attach(img, crash_store, &c);
        (void)call(badge, q, &rep);
        if (arena_attach(&arena, img, SIZE, 0, 0) != ARENA_OK ||
            store_attach(&st, &arena, 0, arena_data_size(&arena)) != STORE_OK) {
            bad++;
            continue;
        }
        uint32_t d = arena.data_off;
        int is_before = memcmp(img + d, before + d, SIZE - d) == 0;
        int is_after = memcmp(img + d, after + d, SIZE - d) == 0;
        if (is_after && !is_before) switched = 1;
        if (!(is_before || is_after) || (switched && !is_after)) bad++;
    }
    CHECK_EQ(bad, 0);
    CHECK(switched);
    printf("store: %s: crashed at each of %llu byte positions, all consistent\n", what,
           (unsigned long long)total + 1);
    memcpy(mem, after, SIZE);
    attach(mem, 0, 0);
}

static void test_crashes(void)
{
    struct store_request q = { 0 };
    q.op = STORE_OP_PUT;
    test_set_name(q.name.s, sizeof(q.name.s), "big");
    q.len = 300;
    memset(q.value, 'q', q.len);
    crash_every_byte(6, &q, "PUT replacing a 512-byte value");
    char v[STORE_VALUE_MAX + 1];
    CHECK_EQ(get(6, "big", v), STORE_OK);
    CHECK_EQ(strlen(v), 300);
    memset(&q, 0, sizeof(q));
    q.op = STORE_OP_OWNER_FORGET;
    q.owner = 6;
    crash_every_byte(ADMIN, &q, "OWNER_FORGET");
    CHECK_EQ(get(6, "big", v), STORE_ERR_UNKNOWN_OWNER);
    CHECK_EQ(get(5, "b", v), STORE_OK);
    CHECK_EQ(simple(ADMIN, STORE_OP_OWNER_FORGET, 0, 6, 0, 0), STORE_ERR_UNKNOWN_OWNER);
}

static int put2(uint64_t badge, const char *a, const char *va, const char *b, const char *vb)
{
    static struct store_request q;
    memset(&q, 0, sizeof(q));
    q.op = STORE_OP_PUT2;
    test_set_name(q.name.s, sizeof(q.name.s), a);
    test_set_name(q.name2.s, sizeof(q.name2.s), b);
    q.len = (uint32_t)strlen(va);
    q.len2 = (uint32_t)strlen(vb);
    memcpy(q.value, va, q.len);
    memcpy(q.value2, vb, q.len2);
    return call(badge, &q, &rep);
}

/* PUT2: both entries or neither; quota and room for the pair checked before anything. */
static void test_put2(void)
{
    char v[STORE_VALUE_MAX + 1];
    CHECK_EQ(simple(ADMIN, STORE_OP_OWNER_SET, 0, 8, 3, 20), STORE_OK);
    CHECK_EQ(put2(8, "e1", "hello", "c1", "seq1"), STORE_OK);
    CHECK_EQ(get(8, "e1", v), STORE_OK);
    CHECK(strcmp(v, "hello") == 0);
    CHECK_EQ(get(8, "c1", v), STORE_OK);
    CHECK(strcmp(v, "seq1") == 0);
    /* replacing both; one new and one replaced */
    CHECK_EQ(put2(8, "e1", "world", "c1", "seq2"), STORE_OK);
    CHECK_EQ(put2(8, "e2", "x", "c1", "seq3"), STORE_OK); /* 3 entries, 5+1+4 = 10 bytes */
    /* a fourth entry is over the quota: neither is written */
    CHECK_EQ(put2(8, "e3", "y", "c1", "seq4"), STORE_ERR_QUOTA);
    CHECK_EQ(get(8, "c1", v), STORE_OK);
    CHECK(strcmp(v, "seq3") == 0);
    CHECK_EQ(get(8, "e3", v), STORE_ERR_NOT_FOUND);
    /* bytes: 5 + 1 + 4 now; e1 of 16 bytes would make 16 + 1 + 4 = 21 > 20 */
    CHECK_EQ(put2(8, "e1", "1234567890123456", "c1", "seq5"), STORE_ERR_QUOTA);
    CHECK_EQ(get(8, "e1", v), STORE_OK);
    CHECK(strcmp(v, "world") == 0);
    /* the same name twice, and a bad second name: refused by the decoder */
    static struct store_request q;
    memset(&q, 0, sizeof(q));
    q.op = STORE_OP_PUT2;
    test_set_name(q.name.s, sizeof(q.name.s), "e1");
    test_set_name(q.name2.s, sizeof(q.name2.s), "e1");
    uint64_t label = 0;
    static uint64_t mr[STORE_PUT2_MAX_MRS];
    CHECK_EQ(store_encode_request(&q, &label, mr), 0);
    mr[0] = mr[3] = 'e' | ('1' << 8);
    mr[1] = mr[4] = mr[2] = mr[5] = 0;
    mr[6] = store_check_word(STORE_LABEL(STORE_OP_PUT2), mr, 6);
    CHECK_EQ(store_decode_request(STORE_LABEL(STORE_OP_PUT2), mr, 7, 0, &q), STORE_ERR_BAD_REQUEST);
    mr[3] = 'E';
    mr[6] = store_check_word(STORE_LABEL(STORE_OP_PUT2), mr, 6);
    CHECK_EQ(store_decode_request(STORE_LABEL(STORE_OP_PUT2), mr, 7, 0, &q), STORE_ERR_BAD_NAME);
    mr[3] = 'e' | ('2' << 8); /* a name damaged on its way: refused by its check word */
    CHECK_EQ(store_decode_request(STORE_LABEL(STORE_OP_PUT2), mr, 7, 0, &q), STORE_ERR_CHECK);
    /* a crash at any byte leaves both old or both new */
    memset(&q, 0, sizeof(q));
    q.op = STORE_OP_PUT2;
    test_set_name(q.name.s, sizeof(q.name.s), "e2");
    test_set_name(q.name2.s, sizeof(q.name2.s), "c1");
    q.len = 2;
    memcpy(q.value, "zz", 2);
    q.len2 = 4;
    memcpy(q.value2, "seq6", 4);
    crash_every_byte(8, &q, "PUT2 of an entry and its record");
    CHECK_EQ(get(8, "e2", v), STORE_OK);
    CHECK(strcmp(v, "zz") == 0);
    CHECK_EQ(simple(ADMIN, STORE_OP_OWNER_FORGET, 0, 8, 0, 0), STORE_OK);
}

static void test_full(void)
{
    /* Fill the table: owner 7 with a quota larger than the store. */
    CHECK_EQ(simple(ADMIN, STORE_OP_OWNER_SET, 0, 7, 100000, 100000000), STORE_OK);
    char name[8];
    int full = 0;
    for (uint32_t i = 0; i < st.n_entries + 1 && !full; i++) {
        name[0] = 'n';
        name[1] = (char)('a' + i % 26);
        name[2] = (char)('a' + i / 26);
        name[3] = '\0';
        int err = put(7, name, "v");
        if (err == STORE_ERR_FULL) full = 1;
        else CHECK_EQ(err, STORE_OK);
    }
    CHECK(full);
    for (uint64_t o = 100; o < 100 + STORE_MAX_OWNERS; o++) (void)simple(ADMIN, STORE_OP_OWNER_SET, 0, o, 1, 1);
    CHECK_EQ(simple(ADMIN, STORE_OP_OWNER_SET, 0, 999, 1, 1), STORE_ERR_FULL);
}

int main(void)
{
    struct arena a;
    CHECK_EQ(arena_format(&a, mem, SIZE, LOG, 0, 0), ARENA_OK);
    attach(mem, 0, 0);
    CHECK(st.n_entries > 100);
    CHECK(store_log_need(st.n_entries) <= LOG);
    test_owners_and_quotas();
    test_incarnations();
    test_survives_reattach();
    test_crashes();
    test_put2();
    test_full();
    return check_result("store_core_test");
}
