/* CSpace addressing helpers (runtime/cspace.h). */
#include "check.h"
#include <runtime/cspace.h>

static void one_level(void)
{
    seL4_Word g = cspace_one_level_guard(10);
    seL4_CNode_CapData_t d = { { g } };
    CHECK_EQ(seL4_CNode_CapData_get_guardSize(d), 54);
    CHECK_EQ(seL4_CNode_CapData_get_guard(d), 0);
}

static void compose(void)
{
    /* Two levels: root with a 4-bit guard 0x3 and 8 radix bits, then a 12-bit CNode. */
    seL4_Word guards[] = { 0x3, 0 }, gbits[] = { 4, 0 }, idx[] = { 0x12, 0x345 }, rbits[] = { 8, 12 };
    seL4_CPtr cptr = 0;
    seL4_Word depth = 0;
    CHECK(cspace_compose(guards, gbits, idx, rbits, 2, &cptr, &depth));
    CHECK_EQ(depth, 24);
    CHECK_EQ(cptr, (0x3ull << 20) | (0x12ull << 12) | 0x345);

    /* The root task's layout: a 52-bit zero guard, 12 radix bits: CPtr = slot, depth 64. */
    seL4_Word g1[] = { 0 }, gb1[] = { 52 }, i1[] = { 0x86 }, r1[] = { 12 };
    CHECK(cspace_compose(g1, gb1, i1, r1, 1, &cptr, &depth));
    CHECK_EQ(cptr, 0x86);
    CHECK_EQ(depth, 64);

    /* Fields that do not fit, and too many bits. */
    seL4_Word big[] = { 0x100 };
    CHECK(!cspace_compose(g1, gb1, big, (seL4_Word[]){ 8 }, 1, &cptr, &depth));
    CHECK(!cspace_compose((seL4_Word[]){ 0x10 }, (seL4_Word[]){ 4 }, i1, r1, 1, &cptr, &depth));
    CHECK(!cspace_compose(g1, (seL4_Word[]){ 60 }, i1, r1, 1, &cptr, &depth));
    CHECK(!cspace_compose(g1, (seL4_Word[]){ 0 }, (seL4_Word[]){ 0 }, (seL4_Word[]){ 0 }, 1, &cptr,
                          &depth));
    /* A full 64-bit index in one level. */
    CHECK(cspace_compose((seL4_Word[]){ 0 }, (seL4_Word[]){ 0 }, (seL4_Word[]){ ~0ull },
                         (seL4_Word[]){ 64 }, 1, &cptr, &depth));
    CHECK_EQ(cptr, ~0ull);
}

int main(void)
{
    one_level();
    compose();
    return check_result("cspace_test");
}
