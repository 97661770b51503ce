/* The reference machine's CPUID answers (see cpuid.h). */
#include "cpuid.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define BASIC_MAX 0x0Bu       /* highest basic leaf */
#define HYPER_MAX 0x40000001u /* QEMU's TCG hypervisor leaves */
#define EXT_MAX 0x80000008u   /* highest extended leaf */

typedef struct leaf_value {
    uint32_t leaf, sub; /* sub: subleaf, or ANY_SUB if the leaf does not look at ecx */
    uint32_t r[4];
} leaf_value;
#define ANY_SUB 0xFFFFFFFFu

/* Recorded with a root task executing cpuid on the reference machine. */
static const leaf_value table[] = {
    { 0x00000000, ANY_SUB, { 0x0000000B, 0x756E6547, 0x6C65746E, 0x49656E69 } }, /* GenuineIntel */
    { 0x00000001, ANY_SUB, { 0x000106A3, 0x00000800, 0x80982201, 0x078BFBFD } },
    { 0x00000002, ANY_SUB, { 0x00000001, 0x00000000, 0x0000004D, 0x002C307D } },
    { 0x00000004, 0, { 0x00000121, 0x01C0003F, 0x0000003F, 0x00000001 } },
    { 0x00000004, 1, { 0x00000122, 0x01C0003F, 0x0000003F, 0x00000001 } },
    { 0x00000004, 2, { 0x00000143, 0x03C0003F, 0x00000FFF, 0x00000001 } },
    { 0x00000004, 3, { 0x00000163, 0x03C0003F, 0x00003FFF, 0x00000006 } },
    { 0x00000005, ANY_SUB, { 0x00000000, 0x00000000, 0x00000003, 0x00000000 } },
    { 0x0000000B, 0, { 0x00000000, 0x00000001, 0x00000100, 0x00000000 } },
    { 0x0000000B, 1, { 0x00000000, 0x00000001, 0x00000201, 0x00000000 } },
    { 0x40000000, ANY_SUB, { 0x40000001, 0x54474354, 0x43544743, 0x47435447 } }, /* TCGTCGTCGTCG */
    { 0x80000000, ANY_SUB, { 0x80000008, 0x756E6547, 0x6C65746E, 0x49656E69 } },
    { 0x80000001, ANY_SUB, { 0x000106A3, 0x00000000, 0x00000001, 0x24100800 } },
    { 0x80000002, ANY_SUB, { 0x65746E49, 0x6F43206C, 0x69206572, 0x78392037 } }, /* brand string */
    { 0x80000003, ANY_SUB, { 0x4E282078, 0x6C616865, 0x43206D65, 0x7373616C } },
    { 0x80000004, ANY_SUB, { 0x726F4320, 0x37692065, 0x00000029, 0x00000000 } },
    { 0x80000005, ANY_SUB, { 0x01FF01FF, 0x01FF01FF, 0x40020140, 0x40020140 } },
    { 0x80000006, ANY_SUB, { 0x00000000, 0x42004200, 0x02008140, 0x00808140 } },
    { 0x80000008, ANY_SUB, { 0x00003028, 0x00000000, 0x00000000, 0x00000000 } },
};

void cpuid_reference(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    /* A leaf above the highest of its range answers as the highest basic leaf does
     * (with the same subleaf), as on Intel CPUs. */
    bool in_range = leaf <= BASIC_MAX || (leaf >= 0x40000000u && leaf <= HYPER_MAX) ||
                    (leaf >= 0x80000000u && leaf <= EXT_MAX);
    if (!in_range) {
        leaf = BASIC_MAX;
    }
    memset(out, 0, 4 * sizeof out[0]);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (table[i].leaf == leaf && (table[i].sub == ANY_SUB || table[i].sub == sub)) {
            memcpy(out, table[i].r, 4 * sizeof out[0]);
            return;
        }
    }
    if (leaf == BASIC_MAX) {
        out[2] = sub & 0xFFu; /* topology: an invalid level echoes its number */
    }
}
