/*
 * Simulated PC devices reachable from user code through seL4 IOPort capabilities
 * (the kernel model routes X86IOPortIn/Out invocations here) and the debug console.
 *   0x3F8-0x3FF  16550 UART (COM1): output to stdout, input from stdin
 *   0x40-0x43    8254 PIT: channel 0 in mode 2/3 raises IRQ 0 periodically, in
 *                virtual time (1 PIT tick = a fixed number of instructions)
 *   0x70-0x71    CMOS RTC: the periodic interrupt on IRQ 8 (rtc.h)
 *   0xF4         isa-debug-exit, as QEMU's `-device isa-debug-exit,iobase=0xf4,iosize=4`:
 *                writing v ends the run; QEMU would exit with (v << 1) | 1
 *
 * Virtual time is counted in instructions: SIM_INSNS_PER_SECOND of them make one
 * simulated second, so the PIT (1.193182 MHz) ticks once every ~838 instructions.
 * UART input: stdin is read to its end the first time the guest looks at the
 * receiver (LSR or RBR), so that the same input gives the same run whatever its
 * timing; a terminal on stdin gives no input.  From the guest's first look (the
 * simulated kernel's boot-time look at time 0 does not count) the bytes arrive in the
 * receiver one by one at 115200 baud (8N1: one byte per 86805 instructions of virtual
 * time), as over a serial line, and wait there until read (no overrun).  Output is written to stdout.
 * End of input (this simulator's convention), for a guest that enables the receiver
 * line-status interrupt (IER bit 2): once the last input byte has been read (at once if
 * there is none), the line is in break: every LSR read shows BI (bit 4) instead of DR,
 * and the UART raises a line-status interrupt (IIR 0x06) until LSR is read.  Without
 * IER bit 2 the line stays quiet, as QEMU's does (tests/conformance/irq-ioport.c).  A guest that sees a break ends
 * its input there (drivers/serial/PROTOCOL.md).  QEMU's serial has no such signal: a
 * real-kernel run ends its input in-band (Ctrl-D).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define SIM_INSNS_PER_SECOND 1000000000ull
#define SIM_PIT_HZ 1193182ull

typedef struct sim_devices sim_devices;

sim_devices *devices_create(void);
/* Same, with explicit streams (tests): input read from `in` (may be NULL = none). */
sim_devices *devices_create_io(FILE *in, FILE *out);
void devices_destroy(sim_devices *d);

/* Debug console (seL4_DebugPutChar); shares stdout with the UART. */
void devices_putchar(sim_devices *d, char c);

/* The current virtual time, for port I/O that depends on it (PIT).  The kernel model
 * calls this before devices_in/out; devices_poll_irqs and devices_next_irq_time
 * also update it. */
void devices_set_now(sim_devices *d, uint64_t now);

/* Port I/O; `size` is 1, 2 or 4.  Unknown ports read as all ones and ignore writes. */
uint32_t devices_in(sim_devices *d, uint16_t port, unsigned size);
void     devices_out(sim_devices *d, uint16_t port, unsigned size, uint32_t value);

/* Virtual time is counted in instructions.  The kernel model asks when the next
 * interrupt is due and acknowledges it; IRQ numbers are ISA IRQs (0 = PIT, 4 = COM1, 8 = RTC). */
/* The time of the next interrupt condition still to come after `now` (conditions that
 * hold already are devices_poll_irqs's); UINT64_MAX = none. */
uint64_t devices_next_irq_time(const sim_devices *d, uint64_t now);
/* Returns a bitmask of ISA IRQs that became pending at or before `now`.  The PIT's
 * IRQ 0 is an edge: reported once per period (missed periods are merged into one);
 * the UART's IRQ 4 is a level: reported while the UART has an interrupt pending
 * (enabled in IER: received data, the break at the end of input until LSR is read,
 * or transmitter empty until IIR is read); the RTC's IRQ 8 is an edge when its line
 * rises (rtc.h). */
uint32_t devices_poll_irqs(sim_devices *d, uint64_t now);

/* Flushes buffered output (stdout). */
void devices_flush(sim_devices *d);

/* Exit port: true once the guest wrote to 0xF4; *value = what it wrote. */
bool devices_exit_requested(const sim_devices *d, uint32_t *value);
