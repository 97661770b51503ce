/*
 * The capability derivation tree (manual 3.1.5): slots form one list in pre-order;
 * a slot's descendants are the slots after it for which it "is parent" (same region,
 * revocable parent, and for badged endpoint/notification caps the badge rules).
 */
#include "kstate.h"

/* A new child untyped covering all of its parent makes the parent unusable for retype. */
static void set_untyped_cap_as_full(const cap *src, const cap *newcap, cte *src_slot)
{
    if (src->type == CAP_UNTYPED && newcap->type == CAP_UNTYPED &&
        src->paddr == newcap->paddr && src->size_bits == newcap->size_bits)
        src_slot->cap.free_bytes = BIT(src->size_bits);
}

void cte_insert(kernel *k, cap newcap, cte *src, cte *dest)
{
    (void)k;
    cap srccap = src->cap;
    bool revocable = is_cap_revocable(&newcap, &srccap);

    set_untyped_cap_as_full(&srccap, &newcap, src);
    dest->cap = newcap;
    dest->prev = src;
    dest->next = src->next;
    dest->revocable = revocable;
    dest->first_badged = revocable;
    if (src->next)
        src->next->prev = dest;
    src->next = dest;
}

void cte_move(cap newcap, cte *src, cte *dest)
{
    dest->cap = newcap;
    dest->prev = src->prev;
    dest->next = src->next;
    dest->revocable = src->revocable;
    dest->first_badged = src->first_badged;
    src->cap = cap_null();
    src->prev = src->next = NULL;
    src->revocable = src->first_badged = false;
    if (dest->prev)
        dest->prev->next = dest;
    if (dest->next)
        dest->next->prev = dest;
}

void cte_swap(cap c1, cte *s1, cap c2, cte *s2)
{
    cte *p1 = s1->prev, *n1 = s1->next;
    bool r1 = s1->revocable, f1 = s1->first_badged;
    cte *p2 = s2->prev, *n2 = s2->next;
    bool r2 = s2->revocable, f2 = s2->first_badged;

    s1->cap = c2;
    s2->cap = c1;
    /* neighbours of slot 1 now point at slot 2 */
    if (p1)
        p1->next = s2;
    if (n1)
        n1->prev = s2;
    /* slot 1 takes slot 2's links (re-read: they may have just been rewritten) */
    s1->prev = p2 == s1 ? s2 : p2;
    s1->next = n2 == s1 ? s2 : n2;
    s1->revocable = r2;
    s1->first_badged = f2;
    s2->prev = p1 == s2 ? s1 : p1;
    s2->next = n1 == s2 ? s1 : n1;
    s2->revocable = r1;
    s2->first_badged = f1;
    if (s1->prev && s1->prev != s2)
        s1->prev->next = s1;
    if (s1->next && s1->next != s2)
        s1->next->prev = s1;
    if (s2->prev && s2->prev != s1)
        s2->prev->next = s2;
    if (s2->next && s2->next != s1)
        s2->next->prev = s2;
}

void insert_new_cap(cte *parent, cte *slot, cap c)
{
    cte *next = parent->next;
    slot->cap = c;
    slot->next = next;
    slot->prev = parent;
    slot->revocable = true;
    slot->first_badged = true;
    if (next)
        next->prev = slot;
    parent->next = slot;
}

bool is_mdb_parent_of(const cte *a, const cte *b)
{
    if (!a->revocable)
        return false;
    if (!same_region_as(&a->cap, &b->cap))
        return false;
    switch (a->cap.type) {
    case CAP_ENDPOINT:
    case CAP_NOTIFICATION:
        if (a->cap.badge == 0)
            return true;
        return a->cap.badge == b->cap.badge && !b->first_badged;
    default:
        return true;
    }
}

exc ensure_no_children(kernel *k, cte *slot)
{
    if (slot->next && is_mdb_parent_of(slot, slot->next))
        return syserr(k, seL4_RevokeFirst);
    return EXC_NONE;
}

exc ensure_empty_slot(kernel *k, cte *slot)
{
    if (slot->cap.type != CAP_NULL)
        return syserr(k, seL4_DeleteFirst);
    return EXC_NONE;
}

bool is_final_capability(const cte *c)
{
    if (c->prev && same_object_as(&c->prev->cap, &c->cap))
        return false;
    if (!c->next)
        return true;
    return !same_object_as(&c->cap, &c->next->cap);
}

bool slot_cap_long_running_delete(const cte *c)
{
    if (c->cap.type == CAP_NULL || !is_final_capability(c))
        return false;
    return c->cap.type == CAP_THREAD || c->cap.type == CAP_ZOMBIE || c->cap.type == CAP_CNODE;
}

void setup_reply_master(tcb *t)
{
    cte *s = &t->slot[TCB_REPLY];
    if (s->cap.type == CAP_NULL) {
        cap c = cap_null();
        c.type = CAP_REPLY;
        c.reply_master = true;
        c.rights = RIGHT_GRANT;
        c.obj = &t->hdr;
        c.paddr = t->hdr.paddr;
        s->cap = c;
        s->prev = s->next = NULL;
        s->revocable = true;
        s->first_badged = true;
    }
}
