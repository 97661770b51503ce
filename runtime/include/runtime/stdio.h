/* Formatted output, line-buffered per thread so that lines from different threads and
 * kernel messages never interleave: to the console driver if the startup page names one
 * (console_ep, drivers/serial/PROTOCOL.md), else to the seL4 debug console
 * (seL4_DebugPutChar) on a kernel built with KernelPrinting, else straight to the COM1
 * UART if the program has an I/O-port cap for it (runtime_console_set_uart), else
 * nowhere.
 * Supports %d %i %u %x %X %o %c %s %p %% with flags '-', '0', ' ', '+', '#', width,
 * precision and the length modifiers hh h l ll z t j. */
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <sel4/sel4.h>

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int puts(const char *s);
int putchar(int c);
void fflush_console(void);

/* Called with every line (or full buffer) before it is written; weak, does nothing
 * unless the program defines it (the RS keeps its recent lines: rs/server/log.c). */
void runtime_console_line(const char *text, unsigned n);

/* The last-resort console of a program without a console driver, on a kernel without
 * seL4_DebugPutChar (KernelPrinting OFF): `port`, an I/O-port cap for COM1 (0x3F8-0x3FF),
 * through which each line is written to the UART directly (polled, as the kernel's
 * debug console does).  The guardian, the memory server and the RS set it: they must
 * never wait for a service they supervise or serve (drivers/serial/PROTOCOL.md).  On a
 * kernel with seL4_DebugPutChar this changes nothing.  seL4_CapNull: no such console. */
void runtime_console_set_uart(seL4_CPtr port);

/* Write to the console driver without ever waiting (seL4_NBSend instead of seL4_Send): for
 * a program that must never wait for the driver and runs below its priority (the timer,
 * the RS's clock).  Such a program runs only while the driver is blocked, which is in its
 * receive unless it is dead or faulting: then the line is lost (drivers/serial/PROTOCOL.md). */
void runtime_console_never_wait(void);
