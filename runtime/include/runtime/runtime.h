/*
 * The C runtime for seL4 programs of this project: freestanding, no host libc.
 *
 * Program contract: define `int main(void)`.  _start (crt0.S) switches to the image's
 * own stack, runtime_start() sets up TLS and the IPC-buffer pointer, then calls main;
 * main's return value ends the program through runtime_exit().
 *
 * Two kinds of program:
 *   - the root task: the kernel passes its BootInfo (runtime_bootinfo() != NULL); the
 *     runtime calls alloc_init() before main, so alloc.h works immediately;
 *   - a program started by spawn_program() (programs.h): the loader passes a startup-info
 *     page (startup.h, runtime_startup() != NULL).
 * In both, the thread's own TCB, CNode and VSpace caps are in slots 1, 2 and 3.
 */
#pragma once
#include <sel4/sel4.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* Our ABI layer defines SEL4_NORETURN; the real libsel4 headers do not.  Define it here
 * so that code written against either compiles with both. */
#ifndef SEL4_NORETURN
#define SEL4_NORETURN __attribute__((__noreturn__))
#endif

int main(void);

/* Caps every program has about itself (the same slots as the root task's initial caps). */
#define RUNTIME_CAP_TCB    ((seL4_CPtr)1) /* = seL4_CapInitThreadTCB */
#define RUNTIME_CAP_CNODE  ((seL4_CPtr)2) /* = seL4_CapInitThreadCNode */
#define RUNTIME_CAP_VSPACE ((seL4_CPtr)3) /* = seL4_CapInitThreadVSpace */

/* The BootInfo the kernel handed to the root task (NULL in other programs). */
seL4_BootInfo *runtime_bootinfo(void);

/* Ends the program with `status`.
 * Root task: flushes the console, writes the status to the isa-debug-exit port 0xF4
 * (status 0 -> 0; 1..127 -> itself; anything else -> 127) through an I/O-port cap
 * issued into the last empty slot (bi->empty.end - 1, which alloc.h never hands out),
 * then seL4_DebugHalt().  Under QEMU the port write ends the run with exit code
 * (v << 1) | 1, which tools/qemu.sh maps back to the status; sel4-sim exits with v.
 * Other programs: sends an exit message (startup.h, PROGRAM_EXIT_LABEL) on the fault
 * endpoint the loader gave it, if any, then suspends itself. */
_Noreturn void runtime_exit(int status);

/* Prints "PANIC at FILE:LINE: message" (FILE without directories), then:
 *   - in a program with a supervisor (not the root task): faults deliberately (a write to
 *     address 0), so that its fault handler sees a VM fault at address 0;
 *   - in the root task's main thread, which has no fault handler (the kernel would only
 *     print a report and leave the machine idle until a timeout):
 *     runtime_exit(RUNTIME_PANIC_STATUS).  Other threads of the root task fault. */
#define RUNTIME_PANIC_STATUS 99
_Noreturn void runtime_panic(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define panic(...) runtime_panic(__FILE__, __LINE__, __VA_ARGS__)
#define assert(e) ((e) ? (void)0 : runtime_panic(__FILE__, __LINE__, "assertion failed: %s", #e))

/* True in the thread that ran main (false in threads started with thread.h). */
bool runtime_is_main_thread(void);

/* Internal: called by _start with the value the kernel or loader put in rdi. */
_Noreturn void runtime_start(void *arg);
