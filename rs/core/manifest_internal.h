/* Shared by the manifest parser's files (manifest*.c); not part of the API. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "rs/core/manifest.h"

#define MP_MAX_WORDS 40u /* words of one value; more is an error */

/* A piece of the manifest text (not NUL-terminated). */
struct mp_slice {
    const char *p;
    size_t n;
};

/* Service keys, in the order of the table in manifest_keys.c. */
enum mp_key {
    MP_KEY_IMAGE, MP_KEY_GROUP, MP_KEY_PRIORITY, MP_KEY_PAGES, MP_KEY_UNTYPED,
    MP_KEY_RESTART, MP_KEY_BACKOFF, MP_KEY_STABLE, MP_KEY_HEARTBEAT, MP_KEY_DEPENDS,
    MP_KEY_GRANTS, MP_KEY_CHANNELS, MP_KEY_ARGS, MP_KEY_COUNT
};

/* Parser state. */
struct mp {
    struct rs_manifest *m;
    struct rs_manifest_error *err;
    uint32_t line;                         /* current line (1-based) */
    int cur;                               /* service being filled, or -1 */
    uint32_t key_line[MP_KEY_COUNT];       /* where each key of `cur` was set (0: not) */
    uint32_t depends_line[RS_MAX_SERVICES];/* where each service's depends was set */
    uint32_t declared_groups;              /* groups found by the first pass */
};

/* Records an error at the current line; always returns -1. */
int mp_error(struct mp *mp, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int mp_error_at(struct mp *mp, uint32_t line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The group `default`: its index (added with default settings if not declared), or an
 * error if there is no room for it. */
int mp_default_group(struct mp *mp);

/* ---- values (manifest_values.c) ---- */
bool mp_eq(struct mp_slice s, const char *word);
bool mp_is_space(char c);
/* Splits s at whitespace into at most max words; returns the count, or max + 1 if more. */
size_t mp_split(struct mp_slice s, struct mp_slice *words, size_t max);
bool mp_valid_name(struct mp_slice s);
bool mp_valid_image(struct mp_slice s);
/* Unsigned decimal or 0x-hex number; false if malformed or above 2^64 - 1. */
bool mp_parse_u64(struct mp_slice s, uint64_t *v);
/* Number with `ms` or `s`, in milliseconds; false if malformed or above RS_MAX_DURATION_MS. */
bool mp_parse_duration(struct mp_slice s, uint32_t *ms);
/* Copies s (at most cap - 1 bytes) as a NUL-terminated string (for messages). */
void mp_copy(char *dst, size_t cap, struct mp_slice s);
/* Prints at most 24 characters of s into dst, with "..." if longer (for messages). */
void mp_quote(char *dst, size_t cap, struct mp_slice s);

/* ---- service keys (manifest_keys.c) ---- */
/* The key named k, or MP_KEY_COUNT. */
enum mp_key mp_find_key(struct mp_slice k);
const char *mp_key_name(enum mp_key key);
/* Parses `value` for `key` of the current service. */
int mp_set_key(struct mp *mp, enum mp_key key, struct mp_slice value);
/* Applies the defaults of a new service. */
void mp_service_defaults(struct rs_service *s);

/* ---- start order (manifest_order.c) ---- */
/* Fills m->start_order; an error naming the cycle if the dependencies have one. */
int mp_order(struct mp *mp);
