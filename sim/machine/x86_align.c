/* Legacy SSE instructions with a 16-byte aligned memory operand.  See x86_align.h. */
#include "x86_align.h"

/* Opcode sets: bit n set = opcode n of that map, with that mandatory prefix, has a
 * 128-bit memory operand that must be aligned. */
typedef struct opcode_set {
    uint32_t w[8];
} opcode_set;

/* 0F map, no prefix: unpcklps unpckhps movaps(x2) movntps, sqrtps rsqrtps rcpps andps
 * andnps orps xorps addps mulps cvtdq2ps subps minps divps maxps, cmpps shufps. */
static const opcode_set map1_np = {
    { 0x00300000u, 0x00000B00u, 0xFBFE0000u, 0, 0, 0, 0x00000044u, 0 }
};
/* 0F map, 66: the pd forms, cvttpd2pi cvtpd2pi movntpd cvtpd2ps cvtps2dq, every SSE2
 * integer op with xmm/m128 (60-6D, 70, 74-76, D1-D5, D8-DF, E0-E5, E8-EF, F1-F6,
 * F8-FE), movdqa (6F/7F), haddpd hsubpd, addsubpd, cvttpd2dq, movntdq. */
static const opcode_set map1_66 = {
    { 0x00300000u, 0x00003B00u, 0xFFF20000u, 0xB071BFFFu, 0, 0, 0xFF3F0044u, 0x7F7EFFFFu }
};
/* 0F map, F3: movsldup movshdup cvttps2dq pshufhw. */
static const opcode_set map1_f3 = { { 0x00440000u, 0, 0x08000000u, 0x00010000u, 0, 0, 0, 0 } };
/* 0F map, F2: pshuflw haddps hsubps addsubps cvtpd2dq. */
static const opcode_set map1_f2 = { { 0, 0, 0, 0x30010000u, 0, 0, 0x00010000u, 0x00000040u } };
/* 0F 38 map, 66: pshufb..pmulhrsw (00-0B), pblendvb blendvps blendvpd ptest, pabs*,
 * pmuldq pcmpeqq movntdqa packusdw, pcmpgtq, pmin and pmax (38-3F), pmulld phminposuw,
 * aesimc aesenc aesenclast aesdec aesdeclast. */
static const opcode_set map2_66 = {
    { 0x70B10FFFu, 0xFF800F00u, 0x00000003u, 0, 0, 0, 0xF8000000u, 0 }
};
/* 0F 3A map, 66: roundps roundpd blendps blendpd pblendw palignr, dpps dppd mpsadbw
 * pclmulqdq, aeskeygenassist. */
static const opcode_set map3_66 = { { 0x0000F300u, 0, 0x00000017u, 0, 0, 0, 0x80000000u, 0 } };

static bool in_set(const opcode_set *set, uint8_t op)
{
    return (set->w[op >> 5] >> (op & 31)) & 1u;
}

typedef struct prefixes {
    size_t end;         /* index of the first opcode byte */
    uint8_t rex;        /* the last REX byte (the emulator keeps it wherever it is) */
    uint8_t mandatory;  /* 0, 0x66, 0xF3 or 0xF2: F2/F3 take precedence over 66 */
    uint8_t seg;        /* X86_SEG_*: the last segment override */
    bool addr32, lock;
} prefixes;

static void parse_prefixes(const uint8_t *code, size_t len, prefixes *p)
{
    bool has66 = false;
    uint8_t rep = 0;
    size_t i = 0;
    *p = (prefixes){ 0 };
    for (; i < len; i++) {
        uint8_t b = code[i];
        if (b == 0x66) {
            has66 = true;
        } else if (b == 0xF2 || b == 0xF3) {
            rep = b;
        } else if (b == 0x67) {
            p->addr32 = true;
        } else if (b == 0xF0) {
            p->lock = true;
        } else if (b == 0x64 || b == 0x65) {
            p->seg = b == 0x64 ? X86_SEG_FS : X86_SEG_GS;
        } else if (b == 0x2E || b == 0x36 || b == 0x3E || b == 0x26) {
            p->seg = X86_SEG_DEFAULT; /* base 0 in 64-bit mode */
        } else if ((b & 0xF0) == 0x40) {
            p->rex = b;
        } else {
            break;
        }
    }
    p->end = i;
    p->mandatory = rep != 0 ? rep : has66 ? 0x66 : 0;
}

/* Whether opcode `op` of `map` (1: 0F, 2: 0F 38, 3: 0F 3A) with mandatory prefix
 * `mp` needs an aligned 128-bit operand, among the groups asked for. */
static bool aligned_opcode(unsigned map, uint8_t op, uint8_t mp, unsigned groups)
{
    if (map == 1) {
        if (!(groups & X86_ALIGN_SSE)) {
            return false;
        }
        const opcode_set *set = mp == 0x66 ? &map1_66 : mp == 0xF3 ? &map1_f3
                                : mp == 0xF2 ? &map1_f2 : &map1_np;
        return in_set(set, op);
    }
    if (!(groups & X86_ALIGN_SSE_EXT) || mp != 0x66) {
        return false;
    }
    return in_set(map == 2 ? &map2_66 : &map3_66, op);
}

static int32_t read_disp(const uint8_t *p, unsigned size)
{
    if (size == 1) {
        return (int8_t)p[0];
    }
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                 (uint32_t)p[3] << 24;
    return (int32_t)v;
}

/* Decodes the ModRM memory operand at code[at] (false if it is a register or does
 * not fit in len). */
static bool decode_mem(const uint8_t *code, size_t len, size_t at, const prefixes *p,
                       x86_mem_operand *m)
{
    if (at >= len || (code[at] >> 6) == 3) {
        return false;
    }
    unsigned mod = code[at] >> 6, rm = code[at] & 7u;
    unsigned rex_b = (p->rex & 1u) << 3, rex_x = (p->rex & 2u) << 2;
    size_t pos = at + 1;
    m->base = (int8_t)(rm | rex_b);
    m->index = X86_REG_NONE;
    m->scale = 1;
    m->seg = p->seg;
    m->addr32 = p->addr32;
    m->disp = 0;
    unsigned base_lo = rm;
    if (rm == 4) {
        if (pos >= len) {
            return false;
        }
        uint8_t sib = code[pos++];
        unsigned idx = ((sib >> 3) & 7u) | rex_x;
        m->index = idx == 4 ? X86_REG_NONE : (int8_t)idx;
        m->scale = (uint8_t)(1u << (sib >> 6));
        base_lo = sib & 7u;
        m->base = (int8_t)(base_lo | rex_b);
    }
    unsigned disp_size = mod == 1 ? 1 : mod == 2 ? 4 : 0;
    if (mod == 0 && base_lo == 5) {
        m->base = rm == 4 ? X86_REG_NONE : X86_REG_RIP;
        disp_size = 4;
    }
    if (pos + disp_size > len) {
        return false;
    }
    if (disp_size != 0) {
        m->disp = read_disp(code + pos, disp_size);
    }
    return true;
}

bool x86_insn_align16(const uint8_t *code, size_t len, unsigned groups, x86_mem_operand *mem)
{
    prefixes p;
    parse_prefixes(code, len, &p);
    size_t i = p.end;
    if (p.lock || i + 2 >= len || code[i] != 0x0F) {
        return false; /* (a VEX/EVEX first byte is not 0F) */
    }
    unsigned map = 1;
    uint8_t op = code[i + 1];
    size_t modrm = i + 2;
    if (op == 0x38 || op == 0x3A) {
        map = op == 0x38 ? 2 : 3;
        op = code[i + 2];
        modrm = i + 3;
    }
    if (!aligned_opcode(map, op, p.mandatory, groups)) {
        return false;
    }
    x86_mem_operand m;
    if (!decode_mem(code, len, modrm, &p, &m)) {
        return false;
    }
    if (mem != NULL) {
        *mem = m;
    }
    return true;
}

bool x86_modrm_mem(const uint8_t *code, size_t len, size_t modrm_at, x86_mem_operand *m)
{
    prefixes p;
    parse_prefixes(code, len, &p);
    return decode_mem(code, len, modrm_at, &p, m);
}

uint64_t x86_mem_address(const x86_mem_operand *m, const uint64_t gpr[16], uint64_t next_rip,
                         uint64_t seg_base)
{
    uint64_t a = (uint64_t)(int64_t)m->disp;
    if (m->base == X86_REG_RIP) {
        a += next_rip;
    } else if (m->base >= 0 && m->base < 16) {
        a += gpr[m->base];
    }
    if (m->index >= 0 && m->index < 16) {
        a += gpr[m->index] * m->scale;
    }
    if (m->addr32) {
        a &= 0xFFFFFFFFu;
    }
    if (m->seg == X86_SEG_FS || m->seg == X86_SEG_GS) {
        a += seg_base;
    }
    return a;
}
