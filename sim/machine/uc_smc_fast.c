/*
 * A faster store path for libunicorn 2.0.1 (Debian 2.0.1.post1), by symbol
 * interposition.
 *
 * Unicorn 2.0.1 stubs out QEMU's dirty-memory bitmap ("is clean" is always true), so
 * every guest store to RAM takes the slow "notdirty" path: it checks the page for
 * translated code (self-modifying code) through page_collection_lock(), which in
 * QEMU locks the pages involved and in unicorn only records them: a g_malloc, a
 * GTree with one node per page, and their frees on page_collection_unlock(), for
 * every store.  Unicorn compiles all the page locking out (#if 0), so the collection
 * is never read except to be freed.  That was ~45% of the host time of
 * compute-bound guest code.
 *
 * libunicorn calls both functions through its PLT, so the definitions below (in
 * the executable) replace them: the collection becomes one static token and
 * nothing is allocated.  The code-invalidation work itself (tb_invalidate_phys_*)
 * is unchanged.  Only for the exact library version this was checked against; any
 * other version gets its own functions (dlsym RTLD_NEXT).
 */
#include <dlfcn.h>
#include <stdint.h>

#include "space.h"

struct page_collection;
struct uc_struct;

/* Same names and signatures as in libunicorn 2.0.1 (accel/tcg/translate-all.h). */
struct page_collection *page_collection_lock_x86_64(struct uc_struct *uc, uint64_t start,
                                                    uint64_t end);
void page_collection_unlock_x86_64(struct page_collection *set);

typedef struct page_collection *(*lock_fn)(struct uc_struct *, uint64_t, uint64_t);
typedef void (*unlock_fn)(struct page_collection *);

static int g_fast = -1;          /* -1 not decided yet, 1 token, 0 the library's own */
static lock_fn g_real_lock;
static unlock_fn g_real_unlock;
static char g_token;             /* the collection handed out in fast mode */

bool uc_internals_known(void)
{
    static int known = -1;
    if (known < 0) {
        unsigned major = 0, minor = 0;
        unsigned v = uc_version(&major, &minor);
        /* (major << 24) | (minor << 16) | (patch << 8) | extra */
        known = (v >> 8) == 0x020001u;
    }
    return known != 0;
}

static void decide(void)
{
    g_fast = uc_internals_known() ? 1 : 0;
    if (!g_fast) {
        g_real_lock = (lock_fn)dlsym(RTLD_NEXT, "page_collection_lock_x86_64");
        g_real_unlock = (unlock_fn)dlsym(RTLD_NEXT, "page_collection_unlock_x86_64");
    }
}

struct page_collection *page_collection_lock_x86_64(struct uc_struct *uc, uint64_t start,
                                                    uint64_t end)
{
    if (g_fast < 0) {
        decide();
    }
    if (g_fast || g_real_lock == NULL) {
        return (struct page_collection *)(void *)&g_token;
    }
    return g_real_lock(uc, start, end);
}

void page_collection_unlock_x86_64(struct page_collection *set)
{
    if ((void *)set != (void *)&g_token && g_real_unlock != NULL) {
        g_real_unlock(set);
    }
}
