/* Program archive reading and writing (see programs.h).  Portable; all reads are
 * bounds-checked byte loads, so a corrupt archive cannot make it read out of range. */
#include <runtime/programs.h>

#define HEADER_SIZE ((size_t)sizeof(program_archive_header_t))
#define ENTRY_SIZE  ((size_t)sizeof(program_archive_entry_t))
_Static_assert(sizeof(program_archive_header_t) == 16, "header layout");
_Static_assert(sizeof(program_archive_entry_t) == PROGRAM_NAME_LEN + 16, "entry layout");

static uint64_t load_le(const uint8_t *p, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = bytes; i > 0; i--) {
        v = (v << 8) | p[i - 1];
    }
    return v;
}

static void store_le(uint8_t *p, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static const uint8_t *entry_at(const void *archive, unsigned i)
{
    return (const uint8_t *)archive + HEADER_SIZE + (size_t)i * ENTRY_SIZE;
}

static bool name_equal(const uint8_t *a, const char *b)
{
    for (unsigned i = 0; i < PROGRAM_NAME_LEN; i++) {
        if (a[i] != (uint8_t)b[i]) return false;
        if (a[i] == 0) return true;
    }
    return false;
}

static bool name_terminated(const uint8_t *name)
{
    if (name[0] == 0) return false;
    for (unsigned i = 0; i < PROGRAM_NAME_LEN; i++) {
        if (name[i] == 0) return true;
    }
    return false;
}

bool program_archive_valid(const void *archive, size_t size)
{
    if (size == 0) return true;
    const uint8_t *a = archive;
    if (size < HEADER_SIZE || load_le(a, 8) != PROGRAM_ARCHIVE_MAGIC ||
        load_le(a + 8, 4) != PROGRAM_ARCHIVE_VERSION) {
        return false;
    }
    uint64_t count = load_le(a + 12, 4);
    if (count > PROGRAM_ARCHIVE_MAX || count > (size - HEADER_SIZE) / ENTRY_SIZE) {
        return false;
    }
    size_t table_end = HEADER_SIZE + (size_t)count * ENTRY_SIZE;
    for (unsigned i = 0; i < count; i++) {
        const uint8_t *e = entry_at(archive, i);
        uint64_t off = load_le(e + PROGRAM_NAME_LEN, 8);
        uint64_t len = load_le(e + PROGRAM_NAME_LEN + 8, 8);
        if (!name_terminated(e) || off < table_end || off > size || len > size - off) {
            return false;
        }
        for (unsigned j = 0; j < i; j++) {
            if (name_equal(entry_at(archive, j), (const char *)e)) return false;
        }
    }
    return true;
}

unsigned program_archive_count(const void *archive, size_t size)
{
    if (size < HEADER_SIZE) return 0;
    return (unsigned)load_le((const uint8_t *)archive + 12, 4);
}

const char *program_archive_name(const void *archive, size_t size, unsigned i)
{
    if (i >= program_archive_count(archive, size)) return NULL;
    return (const char *)entry_at(archive, i);
}

bool program_archive_find(const void *archive, size_t size, const char *name,
                          const void **image, size_t *image_size)
{
    unsigned n = program_archive_count(archive, size);
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *e = entry_at(archive, i);
        if (name_equal(e, name)) {
            *image = (const uint8_t *)archive + load_le(e + PROGRAM_NAME_LEN, 8);
            *image_size = (size_t)load_le(e + PROGRAM_NAME_LEN + 8, 8);
            return true;
        }
    }
    return false;
}

static size_t align16(size_t v) { return (v + 15u) & ~(size_t)15u; }

size_t program_archive_write(const char *const *names, const void *const *images,
                             const size_t *sizes, unsigned n, void *out, size_t cap)
{
    if (n > PROGRAM_ARCHIVE_MAX) return 0;
    size_t total = align16(HEADER_SIZE + (size_t)n * ENTRY_SIZE);
    for (unsigned i = 0; i < n; i++) {
        size_t len = 0;
        while (names[i][len] != '\0') {
            if (++len >= PROGRAM_NAME_LEN) return 0;
        }
        if (len == 0) return 0;
        total = align16(total + sizes[i]);
    }
    if (cap < total) return total;

    uint8_t *o = out;
    for (size_t i = 0; i < total; i++) o[i] = 0;
    store_le(o, PROGRAM_ARCHIVE_MAGIC, 8);
    store_le(o + 8, PROGRAM_ARCHIVE_VERSION, 4);
    store_le(o + 12, n, 4);
    size_t at = align16(HEADER_SIZE + (size_t)n * ENTRY_SIZE);
    for (unsigned i = 0; i < n; i++) {
        uint8_t *e = o + HEADER_SIZE + (size_t)i * ENTRY_SIZE;
        for (size_t k = 0; names[i][k] != '\0'; k++) e[k] = (uint8_t)names[i][k];
        store_le(e + PROGRAM_NAME_LEN, at, 8);
        store_le(e + PROGRAM_NAME_LEN + 8, sizes[i], 8);
        const uint8_t *src = images[i];
        for (size_t k = 0; k < sizes[i]; k++) o[at + k] = src[k];
        at = align16(at + sizes[i]);
    }
    return total;
}
