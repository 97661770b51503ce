/*
 * Device memory: the server cut each device untyped into 4 KiB frames at start-up.
 * A physical object claims a range of them for one client; another client's object
 * over any of those pages is refused (MS_ERR_BUSY) until every object of the first
 * client over them is gone.
 */
#include "memserver/core/core.h"

static struct ms_device_ut *device_of(struct ms_server *s, uint64_t paddr, uint64_t size)
{
    for (uint32_t i = 0; i < s->ndev; i++) {
        struct ms_device_ut *d = &s->dev[i];
        uint64_t dsize = 1ull << d->size_bits;
        if (paddr >= d->paddr && paddr - d->paddr < dsize && size <= dsize - (paddr - d->paddr)) return d;
    }
    return 0;
}

int ms_dev_check(struct ms_server *s, const struct ms_client *c, uint64_t paddr, uint64_t size, ms_slot_t *first)
{
    const struct ms_device_ut *d = device_of(s, paddr, size);
    if (!d) return MS_ERR_RANGE;
    uint32_t at = (uint32_t)((paddr - d->paddr) >> MS_PAGE_BITS), n = (uint32_t)(size >> MS_PAGE_BITS);
    uint8_t me = (uint8_t)(c - s->clients + 1);
    for (uint32_t i = at; i < at + n; i++)
        if (d->users[i] && d->owner[i] != me) return MS_ERR_BUSY;
    *first = d->slot + at;
    return MS_OK;
}

void ms_dev_claim(struct ms_server *s, const struct ms_client *c, uint64_t paddr, uint64_t size)
{
    struct ms_device_ut *d = device_of(s, paddr, size);
    MS_CHECK(d != 0);
    uint32_t at = (uint32_t)((paddr - d->paddr) >> MS_PAGE_BITS), n = (uint32_t)(size >> MS_PAGE_BITS);
    for (uint32_t i = at; i < at + n; i++) {
        MS_CHECK(d->users[i] < 0xFFFFFFFFu);
        d->users[i]++;
        d->owner[i] = (uint8_t)(c - s->clients + 1);
    }
}

void ms_dev_release(struct ms_server *s, uint64_t paddr, uint64_t size)
{
    struct ms_device_ut *d = device_of(s, paddr, size);
    MS_CHECK(d != 0);
    uint32_t at = (uint32_t)((paddr - d->paddr) >> MS_PAGE_BITS), n = (uint32_t)(size >> MS_PAGE_BITS);
    for (uint32_t i = at; i < at + n; i++) {
        MS_CHECK(d->users[i] > 0);
        if (--d->users[i] == 0) d->owner[i] = 0;
    }
}
