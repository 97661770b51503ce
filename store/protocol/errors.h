/*
 * State-store error codes: the reply label (STORE_OK = 0 on success).  Each names exactly
 * one reason; a refused request changes nothing.
 */
#pragma once

typedef enum store_err {
    STORE_OK = 0,
    STORE_ERR_BAD_REQUEST = 1,   /* unknown label, wrong number of message registers */
    STORE_ERR_VERSION = 2,       /* protocol version not supported */
    STORE_ERR_BAD_NAME = 3,      /* entry name empty, > 15 characters, outside [a-z0-9_-] */
    STORE_ERR_TOO_BIG = 4,       /* value longer than STORE_VALUE_MAX bytes */
    STORE_ERR_BAD_CAP = 5,       /* caps came with the request (the store takes none) */
    STORE_ERR_DENIED = 6,        /* admin request without the admin badge; a badge that names
                                    no owner (0, or reserved bits) */
    STORE_ERR_UNKNOWN_OWNER = 7, /* the caller has no quota: the supervisor never set one */
    STORE_ERR_NOT_FOUND = 8,     /* no entry of this owner with this name / LIST past the end */
    STORE_ERR_QUOTA = 9,         /* the owner's entry or byte quota would be exceeded */
    STORE_ERR_FULL = 10,         /* no free entry or owner slot in the store */
    STORE_ERR_STALE = 11,        /* OWNER_START with a generation not newer than the last */
    STORE_ERR_CORRUPT = 12,      /* attach: the arena holds data that fails validation */
    STORE_ERR_INTERNAL = 13,     /* arena transaction refused (a bug; nothing changed) */
    STORE_ERR_CHECK = 14,        /* the request's check word does not match it: damaged on its
                                    way; nothing changed, send it again */
    STORE_ERR_COUNT
} store_err_t;

const char *store_err_name(int err);
