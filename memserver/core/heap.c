/* Metadata memory of the core: the server's heap, counted, plus reserved node stashes. */
#include "memserver/core/core.h"

void *ms_heap_alloc(struct ms_server *s, uint64_t size)
{
    void *p = s->heap.alloc(s->heap.ctx, size);
    if (p) s->heap_in_use += size;
    return p;
}

void ms_heap_free(struct ms_server *s, void *p, uint64_t size)
{
    if (!p) return;
    MS_CHECK(s->heap_in_use >= size);
    s->heap_in_use -= size;
    s->heap.free(s->heap.ctx, p, size);
}

int ms_stash_fill(struct ms_server *s, struct ms_stash *st, uint32_t n)
{
    while (st->count < n) {
        void **node = ms_heap_alloc(s, MS_NODE_SIZE);
        if (!node) {
            ms_stash_drain(s, st);
            return MS_ERR_NO_MEMORY;
        }
        *node = st->head;
        st->head = node;
        st->count++;
    }
    return MS_OK;
}

void *ms_stash_take(struct ms_stash *st)
{
    void **node = st->head;
    MS_CHECK(node != 0);
    st->head = *node;
    st->count--;
    *node = 0;
    return node;
}

void ms_stash_drain(struct ms_server *s, struct ms_stash *st)
{
    while (st->count) ms_heap_free(s, ms_stash_take(st), MS_NODE_SIZE);
}
