/* Host tests of machine/x86_align.c: which instructions need a 16-byte aligned
 * memory operand (Intel SDM, "Exceptions Type 1/2/4" for legacy SSE) and the
 * operand's address. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "machine/x86_align.h"

#define ALL (X86_ALIGN_SSE | X86_ALIGN_SSE_EXT)

typedef struct insn_case {
    const char *what;
    uint8_t code[15];
    uint8_t len;
    bool aligned; /* with both groups */
} insn_case;

static const insn_case cases[] = {
    /* need alignment */
    { "movaps [rdi], xmm0", { 0x0F, 0x29, 0x07 }, 3, true },
    { "movaps xmm0, [rsp+16]", { 0x0F, 0x28, 0x44, 0x24, 0x10 }, 5, true },
    { "movapd xmm1, [rax]", { 0x66, 0x0F, 0x28, 0x08 }, 4, true },
    { "movapd [rax], xmm1", { 0x66, 0x0F, 0x29, 0x08 }, 4, true },
    { "movdqa xmm0, [rdi]", { 0x66, 0x0F, 0x6F, 0x07 }, 4, true },
    { "movdqa [rdi], xmm0", { 0x66, 0x0F, 0x7F, 0x07 }, 4, true },
    { "movntps [rdi], xmm0", { 0x0F, 0x2B, 0x07 }, 3, true },
    { "movntpd [rdi], xmm0", { 0x66, 0x0F, 0x2B, 0x07 }, 4, true },
    { "movntdq [rdi], xmm0", { 0x66, 0x0F, 0xE7, 0x07 }, 4, true },
    { "movntdqa xmm0, [rdi]", { 0x66, 0x0F, 0x38, 0x2A, 0x07 }, 5, true },
    { "addps xmm0, [rdi]", { 0x0F, 0x58, 0x07 }, 3, true },
    { "addpd xmm0, [rdi]", { 0x66, 0x0F, 0x58, 0x07 }, 4, true },
    { "sqrtps xmm0, [rdi]", { 0x0F, 0x51, 0x07 }, 3, true },
    { "xorps xmm0, [rdi]", { 0x0F, 0x57, 0x07 }, 3, true },
    { "andnpd xmm0, [rdi]", { 0x66, 0x0F, 0x55, 0x07 }, 4, true },
    { "maxps xmm0, [rdi]", { 0x0F, 0x5F, 0x07 }, 3, true },
    { "cvtdq2ps xmm0, [rdi]", { 0x0F, 0x5B, 0x07 }, 3, true },
    { "cvttps2dq xmm0, [rdi]", { 0xF3, 0x0F, 0x5B, 0x07 }, 4, true },
    { "cvtpd2ps xmm0, [rdi]", { 0x66, 0x0F, 0x5A, 0x07 }, 4, true },
    { "cvtpd2pi mm0, [rdi]", { 0x66, 0x0F, 0x2D, 0x07 }, 4, true },
    { "cvtpd2dq xmm0, [rdi]", { 0xF2, 0x0F, 0xE6, 0x07 }, 4, true },
    { "cvttpd2dq xmm0, [rdi]", { 0x66, 0x0F, 0xE6, 0x07 }, 4, true },
    { "unpcklps xmm0, [rdi]", { 0x0F, 0x14, 0x07 }, 3, true },
    { "cmpps xmm0, [rdi], 1", { 0x0F, 0xC2, 0x07, 0x01 }, 4, true },
    { "shufpd xmm0, [rdi], 1", { 0x66, 0x0F, 0xC6, 0x07, 0x01 }, 5, true },
    { "pxor xmm0, [rdi]", { 0x66, 0x0F, 0xEF, 0x07 }, 4, true },
    { "paddq xmm0, [rdi]", { 0x66, 0x0F, 0xD4, 0x07 }, 4, true },
    { "psrlw xmm0, [rdi]", { 0x66, 0x0F, 0xD1, 0x07 }, 4, true },
    { "pcmpeqb xmm0, [rdi]", { 0x66, 0x0F, 0x74, 0x07 }, 4, true },
    { "punpcklqdq xmm0, [rdi]", { 0x66, 0x0F, 0x6C, 0x07 }, 4, true },
    { "pshufd xmm0, [rdi], 5", { 0x66, 0x0F, 0x70, 0x07, 0x05 }, 5, true },
    { "pshufhw xmm0, [rdi], 5", { 0xF3, 0x0F, 0x70, 0x07, 0x05 }, 5, true },
    { "pshuflw xmm0, [rdi], 5", { 0xF2, 0x0F, 0x70, 0x07, 0x05 }, 5, true },
    { "psubd xmm0, [rdi]", { 0x66, 0x0F, 0xFA, 0x07 }, 4, true },
    { "psadbw xmm0, [rdi]", { 0x66, 0x0F, 0xF6, 0x07 }, 4, true },
    { "movsldup xmm0, [rdi]", { 0xF3, 0x0F, 0x12, 0x07 }, 4, true },
    { "movshdup xmm0, [rdi]", { 0xF3, 0x0F, 0x16, 0x07 }, 4, true },
    { "haddps xmm0, [rdi]", { 0xF2, 0x0F, 0x7C, 0x07 }, 4, true },
    { "hsubpd xmm0, [rdi]", { 0x66, 0x0F, 0x7D, 0x07 }, 4, true },
    { "addsubps xmm0, [rdi]", { 0xF2, 0x0F, 0xD0, 0x07 }, 4, true },
    { "pshufb xmm0, [rdi]", { 0x66, 0x0F, 0x38, 0x00, 0x07 }, 5, true },
    { "ptest xmm0, [rdi]", { 0x66, 0x0F, 0x38, 0x17, 0x07 }, 5, true },
    { "pmaxud xmm0, [rdi]", { 0x66, 0x0F, 0x38, 0x3F, 0x07 }, 5, true },
    { "aesenc xmm0, [rdi]", { 0x66, 0x0F, 0x38, 0xDC, 0x07 }, 5, true },
    { "palignr xmm0, [rdi], 8", { 0x66, 0x0F, 0x3A, 0x0F, 0x07, 0x08 }, 6, true },
    { "roundps xmm0, [rdi], 0", { 0x66, 0x0F, 0x3A, 0x08, 0x07, 0x00 }, 6, true },
    { "pclmulqdq xmm0, [rdi], 0", { 0x66, 0x0F, 0x3A, 0x44, 0x07, 0x00 }, 6, true },
    { "movaps [r15], xmm0 (REX.B)", { 0x41, 0x0F, 0x29, 0x07 }, 4, true },
    { "movaps fs:[rax], xmm0", { 0x64, 0x0F, 0x29, 0x00 }, 4, true },
    /* no alignment needed */
    { "movups [rdi], xmm0", { 0x0F, 0x11, 0x07 }, 3, false },
    { "movupd xmm0, [rdi]", { 0x66, 0x0F, 0x10, 0x07 }, 4, false },
    { "movdqu xmm0, [rdi]", { 0xF3, 0x0F, 0x6F, 0x07 }, 4, false },
    { "movdqu [rdi], xmm0", { 0xF3, 0x0F, 0x7F, 0x07 }, 4, false },
    { "movdqu with 66 too (F3 decides)", { 0x66, 0xF3, 0x0F, 0x6F, 0x07 }, 5, false },
    { "lddqu xmm0, [rdi]", { 0xF2, 0x0F, 0xF0, 0x07 }, 4, false },
    { "movss xmm0, [rdi]", { 0xF3, 0x0F, 0x10, 0x07 }, 4, false },
    { "movsd [rdi], xmm0", { 0xF2, 0x0F, 0x11, 0x07 }, 4, false },
    { "movlps xmm0, [rdi]", { 0x0F, 0x12, 0x07 }, 3, false },
    { "movhps [rdi], xmm0", { 0x0F, 0x17, 0x07 }, 3, false },
    { "movlpd xmm0, [rdi]", { 0x66, 0x0F, 0x12, 0x07 }, 4, false },
    { "movddup xmm0, [rdi]", { 0xF2, 0x0F, 0x12, 0x07 }, 4, false },
    { "addss xmm0, [rdi]", { 0xF3, 0x0F, 0x58, 0x07 }, 4, false },
    { "sqrtsd xmm0, [rdi]", { 0xF2, 0x0F, 0x51, 0x07 }, 4, false },
    { "cmpss xmm0, [rdi], 1", { 0xF3, 0x0F, 0xC2, 0x07, 0x01 }, 5, false },
    { "cvtps2pd xmm0, [rdi] (m64)", { 0x0F, 0x5A, 0x07 }, 3, false },
    { "cvtdq2pd xmm0, [rdi] (m64)", { 0xF3, 0x0F, 0xE6, 0x07 }, 4, false },
    { "cvtpi2ps xmm0, [rdi] (m64)", { 0x0F, 0x2A, 0x07 }, 3, false },
    { "cvttps2pi mm0, [rdi] (m64)", { 0x0F, 0x2C, 0x07 }, 3, false },
    { "ucomiss xmm0, [rdi]", { 0x0F, 0x2E, 0x07 }, 3, false },
    { "comisd xmm0, [rdi]", { 0x66, 0x0F, 0x2F, 0x07 }, 4, false },
    { "movq [rdi], xmm0", { 0x66, 0x0F, 0xD6, 0x07 }, 4, false },
    { "movq xmm0, [rdi]", { 0xF3, 0x0F, 0x7E, 0x07 }, 4, false },
    { "movd xmm0, [rdi]", { 0x66, 0x0F, 0x6E, 0x07 }, 4, false },
    { "pinsrw xmm0, [rdi], 1", { 0x66, 0x0F, 0xC4, 0x07, 0x01 }, 5, false },
    { "pxor mm0, [rdi] (MMX)", { 0x0F, 0xEF, 0x07 }, 3, false },
    { "movq mm0, [rdi] (MMX)", { 0x0F, 0x6F, 0x07 }, 3, false },
    { "movntq [rdi], mm0", { 0x0F, 0xE7, 0x07 }, 3, false },
    { "pshufw mm0, [rdi], 1", { 0x0F, 0x70, 0x07, 0x01 }, 4, false },
    { "pshufb mm0, [rdi] (MMX)", { 0x0F, 0x38, 0x00, 0x07 }, 4, false },
    { "pmovsxbw xmm0, [rdi] (m64)", { 0x66, 0x0F, 0x38, 0x20, 0x07 }, 5, false },
    { "pmovzxdq xmm0, [rdi] (m64)", { 0x66, 0x0F, 0x38, 0x35, 0x07 }, 5, false },
    { "roundss xmm0, [rdi], 0", { 0x66, 0x0F, 0x3A, 0x0A, 0x07, 0x00 }, 6, false },
    { "insertps xmm0, [rdi], 0", { 0x66, 0x0F, 0x3A, 0x21, 0x07, 0x00 }, 6, false },
    { "pextrd [rdi], xmm0, 1", { 0x66, 0x0F, 0x3A, 0x16, 0x07, 0x01 }, 6, false },
    { "pcmpistri xmm0, [rdi], 0", { 0x66, 0x0F, 0x3A, 0x63, 0x07, 0x00 }, 6, false },
    { "pcmpestrm xmm0, [rdi], 0", { 0x66, 0x0F, 0x3A, 0x60, 0x07, 0x00 }, 6, false },
    { "crc32 eax, byte [rdi]", { 0xF2, 0x0F, 0x38, 0xF0, 0x07 }, 5, false },
    { "movaps xmm0, xmm1 (register)", { 0x0F, 0x28, 0xC1 }, 3, false },
    { "pxor xmm0, xmm1 (register)", { 0x66, 0x0F, 0xEF, 0xC1 }, 4, false },
    { "vmovaps [rdi], xmm0 (VEX)", { 0xC5, 0xF8, 0x29, 0x07 }, 4, false },
    { "vpxor xmm0, xmm0, [rdi] (VEX)", { 0xC5, 0xF9, 0xEF, 0x07 }, 4, false },
    { "lock movaps (#UD)", { 0xF0, 0x0F, 0x29, 0x07 }, 4, false },
    { "fxsave [rdi] (the emulator checks)", { 0x0F, 0xAE, 0x07 }, 3, false },
    { "mov [rdi], eax", { 0x89, 0x07 }, 2, false },
    { "movaps cut short", { 0x0F, 0x29 }, 2, false },
    { "movaps without its SIB", { 0x0F, 0x29, 0x04 }, 3, false },
    { "movaps without all of disp32", { 0x0F, 0x29, 0x80, 0x00, 0x00 }, 5, false },
};

static void test_classes(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const insn_case *c = &cases[i];
        bool got = x86_insn_align16(c->code, c->len, ALL, NULL);
        if (got != c->aligned) {
            fprintf(stderr, "%s: got %d, want %d\n", c->what, got, c->aligned);
            check_failures++;
        }
    }
}

/* 0F 38 / 0F 3A instructions only count when asked for (the emulator's CPU model
 * has no SSSE3/SSE4/AES: those are #UD there). */
static void test_groups(void)
{
    static const uint8_t movntdqa[] = { 0x66, 0x0F, 0x38, 0x2A, 0x07 };
    static const uint8_t movaps[] = { 0x0F, 0x29, 0x07 };
    CHECK(!x86_insn_align16(movntdqa, sizeof movntdqa, X86_ALIGN_SSE, NULL));
    CHECK(x86_insn_align16(movntdqa, sizeof movntdqa, X86_ALIGN_SSE_EXT, NULL));
    CHECK(x86_insn_align16(movaps, sizeof movaps, X86_ALIGN_SSE, NULL));
    CHECK(!x86_insn_align16(movaps, sizeof movaps, X86_ALIGN_SSE_EXT, NULL));
    CHECK(!x86_insn_align16(movaps, sizeof movaps, 0, NULL));
}

/* The operand of `code` with registers reg[i] = 0x1000 * (i + 1), FS/GS base 0x70000. */
static uint64_t address_of(const uint8_t *code, size_t len, uint64_t next_rip)
{
    uint64_t gpr[16];
    for (unsigned i = 0; i < 16; i++) {
        gpr[i] = 0x1000ull * (i + 1);
    }
    x86_mem_operand m;
    memset(&m, 0, sizeof m);
    CHECK(x86_insn_align16(code, len, ALL, &m));
    return x86_mem_address(&m, gpr, next_rip, 0x70000);
}

static void test_addresses(void)
{
    static const uint8_t rax[] = { 0x0F, 0x29, 0x00 };
    CHECK_EQ(address_of(rax, sizeof rax, 0), 0x1000);
    static const uint8_t rsp16[] = { 0x0F, 0x29, 0x44, 0x24, 0x10 }; /* [rsp+0x10] */
    CHECK_EQ(address_of(rsp16, sizeof rsp16, 0), 0x5010);
    static const uint8_t minus16[] = { 0x0F, 0x29, 0x40, 0xF0 };     /* [rax-16] */
    CHECK_EQ(address_of(minus16, sizeof minus16, 0), 0x0FF0);
    static const uint8_t disp32[] = { 0x0F, 0x29, 0x87, 0x08, 0x00, 0x01, 0x00 }; /* [rdi+0x10008] */
    CHECK_EQ(address_of(disp32, sizeof disp32, 0), 0x18008);
    static const uint8_t r15[] = { 0x41, 0x0F, 0x29, 0x07 };         /* [r15] */
    CHECK_EQ(address_of(r15, sizeof r15, 0), 0x10000);
    static const uint8_t r13[] = { 0x41, 0x0F, 0x29, 0x45, 0x08 };   /* [r13+8], not RIP */
    CHECK_EQ(address_of(r13, sizeof r13, 0), 0xE008);
    static const uint8_t rip[] = { 0x0F, 0x29, 0x05, 0x10, 0x00, 0x00, 0x00 }; /* [rip+16] */
    CHECK_EQ(address_of(rip, sizeof rip, 0x400007), 0x400017);
    /* pshufd xmm0, [rip-8], 5: the immediate follows, next_rip is after it */
    static const uint8_t rip_imm[] = { 0x66, 0x0F, 0x70, 0x05, 0xF8, 0xFF, 0xFF, 0xFF, 0x05 };
    CHECK_EQ(address_of(rip_imm, sizeof rip_imm, 0x400009), 0x400001);
    static const uint8_t abs32[] = { 0x0F, 0x29, 0x04, 0x25, 0x00, 0x10, 0x60, 0x00 };
    CHECK_EQ(address_of(abs32, sizeof abs32, 0), 0x601000);           /* [0x601000] */
    static const uint8_t sib[] = { 0x0F, 0x29, 0x04, 0x8B };         /* [rbx+rcx*4] */
    CHECK_EQ(address_of(sib, sizeof sib, 0), 0x4000 + 0x2000 * 4);
    static const uint8_t noidx[] = { 0x0F, 0x29, 0x04, 0xA0 };       /* [rax], SIB index 4 */
    CHECK_EQ(address_of(noidx, sizeof noidx, 0), 0x1000);
    static const uint8_t r12idx[] = { 0x42, 0x0F, 0x29, 0x04, 0xA0 }; /* [rax+r12*4] */
    CHECK_EQ(address_of(r12idx, sizeof r12idx, 0), 0x1000 + 0xD000 * 4);
    /* SIB base 101 with mod 00 is disp32 and no base, REX.B or not: [rbp*1+0x100] */
    static const uint8_t nobase[] = { 0x41, 0x0F, 0x29, 0x04, 0x2D, 0x00, 0x01, 0x00, 0x00 };
    CHECK_EQ(address_of(nobase, sizeof nobase, 0), 0x6000 + 0x100);
    static const uint8_t fs[] = { 0x64, 0x0F, 0x29, 0x00 };          /* fs:[rax] */
    CHECK_EQ(address_of(fs, sizeof fs, 0), 0x71000);
    static const uint8_t gs[] = { 0x65, 0x66, 0x0F, 0xEF, 0x00 };    /* pxor xmm0, gs:[rax] */
    CHECK_EQ(address_of(gs, sizeof gs, 0), 0x71000);
    static const uint8_t ds[] = { 0x3E, 0x0F, 0x29, 0x00 };          /* ds:[rax]: base 0 */
    CHECK_EQ(address_of(ds, sizeof ds, 0), 0x1000);
    static const uint8_t a32[] = { 0x67, 0x0F, 0x29, 0x40, 0xF0 };   /* [eax-16] */
    CHECK_EQ(address_of(a32, sizeof a32, 0), 0xFF0);
    static const uint8_t a32wrap[] = { 0x67, 0x0F, 0x29, 0x04, 0x25, 0xF8, 0xFF, 0xFF, 0xFF };
    CHECK_EQ(address_of(a32wrap, sizeof a32wrap, 0), 0xFFFFFFF8u);   /* [0xfffffff8] */
}

int main(void)
{
    test_classes();
    test_groups();
    test_addresses();
    return check_report("sim_x86_align_test");
}
