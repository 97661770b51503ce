/*
 * popcnt and the lzcnt/tzcnt encodings (f3 0f b8 / bd / bc) as the reference CPU runs
 * them.  libunicorn 2.0.1 has no POPCNT (#UD) but has ABM and BMI1, so it would run
 * f3 0f bd / bc as lzcnt / tzcnt; the reference (QEMU's Nehalem model) has POPCNT but
 * neither ABM nor BMI1, so there the f3 prefix is ignored and they are bsr / bsf.
 * cpu.c stops before these instructions and runs them with this.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "x86_align.h"

typedef enum { X86_BITS_POPCNT, X86_BITS_BSF, X86_BITS_BSR } x86_bits_op;

typedef struct x86_bits_insn {
    x86_bits_op op;
    unsigned size;         /* operand bytes: 2, 4 or 8 */
    unsigned dest;         /* destination register, encoding order (0 rax .. 15 r15) */
    int src_reg;           /* source register, or -1: the memory operand `mem` */
    x86_mem_operand mem;
} x86_bits_insn;

/* Whether the complete `len`-byte instruction at code[0] is one of them (f3 prefix,
 * no f2 and no lock prefix, which make it something else or #UD); fills *out. */
bool x86_bits_decode(const uint8_t *code, size_t len, x86_bits_insn *out);

/* Runs it on source value `src` with the destination register holding `old_dest`:
 * returns the destination register's new 64-bit value and updates the arithmetic
 * flags in *rflags as the reference does (popcnt: ZF if the source is 0, the others
 * clear; bsf/bsr: ZF if the source is 0, SF and PF from the source, CF OF AF clear; a
 * zero source leaves the destination as it was, zero-extended for 32 bits). */
uint64_t x86_bits_exec(const x86_bits_insn *in, uint64_t src, uint64_t old_dest, uint64_t *rflags);
