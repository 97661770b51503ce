/* Names of the error codes, for logs and test output. */
#include "names/protocol/errors.h"

const char *names_err_name(int err)
{
    static const char *const names[NAMES_ERR_COUNT] = {
        "NAMES_OK", "NAMES_ERR_BAD_REQUEST", "NAMES_ERR_VERSION", "NAMES_ERR_BAD_NAME",
        "NAMES_ERR_BAD_CAP", "NAMES_ERR_DENIED", "NAMES_ERR_UNKNOWN_NAME", "NAMES_ERR_UNBOUND",
        "NAMES_ERR_STALE", "NAMES_ERR_NOT_NEWER", "NAMES_ERR_FULL", "NAMES_ERR_NO_ENTRY",
        "NAMES_ERR_KERNEL",
    };
    if (err < 0 || err >= NAMES_ERR_COUNT) return "NAMES_ERR_UNKNOWN";
    return names[err];
}
