/* Names of the error codes, for logs and test output. */
#include "kv/protocol/errors.h"

const char *kv_err_name(int err)
{
    static const char *const names[KV_ERR_COUNT] = {
        "KV_OK", "KV_ERR_BAD_REQUEST", "KV_ERR_VERSION", "KV_ERR_BAD_KEY", "KV_ERR_TOO_BIG",
        "KV_ERR_BAD_CAP", "KV_ERR_DENIED", "KV_ERR_NOT_FOUND", "KV_ERR_FULL", "KV_ERR_STALE_SEQ",
        "KV_ERR_BUSY", "KV_ERR_INTERNAL", "KV_ERR_CORRUPT", "KV_ERR_CHECK",
    };
    if (err < 0 || err >= KV_ERR_COUNT) return "KV_ERR_UNKNOWN";
    return names[err];
}
