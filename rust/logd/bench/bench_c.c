/*
 * logd-bench-c: handles args[0] WRITE requests with the C baseline ring (ring_c.c), the
 * same requests as logd-bench-rs (src/main.rs) gives logd's Rust code.
 */
#include <runtime/runtime.h>
#include <runtime/startup.h>
#include <runtime/stdio.h>
#include <string.h>
#include "ring_c.h"

static const char *const texts[8] = {
    "",
    "tick",
    "request 17 done",
    "memserver: 4096 pages free",
    "kv: put key=alpha value=0123456789 ok",
    "rs: restarted timer gen 2 after a VM fault at 0x0",
    "warning: queue 90% full (1843 of 2048 entries), slowing down the producers",
    "error: store PUT of logring07 failed: STORE_ERR_QUOTA; the record stays in RAM only",
};
static const char *const names[4] = { "timer", "memserver", "kv", "shell" };

static struct ring_c ring;

int main(void)
{
    const runtime_startup_t *su = runtime_startup();
    uint64_t n = su != NULL && su->nargs > 0 ? su->args[0] : 0;
    uint64_t requests[8][1 + LOGD_MSG_MRS];
    unsigned lens[8];
    memset(requests, 0, sizeof(requests));
    for (unsigned i = 0; i < 8; i++) {
        size_t len = strlen(texts[i]);
        requests[i][0] = (i % 5) | ((uint64_t)len << 8);
        memcpy(&requests[i][1], texts[i], len); /* little endian */
        lens[i] = 1u + (unsigned)((len + 7) / 8);
    }
    ring_c_init(&ring);
    for (unsigned i = 0; i < 4; i++) {
        if (ring_c_set_name(&ring, i, names[i]) != 0) return 2;
    }
    uint64_t check = 0;
    struct ring_c_reply r;
    for (uint64_t k = 0; k < n; k++) {
        unsigned j = (unsigned)(k % 8);
        ring_c_write(&ring, LOGD_LABEL(LOGD_OP_WRITE), 0, 1 + k % 4, requests[j], lens[j], &r);
        check = check * 31 + (r.label ^ r.mrs[0]);
    }
    printf("logd-bench-c: %lu records, next seq %lu, rejected %lu, check %#lx\n", (unsigned long)n,
           (unsigned long)ring.next_seq, (unsigned long)ring.rejected, (unsigned long)check);
    return 0;
}
