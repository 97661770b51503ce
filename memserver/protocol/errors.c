/* Names of the error codes, for logs and test output. */
#include "memserver/protocol/errors.h"

const char *ms_err_name(int err)
{
    static const char *const names[MS_ERR_COUNT] = {
        "MS_OK", "MS_ERR_BAD_REQUEST", "MS_ERR_VERSION", "MS_ERR_UNALIGNED", "MS_ERR_NON_CANONICAL",
        "MS_ERR_KERNEL_HALF", "MS_ERR_ZERO_LENGTH", "MS_ERR_OVERLAP", "MS_ERR_NO_SPACE",
        "MS_ERR_NOT_MAPPED", "MS_ERR_BAD_RIGHTS", "MS_ERR_WX", "MS_ERR_BAD_FLAGS",
        "MS_ERR_BAD_HANDLE", "MS_ERR_NOT_OWNER", "MS_ERR_BAD_CAP", "MS_ERR_QUOTA",
        "MS_ERR_NO_MEMORY", "MS_ERR_NO_SLOTS", "MS_ERR_NO_ASID", "MS_ERR_RANGE", "MS_ERR_BUSY",
        "MS_ERR_NO_FAULT", "MS_ERR_TOO_DEEP", "MS_ERR_KERNEL", "MS_ERR_DENIED",
    };
    if (err < 0 || err >= MS_ERR_COUNT) return "MS_ERR_UNKNOWN";
    return names[err];
}
