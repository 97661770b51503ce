/*
 * A tiny test harness for the conformance programs.  Each program is a root task that
 * checks one area of kernel behaviour and prints one line per case:
 *     ok N area: description
 *     not ok N area: description (got X, expected Y)
 * and finally "conf-<area>: P passed, F failed", then ends the run with
 * runtime_exit(F ? 1 : 0).  Everything printed must be the same on the real kernel and
 * on sel4-sim: print error codes and values, never kernel-dependent addresses.
 */
#pragma once
#include <sel4/sel4.h>
#include <runtime/runtime.h>
#include <runtime/stdio.h>
#include <runtime/thread.h>
#include <stdbool.h>

/* Starts the program: remembers the area name and initialises the root-task allocators. */
void conf_begin(const char *area);
/* Prints the summary line and ends the run (exit status 1 if any case failed). */
SEL4_NORETURN void conf_end(void);
/* Prints "Bail out! ..." and ends the run with status 2: for setup steps that must work. */
SEL4_NORETURN void conf_bail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One case each.  The description is a printf format. */
void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void check_eq(seL4_Word got, seL4_Word expected, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void check_err(seL4_Error got, seL4_Error expected, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Error seL4_RangeError with the allowed range [min, max] in MR0 and MR1. */
void check_range(seL4_Error got, seL4_Word min, seL4_Word max, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* After an invocation failed with seL4_FailedLookup: checks the error and the
 * lookup-failure description in the message registers (MR0 = failure was in the
 * source/second cap, MR1 = seL4_LookupFailureType, then bitsLeft and, for depth and
 * guard mismatches, the further fields). `nfields` = how many of f[] to compare. */
void check_lookup(seL4_Error got, seL4_Word was_source, seL4_Word type, unsigned nfields,
                  seL4_Word f0, seL4_Word f1, seL4_Word f2, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

const char *conf_error_name(seL4_Word err);

/* ---- Resources (from the runtime's root-task allocators) ---- */
seL4_CPtr conf_slot(void);                                   /* bails when out of slots */
seL4_CPtr conf_object(seL4_Word type, seL4_Word size_bits);   /* bails when out of memory */
/* Maps `frame` at `vaddr` in the root VSpace, creating missing paging structures. */
seL4_Error conf_map(seL4_CPtr frame, seL4_Word vaddr, seL4_CapRights_t rights);
/* A fresh zeroed 4 KiB page mapped read-write in the harness's own region. */
void *conf_page(seL4_CPtr *frame_out);

/* A thread in the root task's CSpace and VSpace running entry(arg) at priority `prio`
 * with fault endpoint `fault_ep` (seL4_CapNull for none). */
typedef struct conf_thread {
    thread_t t;
    seL4_CPtr tcb;
    seL4_IPCBuffer *ipc;
    seL4_CPtr ipc_frame;
} conf_thread_t;
void conf_thread_create(conf_thread_t *th, thread_entry_fn entry, void *arg, seL4_Word prio,
                        seL4_CPtr fault_ep);
/* The same with a TCB object the caller made (cap `tcb` in the root CNode). */
void conf_thread_create_tcb(conf_thread_t *th, seL4_CPtr tcb, thread_entry_fn entry, void *arg,
                            seL4_Word prio, seL4_CPtr fault_ep);
/* Called by the root task (priority 255): lets every runnable lower-priority thread run
 * until all of them are blocked, then returns.  (A priority-1 helper thread signals the
 * root task when it gets the CPU, which happens only when nothing else can run.) */
void conf_settle(void);
/* Blocks the calling thread forever (waits on a notification nobody signals). */
SEL4_NORETURN void conf_park(void);

/* Harness virtual-address region for conf_page; tests use addresses outside it. */
#define CONF_PAGE_REGION 0x40000000ul
