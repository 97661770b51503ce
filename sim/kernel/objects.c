/* Registry of live kernel objects: allocation, release and the per-kind counters. */
#include <stdlib.h>
#include <string.h>
#include "kstate.h"

kobj *obj_new(kernel *k, enum obj_kind kind, uint64_t paddr, size_t size)
{
    kobj *o = calloc(1, size);
    if (!o) {
        fprintf(stderr, "sel4-sim: host out of memory allocating a kernel object\n");
        abort();
    }
    o->kind = (uint8_t)kind;
    o->paddr = paddr;
    o->next = k->objects.next;
    o->prev = &k->objects;
    k->objects.next->prev = o;
    k->objects.next = o;
    k->obj_count[kind]++;
    return o;
}

/* Objects die in the middle of a kernel operation (a thread may delete its own TCB),
 * so they are only unlinked here and freed by obj_reap() once the entry is over. */
void obj_free(kernel *k, kobj *o)
{
    if (!o)
        return;
    o->prev->next = o->next;
    o->next->prev = o->prev;
    k->obj_count[o->kind]--;
    o->prev = NULL;
    o->next = k->graveyard;
    k->graveyard = o;
}

void obj_reap(kernel *k)
{
    while (k->graveyard) {
        kobj *o = k->graveyard;
        k->graveyard = o->next;
        free(o);
    }
}

const char *obj_kind_name(unsigned kind)
{
    static const char *const names[OBJ_NUM_KINDS] = {
        "tcb", "endpoint", "notification", "cnode", "pml4", "pdpt", "page_directory",
        "page_table", "asid_pool",
    };
    return kind < OBJ_NUM_KINDS ? names[kind] : "?";
}
