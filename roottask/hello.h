/* The HELLO root task's parts (see main.c for the sequence). */
#pragma once
#include <sel4/sel4.h>
#include <stdbool.h>

/* Message labels of the root <-> worker conversation. */
enum {
    HELLO_GIVE_CAP = 1,   /* root -> worker: MR0 = HELLO_GIFT, one cap (the notification) */
    HELLO_PING = 2,       /* worker -> root (Call): MR0 = HELLO_GIFT + 1 */
    HELLO_PONG = 3,       /* root -> worker (Reply): MR0 = 2 * the ping value */
};
#define HELLO_GIFT         42u
#define HELLO_NTFN_BADGE   0x5u
#define HELLO_FAULT_BADGE  0xfa17u
#define HELLO_FAULT_ADDR   0xdead0000ul   /* nothing is ever mapped there */

typedef struct worker_ctx {
    seL4_CPtr ep;         /* the endpoint, unbadged */
    seL4_CPtr recv_slot;  /* where the worker receives the notification cap */
} worker_ctx_t;

/* Prints the BootInfo summary; false if BootInfo looks inconsistent. */
bool boot_report(const seL4_BootInfo *bi);
/* The second thread: receives a cap, signals through it, calls the root, then faults. */
void worker_main(void *arg);
/* The address of the worker's deliberately faulting store instruction. */
extern const char hello_fault_ip[];
