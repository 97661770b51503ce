/*
 * Decoding of fault messages (the label and message registers a fault endpoint
 * receives, manual 6.2) into a struct, and a one-line description.  Portable: no
 * syscalls, host-tested and fuzzed.
 */
#pragma once
#include <sel4/sel4.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct fault_info {
    seL4_Word type;        /* seL4_Fault_VMFault, ... (the message label) */
    seL4_Word ip;          /* faulting instruction */
    union {
        struct { seL4_Word addr, fsr; bool prefetch; } vm;
        struct { seL4_Word addr; bool in_recv; seL4_Word lookup_type, bits_left,
                 bits_found, guard_found; } cap;
        struct { seL4_Word sp, flags, number, code; } user;   /* UserException */
        struct { seL4_Word syscall, sp, flags, regs[15]; } sys; /* UnknownSyscall: rax..r15 */
    } u;
} fault_info_t;

/* Fills `out` from a fault message: `label` is the message label, mrs[0..n) its message
 * registers.  Returns false (and leaves type = label) if the label is not a fault type
 * or n is shorter than that fault's message. */
bool fault_decode(seL4_Word label, const seL4_Word *mrs, size_t n, fault_info_t *out);

/* Writes a one-line description (no newline), e.g.
 * "VM fault: addr=0xdead0000 ip=0x401234 fsr=0x6 (write, user, not present) data";
 * returns the length it needed, like snprintf. */
int fault_format(const fault_info_t *f, char *buf, size_t size);

/* Name of a fault type ("VM fault", "cap fault", ...), "unknown fault" otherwise. */
const char *fault_type_name(seL4_Word type);
