/* x86_64 instruction length decoder (64-bit mode only).  See x86_length.h. */
#include "x86_length.h"

#include <stdbool.h>

/* Bit n set: one-byte opcode n has a ModRM byte (64-bit mode). */
static const uint32_t modrm_1byte[8] = {
    /* 00-1F */ 0x0F0F0F0Fu,
    /* 20-3F */ 0x0F0F0F0Fu,
    /* 40-5F */ 0x00000000u,
    /* 60-7F */ 0x00000A0Cu, /* 62 63 69 6B */
    /* 80-9F */ 0x0000FFFFu, /* 80-8F */
    /* A0-BF */ 0x00000000u,
    /* C0-DF */ 0xFF0F00C3u, /* C0 C1 C6 C7 D0-D3 D8-DF (C4/C5 are VEX, handled apart) */
    /* E0-FF */ 0xC0C00000u, /* F6 F7 FE FF */
};

/* Bit n set: two-byte opcode 0F n has NO ModRM byte. */
static const uint32_t no_modrm_0f[8] = {
    /* 00-1F */ 0x00004BE0u, /* 05 06 07 08 09 0B 0E */
    /* 20-3F */ 0x00FF0000u, /* 30-37 */
    /* 40-5F */ 0x00000000u,
    /* 60-7F */ 0x00800000u, /* 77 */
    /* 80-9F */ 0x0000FFFFu, /* 80-8F (jcc rel) */
    /* A0-BF */ 0x00000707u, /* A0 A1 A2 A8 A9 AA */
    /* C0-DF */ 0x0000FF00u, /* C8-CF (bswap) */
    /* E0-FF */ 0x00000000u,
};

static bool bit(const uint32_t *table, uint8_t op)
{
    return (table[op >> 5] >> (op & 31)) & 1u;
}

/* Bytes taken by ModRM + SIB + displacement starting at p[0] (the ModRM byte), or 0
 * if they do not fit in `avail`. */
static unsigned modrm_length(const uint8_t *p, size_t avail, bool force_reg)
{
    if (avail < 1) {
        return 0;
    }
    uint8_t modrm = p[0];
    unsigned mod = modrm >> 6, rm = modrm & 7;
    unsigned len = 1;
    if (mod == 3 || force_reg) {
        return len;
    }
    if (rm == 4) { /* SIB */
        if (avail < 2) {
            return 0;
        }
        uint8_t sib = p[1];
        len++;
        if (mod == 0 && (sib & 7) == 5) {
            len += 4;
        }
    } else if (mod == 0 && rm == 5) { /* RIP-relative */
        len += 4;
    }
    if (mod == 1) {
        len += 1;
    } else if (mod == 2) {
        len += 4;
    }
    return len <= avail ? len : 0;
}

unsigned x86_insn_length(const uint8_t *code, size_t avail)
{
    size_t limit = avail < X86_MAX_INSN_LEN ? avail : X86_MAX_INSN_LEN;
    size_t i = 0;
    bool opsize16 = false, addr32 = false, rex_w = false;

    /* Legacy prefixes and REX, in any order (the emulator accepts REX anywhere in
     * the prefix sequence and keeps REX.W). */
    for (;;) {
        if (i >= limit) {
            return 0;
        }
        uint8_t b = code[i];
        if (b == 0x66) {
            opsize16 = true;
        } else if (b == 0x67) {
            addr32 = true;
        } else if (b == 0xF0 || b == 0xF2 || b == 0xF3 || b == 0x2E || b == 0x36 ||
                   b == 0x3E || b == 0x26 || b == 0x64 || b == 0x65) {
            /* no effect on length */
        } else if ((b & 0xF0) == 0x40) {
            rex_w = (b & 8) != 0;
        } else {
            break;
        }
        i++;
    }
    unsigned immz = (opsize16 && !rex_w) ? 2 : 4;
    uint8_t op = code[i++];
    unsigned imm = 0;
    bool has_modrm = false, force_reg = false;
    uint8_t group_op = 0; /* F6/F7: the immediate depends on ModRM.reg */

    if (op == 0x0F) {
        if (i >= limit) {
            return 0;
        }
        uint8_t op2 = code[i++];
        if (op2 == 0x38) {          /* three-byte map 0F 38 */
            if (i >= limit) {
                return 0;
            }
            i++;
            has_modrm = true;
        } else if (op2 == 0x3A) {   /* three-byte map 0F 3A */
            if (i >= limit) {
                return 0;
            }
            i++;
            has_modrm = true;
            imm = 1;
        } else {
            has_modrm = !bit(no_modrm_0f, op2);
            if (op2 >= 0x80 && op2 <= 0x8F) {
                imm = immz;
            } else if (op2 == 0x0F || (op2 >= 0x70 && op2 <= 0x73) || op2 == 0xA4 ||
                       op2 == 0xAC || op2 == 0xBA || op2 == 0xC2 ||
                       (op2 >= 0xC4 && op2 <= 0xC6)) {
                imm = 1;
            }
            force_reg = op2 >= 0x20 && op2 <= 0x23; /* mov to/from CR/DR */
        }
    } else if (op == 0xC4 || op == 0xC5 || op == 0x62) {
        /* VEX (3- and 2-byte) and EVEX: always in 64-bit mode. */
        unsigned map = 1;
        if (op == 0xC4) {
            if (i + 2 > limit) {
                return 0;
            }
            map = code[i] & 0x1F;
            i += 2;
        } else if (op == 0xC5) {
            if (i + 1 > limit) {
                return 0;
            }
            i += 1;
        } else {
            if (i + 3 > limit) {
                return 0;
            }
            map = code[i] & 0x03;
            i += 3;
        }
        if (i >= limit) {
            return 0;
        }
        uint8_t vop = code[i++];
        has_modrm = !(map == 1 && vop == 0x77); /* vzeroupper/vzeroall */
        /* an imm8 follows: every map-3 opcode, and a few map-1 ones */
        if (map == 3 || (map == 1 && ((vop >= 0x70 && vop <= 0x73) || vop == 0xC2 ||
                                      (vop >= 0xC4 && vop <= 0xC6)))) {
            imm = 1;
        }
    } else {
        has_modrm = bit(modrm_1byte, op);
        switch (op) {
        case 0x04: case 0x0C: case 0x14: case 0x1C: case 0x24: case 0x2C: case 0x34:
        case 0x3C: case 0x6A: case 0x6B: case 0x80: case 0x82: case 0x83: case 0xA8:
        case 0xC0: case 0xC1: case 0xC6: case 0xCD: case 0xD4: case 0xD5: case 0xEB:
            imm = 1;
            break;
        case 0x05: case 0x0D: case 0x15: case 0x1D: case 0x25: case 0x2D: case 0x35:
        case 0x3D: case 0x68: case 0x69: case 0x81: case 0xA9: case 0xC7: case 0xE8:
        case 0xE9:
            imm = immz;
            break;
        case 0xC2: case 0xCA:
            imm = 2;
            break;
        case 0xC8:
            imm = 3;
            break;
        case 0xA0: case 0xA1: case 0xA2: case 0xA3:
            imm = addr32 ? 4 : 8;
            break;
        case 0xF6: case 0xF7:
            group_op = op;
            break;
        default:
            if ((op >= 0x70 && op <= 0x7F) || (op >= 0xB0 && op <= 0xB7) ||
                (op >= 0xE0 && op <= 0xE7)) {
                imm = 1;
            } else if (op >= 0xB8 && op <= 0xBF) {
                imm = rex_w ? 8 : immz;
            }
            break;
        }
    }

    if (has_modrm) {
        if (i >= limit) {
            return 0;
        }
        if (group_op != 0 && ((code[i] >> 3) & 7) <= 1) { /* test r/m, imm */
            imm = group_op == 0xF6 ? 1 : immz;
        }
        unsigned m = modrm_length(code + i, limit - i, force_reg);
        if (m == 0) {
            return 0;
        }
        i += m;
    }
    i += imm;
    return i <= limit ? (unsigned)i : 0;
}

/* Index of the first byte after legacy and REX prefixes (len if there is none). */
static size_t skip_prefixes(const uint8_t *code, size_t len)
{
    size_t i = 0;
    while (i < len && (code[i] == 0x66 || code[i] == 0x67 || code[i] == 0xF0 ||
                       code[i] == 0xF2 || code[i] == 0xF3 || code[i] == 0x2E ||
                       code[i] == 0x36 || code[i] == 0x3E || code[i] == 0x26 ||
                       code[i] == 0x64 || code[i] == 0x65 || (code[i] & 0xF0) == 0x40)) {
        i++;
    }
    return i;
}

unsigned x86_insn_class(const uint8_t *code, size_t len)
{
    size_t i = skip_prefixes(code, len);
    if (i >= len) {
        return X86_CLASS_OTHER;
    }
    uint8_t op = code[i];
    if ((op >= 0xE4 && op <= 0xE7) || (op >= 0xEC && op <= 0xEF) ||
        (op >= 0x6C && op <= 0x6F)) {
        return X86_CLASS_IO;
    }
    if (op == 0x0F && i + 1 < len && code[i + 1] == 0x31) {
        return X86_CLASS_RDTSC;
    }
    if (op == 0x0F && i + 2 < len && code[i + 1] == 0x01 && code[i + 2] == 0xF9) {
        return X86_CLASS_UD; /* rdtscp: not in the Nehalem model */
    }
    if (op == 0xC4 || op == 0xC5 || op == 0x62) {
        return X86_CLASS_UD; /* VEX / EVEX: no AVX, AVX-512 or BMI on Nehalem */
    }
    if (op == 0x0F && i + 1 < len && (code[i + 1] == 0x0E || code[i + 1] == 0x0F)) {
        return X86_CLASS_UD; /* femms, 3DNow! */
    }
    if (op == 0x0F && i + 2 < len) {
        uint8_t m = code[i + 1], op3 = code[i + 2];
        if ((m == 0x38 && ((op3 >= 0xDB && op3 <= 0xDF) || op3 == 0xF6)) ||
            (m == 0x3A && op3 == 0xDF)) {
            return X86_CLASS_UD; /* AES-NI, adcx/adox (ADX) */
        }
    }
    return X86_CLASS_OTHER;
}

/* VEX-encoded instructions that work on general registers (BMI1/BMI2): CR0.TS does
 * not affect them. */
static bool vex_gpr_only(unsigned map, uint8_t vop)
{
    if (map == 2) {
        return vop == 0xF2 || vop == 0xF3 || vop == 0xF5 || vop == 0xF6 || vop == 0xF7;
    }
    return map == 3 && vop == 0xF0;
}

bool x86_insn_uses_fpu(const uint8_t *code, size_t len)
{
    size_t i = skip_prefixes(code, len);
    if (i >= len) {
        return false;
    }
    uint8_t op = code[i];
    if (op >= 0xD8 && op <= 0xDF) {
        return true; /* x87 */
    }
    if (op == 0x9B) {
        return true; /* fwait: #NM with CR0.TS and CR0.MP, as seL4 sets them */
    }
    if (op == 0xC4 || op == 0xC5 || op == 0x62) {
        /* VEX / EVEX (always so in 64-bit mode) */
        unsigned map = 1;
        size_t at = i + 2;
        if (op == 0xC4) {
            if (i + 1 >= len) {
                return false;
            }
            map = code[i + 1] & 0x1F;
            at = i + 3;
        } else if (op == 0x62) {
            if (i + 1 >= len) {
                return false;
            }
            map = code[i + 1] & 0x03;
            at = i + 4;
        }
        if (at >= len) {
            return false;
        }
        return !vex_gpr_only(map, code[at]);
    }
    if (op != 0x0F || i + 1 >= len) {
        return false;
    }
    uint8_t op2 = code[i + 1];
    if (op2 == 0x38) {
        if (i + 2 >= len) {
            return false;
        }
        uint8_t op3 = code[i + 2];
        /* SSSE3/SSE4/SHA/AES; not invept/invvpid/invpcid or movbe/crc32/adcx/... */
        return op3 < 0xF0 && !(op3 >= 0x80 && op3 <= 0x82);
    }
    if (op2 == 0x3A) {
        return true; /* SSSE3/SSE4/AES/SHA with an imm8 */
    }
    if ((op2 >= 0x10 && op2 <= 0x17) || (op2 >= 0x28 && op2 <= 0x2F) ||
        (op2 >= 0x50 && op2 <= 0x7F) || op2 == 0xC2 || (op2 >= 0xC4 && op2 <= 0xC6) ||
        (op2 >= 0xD0 && op2 <= 0xFE)) {
        return true; /* SSE/MMX (0F 77 is emms) */
    }
    if (op2 == 0xAE && i + 2 < len) {
        uint8_t modrm = code[i + 2];
        /* fxsave, fxrstor, ldmxcsr, stmxcsr (memory forms only: the register forms
         * are rd/wrfsbase and friends) */
        return (modrm >> 6) != 3 && ((modrm >> 3) & 7) <= 3;
    }
    return false;
}
