/*
 * The project's seL4 ABI layer: libsel4's names, types and calling conventions for
 * seL4 16.0.0 on x86_64 (pc99, non-MCS, one node; the debug syscalls only for a kernel
 * that has them, sel4/config.h), written from the
 * reference manual and the kernel's interface files.  Programs include only this
 * header; with SEL4_PREFIX the same sources compile against the real libsel4.
 */
#pragma once

#include <sel4/macros.h>
#include <sel4/types.h>
#include <sel4/errors.h>
#include <sel4/constants.h>
#include <sel4/ipcbuffer.h>
#include <sel4/bootinfo.h>
#include <sel4/faults.h>
#include <sel4/syscall.h>
#include <sel4/invocation.h>
#include <sel4/functions.h>
#include <sel4/syscalls.h>
#include <sel4/invocations.h>
