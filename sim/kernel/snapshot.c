/*
 * seL4_DebugSnapshot: the debug kernel prints a capDL dump of every thread's CSpace and
 * VSpace.  sel4-sim does not print the dump, but it decides, as the real 16.0.0 kernel
 * would end, whether the call returns at all.  The real dump walks the CSpace root of
 * each thread except the ones named "rootserver" and "idle_thread" (slot i looked up as
 * cptr i, i < 2^radix) and never returns when it meets
 *   - an untyped cap with children (its loop over the children does not advance), or
 *   - a frame cap without a usable mapping (a failed assertion halts the kernel), or
 *   - a page table, page directory or PDPT cap that is not mapped (the dump looks the
 *     mapping up in a missing address space and the kernel faults).
 * Anything else it only prints.  (Not modelled: an IPC buffer address that is not mapped,
 * which also stops the real dump.)
 */
#include <string.h>
#include "kstate.h"

static bool stops_dump(kernel *k, const cte *slot)
{
    const cap *c = &slot->cap;
    switch (c->type) {
    case CAP_UNTYPED:
        return slot->next && is_mdb_parent_of(slot, slot->next);
    case CAP_FRAME: {
        if (c->asid == 0)
            return true;
        lookup_fault saved = k->lf;
        bool found = find_vspace_for_asid(k, c->asid) != NULL;
        k->lf = saved;
        return !found;
    }
    case CAP_PAGE_TABLE:
    case CAP_PAGE_DIRECTORY:
    case CAP_PDPT:
        return !c->is_mapped;
    default:
        return false;
    }
}

/* The first slot that would stop the dump, or NULL if the dump finishes. */
const cte *snapshot_stopping_slot(kernel *k)
{
    enum { SEEN_MAX = 64 };
    const void *seen[SEEN_MAX];
    unsigned n_seen = 0;
    for (tcb *t = k->dbg_threads; t; t = t->dbg_next) {
        if (strcmp(t->name, "rootserver") == 0 || strcmp(t->name, "idle_thread") == 0)
            continue;
        const cap *root = &t->slot[TCB_CTABLE].cap;
        if (root->type != CAP_CNODE)
            continue;
        /* like the real dump, each CNode once (a full list only costs a rescan) */
        bool done = false;
        for (unsigned j = 0; j < n_seen; j++)
            done = done || seen[j] == root->obj;
        if (done)
            continue;
        if (n_seen < SEEN_MAX)
            seen[n_seen++] = root->obj;
        uint64_t n = 1ull << root->size_bits;
        for (uint64_t i = 0; i < n; i++) {
            cte *slot;
            lookup_fault saved = k->lf;
            exc e = lookup_slot(k, t, i, &slot);
            k->lf = saved;
            if (e == EXC_NONE && slot && stops_dump(k, slot))
                return slot;
        }
    }
    return NULL;
}
