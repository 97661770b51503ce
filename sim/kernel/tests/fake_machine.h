/*
 * A scripted stand-in for the machine (machine.h) and the devices (devices.h) so the
 * kernel model can be tested on the host without an emulated CPU.
 *
 * "User threads" are host threads running C functions: each simulated thread has a
 * fake instruction pointer FAKE_BASE + 0x100*id; its `syscall` instruction sits at
 * that address.  When the kernel runs it, the host function executes until it makes
 * its next system call (fake_syscall), which ends cpu_run with SIM_EXIT_SYSCALL.
 * When the kernel restarts the syscall (rip back at the syscall instruction) the same
 * request is issued again, exactly like re-executing the instruction.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "machine.h"
#include "devices.h"

#define FAKE_BASE 0x400000ull
#define FAKE_MAX_THREADS 16

/* Host memory for frames outside RAM (machine.h's frame_alloc/frame_free). */
void *frame_alloc(uint64_t size);       // NOLINT(readability-redundant-declaration)
void frame_free(void *p, uint64_t size); // NOLINT(readability-redundant-declaration)

typedef void (*fake_program)(int id, void *arg);

/* Registers a program for thread `id` (entry rip = FAKE_BASE + 0x100*id). */
void fake_program_set(int id, fake_program fn, void *arg);
uint64_t fake_entry(int id);

/* Inside a program: the registers at entry (rdi = BootInfo for the root task). */
const sim_regs *fake_entry_regs(void);
/* Inside a program: makes a system call with these registers; returns the registers
 * after the kernel returns to the thread. */
sim_regs fake_syscall(int64_t sysno, uint64_t rdi, uint64_t rsi, uint64_t mr0, uint64_t mr1,
                      uint64_t mr2, uint64_t mr3);
/* Inside a program: raise a page fault / exception instead of a syscall. */
sim_regs fake_page_fault(uint64_t addr, uint32_t fsr);
sim_regs fake_exception(uint32_t vector, uint32_t code);
/* Inside a program: spin without trapping (uses up the budget). */
sim_regs fake_spin(void);
/* Inside a program: host pointer of a user virtual address in the thread's space. */
void *fake_user(uint64_t vaddr, uint64_t len);

/* Optional: replaces the thread machinery entirely (fuzzer). */
typedef sim_exit (*fake_cpu_hook)(sim_space *s, sim_regs *r, uint64_t budget);
void fake_cpu_hook_set(fake_cpu_hook hook);

/* Ends every program thread (after the kernel finished). */
void fake_reset(void);

/* Devices: console output, I/O ports, scheduled interrupt lines. */
const char *fake_console(void);
void fake_console_clear(void);
void fake_irq_schedule(uint64_t at, uint32_t isa_mask);   /* one-shot device interrupt */
uint32_t fake_port_value(uint16_t port);                   /* last value written */
void fake_port_set_input(uint16_t port, uint32_t value);
