/* The fake seL4 kernel (see fake_kernel.h). */
#include "fake_kernel.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sel4/errors.h>

enum fk_type { FK_UNTYPED = 1, FK_FRAME, FK_LARGE, FK_PT, FK_PD, FK_PDPT, FK_PML4, FK_ENDPOINT };

struct fk_pte {
    struct fk_obj *obj;
    unsigned rights;
};

struct fk_obj {
    enum fk_type type;
    unsigned size_bits;
    int device;
    uint32_t ncaps;
    /* untyped */
    uint64_t free_index;
    uint32_t children;
    /* frames: their contents (4 KiB or 2 MiB) */
    uint8_t *mem;
    /* paging structures */
    struct fk_pte *e;
    int has_asid;
    int dead;
};

/* seL4 x86-64 (plat_mode/machine/hardware.h): the last user address. */
#define USER_TOP 0x00007FFFFFFFFFFFull

static int fail(struct fake_kernel *fk, int err, const char *what)
{
    fk->violations++;
    fk->last_error = err;
    if (fk->verbose || getenv("FK_VERBOSE")) fprintf(stderr, "fake kernel: %s (error %d)\n", what, err);
    return err;
}

static struct fk_cap *slot_cap(struct fake_kernel *fk, ms_slot_t s)
{
    if (s >= fk->ncaps) return 0;
    return &fk->cap[s];
}

static struct fk_obj *new_obj(struct fake_kernel *fk, enum fk_type t, unsigned size_bits)
{
    struct fk_obj *o = calloc(1, sizeof(*o));
    o->type = t;
    o->size_bits = size_bits;
    if (t == FK_FRAME || t == FK_LARGE) o->mem = calloc(1, t == FK_LARGE ? (1u << 21) : 4096u);
    if (t >= FK_PT && t <= FK_PML4) o->e = calloc(512, sizeof(struct fk_pte));
    fk->objects_live++;
    return o;
}

static void free_obj(struct fake_kernel *fk, struct fk_obj *o)
{
    free(o->mem);
    free(o->e);
    free(o);
    fk->objects_live--;
}

void fk_init(struct fake_kernel *fk, uint32_t nslots, uint32_t asids)
{
    memset(fk, 0, sizeof(*fk));
    fk->cap = calloc(nslots, sizeof(struct fk_cap));
    fk->ncaps = nslots;
    fk->asids_left = asids;
}

void fk_fini(struct fake_kernel *fk)
{
    if (fk->endpoint && --fk->endpoint->ncaps == 0) free_obj(fk, fk->endpoint);
    for (uint32_t i = 0; i < fk->ncaps; i++) {
        struct fk_obj *o = fk->cap[i].obj;
        if (o && --o->ncaps == 0) free_obj(fk, o);
    }
    free(fk->cap);
}

void fk_make_untyped(struct fake_kernel *fk, ms_slot_t slot, unsigned size_bits, int device)
{
    struct fk_obj *o = new_obj(fk, FK_UNTYPED, size_bits);
    o->device = device;
    o->ncaps = 1;
    fk->cap[slot].obj = o;
}

int fk_untyped_has_children(const struct fake_kernel *fk, ms_slot_t slot)
{
    return fk->cap[slot].obj->children != 0;
}

uint64_t fk_untyped_free_index(const struct fake_kernel *fk, ms_slot_t slot)
{
    return fk->cap[slot].obj->free_index;
}

uint32_t fk_caps_in_use(const struct fake_kernel *fk, ms_slot_t first, uint32_t n)
{
    uint32_t k = 0;
    for (uint32_t i = first; i < first + n && i < fk->ncaps; i++) k += fk->cap[i].obj != 0;
    return k;
}

/* ---- paging-structure walk ---- */
static unsigned idx(uint64_t va, unsigned level) /* level 3 = PML4 index ... 0 = PT index */
{
    return (unsigned)((va >> (12 + 9 * level)) & 511);
}

static struct fk_pte *walk(struct fk_obj *pml4, uint64_t va, enum fk_type want_parent)
{
    /* Returns the entry in the structure of type want_parent covering va, or NULL if a
     * structure on the way is missing. */
    struct fk_obj *t = pml4;
    for (enum fk_type ty = FK_PML4; ty > want_parent; ty--) {
        unsigned level = (unsigned)(ty - FK_PT);
        struct fk_obj *next = t->e[idx(va, level)].obj;
        if (!next || next->type != ty - 1) return 0;
        t = next;
    }
    return &t->e[idx(va, (unsigned)(want_parent - FK_PT))];
}

/* ---- kernel operations ---- */
static int k_retype(void *ctx, ms_slot_t ut, enum ms_kobj type, unsigned size_bits, ms_slot_t dest)
{
    struct fake_kernel *fk = ctx;
    fk->calls++;
    fk->retypes++;
    struct fk_cap *u = slot_cap(fk, ut), *d = slot_cap(fk, dest);
    if (!u || !u->obj || u->obj->type != FK_UNTYPED) return fail(fk, seL4_InvalidCapability, "retype: not untyped");
    if (!d) return fail(fk, seL4_RangeError, "retype: bad dest");
    if (d->obj) return fail(fk, seL4_DeleteFirst, "retype: dest occupied");
    static const struct { enum fk_type t; unsigned bits; } map[] = {
        [MS_KOBJ_FRAME_4K] = { FK_FRAME, 12 }, [MS_KOBJ_FRAME_2M] = { FK_LARGE, 21 },
        [MS_KOBJ_PT] = { FK_PT, 12 },          [MS_KOBJ_PD] = { FK_PD, 12 },
        [MS_KOBJ_PDPT] = { FK_PDPT, 12 },      [MS_KOBJ_PML4] = { FK_PML4, 12 },
        [MS_KOBJ_UNTYPED] = { FK_UNTYPED, 0 },
    };
    enum fk_type t = map[type].t;
    unsigned bits = type == MS_KOBJ_UNTYPED ? size_bits : map[type].bits;
    struct fk_obj *uo = u->obj;
    if (uo->device && t != FK_FRAME && t != FK_LARGE && t != FK_UNTYPED)
        return fail(fk, seL4_InvalidArgument, "retype: device untyped");
    if (uo->children == 0) uo->free_index = 0; /* reset when it has no children */
    uint64_t size = 1ull << bits;
    uint64_t at = (uo->free_index + size - 1) & ~(size - 1);
    if (at + size > (1ull << uo->size_bits)) return fail(fk, seL4_NotEnoughMemory, "retype: untyped full");
    uo->free_index = at + size;
    uo->children++;
    struct fk_obj *o = new_obj(fk, t, bits);
    o->device = uo->device;
    o->ncaps = 1;
    d->obj = o;
    d->ut_root = uo;
    d->map_pml4 = 0;
    d->table_mapped = 0;
    d->original = 1;
    return 0;
}

static int k_retype_many(void *ctx, ms_slot_t ut, enum ms_kobj type, unsigned size_bits, ms_slot_t dest,
                         uint32_t count)
{
    struct fake_kernel *fk = ctx;
    if (count == 0 || count > 256) return fail(fk, seL4_RangeError, "retype_many: count (fan-out limit 256)");
    for (uint32_t i = 0; i < count; i++) {
        struct fk_cap *d = slot_cap(fk, dest + i);
        if (!d) return fail(fk, seL4_RangeError, "retype_many: bad dest");
        if (d->obj) return fail(fk, seL4_DeleteFirst, "retype_many: dest occupied");
    }
    struct fk_cap *u = slot_cap(fk, ut);
    if (!u || !u->obj || u->obj->type != FK_UNTYPED) return fail(fk, seL4_InvalidCapability, "retype: not untyped");
    if (type == MS_KOBJ_UNTYPED && (size_bits < 12 || size_bits > 40))
        return fail(fk, seL4_RangeError, "retype_many: untyped size");
    uint64_t size = type == MS_KOBJ_UNTYPED ? 1ull << size_bits : type == MS_KOBJ_FRAME_2M ? 1ull << 21 : 4096ull;
    uint64_t at = u->obj->children ? u->obj->free_index : 0;
    at = (at + size - 1) & ~(size - 1);
    if (at + size * count > (1ull << u->obj->size_bits)) return fail(fk, seL4_NotEnoughMemory, "retype_many: untyped full");
    uint64_t calls = fk->calls + 1;
    for (uint32_t i = 0; i < count; i++) {
        int err = k_retype(ctx, ut, type, size_bits, dest + i);
        if (err) return err;
    }
    fk->calls = calls; /* one invocation */
    fk->retypes -= count - 1;
    return 0;
}

static int k_assign_asid(void *ctx, ms_slot_t pml4)
{
    struct fake_kernel *fk = ctx;
    fk->calls++;
    struct fk_cap *c = slot_cap(fk, pml4);
    if (!c || !c->obj || c->obj->type != FK_PML4) return fail(fk, seL4_InvalidCapability, "asid: not a PML4");
    if (c->obj->has_asid) return fail(fk, seL4_InvalidCapability, "asid: already assigned");
    if (!fk->asids_left) return fail(fk, seL4_DeleteFirst, "asid: pool full");
    fk->asids_left--;
    c->obj->has_asid = 1;
    return 0;
}

static struct fk_obj *vspace(struct fake_kernel *fk, ms_slot_t pml4)
{
    struct fk_cap *c = slot_cap(fk, pml4);
    if (!c || !c->obj || c->obj->type != FK_PML4 || !c->obj->has_asid) return 0;
    return c->obj;
}

static int k_map_table(void *ctx, enum ms_kobj type, ms_slot_t table, ms_slot_t pml4, uint64_t va)
{
    struct fake_kernel *fk = ctx;
    fk->calls++;
    fk->table_maps++;
    struct fk_cap *c = slot_cap(fk, table);
    enum fk_type want = type == MS_KOBJ_PT ? FK_PT : type == MS_KOBJ_PD ? FK_PD : FK_PDPT;
    if (!c || !c->obj || c->obj->type != want) return fail(fk, seL4_InvalidCapability, "map_table: wrong cap");
    if (c->table_mapped) return fail(fk, seL4_InvalidCapability, "map_table: already mapped");
    struct fk_obj *vs = vspace(fk, pml4);
    if (!vs) return fail(fk, seL4_InvalidCapability, "map_table: bad vspace");
    if (va > USER_TOP) return fail(fk, seL4_InvalidArgument, "map_table: address too high");
    struct fk_pte *e = walk(vs, va, (enum fk_type)(want + 1));
    if (!e) return fail(fk, seL4_FailedLookup, "map_table: parent structure missing");
    if (e->obj) return fail(fk, seL4_DeleteFirst, "map_table: entry occupied");
    e->obj = c->obj;
    c->table_mapped = 1;
    c->map_pml4 = vs;
    c->map_va = va;
    return 0;
}

static int k_map_frame(void *ctx, ms_slot_t frame, ms_slot_t pml4, uint64_t va, unsigned rights, int cached)
{
    struct fake_kernel *fk = ctx;
    (void)cached;
    fk->calls++;
    fk->maps++;
    struct fk_cap *c = slot_cap(fk, frame);
    if (!c || !c->obj || (c->obj->type != FK_FRAME && c->obj->type != FK_LARGE))
        return fail(fk, seL4_InvalidCapability, "map_frame: not a frame");
    struct fk_obj *vs = vspace(fk, pml4);
    if (!vs) return fail(fk, seL4_InvalidCapability, "map_frame: bad vspace");
    int large = c->obj->type == FK_LARGE;
    if (va & ((large ? (1ull << 21) : 4096ull) - 1)) return fail(fk, seL4_AlignmentError, "map_frame: unaligned");
    /* decodeX86FrameInvocation: vaddr > USER_TOP || vaddr + frame size > USER_TOP */
    if (va > USER_TOP || va + (large ? (1ull << 21) : 4096ull) > USER_TOP)
        return fail(fk, seL4_InvalidArgument, "map_frame: address too high");
    if (rights & MS_RIGHT_W && rights & MS_RIGHT_X) return fail(fk, seL4_InvalidArgument, "map_frame: W+X");
    struct fk_pte *e = walk(vs, va, large ? FK_PD : FK_PT);
    if (!e) return fail(fk, seL4_FailedLookup, "map_frame: paging structure missing");
    if (c->map_pml4) {
        if (c->map_pml4 != vs || c->map_va != va) return fail(fk, seL4_InvalidArgument, "map_frame: mapped elsewhere");
        e->rights = rights; /* remap: new rights */
        return 0;
    }
    if (e->obj) return fail(fk, seL4_DeleteFirst, "map_frame: entry occupied");
    e->obj = c->obj;
    e->rights = rights;
    c->map_pml4 = vs;
    c->map_va = va;
    return 0;
}

static void unmap_cap(struct fk_cap *c)
{
    if (!c->map_pml4) return;
    if (!c->map_pml4->dead) {
        enum fk_type parent = c->obj->type == FK_FRAME ? FK_PT : c->obj->type == FK_LARGE ? FK_PD
                                                                                         : (enum fk_type)(c->obj->type + 1);
        struct fk_pte *e = walk(c->map_pml4, c->map_va, parent);
        if (e && e->obj == c->obj) e->obj = 0;
    }
    c->map_pml4 = 0;
    c->table_mapped = 0;
}

static int k_unmap_frame(void *ctx, ms_slot_t frame)
{
    struct fake_kernel *fk = ctx;
    fk->calls++;
    fk->unmaps++;
    struct fk_cap *c = slot_cap(fk, frame);
    if (!c || !c->obj || (c->obj->type != FK_FRAME && c->obj->type != FK_LARGE))
        return fail(fk, seL4_InvalidCapability, "unmap_frame: not a frame");
    unmap_cap(c);
    return 0;
}

static int k_copy_cap(void *ctx, ms_slot_t dest, ms_slot_t src)
{
    struct fake_kernel *fk = ctx;
    fk->calls++;
    fk->copies++;
    struct fk_cap *s = slot_cap(fk, src), *d = slot_cap(fk, dest);
    if (!s || !s->obj) return fail(fk, seL4_FailedLookup, "copy: empty source");
    if (!d) return fail(fk, seL4_RangeError, "copy: bad dest");
    if (d->obj) return fail(fk, seL4_DeleteFirst, "copy: dest occupied");
    /* Arch_deriveCap: a paging structure cap only once it is mapped (a PML4: has an ASID). */
    if (s->obj->type >= FK_PT && s->obj->type <= FK_PML4 && !(s->obj->type == FK_PML4 ? s->obj->has_asid : s->table_mapped))
        return fail(fk, seL4_IllegalOperation, "copy: unmapped paging structure");
    d->obj = s->obj;
    d->ut_root = s->ut_root;
    d->map_pml4 = 0;
    d->table_mapped = 0;
    d->original = 0;
    d->badge = s->badge;
    d->grant = s->grant;
    s->obj->ncaps++;
    if (d->ut_root) d->ut_root->children++;
    return 0;
}

static void delete_slot(struct fake_kernel *fk, struct fk_cap *c)
{
    struct fk_obj *o = c->obj;
    unmap_cap(c);
    if (c->ut_root) c->ut_root->children--;
    c->obj = 0;
    c->ut_root = 0;
    c->original = 0;
    c->badge = 0;
    c->grant = 0;
    if (--o->ncaps) return;
    if (o->type == FK_PML4) {
        o->dead = 1;
        fk->asids_left++;
    }
    if (o->type >= FK_PT && o->type <= FK_PML4) {
        /* Final cap of a structure: whatever it still maps is cut off. */
        for (unsigned i = 0; i < 512; i++)
            if (o->e[i].obj) fail(fk, 0, "delete: paging structure still maps something");
    }
    free_obj(fk, o);
}

static int k_delete(void *ctx, ms_slot_t slot)
{
    struct fake_kernel *fk = ctx;
    fk->calls++;
    fk->deletes++;
    struct fk_cap *c = slot_cap(fk, slot);
    if (!c) return fail(fk, seL4_RangeError, "delete: bad slot");
    if (!c->obj) return 0;
    delete_slot(fk, c);
    return 0;
}

static int k_revoke(void *ctx, ms_slot_t slot)
{
    struct fake_kernel *fk = ctx;
    fk->calls++;
    struct fk_cap *c = slot_cap(fk, slot);
    if (!c || !c->obj) return fail(fk, seL4_FailedLookup, "revoke: empty");
    fk->revokes++;
    /* Copies of a frame or PML4 cap are not revocable in seL4: only the original (from
     * the retype) has children; revoking a copy deletes nothing. */
    if (!c->original) return 0;
    for (uint32_t i = 0; i < fk->ncaps; i++) {
        struct fk_cap *d = &fk->cap[i];
        /* An endpoint's children are the copies with the original's badge. */
        if (i != slot && d->obj == c->obj && (c->obj->type != FK_ENDPOINT || (d->badge == c->badge && !d->original)))
            delete_slot(fk, d);
    }
    return 0;
}

static int k_copy_page(void *ctx, ms_slot_t dst, ms_slot_t src, uint32_t off)
{
    struct fake_kernel *fk = ctx;
    fk->calls++;
    fk->page_copies++;
    struct fk_cap *d = slot_cap(fk, dst), *s = slot_cap(fk, src);
    if (!d || !d->obj || d->obj->type != FK_FRAME) return fail(fk, seL4_InvalidCapability, "copy_page: dst");
    if (!s || !s->obj || (s->obj->type != FK_FRAME && s->obj->type != FK_LARGE))
        return fail(fk, seL4_InvalidCapability, "copy_page: src");
    uint32_t limit = s->obj->type == FK_LARGE ? (1u << 21) : 4096u;
    if (off & 4095 || off >= limit) return fail(fk, seL4_InvalidArgument, "copy_page: offset");
    if (fk->fail_copy_page && --fk->fail_copy_page == 0) return seL4_FailedLookup;
    memcpy(d->obj->mem, s->obj->mem + off, 4096);
    return 0;
}

static int k_write_page(void *ctx, ms_slot_t frame, uint32_t off, const uint8_t *src, uint32_t len)
{
    struct fake_kernel *fk = ctx;
    fk->calls += 2; /* map into the server's window, unmap */
    fk->page_writes++;
    struct fk_cap *c = slot_cap(fk, frame);
    if (!c || !c->obj || c->obj->type != FK_FRAME) return fail(fk, seL4_InvalidCapability, "write_page: not a 4 KiB frame");
    if (c->map_pml4) return fail(fk, seL4_InvalidCapability, "write_page: frame cap already mapped");
    if (off > 4096 || len > 4096 - off) return fail(fk, seL4_RangeError, "write_page: beyond the frame");
    if (fk->fail_write_page && --fk->fail_write_page == 0) return seL4_FailedLookup;
    memcpy(c->obj->mem + off, src, len);
    return 0;
}

static int k_zero_page(void *ctx, ms_slot_t frame)
{
    struct fake_kernel *fk = ctx;
    fk->calls += 2; /* map into the server's window, unmap */
    fk->page_zeroes++;
    struct fk_cap *c = slot_cap(fk, frame);
    if (!c || !c->obj || c->obj->type != FK_FRAME) return fail(fk, seL4_InvalidCapability, "zero_page: not a 4 KiB frame");
    if (c->map_pml4) return fail(fk, seL4_InvalidCapability, "zero_page: frame cap already mapped");
    memset(c->obj->mem, 0, 4096);
    return 0;
}

/* The server's endpoint: one object for every fault endpoint minted from it. */
static struct fk_obj *server_endpoint(struct fake_kernel *fk)
{
    if (!fk->endpoint) {
        fk->endpoint = new_obj(fk, FK_ENDPOINT, 4);
        fk->endpoint->ncaps = 1; /* the server's own cap, outside the model's slots */
    }
    return fk->endpoint;
}

static int k_mint_fault_ep(void *ctx, ms_slot_t dest, uint64_t badge)
{
    struct fake_kernel *fk = ctx;
    fk->calls++;
    struct fk_cap *d = slot_cap(fk, dest);
    if (!d) return fail(fk, seL4_RangeError, "mint: bad dest");
    if (d->obj) return fail(fk, seL4_DeleteFirst, "mint: dest occupied");
    if (!badge) return fail(fk, seL4_InvalidArgument, "mint: a fault endpoint needs a badge");
    d->obj = server_endpoint(fk);
    d->obj->ncaps++;
    d->badge = badge;
    d->original = 1; /* a new badge: revocable, its copies are its children */
    d->grant = 1;    /* all rights */
    return 0;
}

static int k_copy_fault_ep(void *ctx, ms_slot_t dest, ms_slot_t src)
{
    struct fake_kernel *fk = ctx;
    struct fk_cap *s = slot_cap(fk, src);
    if (!s || !s->obj || s->obj->type != FK_ENDPOINT) return fail(fk, seL4_InvalidCapability, "copy_fault_ep: not an endpoint");
    int err = k_copy_cap(ctx, dest, src);
    if (!err) fk->cap[dest].grant = 0; /* send + grant reply only */
    return err;
}

static int k_cancel_badged_sends(void *ctx, ms_slot_t slot)
{
    struct fake_kernel *fk = ctx;
    fk->calls++;
    struct fk_cap *c = slot_cap(fk, slot);
    /* hasCancelSendRights: all rights (only the server's original has them). */
    if (!c || !c->obj || c->obj->type != FK_ENDPOINT || !c->grant || !c->badge)
        return fail(fk, seL4_IllegalOperation, "cancel badged sends: needs a badged endpoint cap with all rights");
    fk->cancelled_badges++;
    return 0;
}

static int k_signal(void *ctx, ms_slot_t slot)
{
    struct fake_kernel *fk = ctx;
    (void)slot;
    fk->calls++;
    fk->signals++;
    return 0;
}

struct ms_kernel_ops fk_ops(struct fake_kernel *fk)
{
    struct ms_kernel_ops k = {
        .ctx = fk, .retype = k_retype, .retype_many = k_retype_many, .assign_asid = k_assign_asid, .map_table = k_map_table,
        .map_frame = k_map_frame, .unmap_frame = k_unmap_frame, .copy_cap = k_copy_cap,
        .delete_cap = k_delete, .revoke_cap = k_revoke, .copy_page = k_copy_page, .write_page = k_write_page, .zero_page = k_zero_page, .signal = k_signal,
        .mint_fault_ep = k_mint_fault_ep, .copy_fault_ep = k_copy_fault_ep, .cancel_badged_sends = k_cancel_badged_sends,
    };
    return k;
}

uint64_t fk_access(struct fake_kernel *fk, ms_slot_t pml4, uint64_t va, int write, int fetch,
                   uint64_t *value)
{
    uint64_t code = 0x100 | 4u | (write ? 2u : 0u) | (fetch ? 16u : 0u);
    struct fk_obj *vs = vspace(fk, pml4);
    if (!vs || va > USER_TOP) return code;
    struct fk_pte *pd_e = walk(vs, va, FK_PD);
    if (!pd_e || !pd_e->obj) return code;
    struct fk_pte *e = pd_e;
    uint8_t *word;
    if (pd_e->obj->type == FK_LARGE) {
        word = pd_e->obj->mem + (va & ((1u << 21) - 8));
    } else {
        e = &pd_e->obj->e[idx(va, 0)];
        if (!e->obj) return code;
        word = e->obj->mem + (va & 4088u);
    }
    code |= 1; /* present: a protection fault from here on */
    if (write && !(e->rights & MS_RIGHT_W)) return code;
    if (fetch && !(e->rights & MS_RIGHT_X)) return code;
    if (write) memcpy(word, value, 8);
    else memcpy(value, word, 8);
    return 0;
}

const struct fk_cap *fk_cap_at(const struct fake_kernel *fk, ms_slot_t slot)
{
    return slot < fk->ncaps ? &fk->cap[slot] : 0;
}

int fk_same_object(const struct fake_kernel *fk, ms_slot_t a, ms_slot_t b)
{
    return a < fk->ncaps && b < fk->ncaps && fk->cap[a].obj && fk->cap[a].obj == fk->cap[b].obj;
}
