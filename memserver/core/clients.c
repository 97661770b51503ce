/* Clients (named by badge), their quotas, and memory-object handles. */
#include "memserver/core/memserver.h"
#include "memserver/core/core.h"

struct ms_client *ms_client_get(struct ms_server *s, uint64_t badge, int create)
{
    struct ms_client *free_c = 0;
    for (uint32_t i = 0; i < MS_MAX_CLIENTS; i++) {
        struct ms_client *c = &s->clients[i];
        if (c->used && c->badge == badge) return c;
        if (!c->used && !free_c) free_c = c;
    }
    if (!create || !free_c) return 0;
    struct ms_client z = { 0 };
    *free_c = z;
    free_c->used = 1;
    free_c->badge = badge;
    free_c->quota.pages_limit = s->default_pages;
    free_c->quota.slots_limit = s->default_slots;
    return free_c;
}

/* QUOTA_SET names a client by badge; a new badge gets a client (or MS_ERR_BUSY). */
static int decode_quota_set(struct ms_server *s, uint64_t badge, struct ms_client **c)
{
    *c = ms_client_get(s, badge, 1);
    return *c ? MS_OK : MS_ERR_BUSY;
}

/* A limit may be set below current use: later charges are refused, nothing is taken
 * back (ms_quota_fits never wraps). */
static void invoke_quota_set(struct ms_client *c, uint64_t pages, uint64_t slots)
{
    c->quota.pages_limit = pages;
    c->quota.slots_limit = slots;
}

int ms_client_set_quota(struct ms_server *s, uint64_t badge, uint64_t pages, uint64_t slots)
{
    struct ms_client *c;
    int err = decode_quota_set(s, badge, &c);
    if (!err) invoke_quota_set(c, pages, slots);
    return err;
}

/* QUOTA_GET: nothing to decode (the client exists: dispatch made it); cannot fail. */
int ms_quota_get(struct ms_server *s, struct ms_client *c, struct ms_quota_info *out)
{
    (void)s;
    out->pages_used = c->quota.pages_used;
    out->pages_limit = c->quota.pages_limit;
    out->slots_used = c->quota.slots_used;
    out->slots_limit = c->quota.slots_limit;
    return MS_OK;
}

int ms_obj_lookup(struct ms_server *s, const struct ms_client *c, uint32_t handle,
                  struct ms_object **out)
{
    uint32_t idx;
    if (ms_handle_index(handle, s->obj_gen, MS_MAX_OBJECTS, &idx) || !s->obj[idx]) return MS_ERR_BAD_HANDLE;
    if (c && s->obj[idx]->owner != c) return MS_ERR_NOT_OWNER;
    *out = s->obj[idx];
    return MS_OK;
}

/* What OBJ_CREATE will install: checked and allocated, not yet visible. */
struct obj_create_plan {
    int32_t idx;      /* free handle slot */
    ms_slot_t first;  /* PHYS: the first device frame */
    uint32_t pages;
    struct ms_object *o;
};

static int decode_obj_create_args(const struct ms_req_obj_create *a)
{
    if (!a->size) return MS_ERR_ZERO_LENGTH;
    if ((a->size | a->paddr) & (MS_PAGE_SIZE - 1)) return MS_ERR_UNALIGNED;
    if (a->kind > MS_OBJ_PHYS) return MS_ERR_BAD_FLAGS;
    if (a->flags & ~(uint32_t)MS_OBJ_FLAGS) return MS_ERR_BAD_FLAGS;
    if (a->kind == MS_OBJ_ANON && (a->paddr || a->flags)) return MS_ERR_BAD_FLAGS;
    if (a->size >= MS_USER_TOP) return MS_ERR_KERNEL_HALF;
    return MS_OK;
}

static int decode_obj_create(struct ms_server *s, struct ms_client *c, const struct ms_req_obj_create *a,
                             struct obj_create_plan *p)
{
    int err = decode_obj_create_args(a);
    if (err) return err;
    p->first = 0;
    if (a->kind == MS_OBJ_PHYS && (err = ms_dev_check(s, c, a->paddr, a->size, &p->first))) return err;
    p->idx = ms_handle_free_index((void *const *)s->obj, s->obj_gen, MS_MAX_OBJECTS);
    if (p->idx < 0) return MS_ERR_BUSY;
    if ((a->size >> MS_PAGE_BITS) > MS_MAX_PAGES) return MS_ERR_NO_MEMORY;
    p->pages = (uint32_t)(a->size >> MS_PAGE_BITS);
    p->o = ms_obj_new(s, c, a->kind == MS_OBJ_PHYS ? MS_OBJK_PHYS : MS_OBJK_ANON, p->pages);
    return p->o ? MS_OK : MS_ERR_NO_MEMORY;
}

static void invoke_obj_create(struct ms_server *s, struct ms_client *c, const struct ms_req_obj_create *a,
                              const struct obj_create_plan *p, uint32_t *handle)
{
    struct ms_object *o = p->o;
    if (a->kind == MS_OBJ_PHYS) {
        ms_dev_claim(s, c, a->paddr, a->size);
        o->paddr = a->paddr;
        o->cached = !(a->flags & MS_OBJ_UNCACHED);
        for (uint32_t i = 0; i < p->pages; i++) o->page[i] = MS_E_MAKE(MS_E_OWN, p->first + i);
    }
    s->obj[p->idx] = o;
    o->handle = ms_handle_make(s->obj_gen, (uint32_t)p->idx);
    o->refs = 1;
    c->live++;
    *handle = o->handle;
}

int ms_obj_create(struct ms_server *s, struct ms_client *c, const struct ms_req_obj_create *a,
                  uint32_t *handle)
{
    struct obj_create_plan p;
    int err = decode_obj_create(s, c, a, &p);
    if (!err) invoke_obj_create(s, c, a, &p, handle);
    return err;
}

/* OBJ_CLOSE: decode is the owner's handle lookup; the invoke drops the handle's
 * reference (mappings keep the object alive) and cannot fail. */
static void invoke_obj_close(struct ms_server *s, struct ms_object *o)
{
    s->obj[(o->handle & 0xFFFFu) - 1u] = 0;
    o->handle = 0;
    o->owner->live--;
    ms_obj_unref(s, o);
}

int ms_obj_close(struct ms_server *s, struct ms_client *c, uint32_t handle)
{
    struct ms_object *o;
    int err = ms_obj_lookup(s, c, handle, &o);
    if (!err) invoke_obj_close(s, o);
    return err;
}

void ms_client_destroy(struct ms_server *s, uint64_t badge)
{
    struct ms_client *c = ms_client_get(s, badge, 0);
    if (!c) return;
    s->frames_dying = 1;
    ms_as_free_all(s, c);
    for (uint32_t i = 0; i < MS_MAX_OBJECTS; i++)
        if (s->obj[i] && s->obj[i]->owner == c) (void)ms_obj_close(s, c, s->obj[i]->handle);
    MS_CHECK(c->live == 0 && c->quota.pages_used == 0 && c->quota.slots_used == 0);
    c->used = 0;
    s->frames_dying = 0;
}
