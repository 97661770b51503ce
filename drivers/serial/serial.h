/*
 * The serial driver's work (serial.c): the 16550 set-up and the loop that serves the
 * console protocol (PROTOCOL.md) on its endpoint, interrupts and heartbeat pings.
 */
#pragma once
#include <sel4/sel4.h>
#include <stddef.h>
#include <stdint.h>
#include <runtime/service.h>

struct serial_caps {
    seL4_CPtr irq_handler;    /* IRQ handler of COM1's interrupt (ISA IRQ 4) */
    seL4_CPtr ioports;        /* I/O ports 0x3F8-0x3FF */
    seL4_CPtr irq_ntfn;       /* the thread's bound notification, badged RUNTIME_IRQ_BADGE */
    seL4_CPtr reader;         /* the reader's endpoint (CONSOLE_INPUT), or null */
    seL4_Word generation;     /* this incarnation's (startup page): names its byte numbers */
    runtime_service_t svc;    /* service endpoint + heartbeat ack */
};

/* Points the IRQ at irq_ntfn, programs the UART (115200 8N1, FIFOs, interrupts on
 * received data and line status) and acknowledges an interrupt a previous incarnation
 * may have left pending.  seL4_NoError or the first error. */
seL4_Error serial_start(const struct serial_caps *c);

/* Writes bytes to the UART directly (the driver's own messages). */
void serial_write(const struct serial_caps *c, const uint8_t *bytes, size_t n);

/* Tells the reader that this incarnation is up: an empty INPUT (non-blocking), after
 * which a reader that was waiting for a dead incarnation asks again at once. */
void serial_announce(const struct serial_caps *c);

/* Serves for ever; returns only on a kernel error. */
seL4_Error serial_serve(const struct serial_caps *c);
