/* CSpace addressing helpers (see cspace.h).  Portable. */
#include <runtime/cspace.h>

seL4_Word cspace_one_level_guard(seL4_Word radix_bits)
{
    return seL4_CNode_CapData_new(0, seL4_WordBits - radix_bits).words[0];
}

static bool fits(seL4_Word value, seL4_Word bits)
{
    return bits >= seL4_WordBits || (value >> bits) == 0;
}

bool cspace_compose(const seL4_Word *guards, const seL4_Word *guard_bits,
                    const seL4_Word *indices, const seL4_Word *radix_bits, unsigned levels,
                    seL4_CPtr *cptr, seL4_Word *depth)
{
    seL4_Word path = 0;
    seL4_Word used = 0;
    for (unsigned i = 0; i < levels; i++) {
        seL4_Word gb = guard_bits[i];
        seL4_Word rb = radix_bits[i];
        if (gb > seL4_WordBits || rb > seL4_WordBits || used + gb + rb > seL4_WordBits ||
            !fits(guards[i], gb) || !fits(indices[i], rb)) {
            return false;
        }
        /* Append the guard, then the index, below the bits already composed. */
        seL4_Word level_bits = gb + rb;
        if (level_bits == 0) {
            continue;
        }
        seL4_Word level = indices[i];
        if (gb > 0) {
            level |= guards[i] << rb; /* gb > 0 implies rb < seL4_WordBits */
        }
        path = level_bits == seL4_WordBits ? level : (path << level_bits) | level;
        used += level_bits;
    }
    if (used == 0) {
        return false;
    }
    *cptr = path;
    *depth = used;
    return true;
}
