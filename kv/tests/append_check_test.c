/* append_check: every outcome's allowed read-backs, and the ones that must be caught
 * (a byte never sent, an acknowledged byte missing, a request applied twice). */
#include "check.h"
#include <string.h>
#include "kv/client/append_check.h"

static uint8_t v[300];

/* The key's content after n appends from byte `first`. */
static const uint8_t *content(uint8_t first, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) v[i] = (uint8_t)(first + i);
    return v;
}

static void acknowledged(void)
{
    struct kvac t = { 0 };
    kvac_reset(&t, 7);
    CHECK(kvac_read(&t, false, NULL, 0) == 0 && kvac_settled(&t)); /* empty: absent */
    for (uint32_t i = 0; i < 5; i++) {
        CHECK(kvac_next(&t) == (uint8_t)(7 + i));
        kvac_appended(&t, i + 1);
    }
    CHECK(t.len == 5 && t.lost == 0 && t.duplicated == 0);
    CHECK(kvac_read(&t, true, content(7, 5), 5) == 0 && t.len == 5);
    /* an acknowledged byte missing, or a key gone: lost */
    struct kvac u = t;
    CHECK(kvac_read(&u, true, content(7, 4), 4) == 1 && u.lost == 1 && u.state == KVAC_DAMAGED);
    u = t;
    CHECK(kvac_read(&u, false, NULL, 0) == 1 && u.lost == 1);
    /* a byte that was never sent */
    u = t;
    memcpy(v, content(7, 5), 5);
    v[0] = 6;
    CHECK(kvac_read(&u, true, v, 5) == 1 && u.lost == 1);
    /* one more byte than acknowledged, with nothing in doubt */
    u = t;
    CHECK(kvac_read(&u, true, content(7, 6), 6) == 1);
    /* applied twice / lost, as the answer's length shows */
    u = t;
    kvac_appended(&u, 7);
    CHECK(u.duplicated == 1 && u.state == KVAC_DAMAGED);
    u = t;
    kvac_appended(&u, 5);
    CHECK(u.lost == 1 && u.state == KVAC_DAMAGED);
}

static void append_in_doubt(void)
{
    struct kvac t = { 0 };
    kvac_reset(&t, 200);
    kvac_appended(&t, 1);
    kvac_appended(&t, 2);
    kvac_append_unknown(&t);
    CHECK(!kvac_settled(&t));
    struct kvac u = t; /* not applied */
    CHECK(kvac_read(&u, true, content(200, 2), 2) == 0 && kvac_settled(&u) && u.len == 2);
    CHECK(kvac_next(&u) == 202);
    u = t; /* applied once */
    CHECK(kvac_read(&u, true, content(200, 3), 3) == 0 && kvac_settled(&u) && u.len == 3);
    u = t; /* applied twice: caught */
    CHECK(kvac_read(&u, true, content(200, 4), 4) == 1 && u.lost == 1);
    u = t; /* the in-doubt byte wrong: caught */
    memcpy(v, content(200, 3), 3);
    v[2] = 99;
    CHECK(kvac_read(&u, true, v, 3) == 1);
    u = t; /* gone: caught (no DELETE was in doubt) */
    CHECK(kvac_read(&u, false, NULL, 0) == 1);
    /* the first APPEND in doubt: absent is allowed */
    kvac_reset(&u, 1);
    kvac_append_unknown(&u);
    CHECK(kvac_read(&u, false, NULL, 0) == 0 && kvac_settled(&u) && u.len == 0);
}

static void delete_in_doubt(void)
{
    struct kvac t = { 0 };
    kvac_reset(&t, 50);
    for (uint32_t i = 0; i < 3; i++) kvac_appended(&t, i + 1);
    kvac_delete_unknown(&t);
    struct kvac u = t;
    CHECK(kvac_read(&u, false, NULL, 0) == 0 && kvac_settled(&u) && u.len == 0 && u.first == 54);
    u = t;
    CHECK(kvac_read(&u, true, content(50, 3), 3) == 0 && kvac_settled(&u) && u.len == 3);
    u = t;
    CHECK(kvac_read(&u, true, content(50, 2), 2) == 1);
    /* damaged: anything is taken until the key is gone */
    CHECK(kvac_read(&u, true, v, 1) == 0 && u.state == KVAC_DAMAGED && u.lost == 1);
    CHECK(kvac_read(&u, false, NULL, 0) == 0 && kvac_settled(&u) && u.len == 0);
    kvac_appended(&u, 1);
    kvac_deleted(&u);
    CHECK(u.len == 0 && kvac_settled(&u));
}

int main(void)
{
    acknowledged();
    append_in_doubt();
    delete_in_doubt();
    return check_result("kv_append_check_test");
}
