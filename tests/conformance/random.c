/*
 * Conformance: seeded random invocation sequences (a differential test).
 *
 * Each round resets a sandbox -- POOL slots of the root CNode plus every object retyped
 * from one 8 MiB untyped -- fills it with one object of each kind, then makes OPS random
 * invocations on it (random-ops.c): CNode, Untyped, TCB, paging, ASID, IRQ, I/O port,
 * notification and endpoint operations with random-but-biased arguments, valid most of
 * the time.  Every operation prints one line with the kernel's answer (error code and
 * returned words) and the pool slots whose cap type changed; each round ends with a dump
 * of the pool's cap types.  The expected output is whatever the real kernel printed.
 *
 * Nothing may depend on timing or layout: sandbox threads stay below priority 254, the
 * IPC helper's, and the root task (255) blocks only in a Call to the helper, which always
 * waits for it and answers at once, so sandbox threads never run; IOAPIC pins and I/O
 * ports are ones no QEMU device uses; physical addresses are printed relative to the
 * sandbox untyped; slot numbers are fixed.  Caps from outside the sandbox are only a
 * whitelist of initial caps whose copies cannot hurt the root task.
 *
 * CONF_RANDOM_SEED (first round's seed), CONF_RANDOM_ROUNDS and CONF_RANDOM_OPS can be
 * set at compile time (CMake cache variables) to compare more seeds by hand.
 */
#include "random.h"
#include <runtime/string.h>
#include <stdarg.h>

#ifndef CONF_RANDOM_SEED
#define CONF_RANDOM_SEED 1
#endif
#ifndef CONF_RANDOM_ROUNDS
#define CONF_RANDOM_ROUNDS 8
#endif
#ifndef CONF_RANDOM_OPS
#define CONF_RANDOM_OPS 300
#endif

seL4_Word sandbox_paddr;
seL4_Word dev_paddr;
seL4_Word slot_type[POOL];
static unsigned g_round, g_step;

/* ---- PRNG ---- */
static uint64_t rng_state;

seL4_Word rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

seL4_Word pick(seL4_Word n) { return n ? rnd() % n : 0; }
bool chance(unsigned percent) { return pick(100) < percent; }

/* ---- Argument choosers ---- */
seL4_CPtr pool_slot(void) { return pool0 + pick(POOL); }

seL4_CPtr pool_of(seL4_Word type)
{
    seL4_Word start = pick(POOL);
    for (seL4_Word i = 0; i < POOL; i++) {
        seL4_Word j = (start + i) % POOL;
        if (slot_type[j] == type) return pool0 + j;
    }
    return pool_slot();
}

seL4_CPtr pool_used(bool used)
{
    seL4_Word start = pick(POOL);
    for (seL4_Word i = 0; i < POOL; i++) {
        seL4_Word j = (start + i) % POOL;
        if ((slot_type[j] != T_NULL) == used) return pool0 + j;
    }
    return pool_slot();
}

seL4_CPtr any_src(void)
{
    if (chance(80)) return chance(60) ? pool_used(true) : pool_slot();
    /* Initial caps whose copies are harmless, the sandbox untyped, empty slots. */
    static const seL4_CPtr outside[] = {
        seL4_CapNull,       seL4_CapIRQControl, seL4_CapASIDControl,
        seL4_CapInitThreadASIDPool, seL4_CapIOPortControl, seL4_CapDomain,
    };
    static const seL4_CPtr sandbox[] = { SLOT_RX_EP, SLOT_RX_NTFN, SLOT_PROBE_TCB, SLOT_UT,
                                         SLOT_EMPTY, POOL_START + POOL, SLOT_DEV_UT };
    const seL4_Word n_out = sizeof(outside) / sizeof(outside[0]);
    seL4_Word i = pick(n_out + sizeof(sandbox) / sizeof(sandbox[0]));
    return i < n_out ? outside[i] : sandbox[i - n_out];
}

seL4_Word depth(void)
{
    switch (pick(16)) {
    case 0: return pick(70);
    case 1: return 12;
    case 2: return 0;
    case 3: return 63;
    default: return 64;
    }
}

seL4_Word word(void)
{
    switch (pick(8)) {
    case 0: return rnd();
    case 1: return pick(16);
    case 2: return (seL4_Word)1 << pick(64);
    case 3: return ((seL4_Word)1 << pick(64)) - 1;
    default: return pick(300);
    }
}

seL4_Word rights(void) { return chance(75) ? 15 : pick(16); }

seL4_Word vaddr(bool root_vspace)
{
    switch (pick(20)) {
    case 0: return 0xffffff8000000000ul;             /* kernel window */
    case 1: return 0x0000800000000000ul;             /* first non-canonical */
    case 2: return 0x00007ffffffff000ul;             /* last user page */
    case 3: return REGION + pick(0x400000);           /* misaligned */
    case 4: if (!root_vspace) return rnd() & ~0xffful;
            return REGION;
    case 5: if (!root_vspace) return pick(8) << 12;
            return REGION + (pick(2) << 39);           /* next PML4 entry */
    default:
        return REGION + (pick(3) << 30) + (pick(3) << 21) + (pick(4) << 12);
    }
}

seL4_Word prio(void)
{
    if (chance(90)) return pick(SANDBOX_MAX_PRIO + 1);
    return 256 + pick(300);
}

seL4_Word safe_port(void) { return 0x2d8 + pick(40); }

seL4_Word safe_pin(void)
{
    static const seL4_Word pins[] = { 3, 4, 7, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 200 };
    return pins[pick(sizeof(pins) / sizeof(pins[0]))];
}

void cnode_ref(seL4_CPtr *node, seL4_Word *index, seL4_Word *dep, int want)
{
    seL4_Word r = pick(20);
    if (r < 15) {
        *node = ROOT;
        *index = want >= 0 && chance(60) ? pool_used(want) : pool_slot();
        *dep = r == 0 ? depth() : 64;
    } else if (r < 19) {
        *node = pool_of(T_CNODE);
        sub_ref(index, dep);
    } else {
        *node = any_src();
        *index = word();
        *dep = depth();
    }
}

void sub_ref(seL4_Word *index, seL4_Word *dep)
{
    static const seL4_Word radix[] = { 2, 4, 4, 4, 3, 5 };
    seL4_Word r = pick(20), d = radix[pick(6)];
    if (r < 12) {
        *index = pick((seL4_Word)1 << d);
        *dep = d;
    } else if (r < 18) {
        /* through a CNode cap in the CNode: the second level's guard and radix follow */
        seL4_Word d2 = pick(12);
        *index = (pick((seL4_Word)1 << d) << d2) | pick((seL4_Word)1 << d2);
        *dep = d + d2;
    } else {
        *index = word();
        *dep = pick(66);
    }
}

/* ---- Invocations and printing ---- */
seL4_MessageInfo_t invoke(seL4_CPtr cap, seL4_Word label, unsigned len, unsigned ncaps,
                          const seL4_Word *a, const seL4_CPtr *c)
{
    /* A Call on an endpoint would block the root task: not made, reported as label 4095. */
    if (seL4_DebugCapIdentify(cap) == T_EP) return seL4_MessageInfo_new(0xfff, 0, 0, 0);
    for (unsigned i = 0; i < ncaps && i < 3; i++) seL4_SetCap(i, c[i]);
    for (unsigned i = 4; i < len && i < MAX_ARGS; i++) seL4_SetMR((int)i, a[i]);
    seL4_Word m0 = len > 0 ? a[0] : 0, m1 = len > 1 ? a[1] : 0;
    seL4_Word m2 = len > 2 ? a[2] : 0, m3 = len > 3 ? a[3] : 0;
    seL4_MessageInfo_t r =
        seL4_CallWithMRs(cap, seL4_MessageInfo_new(label, 0, ncaps, len), &m0, &m1, &m2, &m3);
    seL4_SetMR(0, m0);
    seL4_SetMR(1, m1);
    seL4_SetMR(2, m2);
    seL4_SetMR(3, m3);
    return r;
}

const char *slot_name(seL4_CPtr slot)
{
    static char names[4][16];
    static unsigned next;
    char *n = names[next++ % 4];
    if (slot >= pool0 && slot < pool0 + POOL)
        snprintf(n, 16, "p%lu", slot - pool0);
    else if (slot >= POOL_START + POOL && slot < SLOT_RX_EP)
        snprintf(n, 16, "spare%lu", slot - (POOL_START + POOL));
    else if (slot == SLOT_RX_EP)
        snprintf(n, 16, "rxep");
    else if (slot == SLOT_RX_NTFN)
        snprintf(n, 16, "rxntfn");
    else if (slot == SLOT_PROBE_TCB)
        snprintf(n, 16, "ptcb");
    else if (slot == SLOT_UT)
        snprintf(n, 16, "ut");
    else if (slot == SLOT_EMPTY)
        snprintf(n, 16, "empty");
    else if (slot == SLOT_DEV_UT)
        snprintf(n, 16, "devut");
    else
        snprintf(n, 16, "c%lu", slot);
    return n;
}

/* Appends the pool slots whose type changed (" ch p3:4 p9:0") and updates slot_type. */
static int changes(char *buf, int len, int size)
{
    bool first = true;
    for (seL4_Word i = 0; i < POOL; i++) {
        seL4_Word t = seL4_DebugCapIdentify(pool0 + i);
        if (t == slot_type[i]) continue;
        slot_type[i] = t;
        if (len >= 0 && len < size)
            len += snprintf(buf + len, (size_t)(size - len), "%s p%lu:%lu", first ? " ch" : "", i, t);
        first = false;
    }
    return len;
}

static void emit(char *line, int len, int size)
{
    len = changes(line, len, size);
    if (len >= size) len = size - 1;
    /* The harness keeps 159 characters of a description: split longer lines. */
    const int chunk = 150;
    for (int off = 0; off < len; off += chunk) {
        int n = len - off < chunk ? len - off : chunk;
        check(true, "%u.%u%s %.*s", g_round, g_step, off ? " +" : "", n, line + off);
    }
}

void report(const char *what, seL4_MessageInfo_t r, bool paddr_mr0)
{
    char line[480];
    seL4_Word label = seL4_MessageInfo_get_label(r), len = seL4_MessageInfo_get_length(r);
    int n = snprintf(line, sizeof(line), "%s -> e%lu l%lu", what, label, len);
    seL4_Word hash = 0xcbf29ce484222325ul;
    for (seL4_Word i = 0; i < len && i < seL4_MsgMaxLength; i++) {
        seL4_Word w = seL4_GetMR((int)i);
        if (i == 0 && paddr_mr0 && label == seL4_NoError)
            w = w - dev_paddr < ((seL4_Word)1 << DEV_UT_BITS) ? (w - dev_paddr) | (1ul << 62)
                                                              : w - sandbox_paddr;
        hash = (hash ^ w) * 0x100000001b3ul;
        if (i < 6 && n >= 0 && n < (int)sizeof(line))
            n += snprintf(line + n, sizeof(line) - (size_t)n, " %lx", w);
    }
    if (len > 6 && n >= 0 && n < (int)sizeof(line))
        n += snprintf(line + n, sizeof(line) - (size_t)n, " h%lx", hash);
    emit(line, n, (int)sizeof(line));
}

void report_text(const char *fmt, ...)
{
    char line[480];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    emit(line, n, (int)sizeof(line));
}

/* ---- The IPC helper ---- */
seL4_IPCBuffer *helper_ipc;

/* Answers every message on SLOT_RX_EP.  To a Call from the root task (label HELPER_MAGIC)
 * it replies with what it saw: MR0 messages since the last Call, MR1..6 the Call's
 * length, extra caps, unwrapped-caps mask, badge, first two words; MR7..9 the
 * caps_or_badges words; MR10..14 the last other message's label, length, extra caps,
 * unwrapped mask and badge. */
static void helper_main(void *arg)
{
    (void)arg;
    seL4_Word badge = 0, count = 0, other[5] = { 0 };
    seL4_MessageInfo_t m = seL4_Recv(SLOT_RX_EP, &badge);
    for (;;) {
        count++;
        seL4_IPCBuffer *b = seL4_GetIPCBuffer();
        if (seL4_MessageInfo_get_label(m) != HELPER_MAGIC) {
            other[0] = seL4_MessageInfo_get_label(m);
            other[1] = seL4_MessageInfo_get_length(m);
            other[2] = seL4_MessageInfo_get_extraCaps(m);
            other[3] = seL4_MessageInfo_get_capsUnwrapped(m);
            other[4] = badge;
            m = seL4_Recv(SLOT_RX_EP, &badge); /* nobody waits for a reply */
            continue;
        }
        seL4_Word w[15] = { count, seL4_MessageInfo_get_length(m),
                            seL4_MessageInfo_get_extraCaps(m),
                            seL4_MessageInfo_get_capsUnwrapped(m), badge, b->msg[0], b->msg[1],
                            b->caps_or_badges[0], b->caps_or_badges[1], b->caps_or_badges[2],
                            other[0], other[1], other[2], other[3], other[4] };
        for (int i = 0; i < 15; i++) seL4_SetMR(i, w[i]);
        count = 0;
        m = seL4_ReplyRecv(SLOT_RX_EP, seL4_MessageInfo_new(0, 0, 0, 15), &badge);
    }
}

/* ---- Sandbox set-up and reset ---- */
static seL4_Error retype(seL4_Word type, seL4_Word bits, seL4_CPtr dest, seL4_Word n)
{
    return seL4_Untyped_Retype(sandbox_ut, type, bits, ROOT, 0, 0, dest, n);
}

/* Empties the sandbox: every object of the untyped and every pool cap. */
static void reset_sandbox(void)
{
    seL4_Error e = seL4_CNode_Revoke(ROOT, sandbox_ut, 64);
    if (seL4_CNode_Revoke(ROOT, SLOT_DEV_UT, 64) != seL4_NoError) e = seL4_IllegalOperation;
    for (seL4_CPtr s = pool0; s < SLOT_UT; s++)
        if (seL4_CNode_Delete(ROOT, s, 64) != seL4_NoError) e = seL4_IllegalOperation;
    bool empty = seL4_DebugCapIdentify(SLOT_EMPTY) == T_NULL;
    for (seL4_CPtr s = pool0; s < SLOT_UT; s++)
        empty = empty && seL4_DebugCapIdentify(s) == T_NULL;
    check(e == seL4_NoError && empty, "round %u: sandbox reset (revoke, delete, all empty)",
          g_round);
    for (unsigned i = 0; i < POOL; i++) slot_type[i] = T_NULL;
}

/* One object of each kind, an ASID for the first PML4, an I/O port cap, an IRQ handler and
 * badged copies; prints one line with the results. */
static void fill_sandbox(void)
{
    static const struct { seL4_Word type, bits, n; } objs[] = {
        { seL4_X86_LargePageObject, 0, 1 }, { seL4_UntypedObject, 21, 1 },
        { seL4_UntypedObject, 16, 2 },      { seL4_UntypedObject, 12, 2 },
        { seL4_EndpointObject, 0, 3 },      { seL4_NotificationObject, 0, 3 },
        { seL4_CapTableObject, 4, 1 },      { seL4_CapTableObject, 2, 1 },
        { seL4_TCBObject, 0, 3 },           { seL4_X86_4K, 0, 10 },
        { seL4_X86_PageTableObject, 0, 4 }, { seL4_X86_PageDirectoryObject, 0, 3 },
        { seL4_X86_PDPTObject, 0, 2 },      { seL4_X64_PML4Object, 0, 2 },
    };
    char line[160];
    int n = snprintf(line, sizeof(line), "setup");
    seL4_CPtr s = pool0;
    seL4_CPtr first[16];
    for (unsigned i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
        first[i] = s;
        seL4_Error e = retype(objs[i].type, objs[i].bits, s, objs[i].n);
        n += snprintf(line + n, sizeof(line) - (size_t)n, " %d", (int)e);
        s += objs[i].n;
    }
    seL4_CPtr pml4 = first[13], ep = first[4], ntfn = first[5];
    seL4_Error e[4];
    e[0] = seL4_X86_ASIDPool_Assign(seL4_CapInitThreadASIDPool, pml4);
    e[1] = seL4_X86_IOPortControl_Issue(seL4_CapIOPortControl, 0x2e0, 0x2e7, ROOT, s++, 64);
    e[2] = seL4_IRQControl_GetIOAPIC(seL4_CapIRQControl, ROOT, s++, 64, 0, 16, 1, 1, 10);
    e[3] = seL4_CNode_Mint(ROOT, s++, 64, ROOT, ep, 64, seL4_AllRights, 5);
    e[3] |= seL4_CNode_Mint(ROOT, s++, 64, ROOT, ntfn, 64, seL4_AllRights, 3);
    seL4_Error rx = retype(seL4_EndpointObject, 0, SLOT_RX_EP, 1);
    rx |= retype(seL4_NotificationObject, 0, SLOT_RX_NTFN, 1);
    rx |= retype(seL4_TCBObject, 0, SLOT_PROBE_TCB, 1);
    snprintf(line + n, sizeof(line) - (size_t)n, " | %d %d %d %d %d", e[0], e[1], e[2], e[3],
             rx);
    report_text("%s", line);
}

static void find_sandbox_paddr(void)
{
    if (retype(seL4_X86_4K, 0, pool0, 1) != seL4_NoError) conf_bail("cannot retype a frame");
    seL4_X86_Page_GetAddress_t a = seL4_X86_Page_GetAddress(pool0);
    if (a.error != seL4_NoError) conf_bail("GetAddress failed");
    sandbox_paddr = a.paddr; /* the first object of a fresh untyped sits at its start */
    if (seL4_CNode_Delete(ROOT, pool0, 64) != seL4_NoError) conf_bail("delete failed");
}

/* A 1 MiB untyped from the first device untyped that is big enough, in SLOT_DEV_UT. */
static void find_device_untyped(void)
{
    const seL4_BootInfo *bi = runtime_bootinfo();
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        const seL4_UntypedDesc *u = &bi->untypedList[i];
        if (!u->isDevice || u->sizeBits < DEV_UT_BITS) continue;
        if (seL4_Untyped_Retype(bi->untyped.start + i, seL4_UntypedObject, DEV_UT_BITS, ROOT, 0,
                                0, SLOT_DEV_UT, 1) != seL4_NoError)
            continue;
        dev_paddr = u->paddr; /* the first child of an untyped nobody used sits at its start */
        return;
    }
    conf_bail("no device untyped of 1 MiB");
}

int main(void)
{
    conf_begin("random");
    seL4_CPtr ut = conf_object(seL4_UntypedObject, SANDBOX_BITS);
    /* Take every slot up to SLOT_LAST from the allocator (it hands them out in order). */
    seL4_CPtr last;
    do last = conf_slot(); while (last < SLOT_LAST);
    if (last != SLOT_LAST) conf_bail("slot %lu is beyond the sandbox's fixed slots", last);
    if (seL4_DebugCapIdentify(SLOT_LAST) != T_NULL || seL4_DebugCapIdentify(pool0) != T_NULL)
        conf_bail("the sandbox's fixed slots are not empty");
    if (seL4_CNode_Move(ROOT, SLOT_UT, 64, ROOT, ut, 64) != seL4_NoError)
        conf_bail("cannot move the sandbox untyped");
    find_sandbox_paddr();
    find_device_untyped();
    static conf_thread_t helper;
    conf_thread_create(&helper, helper_main, NULL, HELPER_PRIO, seL4_CapNull);
    helper_ipc = helper.ipc;

    for (g_round = 0; g_round < CONF_RANDOM_ROUNDS; g_round++) {
        rng_state = (uint64_t)(CONF_RANDOM_SEED + g_round) * 0x2545f4914f6cdd1dull;
        g_step = 0;
        reset_sandbox();
        fill_sandbox();
        for (g_step = 1; g_step <= CONF_RANDOM_OPS; g_step++) random_op();
        char line[160];
        for (unsigned half = 0; half < 2; half++) {
            int n = snprintf(line, sizeof(line), "round %u (seed %u) pool %u..%u:", g_round,
                             CONF_RANDOM_SEED + g_round, half * 32, half * 32 + 31);
            for (unsigned i = half * 32; i < half * 32 + 32; i++)
                n += snprintf(line + n, sizeof(line) - (size_t)n, " %lu",
                              (seL4_Word)seL4_DebugCapIdentify(pool0 + i));
            check(true, "%s", line);
        }
    }
    reset_sandbox();
    conf_end();
}
