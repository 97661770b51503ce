/* Name registry: check and apply of every request (see registry.h). */
#include "names/core/registry.h"
#include "names/protocol/errors.h"

void names_init(struct names_registry *r, uint64_t slot_base, uint64_t waiter_slot_base)
{
    struct names_registry z = { 0 };
    *r = z;
    r->slot_base = slot_base;
    r->waiter_slot_base = waiter_slot_base;
}

int names_find(const struct names_registry *r, const struct svc_name *name)
{
    for (uint32_t i = 0; i < NAMES_MAX_ENTRIES; i++) {
        if (r->e[i].state != NAMES_STATE_FREE && name_equal(&r->e[i].name, name)) return (int)i;
    }
    return -1;
}

static int free_entry(const struct names_registry *r)
{
    for (uint32_t i = 0; i < NAMES_MAX_ENTRIES; i++) {
        if (r->e[i].state == NAMES_STATE_FREE) return (int)i;
    }
    return -1;
}

static int check_bind(const struct names_registry *r, const struct names_request *req,
                      struct names_plan *p)
{
    int i = names_find(r, &req->name);
    if (i < 0) {
        if (req->ncaps != 1) return NAMES_ERR_BAD_CAP;
        i = free_entry(r);
        if (i < 0) return NAMES_ERR_FULL;
    } else {
        const struct names_entry *e = &r->e[i];
        if (req->generation <= e->generation) return NAMES_ERR_STALE;
        if (req->ncaps != 1 && !e->has_cap) return NAMES_ERR_BAD_CAP;
        p->delete_old = req->ncaps == 1 && e->has_cap;
    }
    p->index = (uint32_t)i;
    p->move_cap = req->ncaps == 1;
    return NAMES_OK;
}

static int check_lookup(const struct names_registry *r, uint64_t badge,
                        const struct names_request *req, struct names_plan *p)
{
    uint64_t client = badge & NAMES_CLIENT_MASK;
    if (client == 0 || (badge >> 63) != 0) return NAMES_ERR_DENIED;
    int i = names_find(r, &req->name);
    if (req->op == NAMES_OP_WAIT_BOUND && (i < 0 || r->e[i].state != NAMES_STATE_BOUND)) {
        for (uint32_t w = 0; w < NAMES_MAX_WAITERS; w++) {
            if (r->w[w].client != 0) continue;
            p->park = 1;
            p->waiter = w;
            p->waiter_slot = r->waiter_slot_base + w;
            p->mint_badge = client;
            p->index = NAMES_MAX_ENTRIES; /* no entry involved yet */
            return NAMES_OK;
        }
        return NAMES_ERR_FULL;
    }
    if (i < 0) return NAMES_ERR_UNKNOWN_NAME;
    const struct names_entry *e = &r->e[i];
    if (e->state != NAMES_STATE_BOUND) return NAMES_ERR_UNBOUND;
    if (req->op == NAMES_OP_LOOKUP_IF_NEWER && req->generation >= e->generation) {
        return req->generation == e->generation ? NAMES_ERR_NOT_NEWER : NAMES_ERR_STALE;
    }
    p->index = (uint32_t)i;
    p->mint = 1;
    p->mint_badge = client;
    p->mrs = 1;
    p->mr[0] = e->generation;
    return NAMES_OK;
}

int names_check(const struct names_registry *r, uint64_t badge, const struct names_request *req,
                struct names_plan *plan)
{
    struct names_plan p = { 0 };
    *plan = p;
    p.op = req->op;
    p.name = req->name;
    p.generation = req->generation;
    int is_rs = badge == NAMES_RS_BADGE;
    int err = NAMES_OK;
    switch (req->op) {
    case NAMES_OP_HELLO:
        p.mrs = 1;
        p.mr[0] = NAMES_PROTOCOL_VERSION;
        break;
    case NAMES_OP_BIND:
        err = is_rs ? check_bind(r, req, &p) : NAMES_ERR_DENIED;
        break;
    case NAMES_OP_UNBIND: {
        if (!is_rs) return NAMES_ERR_DENIED;
        int i = names_find(r, &req->name);
        if (i < 0) return NAMES_ERR_UNKNOWN_NAME;
        if (r->e[i].state != NAMES_STATE_BOUND) return NAMES_ERR_UNBOUND;
        p.index = (uint32_t)i;
        p.delete_old = r->e[i].has_cap;
        break;
    }
    case NAMES_OP_LOOKUP:
    case NAMES_OP_LOOKUP_IF_NEWER:
    case NAMES_OP_WAIT_BOUND:
        err = check_lookup(r, badge, req, &p);
        if (err == NAMES_OK && p.park) {
            *plan = p;
            return NAMES_OK;
        }
        break;
    case NAMES_OP_CHECK: {
        int i = names_find(r, &req->name);
        if (i < 0) return NAMES_ERR_UNKNOWN_NAME;
        if (r->e[i].state != NAMES_STATE_BOUND) return NAMES_ERR_UNBOUND;
        if (req->generation != r->e[i].generation) return NAMES_ERR_STALE;
        p.mrs = 1;
        p.mr[0] = r->e[i].generation;
        break;
    }
    case NAMES_OP_LIST: {
        /* The index counts entries in use, in table order. */
        uint64_t seen = 0;
        for (uint32_t i = 0; i < NAMES_MAX_ENTRIES; i++) {
            const struct names_entry *e = &r->e[i];
            if (e->state == NAMES_STATE_FREE) continue;
            if (seen++ == req->index) {
                struct names_list_result l = { e->name, e->state, e->generation };
                p.mrs = names_encode_list(&l, p.mr);
                *plan = p;
                return NAMES_OK;
            }
        }
        return NAMES_ERR_NO_ENTRY;
    }
    default:
        return NAMES_ERR_BAD_REQUEST;
    }
    if (err != NAMES_OK) return err;
    p.slot = r->slot_base + p.index;
    *plan = p;
    return NAMES_OK;
}

void names_apply(struct names_registry *r, const struct names_plan *plan)
{
    if (plan->park) {
        if (plan->waiter < NAMES_MAX_WAITERS) {
            r->w[plan->waiter].name = plan->name;
            r->w[plan->waiter].client = plan->mint_badge;
        }
        return;
    }
    if (plan->index >= NAMES_MAX_ENTRIES) return;
    struct names_entry *e = &r->e[plan->index];
    switch (plan->op) {
    case NAMES_OP_BIND:
        e->name = plan->name;
        e->state = NAMES_STATE_BOUND;
        e->generation = plan->generation;
        if (plan->move_cap) e->has_cap = 1;
        break;
    case NAMES_OP_UNBIND:
        e->state = NAMES_STATE_UNBOUND;
        e->has_cap = 0;
        break;
    default: /* reads change nothing */
        break;
    }
}

uint32_t names_release_waiters(struct names_registry *r, const struct names_plan *bind,
                               struct names_release *out, uint32_t max)
{
    if (bind->op != NAMES_OP_BIND || bind->index >= NAMES_MAX_ENTRIES) return 0;
    const struct names_entry *e = &r->e[bind->index];
    if (e->state != NAMES_STATE_BOUND || !e->has_cap) return 0;
    uint32_t n = 0;
    for (uint32_t w = 0; w < NAMES_MAX_WAITERS && n < max; w++) {
        struct names_waiter *x = &r->w[w];
        if (x->client == 0 || !name_equal(&x->name, &e->name)) continue;
        out[n].waiter_slot = r->waiter_slot_base + w;
        out[n].slot = r->slot_base + bind->index;
        out[n].mint_badge = x->client;
        out[n].generation = e->generation;
        n++;
        x->client = 0;
    }
    return n;
}

void names_cap_lost(struct names_registry *r, const struct names_plan *plan)
{
    if (plan->index >= NAMES_MAX_ENTRIES || !plan->delete_old) return;
    struct names_entry *e = &r->e[plan->index];
    e->has_cap = 0;
    if (e->state == NAMES_STATE_BOUND) e->state = NAMES_STATE_UNBOUND;
}
