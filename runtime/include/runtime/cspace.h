/*
 * CSpace addressing helpers (portable, host-tested).
 *
 * A CPtr is resolved `depth` bits at a time from the most significant of its low `depth`
 * bits down: each CNode on the way consumes its guard bits, then its radix bits.  These helpers build
 * the guard data and CPtrs for the layouts this project uses.
 */
#pragma once
#include <sel4/sel4.h>
#include <stdbool.h>

/* Guard word for a one-level CSpace of 2^radix_bits slots resolved at depth 64: a zero
 * guard of 64 - radix_bits bits, so that CPtr n names slot n.  (As seL4_CNode_CapData
 * words[0]; pass it as cspace_root_data or as the badge of a CNode Mint.) */
seL4_Word cspace_one_level_guard(seL4_Word radix_bits);

/* A CPtr for a path through `levels` CNodes: level i has guard size guard_bits[i] with
 * guard value guards[i], then radix_bits[i] and the index indices[i].  The kernel reads
 * the low `depth` bits of a CPtr, most significant first, so the result holds the path in
 * its low *depth bits (level 0 topmost).  Returns false if a field does not fit its bits,
 * or the bits add up to 0 or more than seL4_WordBits. */
bool cspace_compose(const seL4_Word *guards, const seL4_Word *guard_bits,
                    const seL4_Word *indices, const seL4_Word *radix_bits, unsigned levels,
                    seL4_CPtr *cptr, seL4_Word *depth);
