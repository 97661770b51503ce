/*
 * libFuzzer harness for the bookkeeping core: the input is a sequence of requests,
 * memory accesses and injected metadata-allocation failures on small address spaces.
 * Traps if the fake kernel sees a rule broken, if a refused request changed anything,
 * or if destroying everything does not give back all memory and slots.
 */
#define H_SLOTS (1u << 13) /* small: each input builds a new fake kernel */
#include "harness.h"

#define BASE 0x0000200000000000ull
#define NPAGES 1024u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct harness h;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    h_failures = 0;
    h_init(&h, 23, 16);
    struct ms_client *c = ms_client_get(&h.s, 1, 1);
    ms_client_set_quota(&h.s, 1, 1500, 4000);
    uint32_t as[3] = { 0, 0, 0 }, obj = 0;
    struct ms_req_obj_create oc = { MS_OBJ_ANON, 0, 32 * 4096, 0 };
    if (ms_as_create(&h.s, c, 0, &as[0]) || ms_obj_create(&h.s, c, &oc, &obj)) __builtin_trap();
    for (size_t at = 0; at + 8 <= size; at += 8) {
        const uint8_t *b = data + at;
        uint32_t ai = b[0] % 3, op = b[1] % 10, page = (uint32_t)(b[2] | b[3] << 8) % NPAGES;
        uint32_t len = 1 + (uint32_t)(b[4] | (b[5] & 3) << 8) % 600, rights = (uint32_t[]){ MS_R, MS_RW, MS_RX, 7 }[b[6] & 3];
        uint32_t flags = (b[6] >> 2) & 15;
        if (!as[ai] && ms_as_create(&h.s, c, 0, &as[ai])) continue;
        struct h_snap before = h_snap(&h, c);
        h.heap_fail_in = (b[7] & 0xF0) == 0xF0 ? 1 + (b[7] & 7) : 0;
        uint64_t va = BASE + (uint64_t)page * 4096, out, v = b[7];
        int err = 0;
        switch (op) {
        case 0: {
            struct ms_req_map m = { as[ai], 0, rights, flags | MS_MAP_FIXED, va, (uint64_t)len * 4096, 0 };
            err = ms_map(&h.s, c, &m, &out);
            break;
        }
        case 1: {
            struct ms_req_map m = { as[ai], obj, rights, flags | MS_MAP_FIXED, va, (uint64_t)(len % 32 + 1) * 4096, 0 };
            err = ms_map(&h.s, c, &m, &out);
            break;
        }
        case 2: err = ms_unmap(&h.s, c, as[ai], va, (uint64_t)len * 4096); break;
        case 3: err = ms_protect(&h.s, c, as[ai], va, (uint64_t)len * 4096, rights); break;
        case 4: {
            struct ms_req_clone cl = { as[ai], as[(ai + 1) % 3] ? as[(ai + 1) % 3] : as[ai], MS_CLONE_FIXED, va,
                                       (uint64_t)len * 4096, BASE + (uint64_t)((page * 7) % NPAGES) * 4096 };
            err = ms_clone(&h.s, c, &cl, &out);
            break;
        }
        case 5: {
            uint32_t slot = (ai + 1) % 3;
            if (!as[slot]) err = ms_as_fork(&h.s, c, as[ai], 0, &as[slot]);
            break;
        }
        case 6:
            h.heap_fail_in = 0;
            (void)h_access(&h, as[ai], va, b[7] & 1, &v);
            break;
        case 7:
            if (b[7] & 1) {
                h.heap_fail_in = 0;
                err = ms_as_destroy(&h.s, c, as[ai]);
                as[ai] = 0;
            }
            break;
        case 8: ms_client_set_quota(&h.s, 1, (uint64_t)len * 4, 4000); break;
        default: {
            struct ms_query_result q;
            err = ms_query(&h.s, c, as[ai], va, &q);
            break;
        }
        }
        h.heap_fail_in = 0;
        if (err && !h_snap_eq(before, h_snap(&h, c))) __builtin_trap();
        if (h.fk.violations) __builtin_trap();
    }
    ms_client_destroy(&h.s, 1);
    h_check_all_free(&h);
    ms_fini(&h.s);
    fk_fini(&h.fk);
    if (h_failures) __builtin_trap();
    return 0;
}
