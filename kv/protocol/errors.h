/* Key-value service error codes: the reply label (KV_OK = 0).  A refused request changes
 * nothing; a request answered from the exactly-once table gets the reply it got first. */
#pragma once

typedef enum kv_err {
    KV_OK = 0,
    KV_ERR_BAD_REQUEST = 1, /* unknown label, wrong number of registers, bad padding */
    KV_ERR_VERSION = 2,     /* protocol version not supported */
    KV_ERR_BAD_KEY = 3,     /* key length 0 or > 31, or bytes after the key not zero */
    KV_ERR_TOO_BIG = 4,     /* value (or APPEND result) longer than 256 bytes */
    KV_ERR_BAD_CAP = 5,     /* caps came with the request (the service takes none) */
    KV_ERR_DENIED = 6,      /* the badge names no client (0, or bit 63 set) */
    KV_ERR_NOT_FOUND = 7,   /* no such key / LIST past the end */
    KV_ERR_FULL = 8,        /* no free entry for a new key */
    KV_ERR_STALE_SEQ = 9,   /* sequence number older than the client's last: not applied */
    KV_ERR_BUSY = 10,       /* exactly-once table full: not applied, try again later */
    KV_ERR_INTERNAL = 11,   /* arena transaction or store write refused (nothing changed) */
    KV_ERR_CORRUPT = 12,    /* attach: the arena fails validation */
    KV_ERR_CHECK = 13,      /* the request's check word does not match it: damaged on its way
                               (or not this protocol); nothing applied, send it again */
    KV_ERR_COUNT
} kv_err_t;

const char *kv_err_name(int err);
