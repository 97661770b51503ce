/*
 * The memory-server IPC protocol, version 1 (see memserver/PROTOCOL.md).
 *
 * A request is an seL4_Call on the client's badged endpoint cap.  The message label is
 * MS_LABEL(op): the protocol version in bits 19..12 and the operation in bits 11..0, so
 * that no request label collides with a fault message (labels 0..7).  Arguments are
 * message registers MR0.. in the order of the fields below.  The reply's label is an
 * ms_err_t; on MS_OK its message registers hold the results.
 */
#pragma once
#include <stdint.h>

#define MS_PROTOCOL_VERSION 1u
#define MS_LABEL(op) ((MS_PROTOCOL_VERSION << 12) | (uint32_t)(op))
#define MS_LABEL_VERSION(label) (((label) >> 12) & 0xFFu)
#define MS_LABEL_OP(label) ((label) & 0xFFFu)

enum ms_op {
    MS_OP_HELLO = 1,      /* -> MR0 protocol version, MR1 server capabilities (0) */
    MS_OP_AS_CREATE,      /* -> MR0 handle */
    MS_OP_AS_DESTROY,     /* MR0 handle */
    MS_OP_AS_FORK,        /* MR0 handle -> MR0 new handle */
    MS_OP_AS_FAULT_EP,    /* MR0 handle -> cap: badged fault endpoint */
    MS_OP_AS_VSPACE,      /* MR0 handle -> cap: copy of the PML4 cap (for TCB_SetSpace) */
    MS_OP_OBJ_CREATE,     /* MR0 kind, MR1 size, MR2 paddr, MR3 flags -> MR0 handle */
    MS_OP_OBJ_CLOSE,      /* MR0 handle */
    MS_OP_MAP,            /* MR0 as, MR1 vaddr, MR2 size, MR3 obj, MR4 offset, MR5 rights, MR6 flags -> MR0 vaddr */
    MS_OP_UNMAP,          /* MR0 as, MR1 vaddr, MR2 size */
    MS_OP_PROTECT,        /* MR0 as, MR1 vaddr, MR2 size, MR3 rights */
    MS_OP_QUERY,          /* MR0 as, MR1 vaddr -> MR0 start, MR1 size, MR2 obj, MR3 offset, MR4 rights|kind<<8|present<<16 */
    MS_OP_CLONE,          /* MR0 src as, MR1 vaddr, MR2 size, MR3 dst as, MR4 dst vaddr, MR5 flags -> MR0 dst vaddr */
    MS_OP_FAULT_GET,      /* MR0 as -> MR0 kind, MR1 addr, MR2 ip, MR3 code, MR4 rights, MR5 lost */
    MS_OP_QUOTA_GET,      /* -> MR0 pages used, MR1 pages limit, MR2 slots used, MR3 slots limit */
    MS_OP_QUOTA_SET,      /* admin only: MR0 badge, MR1 pages, MR2 slots */
    MS_OP_AS_ADOPT,       /* cap: a PML4 with an ASID -> MR0 handle */
    MS_OP_AS_SET_NOTIFY,  /* MR0 handle, cap: notification */
    MS_OP_STATS,          /* admin only: -> MR0 invocations, MR1 faults fixed, MR2 faults reported,
                             MR3 large frames, MR4 free pages, MR5 free slots, MR6 metadata bytes,
                             MR7 time stamp counter spent in fault handling, MR8 in the previous
                             request (in sel4-sim the TSC counts user instructions), MR9 freed
                             4 KiB frames handed out again (zeroed) */
    MS_OP_CLIENT_DESTROY, /* admin only: MR0 badge of a client that died: free all it has */
    MS_OP_VERIFY_FREE,    /* admin only: asks the kernel whether every untyped chunk the server
                             thinks empty really is -> MR0 chunks checked, MR1 not empty */
    MS_OP_OBJ_WRITE,      /* MR0 obj, MR1 offset, MR2 nbytes, MR3.. the bytes (little-endian, 8 a
                             register): copies them into the anonymous object */
    MS_OP_PAGE_CAP,       /* MR0 as, MR1 vaddr -> cap: copy of the 4 KiB frame cap mapped there */
    MS_OP_COUNT
};

/* Rights (MR of MAP / PROTECT): exactly one of R, RW, RX. */
enum { MS_R = 1, MS_RW = 3, MS_RX = 5 };

/* MAP flags. */
enum {
    MS_MAP_FIXED = 1,    /* map exactly at vaddr (else: first fitting hole, vaddr ignored) */
    MS_MAP_POPULATE = 2, /* create and map all frames now (2 MiB frames where possible) */
    MS_MAP_GUARD = 4,    /* add a 4 KiB guard page below and above the mapping */
    MS_MAP_4K = 8,       /* with POPULATE: 4 KiB frames only (no 2 MiB frames) */
    MS_MAP_FLAGS = 15,
};

/* CLONE flags. */
enum { MS_CLONE_FIXED = 1, MS_CLONE_FLAGS = 1 };

/* OBJ_CREATE kinds and flags. */
enum { MS_OBJ_ANON = 0, MS_OBJ_PHYS = 1 };
enum { MS_OBJ_UNCACHED = 1, MS_OBJ_FLAGS = 1 };

/* QUERY kinds. */
enum { MS_KIND_PRIVATE = 0, MS_KIND_SHARED = 1, MS_KIND_PHYS = 2, MS_KIND_GUARD = 3 };

/* Fault kinds reported to the supervisor. */
enum ms_fault_kind {
    MS_FAULT_UNMAPPED = 1,  /* no mapping at the address */
    MS_FAULT_GUARD = 2,     /* a guard page */
    MS_FAULT_WRITE_RO = 3,  /* write to memory mapped without W */
    MS_FAULT_EXEC_NX = 4,   /* instruction fetch from memory mapped without X */
    MS_FAULT_QUOTA = 5,     /* the page could not be populated: quota exhausted */
    MS_FAULT_NO_MEMORY = 6, /* the page could not be populated: server out of memory */
    MS_FAULT_ACCESS = 7,    /* any other access the mapping does not allow */
    MS_FAULT_OTHER = 8,     /* not a VM fault: code = the seL4 fault type (cap fault, ...) */
    MS_FAULT_KERNEL = 9,    /* the kernel refused to map the page or copy its contents (the
                               space's kernel state was changed behind the server's back) */
};

/* End of the user range: seL4 on x86-64 refuses to map a frame whose end lies beyond
 * USER_TOP = 0x7FFFFFFFFFFF (decodeX86FrameInvocation: vaddr + size > USER_TOP), so the
 * last usable 4 KiB page is 0x7FFFFFFFE000.  Addresses from here to the non-canonical
 * hole (0x0000800000000000) are MS_ERR_KERNEL_HALF. */
#define MS_USER_TOP 0x00007FFFFFFFF000ull
#define MS_CANONICAL_LOW_END 0x0000800000000000ull

/* Badges: client endpoint caps carry the client's badge (bit 63 clear, non-zero);
 * fault endpoint caps minted by AS_FAULT_EP carry MS_FAULT_BADGE | as handle. */
#define MS_FAULT_BADGE (1ull << 63)
/* A fault endpoint's badge: MS_FAULT_BADGE | client index << 32 | as handle. */
#define MS_FAULT_CLIENT_SHIFT 32
#define MS_ADMIN_BADGE (1ull << 62)

/* ---- decoded requests ---- */
struct ms_req_obj_create { uint32_t kind, flags; uint64_t size, paddr; };
struct ms_req_map {
    uint32_t as, obj, rights, flags;
    uint64_t va, size, off;
};
struct ms_req_clone {
    uint32_t src, dst, flags;
    uint64_t va, size, dst_va;
};
/* OBJ_WRITE: `data` points at the message registers holding the bytes (byte i is bits
 * 8*(i%8).. of word i/8), i.e. into the array the request was decoded from. */
struct ms_req_obj_write {
    uint32_t obj, nbytes;
    uint64_t off;
    const uint64_t *data;
};
struct ms_request {
    uint32_t op;
    uint32_t handle;  /* AS or object handle of the ops that take one */
    uint64_t va, size, rights;
    uint64_t badge, pages, slots; /* QUOTA_SET */
    struct ms_req_obj_create obj;
    struct ms_req_map map;
    struct ms_req_clone clone;
    struct ms_req_obj_write write;
};

/* ---- results ---- */
struct ms_query_result {
    uint64_t start, size, off;
    uint32_t obj, rights, kind, present;
};
struct ms_fault_info { uint32_t kind, rights, lost; uint64_t addr, ip, code; };
struct ms_quota_info { uint64_t pages_used, pages_limit, slots_used, slots_limit; };

/* Message registers of the longest message (seL4_MsgMaxLength). */
#define MS_MAX_MRS 120u
#define MS_STATS_WORDS 10u /* STATS reply */
/* OBJ_WRITE: registers before the data, and the most bytes one request carries. */
#define MS_WRITE_HEADER 3u
#define MS_WRITE_MAX ((MS_MAX_MRS - MS_WRITE_HEADER) * 8u)

/* How a request is built and who may send it. */
struct ms_op_shape {
    uint8_t mrs;   /* message registers (OBJ_WRITE: the header; its data follows) */
    uint8_t caps;  /* extra caps: exactly this many */
    uint8_t admin; /* needs the administrator badge */
    int (*decode)(const uint64_t *mr, unsigned n, struct ms_request *out);
};
/* Checks label (version, op), register count and cap count; returns the op's shape
 * (its decode checks the arguments), or NULL with *err. */
const struct ms_op_shape *ms_decode_label(uint64_t label, unsigned n, unsigned ncaps, uint32_t *op, int *err);

/* The server's decoder: label, then the sender's badge (MS_ERR_DENIED for badge 0,
 * the administrator bit alone, or an admin op without it), then the arguments. */
int ms_decode_message(uint64_t badge, uint64_t label, const uint64_t *mr, unsigned n, unsigned ncaps,
                      struct ms_request *out);
/* Decodes and validates a request message: label, `n` message registers, `ncaps`
 * extra caps.  Checks everything that does not need server state (lengths, flags,
 * rights, alignment, canonical and user-half addresses).  Returns MS_OK or an error. */
int ms_decode_request(uint64_t label, const uint64_t *mr, unsigned n, unsigned ncaps,
                      struct ms_request *out);
/* Encodes a request; returns the number of message registers written (<= MS_MAX_MRS)
 * and the label in *label. */
unsigned ms_encode_request(const struct ms_request *r, uint64_t *label, uint64_t *mr);

/* Replies: result registers of each op. */
unsigned ms_encode_query(const struct ms_query_result *q, uint64_t *mr);
int ms_decode_query(const uint64_t *mr, unsigned n, struct ms_query_result *q);
unsigned ms_encode_fault_info(const struct ms_fault_info *f, uint64_t *mr);
int ms_decode_fault_info(const uint64_t *mr, unsigned n, struct ms_fault_info *f);

/* Range checks shared by the decoder and the core. */
int ms_check_range(uint64_t va, uint64_t size);
int ms_check_rights(uint64_t rights);
