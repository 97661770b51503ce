/*
 * What `cpuid` answers on the reference machine: QEMU 7.2 TCG with
 * -cpu Nehalem,-vme,+pdpe1gb,-xsave,-xsaveopt,-xsavec,-fsgsbase,-invpcid (one CPU,
 * APIC ID 0), as recorded under the real seL4 kernel.  cpu.c hooks the instruction and
 * answers from here, so programs see the same vendor, signature and feature bits.
 */
#pragma once
#include <stdint.h>

/* eax, ebx, ecx, edx for leaf `leaf`, subleaf `sub` (ecx). */
void cpuid_reference(uint32_t leaf, uint32_t sub, uint32_t out[4]);
