/*
 * ms-client: a program whose own VSpace is handed to the memory server (AS_ADOPT) and
 * whose faults go to the server (its TCB's fault endpoint is a badged cap from
 * AS_FAULT_EP).  args[0] selects the test (see common.h); args[1] = a shared object's
 * handle for the share modes.  Caps: [0] client endpoint, [1] the same with the
 * administrator bit, [2] a notification of the parent (fault reports).
 */
#include <runtime/startup.h>
#include <runtime/cspace.h>
#include "common.h"

static seL4_CPtr cli, admin;
static uint32_t as;

static volatile uint64_t *word(uint64_t va) { return (volatile uint64_t *)va; }
static void print_milli(const char *key, uint64_t milli);

static void adopt_self(const runtime_startup_t *st)
{
    t_check_err(msc_as_adopt(cli, PROGRAM_SLOT_VSPACE, &as), MS_OK, "adopt own VSpace");
    seL4_CPtr fault_slot = st->empty_start;
    t_check_err(msc_as_fault_ep(cli, as, PROGRAM_SLOT_CNODE, fault_slot), MS_OK, "get a fault endpoint");
    int err = seL4_TCB_SetSpace(PROGRAM_SLOT_TCB, fault_slot, PROGRAM_SLOT_CNODE,
                                cspace_one_level_guard(st->cnode_size_bits), PROGRAM_SLOT_VSPACE, 0);
    t_check(err == seL4_NoError, "faults go to the memory server");
    t_check_err(msc_as_set_notify(cli, as, st->caps_start + 2), MS_OK, "supervisor notification set");
}

static void test_touch(void)
{
    uint64_t s0[9], s1[9], va = 0;
    const uint64_t size = 64 * MiB, pages = size / PAGE;
    t_check_err(msc_map(cli, as, 0, size, 0, 0, MS_RW, MS_MAP_4K, &va), MS_OK,
                "map 64 MiB of anonymous memory (4 KiB pages only)");
    t_check_err(msc_stats(admin, s0), MS_OK, "stats");
    int zero = 1; /* (faults of reads, then of writes: all counted below) */
    for (uint64_t off = 0; off < size; off += 64 * PAGE) zero &= *word(va + off + 8) == 0;
    for (uint64_t off = 0; off < size; off += PAGE) *word(va + off) = off ^ 0x5A5Aull;
    t_check_err(msc_stats(admin, s1), MS_OK, "stats");
    t_check(zero, "fresh anonymous memory reads as zero");
    uint64_t bad = 0;
    for (uint64_t off = 0; off < size; off += PAGE)
        if (*word(va + off) != (off ^ 0x5A5Aull)) bad++;
    t_check(bad == 0, "64 MiB touched page by page hold what was written");
    uint64_t faults = s1[1] - s0[1];
    t_check(faults == pages, "one fault per page");
    /* Invocations between the two stats calls: the faults plus one ReplyRecv (stats). */
    uint64_t inv = s1[0] - s0[0] - 1;
    uint64_t milli = faults ? inv * 1000 / faults : 0;
    print_milli("fault.invocations_per_fault", milli);
    t_check(milli <= 2050, "at most 2.05 kernel invocations per fault");
    struct ms_query_result q;
    t_check_err(msc_query(cli, as, va + 12345, &q), MS_OK, "query");
    t_check(q.start == va && q.size == size && q.rights == MS_RW && q.present == 1 && q.kind == MS_KIND_PRIVATE,
            "query: region, rights, present");
    t_check_err(msc_unmap(cli, as, va, size), MS_OK, "unmap 64 MiB");
}

/* Large pages on demand: 64 MiB touched page by page, one fault per 2 MiB. */
static void test_touch_large(void)
{
    uint64_t s0[9], s1[9], va = 0;
    const uint64_t size = 64 * MiB;
    t_check_err(msc_map(cli, as, 0, size, 0, 0, MS_RW, 0, &va), MS_OK, "map 64 MiB of anonymous memory");
    t_check_err(msc_stats(admin, s0), MS_OK, "stats");
    for (uint64_t off = 0; off < size; off += PAGE) *word(va + off) = off ^ 0xA5A5ull;
    t_check_err(msc_stats(admin, s1), MS_OK, "stats");
    uint64_t bad = 0;
    for (uint64_t off = 0; off < size; off += PAGE)
        if (*word(va + off) != (off ^ 0xA5A5ull)) bad++;
    t_check(bad == 0, "64 MiB touched page by page hold what was written");
    printf("fault2m.large_pages_used %lu\n", (unsigned long)(s1[3] - s0[3]));
    t_check(s1[3] - s0[3] == size / (2 * MiB), "every 2 MiB block is one 2 MiB frame");
    t_check(s1[1] - s0[1] == size / (2 * MiB), "one fault per 2 MiB");
    t_check_err(msc_unmap(cli, as, va, size), MS_OK, "unmap 64 MiB");
}

static void test_split(void)
{
    const uint64_t b = TEST_BASE;
    uint64_t va;
    t_check_err(msc_map(cli, as, b, 16 * PAGE, 0, 0, MS_RW, MS_MAP_FIXED, &va), MS_OK, "map 16 pages at a fixed address");
    for (int i = 0; i < 16; i++) *word(b + i * PAGE) = 1000 + i;
    t_check_err(msc_protect(cli, as, b + 4 * PAGE, 4 * PAGE, MS_R), MS_OK, "protect 4 pages in the middle read-only");
    struct ms_query_result q;
    t_check_err(msc_query(cli, as, b + 5 * PAGE, &q), MS_OK, "query the middle");
    t_check(q.start == b + 4 * PAGE && q.size == 4 * PAGE && q.rights == MS_R, "the region was split in three");
    t_check_err(msc_unmap(cli, as, b + 10 * PAGE, 2 * PAGE), MS_OK, "unmap 2 pages of the tail");
    t_check_err(msc_query(cli, as, b + 10 * PAGE, &q), MS_ERR_NOT_MAPPED, "the unmapped pages are gone");
    t_check_err(msc_query(cli, as, b + 12 * PAGE, &q), MS_OK, "query after the hole");
    t_check(q.start == b + 12 * PAGE && q.size == 4 * PAGE, "the tail after the hole is its own region");
    int same = 1;
    for (int i = 0; i < 16; i++)
        if ((i < 10 || i > 11) && *word(b + i * PAGE) != 1000u + (uint64_t)i) same = 0;
    t_check(same, "contents survive the splits");
    t_check_err(msc_protect(cli, as, b, 10 * PAGE, MS_RW), MS_OK, "protect the head read-write again");
    t_check_err(msc_query(cli, as, b + 9 * PAGE, &q), MS_OK, "query");
    t_check(q.start == b && q.size == 10 * PAGE, "the head pieces merged");
    *word(b + 5 * PAGE) = 77;
    t_check(*word(b + 5 * PAGE) == 77, "write after re-protect");
    t_check_err(msc_unmap(cli, as, b, 16 * PAGE), MS_OK, "unmap all");
}

static void test_cow(void)
{
    const uint64_t a = TEST_BASE + 64 * MiB, c = TEST_BASE + 128 * MiB;
    uint64_t va;
    t_check_err(msc_map(cli, as, a, 8 * PAGE, 0, 0, MS_RW, MS_MAP_FIXED, &va), MS_OK, "map 8 pages");
    for (int i = 0; i < 8; i++) *word(a + i * PAGE) = 500 + i;
    t_check_err(msc_clone(cli, as, a, 8 * PAGE, as, c, MS_CLONE_FIXED, &va), MS_OK, "copy-on-write clone");
    int same = 1;
    for (int i = 0; i < 8; i++) same &= *word(c + i * PAGE) == 500u + (uint64_t)i;
    t_check(same, "the clone reads the original's contents");
    *word(c) = 1;
    *word(a + PAGE) = 2;
    t_check(*word(a) == 500 && *word(c) == 1, "a write to the clone does not show in the original");
    t_check(*word(c + PAGE) == 501 && *word(a + PAGE) == 2, "a write to the original does not show in the clone");
    t_check_err(msc_unmap(cli, as, a, 8 * PAGE), MS_OK, "unmap the original");
    t_check(*word(c + 2 * PAGE) == 502, "the clone outlives the original");
    t_check_err(msc_unmap(cli, as, c, 8 * PAGE), MS_OK, "unmap the clone");
}

/* Fork: the forked space keeps the contents of the moment of the fork.  No thread runs
 * there, so we look at it by cloning its range back into our own space. */
static void test_fork(void)
{
    const uint64_t a = TEST_BASE + 512 * MiB, back = TEST_BASE + 640 * MiB;
    uint64_t va;
    uint32_t f;
    t_check_err(msc_map(cli, as, a, 4 * PAGE, 0, 0, MS_RW, MS_MAP_FIXED, &va), MS_OK, "map 4 pages");
    for (int i = 0; i < 4; i++) *word(a + i * PAGE) = 900u + (uint64_t)i;
    t_check_err(msc_as_fork(cli, as, &f), MS_OK, "fork the address space");
    *word(a) = 1;
    t_check_err(msc_clone(cli, f, a, 4 * PAGE, as, back, MS_CLONE_FIXED, &va), MS_OK, "clone the fork's range back");
    t_check(*word(back) == 900 && *word(back + PAGE) == 901 && *word(a) == 1,
            "the fork kept the contents of the moment of the fork");
    t_check_err(msc_as_destroy(cli, f), MS_OK, "destroy the fork");
    t_check(*word(back + 3 * PAGE) == 903, "the clone outlives the fork");
    t_check_err(msc_unmap(cli, as, a, 4 * PAGE), MS_OK, "unmap");
    t_check_err(msc_unmap(cli, as, back, 4 * PAGE), MS_OK, "unmap the clone");
}

static void test_errors(const runtime_startup_t *st)
{
    uint64_t va;
    const uint64_t b = TEST_BASE + 256 * MiB;
    t_check_err(msc_map(cli, as, b + 1, PAGE, 0, 0, MS_RW, MS_MAP_FIXED, &va), MS_ERR_UNALIGNED, "unaligned address");
    t_check_err(msc_map(cli, as, 0x0000900000000000ull, PAGE, 0, 0, MS_RW, MS_MAP_FIXED, &va), MS_ERR_NON_CANONICAL, "non-canonical address");
    t_check_err(msc_map(cli, as, 0x00007FFFFFFFF000ull, 2 * PAGE, 0, 0, MS_RW, MS_MAP_FIXED, &va), MS_ERR_KERNEL_HALF, "range into the kernel half");
    t_check_err(msc_map(cli, as, b, 0, 0, 0, MS_RW, MS_MAP_FIXED, &va), MS_ERR_ZERO_LENGTH, "zero length");
    t_check_err(msc_map(cli, as, 0x400000, PAGE, 0, 0, MS_RW, MS_MAP_FIXED, &va), MS_ERR_RANGE, "below the managed range of an adopted VSpace");
    t_check_err(msc_map(cli, as, b, PAGE, 0, 0, 7, MS_MAP_FIXED, &va), MS_ERR_WX, "write and execute together");
    t_check_err(msc_map(cli, as, b, 4 * PAGE, 0, 0, MS_RW, MS_MAP_FIXED, &va), MS_OK, "map");
    t_check_err(msc_map(cli, as, b + PAGE, PAGE, 0, 0, MS_RW, MS_MAP_FIXED, &va), MS_ERR_OVERLAP, "overlap");
    t_check_err(msc_map(cli, 0x7777, b, PAGE, 0, 0, MS_RW, MS_MAP_FIXED, &va), MS_ERR_BAD_HANDLE, "unknown handle");
    t_check_err(msc_map(cli, as, b + 64 * PAGE, PAGE, 0x10009, 0, MS_RW, MS_MAP_FIXED, &va), MS_ERR_BAD_HANDLE, "unknown object");
    t_check_err(msc_as_set_notify(cli, as, PROGRAM_SLOT_TCB), MS_ERR_BAD_CAP, "a TCB cap is not a notification");
    uint32_t h;
    t_check_err(msc_as_adopt(cli, st->caps_start + 2, &h), MS_ERR_BAD_CAP, "a notification is not a VSpace");
    /* Quota. */
    struct ms_quota_info q;
    t_check_err(msc_quota_get(cli, &q), MS_OK, "quota");
    t_check_err(msc_quota_set(admin, 1, q.pages_used + 8, q.slots_limit), MS_OK, "lower the quota");
    t_check_err(msc_map(cli, as, b + 2 * MiB, 16 * PAGE, 0, 0, MS_RW, MS_MAP_FIXED | MS_MAP_POPULATE, &va), MS_ERR_QUOTA, "quota exceeded");
    struct ms_quota_info q2;
    t_check_err(msc_quota_get(cli, &q2), MS_OK, "quota");
    t_check(q2.pages_used == q.pages_used && q2.slots_used == q.slots_used, "nothing was charged");
    t_check_err(msc_quota_set(admin, 1, 1ull << 30, q.slots_limit * 64), MS_OK, "raise the quota");
    t_check_err(msc_map(cli, as, b + 2 * MiB, 1024 * MiB, 0, 0, MS_RW, MS_MAP_FIXED | MS_MAP_POPULATE, &va), MS_ERR_NO_MEMORY, "out of memory");
    t_check_err(msc_quota_set(cli, 1, 1, 1), MS_ERR_DENIED, "only the administrator sets quotas");
    uint64_t v;
    t_check_err(msc_hello(cli, &v), MS_OK, "the server keeps serving");
    t_check_err(msc_quota_set(admin, 1, q.pages_limit, q.slots_limit), MS_OK, "restore the quota");
    t_check_err(msc_unmap(cli, as, b, 4 * PAGE), MS_OK, "unmap");
}

static void print_milli(const char *key, uint64_t milli)
{
    printf("bench %s %lu.%03lu\n", key, (unsigned long)(milli / 1000), (unsigned long)(milli % 1000));
}

static void test_map4k(void)
{
    uint64_t s0[MS_STATS_WORDS], s1[MS_STATS_WORDS], va;
    const uint64_t pages = 64 * MiB / PAGE;
    t_check_err(msc_stats_all(admin, s0), MS_OK, "stats");
    t_check_err(msc_map(cli, as, 0, 64 * MiB, 0, 0, MS_RW, MS_MAP_POPULATE | MS_MAP_4K, &va), MS_OK,
                "map 64 MiB populated with 4 KiB frames");
    t_check_err(msc_stats_all(admin, s1), MS_OK, "stats");
    /* Frames freed by the tests before come first; each costs 2 more invocations (zeroed
     * through the server's window: map + unmap) and is counted apart. */
    uint64_t reused = s1[9] - s0[9];
    printf("map4k: %lu freed frames reused\n", (unsigned long)reused);
    uint64_t milli = (s1[0] - s0[0] - 1 - 2 * reused) * 1000 / pages;
    print_milli("map4k.invocations_per_page", milli);
    t_check(milli <= 1010, "at most 1.01 invocations per page (zeroing of reused frames apart)");
    /* Metadata the server gained (counted: heap blocks, slot tables for the slots used). */
    uint64_t meta = (s1[6] - s0[6]) * 1000 / pages;
    print_milli("metadata.bytes_per_page", meta);
    t_check(meta <= 16000, "at most 16 bytes of metadata per page");
    int ok = 1;
    for (uint64_t off = 0; off < 64 * MiB; off += 64 * PAGE) *word(va + off) = off + 1;
    for (uint64_t off = 0; off < 64 * MiB; off += 64 * PAGE) ok &= *word(va + off) == off + 1;
    t_check(ok, "populated memory holds data");
    t_check_err(msc_unmap(cli, as, va, 64 * MiB), MS_OK, "unmap");
}

static void test_large(void)
{
    uint64_t s0[9], s1[9], va;
    t_check_err(msc_stats(admin, s0), MS_OK, "stats");
    t_check_err(msc_map(cli, as, 0, 64 * MiB, 0, 0, MS_RW, MS_MAP_POPULATE, &va), MS_OK, "map 64 MiB populated");
    t_check_err(msc_stats(admin, s1), MS_OK, "stats");
    printf("bench map2m.large_pages_used %lu\n", (unsigned long)(s1[3] - s0[3]));
    t_check(s1[3] - s0[3] == 32, "32 frames of 2 MiB used");
    int ok = 1;
    for (uint64_t off = 0; off < 64 * MiB; off += 2 * MiB + PAGE) *word(va + off) = off;
    for (uint64_t off = 0; off < 64 * MiB; off += 2 * MiB + PAGE) ok &= *word(va + off) == off;
    t_check(ok, "2 MiB frames hold data");
    /* Protecting one page inside a 2 MiB frame splits it into 4 KiB frames (copied). */
    for (uint64_t off = 0; off < 4 * MiB; off += PAGE) *word(va + off) = off * 3 + 1;
    t_check_err(msc_protect(cli, as, va + 2 * MiB + 5 * PAGE, PAGE, MS_R), MS_OK, "protect one page of a 2 MiB frame");
    struct ms_query_result q;
    t_check_err(msc_query(cli, as, va + 2 * MiB + 5 * PAGE, &q), MS_OK, "query it");
    t_check(q.start == va + 2 * MiB + 5 * PAGE && q.size == PAGE && q.rights == MS_R, "a one-page read-only region");
    ok = 1;
    for (uint64_t off = 0; off < 4 * MiB; off += PAGE) ok &= *word(va + off) == off * 3 + 1;
    t_check(ok, "the split 2 MiB frame kept its contents");
    *word(va + 2 * MiB + 6 * PAGE) = 9;
    t_check(*word(va + 2 * MiB + 6 * PAGE) == 9, "its neighbours are still writable");
    t_check_err(msc_unmap(cli, as, va, 64 * MiB), MS_OK, "unmap");
}

static void share(uint32_t obj, int writer)
{
    uint64_t va;
    t_check_err(msc_map(cli, as, 0, 16 * PAGE, obj, 0, MS_RW, 0, &va), MS_OK, "map the shared object");
    int ok = 1;
    for (int i = 0; i < 16; i++) {
        if (writer) *word(va + i * PAGE) = 0xA000 + i;
        else ok &= *word(va + i * PAGE) == 0xA000u + (uint64_t)i;
    }
    if (!writer) {
        t_check(ok, "the reader sees the writer's data");
        for (int i = 0; i < 16; i++) *word(va + i * PAGE) = 0xB000 + i;
    }
}

/* OBJ_WRITE as a loader uses it, and PAGE_CAP for this thread's own IPC buffer: the
 * kernel then carries long messages through the server-managed page.  Unmapping the
 * page revokes the cap (and the TCB's copy).  Run last: afterwards the thread has no
 * IPC buffer in the kernel's view (messages of up to 4 registers still work). */
static void test_loader_ops(const runtime_startup_t *st)
{
    const uint64_t ipc = TEST_BASE + 900 * MiB, seg = TEST_BASE + 904 * MiB;
    const seL4_CPtr frame = st->empty_start + 1;
    uint64_t va;
    uint32_t obj;
    static uint8_t bytes[3000];
    for (unsigned i = 0; i < sizeof(bytes); i++) bytes[i] = (uint8_t)(i * 13 + 7);
    t_check_err(msc_obj_create(cli, MS_OBJ_ANON, 2 * PAGE, 0, 0, &obj), MS_OK, "an object for a segment");
    t_check_err(msc_map(cli, as, ipc, PAGE, 0, 0, MS_RW, MS_MAP_FIXED, &va), MS_OK, "map a page for an IPC buffer");
    t_check_err(msc_page_cap(cli, as, ipc, PROGRAM_SLOT_CNODE, frame), MS_OK, "PAGE_CAP of it");
    seL4_IPCBuffer *old = seL4_GetIPCBuffer();
    int err = seL4_TCB_SetIPCBuffer(PROGRAM_SLOT_TCB, ipc, frame);
    t_check(err == seL4_NoError, "the kernel takes it as this thread's IPC buffer");
    seL4_SetIPCBuffer((seL4_IPCBuffer *)ipc);
    /* 3000 bytes at an odd offset: four requests of up to 117 registers each, carried
     * through the new IPC buffer. */
    t_check_err(msc_obj_write(cli, obj, 1000, bytes, sizeof(bytes)), MS_OK, "OBJ_WRITE of 3000 bytes through it");
    t_check_err(msc_map(cli, as, seg, 2 * PAGE, obj, 0, MS_R, MS_MAP_FIXED, &va), MS_OK, "map the object");
    int same = 1;
    for (unsigned i = 0; i < sizeof(bytes); i++) same &= ((volatile uint8_t *)seg)[1000 + i] == bytes[i];
    t_check(same && ((volatile uint8_t *)seg)[999] == 0, "the mapping shows the bytes written");
    t_check_err(msc_unmap(cli, as, seg, 2 * PAGE), MS_OK, "unmap the object");
    t_check_err(msc_obj_close(cli, obj), MS_OK, "close it");
    /* From here on only messages of up to 4 registers (no IPC buffer is used). */
    seL4_SetIPCBuffer(old);
    t_check_err(msc_unmap(cli, as, ipc, PAGE), MS_OK, "unmap the IPC-buffer page");
    t_check(seL4_X86_Page_GetAddress(frame).error != seL4_NoError, "unmapping revoked the frame cap");
}

int main(void)
{
    const runtime_startup_t *st = runtime_startup();
    if (!st || st->caps_end - st->caps_start < 3 || st->nargs < 1) return 99;
    cli = st->caps_start;
    admin = st->caps_start + 1;
    adopt_self(st);
    switch (st->args[0]) {
    case MODE_MAIN:
        test_touch();
        test_touch_large();
        test_split();
        test_cow();
        test_fork();
        test_errors(st);
        test_large();
        test_map4k();
        test_loader_ops(st);
        break;
    case MODE_FAULT: {
        uint64_t va;
        t_check_err(msc_map(cli, as, TEST_BASE, PAGE, 0, 0, MS_RW, MS_MAP_FIXED, &va), MS_OK, "map a page");
        *word(va) = 1;
        t_check_err(msc_protect(cli, as, va, PAGE, MS_R), MS_OK, "make it read-only");
        t_check(*word(va) == 1, "still readable");
        seL4_SetMR(0, as);
        seL4_SetMR(1, va);
        seL4_Send(PROGRAM_SLOT_FAULT_EP, seL4_MessageInfo_new(MSG_AS_HANDLE, 0, 0, 2));
        *word(va) = 2; /* the server reports this to the parent; we never come back */
        printf("FAIL: the write to read-only memory went through\n");
        return 1;
    }
    case MODE_SHARE_WRITE:
    case MODE_SHARE_READ:
        share((uint32_t)st->args[1], st->args[0] == MODE_SHARE_WRITE);
        break;
    default:
        return 98;
    }
    t_check_err(msc_as_destroy(cli, as), MS_OK, "give the address space back");
    printf("ms-client mode %lu: %d passed, %d failed\n", (unsigned long)st->args[0], t_passes, t_failures);
    return t_failures;
}
