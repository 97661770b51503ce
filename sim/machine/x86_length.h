/*
 * Length of one x86_64 (64-bit mode) instruction, decoded the way the emulator
 * (QEMU's i386 translator inside libunicorn) decodes it.  cpu.c uses it to count
 * instructions inside a translation block exactly: the block hook gives a block's
 * start and byte size, and a fault gives the address of the faulting instruction.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define X86_MAX_INSN_LEN 15

/* Returns the length (1..15) of the instruction at code[0], or 0 if it does not fit
 * in `avail` bytes or is longer than 15 bytes. */
unsigned x86_insn_length(const uint8_t *code, size_t avail);

/* Instructions the emulator would get wrong in ring 3, so cpu.c handles them. */
enum { X86_CLASS_OTHER, X86_CLASS_IO, X86_CLASS_RDTSC, X86_CLASS_UD };
/* Class of the (complete, `len` bytes) instruction at code[0].  X86_CLASS_UD: does not
 * exist on the reference CPU (QEMU's Nehalem model) although libunicorn would run it:
 * every VEX/EVEX instruction (c4/c5/62 are always VEX/EVEX prefixes in 64-bit mode: no
 * AVX, AVX-512, BMI), rdtscp, AES-NI, adcx/adox, femms and 3DNow!. */
unsigned x86_insn_class(const uint8_t *code, size_t len);

/* Whether the (complete, `len` bytes) instruction at code[0] raises #NM when CR0.TS
 * is set: x87 (and fwait), MMX, SSE, AVX (VEX/EVEX except the BMI ones), fxsave,
 * fxrstor, ldmxcsr, stmxcsr. */
bool x86_insn_uses_fpu(const uint8_t *code, size_t len);
