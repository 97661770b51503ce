/*
 * Which x86_64 instructions need a 16-byte aligned memory operand, and where that
 * operand is.  The emulator (libunicorn 2.0.1) never checks SSE alignment; a CPU
 * raises #GP(0) when the operand of one of these is not 16-byte aligned:
 *
 *  - the aligned moves movaps/movapd (0F 28/29), movdqa (66 0F 6F/7F), the
 *    non-temporal stores movntps/movntpd (0F 2B), movntdq (66 0F E7) and the load
 *    movntdqa (66 0F 38 2A);
 *  - every other legacy-encoded (not VEX) SSE instruction whose memory operand is
 *    128 bits wide: packed arithmetic, logic, compares, shuffles, unpacks,
 *    conversions from m128, SSE3 movsldup/movshdup, SSSE3/SSE4/AES/PCLMUL ops.
 *
 * Not: movups/movupd/movdqu/lddqu, operands narrower than 128 bits (movss, movsd,
 * movlps, movhps, movlpd, movhpd, movddup, movq, movd, scalar arithmetic, pmovzx/sx,
 * cvtps2pd, cvtdq2pd, insertps, pinsr*, pextr*), MMX forms (m64), the string
 * compares pcmpestri/pcmpestrm/pcmpistri/pcmpistrm (documented exception), and all
 * VEX/EVEX forms (the seL4 configuration leaves AVX off: they raise #UD first).
 * fxsave/fxrstor and cmpxchg16b are checked by the emulator itself.  A lock prefix
 * makes these #UD, so such an encoding is not reported either.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { X86_REG_NONE = -1, X86_REG_RIP = 16 };
enum { X86_SEG_DEFAULT, X86_SEG_FS, X86_SEG_GS };

/* A ModRM memory operand.  Register numbers are the encoding's (0 rax, 1 rcx, 2 rdx,
 * 3 rbx, 4 rsp, 5 rbp, 6 rsi, 7 rdi, 8-15 r8-r15). */
typedef struct x86_mem_operand {
    int8_t base;      /* 0..15, X86_REG_RIP or X86_REG_NONE */
    int8_t index;     /* 0..15 or X86_REG_NONE */
    uint8_t scale;    /* 1, 2, 4 or 8 */
    uint8_t seg;      /* X86_SEG_*: only FS and GS have a base in 64-bit mode */
    bool addr32;      /* 0x67 prefix: the address is truncated to 32 bits */
    int32_t disp;
} x86_mem_operand;

/* Instruction groups, for CPUs that lack some of them (the emulator raises #UD for
 * an instruction its CPU model does not have, before any alignment check). */
enum {
    X86_ALIGN_SSE = 1,       /* SSE, SSE2, SSE3 (0F map) */
    X86_ALIGN_SSE_EXT = 2,   /* SSSE3, SSE4.1, SSE4.2, AES-NI, PCLMULQDQ (0F 38 / 0F 3A) */
};

/* Whether the complete `len`-byte instruction at code[0] has a memory operand that
 * must be 16-byte aligned, counting only the groups in `groups` (X86_ALIGN_* bits).
 * If so, *mem (when not NULL) describes that operand. */
bool x86_insn_align16(const uint8_t *code, size_t len, unsigned groups, x86_mem_operand *mem);

/* The ModRM memory operand of the instruction at code[0] (its prefixes start there)
 * whose ModRM byte is code[modrm_at]; false if that ModRM names a register or the
 * bytes run out. */
bool x86_modrm_mem(const uint8_t *code, size_t len, size_t modrm_at, x86_mem_operand *m);

/* Linear address of operand `m`: gpr[] in encoding order, `next_rip` the address of
 * the following instruction (RIP-relative operands), `seg_base` the FS or GS base
 * when m->seg asks for one. */
uint64_t x86_mem_address(const x86_mem_operand *m, const uint64_t gpr[16], uint64_t next_rip,
                         uint64_t seg_base);
