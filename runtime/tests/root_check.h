/*
 * Shared by the root-task tests of a service loop (test-service, test-serve, test-timer):
 * counted checks printed one a line, and badged copies of caps in the root CNode.
 */
#pragma once
#include <runtime/alloc.h>
#include <runtime/stdio.h>

#define ROOT seL4_CapInitThreadCNode

static int passes, failures;

static inline void check(int ok, const char *what)
{
    if (ok) {
        passes++;
        printf("ok: %s\n", what);
    } else {
        failures++;
        printf("FAILED: %s\n", what);
    }
}

/* A copy of src with `badge` in a new slot (a failure is a failed check). */
static inline seL4_CPtr mint(seL4_CPtr src, seL4_Word badge)
{
    seL4_CPtr slot = alloc_slot();
    if (seL4_CNode_Mint(ROOT, slot, seL4_WordBits, ROOT, src, seL4_WordBits, seL4_AllRights, badge) != seL4_NoError)
        check(0, "mint");
    return slot;
}
