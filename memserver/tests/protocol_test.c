/* Round trips and rejections of the protocol encoder/decoder. */
#include <stdio.h>
#include <string.h>
#include "memserver/protocol/errors.h"
#include "memserver/protocol/messages.h"

static int failures;
#define EXPECT(e, want) do { int _g = (e); if (_g != (want)) { printf("%s:%d: %s = %s, want %s\n", __FILE__, __LINE__, #e, ms_err_name(_g), ms_err_name(want)); failures++; } } while (0)

static int roundtrip(const struct ms_request *r, unsigned ncaps, struct ms_request *out)
{
    uint64_t label, mr[MS_MAX_MRS];
    unsigned n = ms_encode_request(r, &label, mr);
    return ms_decode_request(label, mr, n, ncaps, out);
}

int main(void)
{
    struct ms_request r = { 0 }, d;
    r.op = MS_OP_MAP;
    r.map = (struct ms_req_map){ 0x10001, 0, MS_RW, MS_MAP_FIXED, 0x400000, 0x2000, 0 };
    EXPECT(roundtrip(&r, 0, &d), MS_OK);
    if (memcmp(&d.map, &r.map, sizeof(r.map)) != 0) { printf("map round trip differs\n"); failures++; }
    EXPECT(roundtrip(&r, 1, &d), MS_ERR_BAD_CAP);
    r.map.va = 0x400001;
    EXPECT(roundtrip(&r, 0, &d), MS_ERR_UNALIGNED);
    r.map.va = 0x0000800000000000ull;
    EXPECT(roundtrip(&r, 0, &d), MS_ERR_NON_CANONICAL);
    r.map.va = 0x00007FFFFFFFF000ull;
    EXPECT(roundtrip(&r, 0, &d), MS_ERR_KERNEL_HALF);
    r.map.va = 0x400000;
    r.map.rights = 7;
    EXPECT(roundtrip(&r, 0, &d), MS_ERR_WX);
    r.map.rights = MS_R;
    r.map.size = 0;
    EXPECT(roundtrip(&r, 0, &d), MS_ERR_ZERO_LENGTH);
    r.map.size = 4096;
    r.map.flags = 16;
    EXPECT(roundtrip(&r, 0, &d), MS_ERR_BAD_FLAGS);
    r.map.flags = 0;
    r.map.as = 0;
    EXPECT(roundtrip(&r, 0, &d), MS_ERR_BAD_HANDLE);
    uint64_t mr[8] = { 0 };
    EXPECT(ms_decode_request(MS_LABEL(MS_OP_MAP), mr, 3, 0, &d), MS_ERR_BAD_REQUEST);
    EXPECT(ms_decode_request(5, mr, 0, 0, &d), MS_ERR_VERSION);
    EXPECT(ms_decode_request(MS_LABEL(0x7FF), mr, 0, 0, &d), MS_ERR_BAD_REQUEST);
    EXPECT(ms_decode_request(MS_LABEL(MS_OP_HELLO), mr, 0, 0, &d), MS_OK);
    EXPECT(ms_decode_request(MS_LABEL(MS_OP_AS_ADOPT), mr, 0, 1, &d), MS_OK);
    EXPECT(ms_decode_request(MS_LABEL(MS_OP_AS_CREATE), mr, 0, 1, &d), MS_ERR_BAD_CAP);
    struct ms_request c = { 0 };
    c.op = MS_OP_CLONE;
    c.clone = (struct ms_req_clone){ 0x10001, 0x10002, MS_CLONE_FIXED, 0x1000, 0x1000, 0x7FFFFFFFE000ull };
    EXPECT(roundtrip(&c, 0, &d), MS_OK);
    c.clone.dst_va = 0x7FFFFFFFF000ull; /* the kernel maps no frame there (vaddr + 4 KiB > USER_TOP) */
    EXPECT(roundtrip(&c, 0, &d), MS_ERR_KERNEL_HALF);
    c.clone.dst_va = 0x7FFFFFE00000ull;
    c.clone.size = 0x200000;
    EXPECT(roundtrip(&c, 0, &d), MS_ERR_KERNEL_HALF);
    c.clone.size = 0x1FF000;
    EXPECT(roundtrip(&c, 0, &d), MS_OK);
    c.clone.size = 0x1000;
    c.clone.dst_va = 0x7FFFFFFFF001ull;
    EXPECT(roundtrip(&c, 0, &d), MS_ERR_UNALIGNED);
    /* OBJ_WRITE: 3 + ceil(nbytes / 8) registers exactly; the data survives a round trip. */
    uint64_t data[MS_MAX_MRS - MS_WRITE_HEADER], wm[MS_MAX_MRS] = { 0 };
    for (unsigned i = 0; i < MS_MAX_MRS - MS_WRITE_HEADER; i++) data[i] = 0x0102030405060708ull * (i + 1);
    struct ms_request w = { 0 };
    w.op = MS_OP_OBJ_WRITE;
    w.write = (struct ms_req_obj_write){ 0x10001, 13, 0x123, data };
    uint64_t wl;
    unsigned wn = ms_encode_request(&w, &wl, wm);
    EXPECT(wn == MS_WRITE_HEADER + 2 ? MS_OK : MS_ERR_BAD_REQUEST, MS_OK);
    EXPECT(ms_decode_request(wl, wm, wn, 0, &d), MS_OK);
    EXPECT(d.write.nbytes == 13 && d.write.off == 0x123 && d.write.obj == 0x10001 && d.write.data[0] == data[0] &&
                   d.write.data[1] == data[1] ? MS_OK : MS_ERR_BAD_REQUEST, MS_OK);
    EXPECT(ms_decode_request(wl, wm, wn - 1, 0, &d), MS_ERR_BAD_REQUEST); /* a register short */
    EXPECT(ms_decode_request(wl, wm, wn + 1, 0, &d), MS_ERR_BAD_REQUEST); /* one too many */
    EXPECT(ms_decode_request(wl, wm, 2, 0, &d), MS_ERR_BAD_REQUEST);
    EXPECT(ms_decode_request(wl, wm, wn, 1, &d), MS_ERR_BAD_CAP);
    w.write.nbytes = MS_WRITE_MAX;
    EXPECT(roundtrip(&w, 0, &d), MS_OK);
    EXPECT(ms_encode_request(&w, &wl, wm) == MS_MAX_MRS ? MS_OK : MS_ERR_BAD_REQUEST, MS_OK);
    wm[2] = MS_WRITE_MAX + 1; /* more than fits in a message */
    EXPECT(ms_decode_request(wl, wm, MS_MAX_MRS, 0, &d), MS_ERR_BAD_REQUEST);
    wm[2] = 0;
    EXPECT(ms_decode_request(wl, wm, MS_WRITE_HEADER, 0, &d), MS_ERR_ZERO_LENGTH);
    wm[2] = 1;
    wm[0] = 0x10000; /* index 0: never a handle */
    EXPECT(ms_decode_request(wl, wm, MS_WRITE_HEADER + 1, 0, &d), MS_ERR_BAD_HANDLE);
    /* PAGE_CAP: as, a page-aligned user address. */
    struct ms_request pc = { 0 };
    pc.op = MS_OP_PAGE_CAP;
    pc.handle = 0x10001;
    pc.va = 0x7000;
    EXPECT(roundtrip(&pc, 0, &d), MS_OK);
    EXPECT(d.handle == 0x10001 && d.va == 0x7000 ? MS_OK : MS_ERR_BAD_REQUEST, MS_OK);
    pc.va = 0x7008;
    EXPECT(roundtrip(&pc, 0, &d), MS_ERR_UNALIGNED);
    pc.va = 0x0000800000000000ull;
    EXPECT(roundtrip(&pc, 0, &d), MS_ERR_NON_CANONICAL);
    pc.va = 0xFFFF800000000000ull;
    EXPECT(roundtrip(&pc, 0, &d), MS_ERR_KERNEL_HALF);
    /* Badges and privilege come before the arguments. */
    uint64_t bm[3] = { 0, 5, 5 };
    EXPECT(ms_decode_message(0, MS_LABEL(MS_OP_HELLO), bm, 0, 0, &d), MS_ERR_DENIED);
    EXPECT(ms_decode_message(MS_ADMIN_BADGE, MS_LABEL(MS_OP_HELLO), bm, 0, 0, &d), MS_ERR_DENIED); /* client 0 */
    EXPECT(ms_decode_message(MS_FAULT_BADGE | 1, MS_LABEL(MS_OP_HELLO), bm, 0, 0, &d), MS_ERR_DENIED);
    EXPECT(ms_decode_message(7, MS_LABEL(MS_OP_HELLO), bm, 0, 0, &d), MS_OK);
    EXPECT(ms_decode_message(7, MS_LABEL(MS_OP_CLIENT_DESTROY), bm, 1, 0, &d), MS_ERR_DENIED); /* badge 0 arg */
    EXPECT(ms_decode_message(7 | MS_ADMIN_BADGE, MS_LABEL(MS_OP_CLIENT_DESTROY), bm, 1, 0, &d), MS_ERR_BAD_REQUEST);
    EXPECT(ms_decode_message(7, MS_LABEL(MS_OP_QUOTA_SET), bm, 3, 0, &d), MS_ERR_DENIED);
    EXPECT(ms_decode_message(7, MS_LABEL(MS_OP_STATS), bm, 0, 0, &d), MS_ERR_DENIED);
    EXPECT(ms_decode_message(7, MS_LABEL(MS_OP_VERIFY_FREE), bm, 0, 0, &d), MS_ERR_DENIED);
    bm[0] = 9;
    EXPECT(ms_decode_message(7 | MS_ADMIN_BADGE, MS_LABEL(MS_OP_QUOTA_SET), bm, 3, 0, &d), MS_OK);
    EXPECT(d.badge == 9 && d.pages == 5 && d.slots == 5 ? MS_OK : MS_ERR_BAD_REQUEST, MS_OK);
    struct ms_query_result q = { 0x1000, 0x2000, 0x3000, 0x10004, MS_RX, MS_KIND_SHARED, 1 }, q2;
    uint64_t qm[8];
    EXPECT(ms_decode_query(qm, ms_encode_query(&q, qm), &q2), MS_OK);
    if (memcmp(&q, &q2, sizeof(q)) != 0) { printf("query round trip differs\n"); failures++; }
    printf("memserver_protocol_test: %s\n", failures ? "FAILED" : "all passed");
    return failures != 0;
}
