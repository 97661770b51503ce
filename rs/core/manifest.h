/*
 * The reincarnation server's manifest: which services exist, how they are started and
 * how their failures are handled.  Portable C (no syscalls, no allocation): the same
 * parser runs in the build-time checker `rs-manifest` and in the RS itself.
 *
 * Syntax (line based; `#` starts a comment; blank lines ignored):
 *
 *   group NAME [strategy=one_for_one|rest_for_one|one_for_all] [intensity=N/DURATION]
 *   service NAME
 *       KEY = VALUE...        (one per line, belongs to the last `service` line)
 *
 * Service keys (only `image` is required; defaults in rs/README.md):
 *   image     = PROGRAM             program name in the boot archive
 *   group     = NAME                a declared group; default: group `default`
 *   priority  = 1..254
 *   pages     = 1..RS_MAX_PAGES     memory-server quota in 4 KiB pages
 *   untyped   = RS_MIN_UNTYPED_BITS..RS_MAX_UNTYPED_BITS   size_bits of its own untyped
 *   restart   = permanent | transient | temporary
 *   backoff   = FIRST CAP           durations, FIRST <= CAP
 *   stable    = DURATION            a run this long resets the backoff
 *   heartbeat = PERIOD DEADLINE | off     DEADLINE <= PERIOD
 *   depends   = NAME...             started after these
 *   grants    = irq:PIN ioport:FIRST[-LAST] control...   (control: the RS control cap)
 *   channels  = NAME...             endpoint caps to these services, in this order
 *   args      = WORD...             up to RS_MAX_ARGS numbers (decimal or 0x hex)
 * Durations: a number with `ms` or `s` (stored in milliseconds), 1 ms .. 1 day.
 *
 * Errors carry the line, the field and a message; rs_manifest_format_error() prints
 * them as `FILE:LINE: field 'X': message`.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define RS_MAX_SERVICES     32u
#define RS_MAX_GROUPS       8u
#define RS_NAME_MAX         15u  /* service and group names: [a-z0-9_-], 1..15 chars */
#define RS_IMAGE_MAX        31u  /* image names: [A-Za-z0-9_.-], 1..31 chars */
#define RS_MAX_ARGS         8u
#define RS_MAX_CHANNELS     8u
#define RS_MAX_GRANTS       8u
#define RS_MAX_PAGES        (1u << 20)  /* 4 GiB */
#define RS_MIN_UNTYPED_BITS 14u
#define RS_MAX_UNTYPED_BITS 28u
#define RS_MAX_DURATION_MS  86400000u   /* 1 day */
#define RS_MAX_INTENSITY    1000u /* restarts per period (the policy keeps that many times) */
#define RS_MAX_IRQ_PIN      23u         /* IOAPIC pins */
#define RS_MAX_LINE         255u        /* characters per line, without the newline */
#define RS_MAX_TEXT         (1u << 20)  /* bytes of manifest text */

/* Defaults of optional keys. */
#define RS_DEFAULT_PRIORITY        100u
#define RS_DEFAULT_PAGES           256u
#define RS_DEFAULT_UNTYPED_BITS    16u
#define RS_DEFAULT_BACKOFF_FIRST   10u    /* ms */
#define RS_DEFAULT_BACKOFF_CAP     1000u  /* ms */
#define RS_DEFAULT_STABLE          5000u  /* ms */
#define RS_DEFAULT_INTENSITY       3u
#define RS_DEFAULT_PERIOD          5000u  /* ms */
#define RS_DEFAULT_GROUP           "default"

enum rs_strategy { RS_ONE_FOR_ONE, RS_REST_FOR_ONE, RS_ONE_FOR_ALL };
enum rs_restart { RS_PERMANENT, RS_TRANSIENT, RS_TEMPORARY };
enum rs_grant_kind { RS_GRANT_IRQ, RS_GRANT_IOPORT, RS_GRANT_CONTROL };

struct rs_group {
    char     name[RS_NAME_MAX + 1];
    uint8_t  strategy;      /* enum rs_strategy */
    uint32_t intensity;     /* more than this many restarts within period_ms: give up */
    uint32_t period_ms;
    uint32_t line;          /* 0: implicit `default` group */
};

struct rs_grant {
    uint8_t  kind;          /* enum rs_grant_kind */
    uint16_t first, last;   /* IRQ: the pin (first == last); I/O ports: inclusive range */
};

struct rs_service {
    char     name[RS_NAME_MAX + 1];
    char     image[RS_IMAGE_MAX + 1];
    uint8_t  group;         /* index into rs_manifest.group */
    uint8_t  priority;
    uint8_t  restart;       /* enum rs_restart */
    uint8_t  untyped_bits;
    uint32_t pages;
    uint32_t backoff_first_ms, backoff_cap_ms;
    uint32_t stable_ms;
    uint32_t heartbeat_period_ms;   /* 0: heartbeat off */
    uint32_t heartbeat_deadline_ms;
    uint32_t depends;       /* bit i: depends on service i */
    uint8_t  nchannels;
    uint8_t  channels[RS_MAX_CHANNELS];   /* service indices, manifest order */
    uint8_t  ngrants;
    struct rs_grant grants[RS_MAX_GRANTS];
    uint8_t  nargs;
    uint64_t args[RS_MAX_ARGS];
    uint32_t line;          /* of its `service` line */
};

struct rs_manifest {
    uint32_t nservices;
    uint32_t ngroups;
    struct rs_service service[RS_MAX_SERVICES];   /* manifest order */
    struct rs_group   group[RS_MAX_GROUPS];
    uint8_t start_order[RS_MAX_SERVICES];  /* dependency order; ties in manifest order */
};

#define RS_FIELD_MAX   15u
#define RS_MESSAGE_MAX 127u

struct rs_manifest_error {
    uint32_t line;
    char field[RS_FIELD_MAX + 1];
    char message[RS_MESSAGE_MAX + 1];
};

/* Parses `len` bytes of manifest text (need not be NUL-terminated) into *m.
 * Returns 0, or -1 with *err filled (and *m unspecified). */
int rs_manifest_parse(const char *text, size_t len, struct rs_manifest *m,
                      struct rs_manifest_error *err);

/* `FILE:LINE: field 'X': message` into buf (snprintf semantics: returns the full length). */
int rs_manifest_format_error(const struct rs_manifest_error *err, const char *file,
                             char *buf, size_t size);

/* Index of the service / group called name[0..len), or -1. */
int rs_manifest_find_service(const struct rs_manifest *m, const char *name, size_t len);
int rs_manifest_find_group(const struct rs_manifest *m, const char *name, size_t len);

/* Position of service `svc` in start_order (0 = started first). */
uint32_t rs_manifest_start_rank(const struct rs_manifest *m, uint32_t svc);

const char *rs_strategy_name(unsigned strategy);
const char *rs_restart_name(unsigned restart);
