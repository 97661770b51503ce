/*
 * Name-registry error codes.  Every reply carries one in its message label (NAMES_OK = 0
 * on success); each names exactly one reason.  A refused request changes nothing.
 */
#pragma once

typedef enum names_err {
    NAMES_OK = 0,
    NAMES_ERR_BAD_REQUEST = 1,  /* unknown label, or wrong number of message registers */
    NAMES_ERR_VERSION = 2,      /* protocol version of the request is not supported */
    NAMES_ERR_BAD_NAME = 3,     /* name empty, longer than 15, characters outside [a-z0-9_-] */
    NAMES_ERR_BAD_CAP = 4,      /* caps in: wrong count, or BIND of a new name without a cap */
    NAMES_ERR_DENIED = 5,       /* BIND/UNBIND from a badge other than the RS's; LOOKUP from
                                   a badge that names no client (0, or RS-only bits) */
    NAMES_ERR_UNKNOWN_NAME = 6, /* no such name was ever bound */
    NAMES_ERR_UNBOUND = 7,      /* the name is known but not bound now (service stopped/failed) */
    NAMES_ERR_STALE = 8,        /* generation older than the registry's (BIND, CHECK) */
    NAMES_ERR_NOT_NEWER = 9,    /* LOOKUP_IF_NEWER: the caller's generation is current */
    NAMES_ERR_FULL = 10,        /* BIND of a new name: the table is full */
    NAMES_ERR_NO_ENTRY = 11,    /* LIST: index beyond the last name */
    NAMES_ERR_KERNEL = 12,      /* a kernel invocation failed (server bug or bad cap) */
    NAMES_ERR_COUNT
} names_err_t;

/* A short constant name for an error code ("NAMES_ERR_STALE"), for logs and tests. */
const char *names_err_name(int err);
