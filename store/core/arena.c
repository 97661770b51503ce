/* Crash-safe arena: format, attach with recovery, redo-log transactions (see arena.h). */
#include <string.h>
#include "store/core/arena.h"

/* Header field offsets. */
enum {
    H_MAGIC = 0, H_VERSION = 8, H_HEADER_SIZE = 12, H_SIZE = 16, H_LOG_OFF = 24, H_LOG_CAP = 28,
    H_DATA_OFF = 32, H_DATA_SIZE = 36, H_SUM = 40, H_LOG_USED = 48, H_COMMIT = 56,
};

uint64_t arena_fnv(uint64_t h, const void *p, uint64_t n)
{
    const uint8_t *b = p;
    for (uint64_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static void put(struct arena *a, uint64_t off, const void *src, uint32_t n)
{
    if (a->store) {
        a->store(a->store_ctx, a->base + off, src, n);
    } else {
        memcpy(a->base + off, src, n);
    }
}

static void put64(struct arena *a, uint64_t off, uint64_t v) { put(a, off, &v, 8); }
static void put32(struct arena *a, uint64_t off, uint32_t v) { put(a, off, &v, 4); }

static uint64_t get64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t header_sum(const uint8_t *base) { return arena_fnv(ARENA_FNV_START, base, H_SUM); }

/* Checksum of a log of `used` bytes, as the commit word stores it (never 0). */
static uint64_t log_commit_word(const uint8_t *log, uint64_t used)
{
    return arena_fnv(arena_fnv(ARENA_FNV_START, &used, 8), log, used) | 1u;
}

static int geometry_ok(uint64_t size, uint32_t log_cap)
{
    if (size % 8 || size > ARENA_MAX_SIZE || log_cap % 8) return 0;
    if (log_cap < arena_log_cost(8)) return 0;
    return size >= (uint64_t)ARENA_HEADER_SIZE + log_cap + 8;
}

int arena_format(struct arena *a, void *base, uint64_t size, uint32_t log_cap,
                 arena_store_fn store, void *store_ctx)
{
    struct arena z = { 0 };
    *a = z;
    if (!base || ((uintptr_t)base & 7u) || !geometry_ok(size, log_cap)) return ARENA_ERR_BAD_SIZE;
    a->base = base;
    a->size = size;
    a->store = store;
    a->store_ctx = store_ctx;
    a->log_off = ARENA_HEADER_SIZE;
    a->log_cap = log_cap;
    a->data_off = ARENA_HEADER_SIZE + log_cap;
    a->data_size = (uint32_t)(size - a->data_off);
    /* The magic goes first (invalid) and last (valid): an interrupted format is seen as
     * "not formatted", never as an arena with half-zeroed data. */
    put64(a, H_MAGIC, 0);
    static const uint8_t zeros[256];
    for (uint64_t off = a->data_off; off < size; off += sizeof(zeros)) {
        uint64_t n = size - off < sizeof(zeros) ? size - off : sizeof(zeros);
        put(a, off, zeros, (uint32_t)n);
    }
    uint8_t h[ARENA_HEADER_SIZE] = { 0 };
    uint64_t magic = ARENA_MAGIC;
    uint32_t v32 = ARENA_VERSION;
    memcpy(h + H_VERSION, &v32, 4);
    v32 = ARENA_HEADER_SIZE;
    memcpy(h + H_HEADER_SIZE, &v32, 4);
    memcpy(h + H_SIZE, &size, 8);
    memcpy(h + H_LOG_OFF, &a->log_off, 4);
    memcpy(h + H_LOG_CAP, &a->log_cap, 4);
    memcpy(h + H_DATA_OFF, &a->data_off, 4);
    memcpy(h + H_DATA_SIZE, &a->data_size, 4);
    memcpy(h + H_MAGIC, &magic, 8);
    uint64_t sum = header_sum(h);
    memcpy(h + H_SUM, &sum, 8);
    put(a, 8, h + 8, ARENA_HEADER_SIZE - 8);
    put64(a, H_MAGIC, magic);
    return ARENA_OK;
}

/* Replays a committed log; checks every record before the first data write. */
static int replay(struct arena *a, uint64_t used, int write)
{
    const uint8_t *log = a->base + a->log_off;
    uint64_t pos = 0;
    for (uint32_t guard = 0; pos < used && guard < a->log_cap / ARENA_RECORD_HEADER; guard++) {
        if (used - pos < ARENA_RECORD_HEADER) return ARENA_ERR_CORRUPT;
        uint32_t off = get32(log + pos), n = get32(log + pos + 4);
        uint64_t cost = arena_log_cost(n);
        if (n == 0 || cost > used - pos) return ARENA_ERR_CORRUPT;
        if (off > a->data_size || n > a->data_size - off) return ARENA_ERR_CORRUPT;
        if (write) put(a, (uint64_t)a->data_off + off, log + pos + ARENA_RECORD_HEADER, n);
        pos += cost;
    }
    return pos == used ? ARENA_OK : ARENA_ERR_CORRUPT;
}

int arena_attach(struct arena *a, void *base, uint64_t size, arena_store_fn store, void *store_ctx)
{
    struct arena z = { 0 };
    *a = z;
    if (!base || ((uintptr_t)base & 7u) || size < ARENA_HEADER_SIZE || size > ARENA_MAX_SIZE) {
        return ARENA_ERR_BAD_SIZE;
    }
    const uint8_t *b = base;
    if (get64(b + H_MAGIC) != ARENA_MAGIC) return ARENA_ERR_NOT_FORMATTED;
    if (get32(b + H_VERSION) != ARENA_VERSION) return ARENA_ERR_VERSION;
    if (get64(b + H_SUM) != header_sum(b)) return ARENA_ERR_CORRUPT;
    uint32_t log_cap = get32(b + H_LOG_CAP);
    if (get32(b + H_HEADER_SIZE) != ARENA_HEADER_SIZE || get64(b + H_SIZE) != size ||
        get32(b + H_LOG_OFF) != ARENA_HEADER_SIZE || !geometry_ok(size, log_cap) ||
        get32(b + H_DATA_OFF) != ARENA_HEADER_SIZE + log_cap ||
        get32(b + H_DATA_SIZE) != size - ARENA_HEADER_SIZE - log_cap) {
        return ARENA_ERR_BAD_SIZE;
    }
    a->base = base;
    a->size = size;
    a->store = store;
    a->store_ctx = store_ctx;
    a->log_off = ARENA_HEADER_SIZE;
    a->log_cap = log_cap;
    a->data_off = ARENA_HEADER_SIZE + log_cap;
    a->data_size = (uint32_t)(size - a->data_off);
    uint64_t commit = get64(b + H_COMMIT);
    if (commit != 0) {
        uint64_t used = get64(b + H_LOG_USED);
        if (used <= log_cap && used % 8 == 0 && commit == log_commit_word(b + a->log_off, used)) {
            int err = replay(a, used, 0);
            if (err != ARENA_OK) return err; /* checksum right but records wrong: not a tear */
            (void)replay(a, used, 1);
            a->replayed = 1;
        } else {
            a->discarded = 1;
        }
        put64(a, H_COMMIT, 0);
    }
    return ARENA_OK;
}

int arena_tx_begin(struct arena *a)
{
    if (a->tx_open) return ARENA_ERR_TX_OPEN;
    a->tx_open = 1;
    a->tx_broken = 0;
    a->tx_used = 0;
    return ARENA_OK;
}

uint32_t arena_tx_room(const struct arena *a)
{
    return a->tx_open && !a->tx_broken ? a->log_cap - a->tx_used : 0;
}

int arena_tx_write(struct arena *a, uint32_t off, const void *src, uint32_t n)
{
    if (!a->tx_open) return ARENA_ERR_NO_TX;
    int err = ARENA_OK;
    if (n == 0 || off > a->data_size || n > a->data_size - off) {
        err = ARENA_ERR_RANGE;
    } else if (n > a->log_cap || arena_log_cost(n) > a->log_cap - a->tx_used) {
        err = ARENA_ERR_LOG_FULL;
    }
    if (err != ARENA_OK || a->tx_broken) {
        a->tx_broken = 1;
        return err != ARENA_OK ? err : ARENA_ERR_BROKEN_TX;
    }
    uint64_t pos = (uint64_t)a->log_off + a->tx_used;
    put32(a, pos, off);
    put32(a, pos + 4, n);
    put(a, pos + ARENA_RECORD_HEADER, src, n);
    uint32_t pad = ((n + 7u) & ~7u) - n;
    if (pad) {
        static const uint8_t zeros[8];
        put(a, pos + ARENA_RECORD_HEADER + n, zeros, pad);
    }
    a->tx_used += arena_log_cost(n);
    return ARENA_OK;
}

int arena_tx_commit(struct arena *a)
{
    if (!a->tx_open) return ARENA_ERR_NO_TX;
    if (a->tx_broken) return ARENA_ERR_BROKEN_TX;
    a->tx_open = 0;
    if (a->tx_used == 0) return ARENA_OK;
    uint64_t used = a->tx_used;
    put64(a, H_LOG_USED, used);
    put64(a, H_COMMIT, log_commit_word(a->base + a->log_off, used));
    (void)replay(a, used, 1); /* records were checked when logged */
    put64(a, H_COMMIT, 0);
    return ARENA_OK;
}

void arena_tx_abort(struct arena *a)
{
    a->tx_open = 0;
    a->tx_broken = 0;
    a->tx_used = 0;
}

const char *arena_err_name(int err)
{
    static const char *const names[ARENA_ERR_COUNT] = {
        "ARENA_OK", "ARENA_ERR_BAD_SIZE", "ARENA_ERR_NOT_FORMATTED", "ARENA_ERR_VERSION",
        "ARENA_ERR_CORRUPT", "ARENA_ERR_RANGE", "ARENA_ERR_LOG_FULL", "ARENA_ERR_NO_TX",
        "ARENA_ERR_TX_OPEN", "ARENA_ERR_BROKEN_TX",
    };
    if (err < 0 || err >= ARENA_ERR_COUNT) return "ARENA_ERR_UNKNOWN";
    return names[err];
}
