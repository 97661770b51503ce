/*
 * Memory-server error codes.  Every reply carries one of these in its message label
 * (MS_OK = 0 on success).  They are the server's own codes, not seL4_Error values:
 * each names exactly one reason a request was refused.  A refused request leaves the
 * server's state unchanged.
 */
#pragma once

typedef enum ms_err {
    MS_OK = 0,
    MS_ERR_BAD_REQUEST = 1,   /* unknown label, or wrong number of message registers */
    MS_ERR_VERSION = 2,       /* protocol version of the request is not supported */
    MS_ERR_UNALIGNED = 3,     /* address, size or offset not a multiple of 4 KiB */
    MS_ERR_NON_CANONICAL = 4, /* address is not a canonical x86-64 address */
    MS_ERR_KERNEL_HALF = 5,   /* range reaches MS_USER_TOP (0x7FFFFFFFF000) or above (or wraps) */
    MS_ERR_ZERO_LENGTH = 6,   /* size is 0 */
    MS_ERR_OVERLAP = 7,       /* fixed-address range overlaps an existing mapping */
    MS_ERR_NO_SPACE = 8,      /* no hole in the address space fits the request */
    MS_ERR_NOT_MAPPED = 9,    /* protect/query/clone over an address with no mapping */
    MS_ERR_BAD_RIGHTS = 10,   /* rights are not one of R, RW, RX */
    MS_ERR_WX = 11,           /* write and execute requested together (W^X) */
    MS_ERR_BAD_FLAGS = 12,    /* unknown flag bits or kind, a flag combination that makes no sense, or
                                 an object kind the request cannot work on (physical memory) */
    MS_ERR_BAD_HANDLE = 13,   /* handle does not name a live address space / object */
    MS_ERR_NOT_OWNER = 14,    /* handle is live but belongs to another client */
    MS_ERR_BAD_CAP = 15,      /* a capability passed with the request is missing or of the wrong type */
    MS_ERR_QUOTA = 16,        /* the client's quota (memory or cap slots) would be exceeded */
    MS_ERR_NO_MEMORY = 17,    /* the server is out of untyped memory or metadata memory */
    MS_ERR_NO_SLOTS = 18,     /* the server is out of capability slots */
    MS_ERR_NO_ASID = 19,      /* no free ASID for a new address space */
    MS_ERR_RANGE = 20,        /* offset/size reach beyond the end of the memory object */
    MS_ERR_BUSY = 21,         /* physical range already in use, or too many handles */
    MS_ERR_NO_FAULT = 22,     /* no unreported fault pending for this address space */
    MS_ERR_TOO_DEEP = 23,     /* copy-on-write chain would become too long */
    MS_ERR_KERNEL = 24,       /* a kernel invocation failed unexpectedly (server bug) */
    MS_ERR_DENIED = 25,       /* request needs the administrator badge */
    MS_ERR_COUNT
} ms_err_t;

/* A short constant name for an error code ("MS_ERR_QUOTA"), for logs and tests. */
const char *ms_err_name(int err);
