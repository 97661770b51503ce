/*
 * survbench: figures for `make bench` (tests/survive/bench.sh).  Caps: [1] channel to the
 * name service, [2] channel to kv, then the exit port.  Each figure is the TSC over N
 * operations divided by N; in sel4-sim the TSC counts the user instructions of every
 * thread (client, server, RS: the kernel's work takes none), in QEMU with -icount
 * shift=0 every executed instruction.
 *   names.resolve_insns       LOOKUP of kv (the name service asks the RS each time)
 *   kv.put_insns              PUT with a sequence number: kv's entry blob + the client's
 *                             exactly-once record blob in one store PUT2 (bench.manifest:
 *                             kv keeps its table in the state store, as in the default
 *                             system)
 *   kv.put_insns_no_store     PUT with sequence number 0: the entry's blob only (a store
 *                             PUT), no exactly-once record
 */
#include <runtime/runtime.h>
#include <runtime/startup.h>
#include <runtime/stdio.h>
#include "kv/client/kv_client.h"
#include "names/client/names_client.h"

#define N 1000u

static inline uint64_t tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static struct namesc names;
static struct kvc kv;

/* kv PUT with seq 0, straight on the channel (kvc has no such call: it is not safe to
 * repeat, and here nothing crashes). */
static int put_no_seq(const uint8_t *v)
{
    struct kv_request q = { .op = KV_OP_PUT, .klen = 1, .vlen = 8 };
    q.key[0] = 'b';
    for (unsigned k = 0; k < 8; k++) q.value[k] = v[k];
    static uint64_t mr[KV_REQUEST_MAX_MRS];
    uint64_t label = 0;
    unsigned n = kv_encode_request(&q, &label, mr);
    for (unsigned k = 0; k < n; k++) seL4_SetMR((int)k, mr[k]);
    return (int)seL4_MessageInfo_get_label(seL4_Call(kv.conn.cap, seL4_MessageInfo_new(label, 0, 0, n)));
}

int main(void)
{
    const runtime_startup_t *su = runtime_startup();
    seL4_CPtr exit_port = su->caps_end - 1;
    namesc_init(&names, su->caps_start + 1);
    kvc_init(&kv, su->caps_start + 2);
    int bad = 0;
    uint64_t gen = 0, v = 0;
    seL4_CPtr slot = 0;
    bad += namesc_lookup(&names, "kv", &gen, &slot) != NAMES_OK; /* warm */
    uint64_t t0 = tsc();
    for (unsigned k = 0; k < N; k++) bad += namesc_lookup(&names, "kv", &gen, &slot) != NAMES_OK;
    uint64_t t1 = tsc();
    printf("names.resolve_insns %lu\n", (unsigned long)((t1 - t0) / N));

    bad += kvc_put(&kv, "a", (const uint8_t *)&v, 8, NULL) != KV_OK;
    t0 = tsc();
    for (v = 1; v <= N; v++) bad += kvc_put(&kv, "a", (const uint8_t *)&v, 8, NULL) != KV_OK;
    t1 = tsc();
    printf("kv.put_insns %lu\n", (unsigned long)((t1 - t0) / N));

    bad += put_no_seq((const uint8_t *)&v) != KV_OK;
    t0 = tsc();
    for (v = 1; v <= N; v++) bad += put_no_seq((const uint8_t *)&v) != KV_OK;
    t1 = tsc();
    printf("kv.put_insns_no_store %lu\n", (unsigned long)((t1 - t0) / N));
    printf("survbench: done, %d failed\n", bad);
    fflush_console();
    seL4_X86_IOPort_Out8(exit_port, 0xf4, (seL4_Uint8)(bad > 127 ? 127 : bad));
    for (;;) seL4_TCB_Suspend(RUNTIME_CAP_TCB);
}
