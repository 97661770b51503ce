/* libFuzzer harness: any sequence of requests (from random badges, with random cap counts)
 * through decode, check and apply keeps the registry's invariants: names unique and valid,
 * a BOUND entry has a cap, generations of a name never go back, check changes nothing,
 * lookups mint only non-zero client badges. */
#include <stdint.h>
#include <string.h>
#include "names/core/registry.h"
#include "names/protocol/errors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const pool[4] = { "kv", "store", "timer", "names" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct names_registry r;
    names_init(&r, 64, 128);
    uint64_t last_gen[NAMES_MAX_ENTRIES] = { 0 };
    for (; size >= 4; data += 4, size -= 4) {
        struct names_request q = { 0 };
        uint64_t mr[NAMES_MAX_MRS] = { 0 };
        uint32_t op = 1 + data[0] % (NAMES_OP_COUNT - 1);
        q.op = op;
        if (data[1] & 0x80) {
            q.name.s[0] = (char)('a' + data[1] % 26);
        } else {
            strcpy(q.name.s, pool[data[1] % 4]);
        }
        q.generation = data[2] % 8;
        q.index = data[2] % 40;
        uint64_t label;
        unsigned n = names_encode_request(&q, &label, mr);
        struct names_request d;
        unsigned ncaps = data[3] & 1;
        if (names_decode_request(label, mr, n, ncaps, &d) != NAMES_OK) continue;
        uint64_t badge = (data[3] & 6) == 0 ? NAMES_RS_BADGE : (uint64_t)(data[3] >> 1) % 4;
        struct names_registry before = r;
        struct names_plan p;
        int err = names_check(&r, badge, &d, &p);
        if (memcmp(&before, &r, sizeof(r)) != 0) __builtin_trap();
        if (err < 0 || err >= NAMES_ERR_COUNT) __builtin_trap();
        if (err != NAMES_OK) continue;
        if (p.mint && (p.mint_badge == 0 || p.mint_badge & ~NAMES_CLIENT_MASK)) __builtin_trap();
        if ((d.op == NAMES_OP_BIND || d.op == NAMES_OP_UNBIND) && badge != NAMES_RS_BADGE) __builtin_trap();
        if (p.mrs > NAMES_MAX_MRS) __builtin_trap();
        names_apply(&r, &p);
        if (p.park && r.w[p.waiter].client != p.mint_badge) __builtin_trap();
        if (d.op == NAMES_OP_BIND) {
            struct names_release rel[NAMES_MAX_WAITERS];
            uint32_t nrel = names_release_waiters(&r, &p, rel, NAMES_MAX_WAITERS);
            for (uint32_t i = 0; i < nrel; i++) {
                if (rel[i].mint_badge == 0 || rel[i].slot != 64 + p.index) __builtin_trap();
            }
            for (uint32_t w = 0; w < NAMES_MAX_WAITERS; w++) {
                if (r.w[w].client != 0 && name_equal(&r.w[w].name, &d.name)) __builtin_trap();
            }
        }
        for (uint32_t i = 0; i < NAMES_MAX_ENTRIES; i++) {
            const struct names_entry *e = &r.e[i];
            if (e->state == NAMES_STATE_FREE) continue;
            if (!name_valid(e->name.s, (uint32_t)strlen(e->name.s))) __builtin_trap();
            if (e->state == NAMES_STATE_BOUND && !e->has_cap) __builtin_trap();
            if (e->generation < last_gen[i]) __builtin_trap();
            last_gen[i] = e->generation;
            for (uint32_t j = i + 1; j < NAMES_MAX_ENTRIES; j++) {
                if (r.e[j].state != NAMES_STATE_FREE && name_equal(&r.e[j].name, &e->name)) __builtin_trap();
            }
        }
    }
    return 0;
}
