/*
 * The kernel configuration the ABI layer follows, in the kernel's own CONFIG_ macro names
 * (its gen_config.h).  By default sel4-sim's: a debug kernel with printing, so the debug
 * syscalls exist.  A build for an installed kernel (cmake -DSEL4_ABI_CONFIG=PREFIX,
 * cmake/targets.cmake) defines SEL4_ABI_KERNEL_CONFIG and, of CONFIG_IOMMU,
 * CONFIG_PRINTING and CONFIG_DEBUG_BUILD, exactly those that kernel has: on a release
 * kernel (both of the last two off) the debug syscalls are then not declared at all, so
 * a program cannot call one the kernel does not have.
 */
#pragma once

#ifndef SEL4_ABI_KERNEL_CONFIG
#define CONFIG_PRINTING 1
#define CONFIG_DEBUG_BUILD 1
#endif
