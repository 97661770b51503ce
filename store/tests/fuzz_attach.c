/* libFuzzer harness: attaching to arbitrary arena bytes (what a crashed or misbehaving
 * incarnation may leave behind) never reads or writes out of bounds; when the arena, the
 * store and the dedup table accept it, requests work on it and the result attaches again.
 * A store that fails validation is repaired (store_repair) and must then attach. */
#include <stdint.h>
#include <string.h>
#include "store/core/dedup.h"
#include "store/core/store.h"
#include "store/protocol/errors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SIZE 16384u
#define LOG 2048u
#define STORE_BYTES 12000u

static _Alignas(8) uint8_t mem[SIZE];
static _Alignas(8) uint8_t formatted[SIZE];
static int have_formatted;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    if (!have_formatted) {
        if (arena_format(&a, formatted, SIZE, LOG, 0, 0) != ARENA_OK) __builtin_trap();
        have_formatted = 1;
    }
    /* Input: offset/bytes patches over a formatted arena, so attach gets past the magic. */
    memcpy(mem, formatted, SIZE);
    for (; size >= 3; data += 3, size -= 3) mem[(data[0] | (uint32_t)data[1] << 8) % SIZE] = data[2];
    if (arena_attach(&a, mem, SIZE, 0, 0) != ARENA_OK) return 0;
    struct store s;
    struct dedup d;
    int st = store_attach(&s, &a, 0, STORE_BYTES);
    if (st == STORE_ERR_CORRUPT) { /* what fails validation is dropped; the rest must attach */
        struct store_damage damage;
        if (store_repair(&s, &damage) != STORE_OK || damage.owners + damage.entries == 0) __builtin_trap();
        st = store_attach(&s, &a, 0, STORE_BYTES);
        if (st != STORE_OK) __builtin_trap();
    }
    int dd = dedup_attach(&d, &a, STORE_BYTES, arena_data_size(&a) - STORE_BYTES);
    if (st != STORE_OK) return 0;
    static struct store_request q;
    static struct store_reply rep;
    memset(&q, 0, sizeof(q));
    q.op = STORE_OP_OWNER_SET;
    q.owner = 1;
    q.max_entries = 3;
    q.max_bytes = 600;
    store_handle(&s, STORE_ADMIN_BADGE, &q, &rep);
    if (rep.err != STORE_OK && rep.err != STORE_ERR_FULL) __builtin_trap();
    q.op = STORE_OP_PUT;
    strcpy(q.name.s, "x");
    q.len = 5;
    store_handle(&s, 1, &q, &rep);
    if (rep.err != STORE_OK && rep.err != STORE_ERR_FULL && rep.err != STORE_ERR_QUOTA &&
        rep.err != STORE_ERR_UNKNOWN_OWNER) {
        __builtin_trap();
    }
    if (dd == 0) {
        struct dedup_reply r = { 0 };
        if (dedup_check(&d, 5, 1, &r) == DEDUP_NEW) {
            if (arena_tx_begin(&a) || dedup_record(&d, 5, 1, &r) || arena_tx_commit(&a)) __builtin_trap();
        }
    }
    if (arena_attach(&a, mem, SIZE, 0, 0) != ARENA_OK) __builtin_trap();
    if (store_attach(&s, &a, 0, STORE_BYTES) != STORE_OK) __builtin_trap();
    if (dd == 0 && dedup_attach(&d, &a, STORE_BYTES, arena_data_size(&a) - STORE_BYTES) != 0) __builtin_trap();
    return 0;
}
