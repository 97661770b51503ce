/*
 * Paging structures of one address space (PDPT, PD, PT below its PML4).
 *
 * A structure is created the first time a mapping needs it and counts what is mapped
 * below it; when the count drops to 0 it is deleted (the kernel unmaps it), its memory
 * goes back to the untyped pool and the client's quota is credited.
 */
#include "memserver/core/core.h"

#define L4(va) ((unsigned)(((va) >> 39) & 511))
#define L3(va) ((unsigned)(((va) >> 30) & 511))
#define L2(va) ((unsigned)(((va) >> 21) & 511))

void ms_tcount_init(struct ms_tcount *tc)
{
    tc->tables = tc->nodes = 0;
    tc->last_l4 = tc->last_l3 = tc->last_l2 = -1;
}

void ms_tables_count(const struct ms_as *as, uint64_t va, int large, struct ms_tcount *tc)
{
    int64_t k4 = (int64_t)(va >> 39), k3 = (int64_t)(va >> 30), k2 = (int64_t)(va >> 21);
    const struct ms_pdpt_node *pdpt = as->tables.pdpt[L4(va)];
    const struct ms_pd_node *pd = pdpt ? pdpt->pd[L3(va)] : 0;
    if (!pdpt && tc->last_l4 != k4) {
        tc->last_l4 = k4;
        tc->tables++;
        tc->nodes++;
    }
    if (!pd && tc->last_l3 != k3) {
        tc->last_l3 = k3;
        tc->tables++;
        tc->nodes++;
    }
    if (!large && (!pd || !pd->pt[L2(va)].slot) && tc->last_l2 != k2) {
        tc->last_l2 = k2;
        tc->tables++;
    }
}

struct ms_pt_ref *ms_pt_find(struct ms_as *as, uint64_t va)
{
    struct ms_pdpt_node *pdpt = as->tables.pdpt[L4(va)];
    struct ms_pd_node *pd = pdpt ? pdpt->pd[L3(va)] : 0;
    return pd && pd->pt[L2(va)].slot ? &pd->pt[L2(va)] : 0;
}

int ms_pt_present(const struct ms_as *as, uint64_t va)
{
    const struct ms_pdpt_node *pdpt = as->tables.pdpt[L4(va)];
    const struct ms_pd_node *pd = pdpt ? pdpt->pd[L3(va)] : 0;
    return pd && pd->pt[L2(va)].slot;
}

/* A new paging structure of `type` for va.  With `force`, a kernel refusal to map it
 * (a space the client changed behind the server's back) still records it: the object
 * is the server's and can be deleted later; *kerr tells the caller. */
static int new_table(struct ms_server *s, struct ms_as *as, enum ms_kobj type, uint64_t va,
                     uint32_t *slot_out, int force, int *kerr)
{
    ms_slot_t slot = ms_kobj_new(s, type);
    if (!slot) return MS_ERR_KERNEL;
    int err = ms_k_map_table(s, type, slot, as->pml4, va);
    if (err && !force) {
        ms_kobj_free(s, slot);
        return MS_ERR_KERNEL;
    }
    if (err) *kerr = err;
    ms_charge(as->owner, 1, 1);
    *slot_out = slot;
    return MS_OK;
}

static void free_table(struct ms_server *s, struct ms_as *as, ms_slot_t slot)
{
    ms_kobj_free(s, slot);
    ms_uncharge(as->owner, 1, 1);
}

/* Frees the structures on va's path that map nothing (after a refused mapping). */
static void prune(struct ms_server *s, struct ms_as *as, uint64_t va)
{
    struct ms_pdpt_node *pdpt = as->tables.pdpt[L4(va)];
    struct ms_pd_node *pd = pdpt ? pdpt->pd[L3(va)] : 0;
    if (pd && pd->pt[L2(va)].slot && !pd->pt[L2(va)].count) {
        free_table(s, as, pd->pt[L2(va)].slot);
        pd->pt[L2(va)].slot = 0;
        pd->count--;
    }
    if (pd && !pd->count) {
        free_table(s, as, pd->slot);
        ms_heap_free(s, pd, MS_NODE_SIZE);
        pdpt->pd[L3(va)] = 0;
        pdpt->count--;
    }
    if (pdpt && !pdpt->count) {
        free_table(s, as, pdpt->slot);
        ms_heap_free(s, pdpt, MS_NODE_SIZE);
        as->tables.pdpt[L4(va)] = 0;
        as->tables.count--;
    }
}

int ms_tables_mark(struct ms_server *s, struct ms_as *as, void *node)
{
    struct ms_pdpt_node *n = node;
    MS_CHECK(n != 0 && !as->tables.pdpt[L4(MS_MARK_VA)]);
    ms_slot_t slot = ms_kobj_new(s, MS_KOBJ_PDPT);
    if (!slot) {
        ms_heap_free(s, n, MS_NODE_SIZE);
        return MS_ERR_KERNEL;
    }
    int err = ms_k_map_table(s, MS_KOBJ_PDPT, slot, as->pml4, MS_MARK_VA);
    if (err) {
        ms_kobj_free(s, slot);
        ms_heap_free(s, n, MS_NODE_SIZE);
        if (err == MS_KERR_DELETE_FIRST) return MS_ERR_BUSY;
        if (err == MS_KERR_INVALID_CAPABILITY || err == MS_KERR_FAILED_LOOKUP) return MS_ERR_BAD_CAP;
        return MS_ERR_KERNEL;
    }
    n->slot = slot;
    n->count = 1; /* pinned: freed only with the address space */
    as->tables.pdpt[L4(MS_MARK_VA)] = n;
    as->tables.count++;
    ms_charge(as->owner, 1, 1);
    return MS_OK;
}

int ms_map_frame(struct ms_server *s, struct ms_as *as, ms_slot_t frame, uint64_t va,
                 unsigned rights, int large, int cached, struct ms_stash *st, int force)
{
    int kerr = 0, err;
    struct ms_pdpt_node **pdptp = &as->tables.pdpt[L4(va)];
    if (!*pdptp) {
        struct ms_pdpt_node *n = ms_stash_take(st);
        if ((err = new_table(s, as, MS_KOBJ_PDPT, va, &n->slot, force, &kerr))) {
            ms_heap_free(s, n, MS_NODE_SIZE);
            return err;
        }
        *pdptp = n;
        as->tables.count++;
    }
    struct ms_pdpt_node *pdpt = *pdptp;
    struct ms_pd_node **pdp = &pdpt->pd[L3(va)];
    if (!*pdp) {
        struct ms_pd_node *n = ms_stash_take(st);
        if ((err = new_table(s, as, MS_KOBJ_PD, va, &n->slot, force, &kerr))) {
            ms_heap_free(s, n, MS_NODE_SIZE);
            prune(s, as, va);
            return err;
        }
        *pdp = n;
        pdpt->count++;
    }
    struct ms_pd_node *pd = *pdp;
    struct ms_pt_ref *pt = &pd->pt[L2(va)];
    if (!large && !pt->slot) {
        if ((err = new_table(s, as, MS_KOBJ_PT, va, &pt->slot, force, &kerr))) {
            prune(s, as, va);
            return err;
        }
        pd->count++;
    }
    err = ms_k_map_frame(s, frame, as->pml4, va, rights, cached);
    if (err && !force) {
        prune(s, as, va);
        return MS_ERR_KERNEL;
    }
    if (large) pd->count++;
    else pt->count++;
    return err || kerr ? MS_ERR_KERNEL : MS_OK;
}

void ms_unmapped(struct ms_server *s, struct ms_as *as, uint64_t va, int large)
{
    struct ms_pdpt_node *pdpt = as->tables.pdpt[L4(va)];
    MS_CHECK(pdpt != 0);
    struct ms_pd_node *pd = pdpt->pd[L3(va)];
    MS_CHECK(pd != 0);
    if (large) {
        MS_CHECK(pd->count > 0);
        pd->count--;
    } else {
        struct ms_pt_ref *pt = &pd->pt[L2(va)];
        MS_CHECK(pt->slot && pt->count > 0);
        if (--pt->count == 0) {
            free_table(s, as, pt->slot);
            pt->slot = 0;
            pd->count--;
        }
    }
    if (pd->count) return;
    free_table(s, as, pd->slot);
    ms_heap_free(s, pd, MS_NODE_SIZE);
    pdpt->pd[L3(va)] = 0;
    if (--pdpt->count) return;
    free_table(s, as, pdpt->slot);
    ms_heap_free(s, pdpt, MS_NODE_SIZE);
    as->tables.pdpt[L4(va)] = 0;
    as->tables.count--;
}

void ms_tables_destroy(struct ms_server *s, struct ms_as *as)
{
    for (unsigned i = 0; i < 256; i++) {
        struct ms_pdpt_node *pdpt = as->tables.pdpt[i];
        if (!pdpt) continue;
        for (unsigned j = 0; j < 512; j++) {
            struct ms_pd_node *pd = pdpt->pd[j];
            if (!pd) continue;
            for (unsigned k = 0; k < 512; k++)
                if (pd->pt[k].slot) free_table(s, as, pd->pt[k].slot);
            free_table(s, as, pd->slot);
            ms_heap_free(s, pd, MS_NODE_SIZE);
        }
        free_table(s, as, pdpt->slot);
        ms_heap_free(s, pdpt, MS_NODE_SIZE);
        as->tables.pdpt[i] = 0;
    }
    as->tables.count = 0;
}
