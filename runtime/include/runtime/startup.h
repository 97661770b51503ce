/*
 * Startup convention for programs that are not the root task (see programs.h for the
 * loader that follows it).
 *
 * Entry: rip = the ELF entry (_start), rdi = address of a runtime_startup_t page mapped
 * read-only in the program's VSpace, rsp = 0 (crt0 uses the image's own .stack
 * segment), every other register 0.  _start tells the two kinds of program apart by the
 * magic word: BootInfo's first word (extraLen) is a small byte count and never equals it.
 *
 * CSpace: one CNode of 2^cnode_size_bits slots with a guard that makes every CPtr a
 * plain slot number resolved at depth seL4_WordBits (64), like the root task's.
 *   slot 0   null
 *   slot 1   the program's TCB                (PROGRAM_SLOT_TCB)
 *   slot 2   its CNode (with the guard)       (PROGRAM_SLOT_CNODE)
 *   slot 3   its VSpace root (PML4)           (PROGRAM_SLOT_VSPACE)
 *   slot 4   supervised services: the endpoint the service serves on (service_ep);
 *            otherwise empty
 *   slot 5   the fault endpoint the parent chose, possibly badged; null if none
 *            (PROGRAM_SLOT_FAULT_EP; the TCB's fault endpoint CPtr is this slot)
 *   slot 6   supervised services: the supervisor's endpoint, badged (supervisor_ep)
 *   slot 7   supervised services: the supervisor's heartbeat-ack notification, badged
 *            with the service's bit (heartbeat_ack)
 *   slots [caps.start, caps.end)   the caps the parent passed, in the order given,
 *                                   starting at PROGRAM_SLOT_FIRST_CAP (8)
 *   slots [empty.start, empty.end) free
 *
 * VSpace: the image's PT_LOAD segments at their link addresses (R, RX or RW), the
 * startup page at PROGRAM_STARTUP_VADDR and the IPC buffer at PROGRAM_IPC_BUFFER_VADDR
 * (each with unmapped guard pages around it).  The image must end below
 * PROGRAM_STARTUP_VADDR.
 *
 * Exit: runtime_exit(status) in such a program sends a message with label
 * PROGRAM_EXIT_LABEL, length 1, MR0 = status on supervisor_ep if it is set, else on
 * fault_ep if that is set (the parent receives it with the badge it chose; fault
 * messages have labels 1..7 so the two never mix), then suspends its own TCB.
 *
 * Version 2 appended the fields from supervisor_ep on (services started by the
 * reincarnation server, rs/README.md); spawn_program leaves them 0.  Version 3 appended
 * console_ep.  A field that names
 * a slot is 0 when there is no such cap.
 */
#pragma once
#include <sel4/sel4.h>

#define RUNTIME_STARTUP_MAGIC   0x3150545354524c53ull /* "SLRTSTP1", little endian */
#define RUNTIME_STARTUP_VERSION 3u
#define RUNTIME_STARTUP_MAX_ARGS 8u
#define RUNTIME_STARTUP_NAME_LEN 32u

#define PROGRAM_STARTUP_VADDR    0x10000000ul
#define PROGRAM_IPC_BUFFER_VADDR 0x10002000ul

enum {
    PROGRAM_SLOT_TCB = 1,
    PROGRAM_SLOT_CNODE = 2,
    PROGRAM_SLOT_VSPACE = 3,
    PROGRAM_SLOT_SERVICE_EP = 4,
    PROGRAM_SLOT_FAULT_EP = 5,
    PROGRAM_SLOT_SUPERVISOR_EP = 6,
    PROGRAM_SLOT_HEARTBEAT_ACK = 7,
    PROGRAM_SLOT_FIRST_CAP = 8,
};

#define PROGRAM_EXIT_LABEL 0x45584954ul /* "EXIT" */

/* Badge of the supervisor's ping: a service's TCB has a notification bound, and the
 * supervisor signals it through a cap minted with this badge (bit 63). */
#ifndef RUNTIME_PING_BADGE
#define RUNTIME_PING_BADGE (1ull << 63)
#endif

typedef struct runtime_startup {
    seL4_Word magic;                 /* RUNTIME_STARTUP_MAGIC */
    seL4_Word version;               /* RUNTIME_STARTUP_VERSION */
    seL4_Word ipc_buffer;            /* vaddr of the IPC buffer */
    seL4_Word cnode_size_bits;
    seL4_Word fault_ep;              /* PROGRAM_SLOT_FAULT_EP, or 0 if none */
    seL4_Word caps_start, caps_end;  /* slots of the caps the parent passed */
    seL4_Word empty_start, empty_end;/* free slots */
    seL4_Word nargs;
    seL4_Word args[RUNTIME_STARTUP_MAX_ARGS];
    char      name[RUNTIME_STARTUP_NAME_LEN]; /* NUL-terminated program name */
    /* version 2 */
    seL4_Word supervisor_ep;         /* slot: where runtime_exit reports, or 0 */
    seL4_Word heartbeat_ack;         /* slot: signalled to answer a ping, or 0 */
    seL4_Word service_ep;            /* slot: the endpoint the program serves on, or 0 */
    seL4_Word memserver_ep;          /* slot: its own memory-server client cap, or 0 */
    seL4_Word generation;            /* incarnation number, 1 for the first start */
    seL4_Word restarted;             /* 1 if an earlier incarnation ran before this one */
    /* version 3 */
    seL4_Word console_ep;            /* slot: the console (drivers/serial/PROTOCOL.md) that
                                      * printf writes to, or 0: seL4_DebugPutChar */
} runtime_startup_t;

/* The startup info of the running program (NULL in the root task). */
const runtime_startup_t *runtime_startup(void);
