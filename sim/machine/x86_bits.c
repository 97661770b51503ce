/* popcnt / bsf / bsr as the reference CPU runs the f3 0f b8/bc/bd encodings (x86_bits.h). */
#include "x86_bits.h"

#define FL_CF 0x001u
#define FL_PF 0x004u
#define FL_ZF 0x040u
#define FL_SF 0x080u
#define FL_ARITH 0x8D5u /* CF PF AF ZF SF OF */

bool x86_bits_decode(const uint8_t *code, size_t len, x86_bits_insn *out)
{
    bool has66 = false, f3 = false;
    uint8_t rex = 0;
    size_t i = 0;
    for (; i < len; i++) {
        uint8_t b = code[i];
        if (b == 0xF2 || b == 0xF0) {
            return false; /* another instruction, or #UD */
        }
        if (b == 0x66) {
            has66 = true;
        } else if (b == 0xF3) {
            f3 = true;
        } else if ((b & 0xF0) == 0x40) {
            rex = b;
        } else if (!(b == 0x67 || b == 0x64 || b == 0x65 || b == 0x2E || b == 0x36 ||
                     b == 0x3E || b == 0x26)) {
            break;
        }
    }
    if (!f3 || i + 2 >= len || code[i] != 0x0F) {
        return false;
    }
    uint8_t op = code[i + 1];
    if (op != 0xB8 && op != 0xBC && op != 0xBD) {
        return false;
    }
    uint8_t modrm = code[i + 2];
    out->op = op == 0xB8 ? X86_BITS_POPCNT : op == 0xBC ? X86_BITS_BSF : X86_BITS_BSR;
    out->size = (rex & 8u) ? 8u : has66 ? 2u : 4u;
    out->dest = ((modrm >> 3) & 7u) | ((rex & 4u) << 1);
    if ((modrm >> 6) == 3) {
        out->src_reg = (int)((modrm & 7u) | ((rex & 1u) << 3));
        return true;
    }
    out->src_reg = -1;
    return x86_modrm_mem(code, len, i + 2, &out->mem);
}

uint64_t x86_bits_exec(const x86_bits_insn *in, uint64_t src, uint64_t old_dest, uint64_t *rflags)
{
    unsigned bits = in->size * 8u;
    uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1u;
    uint64_t s = src & mask, r;
    uint64_t fl = *rflags & ~(uint64_t)FL_ARITH;
    if (s == 0) {
        fl |= FL_ZF;
    }
    if (in->op == X86_BITS_POPCNT) {
        r = (uint64_t)__builtin_popcountll(s);
    } else {
        if ((s >> (bits - 1u)) & 1u) {
            fl |= FL_SF;
        }
        if (!(__builtin_popcount((unsigned)(s & 0xFFu)) & 1)) {
            fl |= FL_PF;
        }
        if (s == 0) {
            r = old_dest;
        } else if (in->op == X86_BITS_BSF) {
            r = (uint64_t)__builtin_ctzll(s);
        } else {
            r = 63u - (uint64_t)__builtin_clzll(s);
        }
    }
    *rflags = fl;
    if (in->size == 8) {
        return r;
    }
    if (in->size == 4) {
        return r & 0xFFFFFFFFu;
    }
    return (old_dest & ~0xFFFFull) | (r & 0xFFFFu);
}
