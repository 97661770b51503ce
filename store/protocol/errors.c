/* Names of the error codes, for logs and test output. */
#include "store/protocol/errors.h"

const char *store_err_name(int err)
{
    static const char *const names[STORE_ERR_COUNT] = {
        "STORE_OK", "STORE_ERR_BAD_REQUEST", "STORE_ERR_VERSION", "STORE_ERR_BAD_NAME",
        "STORE_ERR_TOO_BIG", "STORE_ERR_BAD_CAP", "STORE_ERR_DENIED", "STORE_ERR_UNKNOWN_OWNER",
        "STORE_ERR_NOT_FOUND", "STORE_ERR_QUOTA", "STORE_ERR_FULL", "STORE_ERR_STALE",
        "STORE_ERR_CORRUPT", "STORE_ERR_INTERNAL", "STORE_ERR_CHECK",
    };
    if (err < 0 || err >= STORE_ERR_COUNT) return "STORE_ERR_UNKNOWN";
    return names[err];
}
