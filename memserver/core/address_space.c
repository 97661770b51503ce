/*
 * Address spaces: lookup (by handle, by fault badge), create, adopt, destroy, the caps
 * handed out for them (fault endpoint, PML4) and the supervisor's notification.
 * Each request checks and reserves first (no state change on error), then acts.
 */
#include "memserver/core/memserver.h"
#include "memserver/core/core.h"

int ms_as_lookup(struct ms_server *s, const struct ms_client *c, uint32_t handle, struct ms_as **out)
{
    uint32_t idx;
    if (ms_handle_index(handle, s->as_gen, MS_MAX_AS, &idx) || !s->as[idx]) return MS_ERR_BAD_HANDLE;
    if (c && s->as[idx]->owner != c) return MS_ERR_NOT_OWNER;
    *out = s->as[idx];
    return MS_OK;
}

uint64_t ms_as_fault_badge(const struct ms_server *s, const struct ms_as *as)
{
    uint64_t client = (uint64_t)(as->owner - s->clients);
    return MS_FAULT_BADGE | (client << MS_FAULT_CLIENT_SHIFT) | as->handle;
}

int ms_as_from_fault_badge(struct ms_server *s, uint64_t badge, struct ms_as **out)
{
    uint64_t client = (badge & ~MS_FAULT_BADGE) >> MS_FAULT_CLIENT_SHIFT;
    if (!(badge & MS_FAULT_BADGE) || client >= MS_MAX_CLIENTS || !s->clients[client].used)
        return MS_ERR_BAD_HANDLE;
    /* The space must still belong to the client the fault endpoint was minted for. */
    return ms_as_lookup(s, &s->clients[client], (uint32_t)badge, out);
}

/* What a new address space costs: PML4 (unless adopted) + the marking PDPT, their slots
 * and the PDPT's metadata node; a free handle and, for created spaces, an ASID. */
static int as_decode_new(struct ms_server *s, struct ms_client *c, int adopted, uint32_t extra_slots,
                         struct ms_stash *st)
{
    if (ms_handle_free_index((void *const *)s->as, s->as_gen, MS_MAX_AS) < 0) return MS_ERR_BUSY;
    if (!adopted && !s->asids_free) return MS_ERR_NO_ASID;
    struct ms_need n = { adopted ? 1u : 2u, 0, (adopted ? 1u : 2u) + extra_slots, 1, 0 };
    int err = ms_need_check(s, c, &n);
    if (!err) err = ms_stash_fill(s, st, 1);
    return err;
}

/* Installs address space `as` (heap memory, zeroed apart from what the caller set;
 * as->pml4 set for adopted spaces): for created spaces a PML4 with an ASID, for all the
 * marking PDPT, a handle.  Checked by as_decode_new.  On error (only a kernel refusal,
 * or for adopted spaces a PML4 that is not one or is managed already) nothing changed. */
int ms_as_install(struct ms_server *s, struct ms_client *c, struct ms_as *as, ms_slot_t notify,
                  uint32_t *handle, struct ms_stash *st)
{
    int32_t idx = ms_handle_free_index((void *const *)s->as, s->as_gen, MS_MAX_AS);
    MS_CHECK(idx >= 0);
    as->owner = c;
    if (!as->adopted) {
        MS_CHECK(s->asids_free > 0);
        as->pml4 = ms_kobj_new(s, MS_KOBJ_PML4);
        if (!as->pml4) return MS_ERR_KERNEL;
        if (ms_k_assign_asid(s, as->pml4)) {
            ms_kobj_free(s, as->pml4);
            return MS_ERR_KERNEL;
        }
    }
    int err = ms_tables_mark(s, as, ms_stash_take(st));
    if (err) {
        if (!as->adopted) ms_kobj_free(s, as->pml4); /* no copy of it exists yet */
        return err;
    }
    if (!as->adopted) {
        ms_charge(c, 1, 1);
        s->asids_free--;
    } else {
        ms_charge(c, 0, 1);
    }
    if (notify) ms_charge(c, 0, 1);
    as->notify = notify;
    s->as[idx] = as;
    as->handle = ms_handle_make(s->as_gen, (uint32_t)idx);
    c->live++;
    *handle = as->handle;
    return MS_OK;
}

static int as_new(struct ms_server *s, struct ms_client *c, ms_slot_t pml4, ms_slot_t notify,
                  uint32_t *handle)
{
    struct ms_stash st = { 0, 0 };
    int err = as_decode_new(s, c, pml4 != 0, notify ? 1u : 0u, &st);
    struct ms_as *as = err ? 0 : ms_heap_alloc(s, sizeof(*as));
    if (!err && !as) err = MS_ERR_NO_MEMORY;
    if (!err) {
        as->pml4 = pml4;
        as->adopted = pml4 != 0;
        as->floor = pml4 ? MS_ADOPT_FLOOR : 0;
        err = ms_as_install(s, c, as, notify, handle, &st);
        if (err) ms_heap_free(s, as, sizeof(*as));
    }
    ms_stash_drain(s, &st);
    return err;
}

int ms_as_create(struct ms_server *s, struct ms_client *c, ms_slot_t notify, uint32_t *handle)
{
    return as_new(s, c, 0, notify, handle);
}

int ms_as_adopt(struct ms_server *s, struct ms_client *c, ms_slot_t pml4, uint32_t *handle)
{
    MS_CHECK(pml4 != 0);
    return as_new(s, c, pml4, 0, handle);
}

/* AS_SET_NOTIFY: the owner's space; a first notification costs a slot of quota. */
static int decode_set_notify(struct ms_server *s, struct ms_client *c, uint32_t handle, struct ms_as **as)
{
    int err = ms_as_lookup(s, c, handle, as);
    if (err || (*as)->notify) return err;
    struct ms_need n = { 0, 0, 1, 0, 0 };
    return ms_need_check(s, c, &n);
}

/* Replaces the old notification (deleting the server's own cap: never refused). */
static void invoke_set_notify(struct ms_server *s, struct ms_client *c, struct ms_as *as, ms_slot_t ntfn)
{
    if (!as->notify) ms_charge(c, 0, 1);
    else ms_cap_free(s, as->notify);
    as->notify = ntfn;
}

int ms_as_set_notify(struct ms_server *s, struct ms_client *c, uint32_t handle, ms_slot_t ntfn)
{
    struct ms_as *as;
    int err = decode_set_notify(s, c, handle, &as);
    if (!err) invoke_set_notify(s, c, as, ntfn);
    return err;
}

/* AS_FAULT_EP: the owner's space; the first request mints the space's endpoint (a
 * slot of quota).  Minting into a free slot of the server's from its own endpoint is
 * never refused; a refusal is a bug. */
static int decode_fault_ep(struct ms_server *s, struct ms_client *c, uint32_t handle, struct ms_as **as)
{
    int err = ms_as_lookup(s, c, handle, as);
    if (err || (*as)->fault_ep) return err;
    struct ms_need n = { 0, 0, 1, 0, 0 };
    return ms_need_check(s, c, &n);
}

static void invoke_fault_ep(struct ms_server *s, struct ms_client *c, struct ms_as *as, ms_slot_t out)
{
    if (!as->fault_ep) {
        ms_slot_t ep = ms_slot_alloc(s);
        MS_CHECK(ep != 0);
        MS_CHECK(ms_k_mint_fault_ep(s, ep, ms_as_fault_badge(s, as)) == 0);
        as->fault_ep = ep;
        ms_charge(c, 0, 1);
    }
    /* Our reply slot emptied and a live cap to copy: the kernel cannot refuse. */
    MS_CHECK(ms_k_delete(s, out) == 0);
    MS_CHECK(ms_k_copy_fault_ep(s, out, as->fault_ep) == 0);
}

int ms_as_fault_ep(struct ms_server *s, struct ms_client *c, uint32_t handle, ms_slot_t out)
{
    struct ms_as *as;
    int err = decode_fault_ep(s, c, handle, &as);
    if (!err) invoke_fault_ep(s, c, as, out);
    return err;
}

/* AS_VSPACE: decode is the owner's lookup.  The one step that can be refused, copying
 * an adopted PML4 its creator revoked, is the whole act: refused, nothing changed. */
int ms_as_vspace(struct ms_server *s, struct ms_client *c, uint32_t handle, ms_slot_t out)
{
    struct ms_as *as;
    int err = ms_as_lookup(s, c, handle, &as);
    if (err) return err;
    MS_CHECK(ms_k_delete(s, out) == 0);
    if (ms_k_copy_cap(s, out, as->pml4)) return MS_ERR_KERNEL;
    return MS_OK;
}

static void as_free(struct ms_server *s, struct ms_as *as)
{
    uint8_t dying = s->frames_dying;
    s->frames_dying = 1;
    if (as->fault_ep) {
        /* Every copy of the fault endpoint dies with the space, and faults queued on it
         * with its badge are cancelled: no stale endpoint reaches a later space. */
        MS_CHECK(ms_k_revoke(s, as->fault_ep) == 0);
        MS_CHECK(ms_k_cancel_badged_sends(s, as->fault_ep) == 0);
        ms_cap_free(s, as->fault_ep);
        ms_uncharge(as->owner, 0, 1);
    }
    while (as->regions.n) ms_region_destroy(s, as, as->regions.n - 1);
    ms_regions_free(s, &as->regions);
    ms_tables_destroy(s, as);
    /* Copies handed out (VSpace caps in TCBs, AS_VSPACE) die with it. */
    if (as->adopted) {
        ms_cap_free(s, as->pml4); /* only the server's copy; the creator keeps the PML4 */
        ms_uncharge(as->owner, 0, 1);
    } else {
        MS_CHECK(ms_k_revoke(s, as->pml4) == 0);
        ms_kobj_free(s, as->pml4);
        ms_uncharge(as->owner, 1, 1);
        s->asids_free++;
    }
    if (as->notify) {
        ms_cap_free(s, as->notify);
        ms_uncharge(as->owner, 0, 1);
    }
    uint32_t idx = (as->handle & 0xFFFFu) - 1u;
    s->as[idx] = 0;
    as->owner->live--;
    ms_heap_free(s, as, sizeof(*as));
    s->frames_dying = dying;
    ms_spare_drain(s);
}

int ms_as_destroy(struct ms_server *s, struct ms_client *c, uint32_t handle)
{
    struct ms_as *as;
    int err = ms_as_lookup(s, c, handle, &as);
    if (err) return err;
    as_free(s, as);
    return MS_OK;
}

void ms_as_free_all(struct ms_server *s, struct ms_client *c)
{
    for (uint32_t i = 0; i < MS_MAX_AS; i++)
        if (s->as[i] && s->as[i]->owner == c) as_free(s, s->as[i]);
}

void ms_as_broken(struct ms_server *s, struct ms_as *as)
{
    if (!as->broken) s->stats.broken_spaces++;
    as->broken = 1;
}

int ms_as_lookup_live(struct ms_server *s, const struct ms_client *c, uint32_t handle, struct ms_as **out)
{
    int err = ms_as_lookup(s, c, handle, out);
    if (!err && (*out)->broken) err = MS_ERR_KERNEL;
    return err;
}
