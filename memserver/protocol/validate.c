/* Address-range and rights checks shared by the message decoder and the core. */
#include "memserver/protocol/errors.h"
#include "memserver/protocol/messages.h"

#define CANONICAL_HIGH 0xFFFF800000000000ull

int ms_check_range(uint64_t va, uint64_t size)
{
    if (size == 0) return MS_ERR_ZERO_LENGTH;
    if ((va | size) & 0xFFFu) return MS_ERR_UNALIGNED;
    if (va >= MS_CANONICAL_LOW_END && va < CANONICAL_HIGH) return MS_ERR_NON_CANONICAL;
    if (va >= MS_USER_TOP || size > MS_USER_TOP - va) return MS_ERR_KERNEL_HALF;
    return MS_OK;
}

int ms_check_rights(uint64_t rights)
{
    if (rights == MS_R || rights == MS_RW || rights == MS_RX) return MS_OK;
    if (rights == 7 || rights == 6) return MS_ERR_WX;
    return MS_ERR_BAD_RIGHTS;
}
