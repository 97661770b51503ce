/*
 * conf-random: the operations.  Each one picks a target and arguments (random but
 * biased towards valid ones), makes one invocation or system call and reports the
 * result (random.c).  No operation may let a sandbox thread run, block the root task,
 * touch an I/O port or IOAPIC pin a device uses, or reach a cap outside the sandbox
 * other than the whitelist in any_src().
 */
#include "random.h"

static seL4_Word a[MAX_ARGS];
static seL4_CPtr c[3];

static void fill_args(void)
{
    for (unsigned i = 0; i < MAX_ARGS; i++) a[i] = word();
    c[0] = pool_slot();
    c[1] = pool_slot();
    c[2] = pool_slot();
}

/* Mostly `normal`, sometimes 0..max. */
static unsigned length(unsigned normal, unsigned max)
{
    return chance(88) ? normal : (unsigned)pick(max + 1);
}

static unsigned ncaps(unsigned normal) { return chance(90) ? normal : (unsigned)pick(4); }

static void print_op(const char *name, seL4_Word label, seL4_CPtr target, seL4_MessageInfo_t r,
                     bool paddr)
{
    char what[64];
    snprintf(what, sizeof(what), "%s %lu %s", name, label, slot_name(target));
    report(what, r, paddr);
}

/* ---- CNode ---- */
static void op_cnode_copy(void)
{
    seL4_Word label = CNodeCopy + pick(4);
    seL4_CPtr node;
    cnode_ref(&node, &a[0], &a[1], 0);
    bool may_copy = label == CNodeCopy || label == CNodeMint;
    if (chance(85)) {
        c[0] = ROOT;
        a[2] = may_copy ? any_src() : chance(70) ? pool_used(true) : pool_slot();
        a[3] = chance(90) ? 64 : depth();
    } else {
        c[0] = chance(70) ? pool_of(T_CNODE) : any_src();
        sub_ref(&a[2], &a[3]);
    }
    if (may_copy && chance(20)) {
        /* badged copies of the caps the root task receives on: badges meet there */
        c[0] = ROOT;
        a[2] = chance(50) ? SLOT_RX_NTFN : SLOT_RX_EP;
        a[3] = 64;
    }
    if (label == CNodeMutate) a[4] = chance(50) ? 0 : word();
    else a[4] = rights();
    if (label == CNodeMint) a[5] = chance(30) ? 0 : chance(50) ? (seL4_Word)1 << pick(64) : word();
    unsigned len = label == CNodeMint ? 6 : label == CNodeMove ? 4 : 5;
    seL4_MessageInfo_t r = invoke(node, label, length(len, 7), ncaps(1), a, c);
    print_op("cn", label, node, r, false);
}

static void op_cnode_delete(void)
{
    static const seL4_Word labels[] = { CNodeDelete, CNodeRevoke, CNodeCancelBadgedSends,
                                        CNodeSaveCaller };
    seL4_Word label = labels[pick(4)];
    seL4_CPtr node;
    cnode_ref(&node, &a[0], &a[1], label != CNodeSaveCaller);
    seL4_MessageInfo_t r = invoke(node, label, length(2, 3), 0, a, c);
    print_op("cn", label, node, r, false);
}

static void op_cnode_rotate(void)
{
    seL4_CPtr node;
    cnode_ref(&node, &a[0], &a[1], chance(50));
    a[2] = chance(50) ? pick(8) : word();
    a[3] = pool_used(true);
    a[4] = chance(90) ? 64 : depth();
    a[5] = chance(50) ? pick(8) : word();
    a[6] = chance(20) ? a[3] : pool_used(true);
    a[7] = chance(90) ? 64 : depth();
    c[0] = chance(90) ? ROOT : any_src();
    c[1] = chance(90) ? ROOT : any_src();
    if (node != ROOT && chance(50)) {
        c[0] = c[1] = node;
        sub_ref(&a[3], &a[4]);
        sub_ref(&a[6], &a[7]);
    }
    seL4_MessageInfo_t r = invoke(node, CNodeRotate, length(8, 8), ncaps(2), a, c);
    print_op("cn", CNodeRotate, node, r, false);
}

/* ---- Untyped ---- */
static void op_retype(void)
{
    seL4_Word w = pick(20);
    seL4_CPtr target = w < 16 ? pool_of(T_UNTYPED) : w < 18 ? SLOT_DEV_UT
                       : w < 19 ? sandbox_ut : pool_slot();
    a[0] = chance(92) ? pick(seL4_ObjectTypeCount) : word();
    a[1] = chance(80) ? pick(25) : word();
    if (a[0] == seL4_CapTableObject && chance(70)) a[1] = pick(8);
    if (a[0] == seL4_UntypedObject && chance(70)) a[1] = 4 + pick(14);
    c[0] = ROOT;
    a[2] = 0;
    a[3] = 0;
    a[4] = chance(60) ? pool_used(false) : pool_slot();
    seL4_Word r = pick(20);
    if (r == 0) {
        a[4] = pool0 + POOL + pick(POOL_SPARE) - (chance(50) ? 0 : POOL + 8);
    } else if (r < 4) {
        /* into a sandbox CNode: through the root (index, depth 64) or as the root itself */
        seL4_CPtr cn = pool_of(T_CNODE);
        if (chance(50)) {
            a[2] = cn;
            a[3] = chance(85) ? 64 : depth();
        } else {
            c[0] = cn;
            if (chance(30)) sub_ref(&a[2], &a[3]);
        }
        a[4] = pick(20);
    } else if (r == 4) {
        c[0] = any_src();
        a[3] = depth();
    }
    a[5] = chance(85) ? 1 + pick(3) : word();
    seL4_MessageInfo_t m = invoke(target, UntypedRetype, length(6, 7), ncaps(1), a, c);
    print_op("ut", UntypedRetype, target, m, false);
}

/* ---- TCB ---- */
static seL4_CPtr tcb_target(void) { return chance(90) ? pool_of(T_TCB) : pool_slot(); }

static seL4_CPtr cspace_arg(void)
{
    switch (pick(8)) {
    case 0: return ROOT;
    case 1: return any_src();
    default: return pool_of(T_CNODE);
    }
}

static seL4_CPtr vspace_arg(void)
{
    switch (pick(8)) {
    case 0: return seL4_CapInitThreadVSpace;
    case 1: return any_src();
    case 2: return pool_of(T_PDPT);
    default: return pool_of(T_PML4);
    }
}

static seL4_CPtr authority(void)
{
    return chance(60) ? seL4_CapInitThreadTCB : chance(80) ? pool_of(T_TCB) : pool_slot();
}

static seL4_Word ipc_buffer_addr(void)
{
    switch (pick(4)) {
    case 0: return word();
    case 1: return pick(4) << 10;
    default: return REGION + (pick(8) << 9);
    }
}

static void op_tcb(void)
{
    seL4_CPtr target = tcb_target();
    seL4_Word label = TCBReadRegisters + pick(TCBSetFlags - TCBReadRegisters + 1);
    unsigned len = 0, nc = 0;
    switch (label) {
    case TCBReadRegisters:
        a[0] = pick(4);
        a[1] = chance(80) ? pick(21) : word();
        len = 2;
        break;
    case TCBWriteRegisters:
        a[0] = pick(4);
        a[1] = chance(80) ? pick(21) : word();
        len = 2 + (unsigned)(a[1] < MAX_ARGS - 2 ? a[1] : MAX_ARGS - 2);
        break;
    case TCBCopyRegisters:
        a[0] = pick(16);
        c[0] = chance(85) ? pool_of(T_TCB) : pool_slot();
        len = 1;
        nc = 1;
        break;
    case TCBConfigure:
        a[0] = word();
        a[1] = chance(70) ? 0 : word();
        a[2] = chance(80) ? 0 : word();
        a[3] = ipc_buffer_addr();
        c[0] = cspace_arg();
        c[1] = vspace_arg();
        c[2] = chance(80) ? pool_of(T_FRAME) : chance(50) ? seL4_CapNull : pool_slot();
        len = 4;
        nc = 3;
        break;
    case TCBSetPriority:
    case TCBSetMCPriority:
        a[0] = prio();
        c[0] = authority();
        len = 1;
        nc = 1;
        break;
    case TCBSetSchedParams:
        a[0] = prio();
        a[1] = prio();
        c[0] = authority();
        len = 2;
        nc = 1;
        break;
    case TCBSetIPCBuffer:
        a[0] = ipc_buffer_addr();
        c[0] = chance(80) ? pool_of(T_FRAME) : chance(50) ? seL4_CapNull : pool_slot();
        len = 1;
        nc = 1;
        break;
    case TCBSetSpace:
        a[0] = word();
        a[1] = chance(70) ? 0 : word();
        a[2] = chance(80) ? 0 : word();
        c[0] = cspace_arg();
        c[1] = vspace_arg();
        len = 3;
        nc = 2;
        break;
    case TCBBindNotification:
        c[0] = chance(85) ? pool_of(T_NTFN) : pool_slot();
        nc = 1;
        break;
    case TCBSetTLSBase:
        a[0] = word();
        len = 1;
        break;
    case TCBSetFlags:
        a[0] = pick(4);
        a[1] = chance(80) ? pick(2) : word();
        len = 2;
        break;
    default: /* Suspend, Resume, UnbindNotification */
        break;
    }
    seL4_MessageInfo_t r = invoke(target, label, length(len, 16), ncaps(nc), a, c);
    print_op("tcb", label, target, r, false);
}

/* WriteRegisters with register values near the architectural edges, then ReadRegisters
 * of all of them (the kernel sanitises rflags, fs_base, gs_base, rip...). */
static seL4_Word reg_value(void)
{
    switch (pick(10)) {
    case 0: return 0x0000800000000000ul;   /* non-canonical */
    case 1: return 0x00007ffffffffffful;
    case 2: return 0xffff800000000000ul;
    case 3: return 0xfffffffffffffffful;
    case 4: return (seL4_Word)1 << pick(64);
    case 5: return pick(0x400000);
    default: return word();
    }
}

static void op_regs(void)
{
    seL4_CPtr target = chance(95) ? pool_of(T_TCB) : pool_slot();
    a[0] = chance(80) ? 0 : pick(4);
    a[1] = chance(70) ? 20 : pick(22);
    for (unsigned i = 2; i < 22; i++) a[i] = reg_value();
    unsigned len = 2 + (unsigned)(a[1] < 20 ? a[1] : 20);
    seL4_MessageInfo_t r = invoke(target, TCBWriteRegisters, len, 0, a, c);
    print_op("regs.w", TCBWriteRegisters, target, r, false);
    a[0] = 0;
    a[1] = 20;
    r = invoke(target, TCBReadRegisters, 2, 0, a, c);
    print_op("regs.r", TCBReadRegisters, target, r, false);
}

/* ---- Paging ---- */
static seL4_CPtr vspace_for_map(bool *root)
{
    *root = chance(40);
    return *root ? seL4_CapInitThreadVSpace : chance(90) ? pool_of(T_PML4) : any_src();
}

static seL4_Word last_vaddr = REGION;
static seL4_CPtr last_vspace = seL4_CapInitThreadVSpace;
/* Where the last PDPT, PD and PT maps succeeded (index 0, 1, 2): the next level is
 * often placed below them, so that whole hierarchies form. */
static seL4_Word table_vaddr[3] = { REGION, REGION, REGION };
static seL4_CPtr table_vspace[3] = { seL4_CapInitThreadVSpace, seL4_CapInitThreadVSpace,
                                     seL4_CapInitThreadVSpace };

/* A place below the last successful map of level `lvl` (0 PDPT, 1 PD, 2 PT). */
static void below(unsigned lvl, seL4_CPtr *vspace, seL4_Word *va)
{
    static const unsigned shift[3] = { 30, 21, 12 };
    *vspace = table_vspace[lvl];
    *va = table_vaddr[lvl] + (pick(lvl == 2 ? 512 : 4) << shift[lvl]);
}

static void op_page(void)
{
    seL4_CPtr target = chance(85) ? pool_of(T_FRAME) : pool_slot();
    seL4_Word label = X86PageMap + pick(3);
    bool root;
    c[0] = vspace_for_map(&root);
    a[0] = vaddr(root);
    if (chance(25)) {
        /* the same place again: a remap, or another frame where one is mapped */
        c[0] = last_vspace;
        a[0] = last_vaddr;
    } else if (chance(55)) {
        below(chance(20) ? 1 : 2, &c[0], &a[0]);
    }
    last_vspace = c[0];
    last_vaddr = a[0];
    a[1] = rights();
    a[2] = chance(70) ? 0 : pick(8);
    unsigned len = label == X86PageMap ? 3 : 0;
    seL4_MessageInfo_t r = invoke(target, label, length(len, 4), ncaps(label == X86PageMap),
                                  a, c);
    print_op("pg", label, target, r, label == X86PageGetAddress);
}

static void op_table(void)
{
    static const seL4_Word types[] = { T_PT, T_PD, T_PDPT, T_PT, T_PD, T_PDPT, T_PML4 };
    seL4_CPtr target = chance(85) ? pool_of(types[pick(7)]) : pool_slot();
    static const seL4_Word labels[] = { X86PDPTMap, X86PDPTUnmap, X86PageDirectoryMap,
                                        X86PageDirectoryUnmap, X86PageTableMap,
                                        X86PageTableUnmap };
    seL4_Word label;
    switch (slot_type[target - pool0]) {
    case T_PT: label = X86PageTableMap; break;
    case T_PD: label = X86PageDirectoryMap; break;
    case T_PDPT: label = X86PDPTMap; break;
    default: label = labels[pick(6)]; break;
    }
    if (chance(15)) label++; /* the Unmap label follows each Map label */
    if (chance(5)) label = labels[pick(6)];
    bool root;
    c[0] = vspace_for_map(&root);
    a[0] = vaddr(root);
    unsigned lvl = label == X86PDPTMap ? 0 : label == X86PageDirectoryMap ? 1 : 2;
    if (chance(20)) {
        c[0] = last_vspace;
        a[0] = last_vaddr;
    } else if (lvl > 0 && chance(65)) {
        below(lvl - 1, &c[0], &a[0]);
    }
    last_vspace = c[0];
    last_vaddr = a[0];
    a[1] = chance(70) ? 0 : pick(8);
    bool map = label == X86PDPTMap || label == X86PageDirectoryMap || label == X86PageTableMap;
    seL4_MessageInfo_t r = invoke(target, label, length(map ? 2 : 0, 3), ncaps(map), a, c);
    if (map && seL4_MessageInfo_get_label(r) == seL4_NoError) {
        table_vspace[lvl] = c[0];
        table_vaddr[lvl] = a[0];
    }
    print_op("pt", label, target, r, false);
}

static void op_asid(void)
{
    seL4_MessageInfo_t r;
    seL4_CPtr target;
    seL4_Word label;
    if (chance(40)) {
        target = chance(85) ? seL4_CapASIDControl : pool_of(T_ASID_CONTROL);
        label = X86ASIDControlMakePool;
        c[0] = chance(85) ? pool_of(T_UNTYPED) : any_src();
        c[1] = chance(90) ? ROOT : any_src();
        a[0] = chance(70) ? pool_used(false) : pool_slot();
        a[1] = chance(90) ? 64 : depth();
        r = invoke(target, label, length(2, 3), ncaps(2), a, c);
    } else {
        target = chance(50) ? seL4_CapInitThreadASIDPool : pool_of(T_ASID_POOL);
        label = X86ASIDPoolAssign;
        c[0] = chance(85) ? pool_of(T_PML4) : pool_slot();
        r = invoke(target, label, length(0, 2), ncaps(1), a, c);
    }
    print_op("asid", label, target, r, false);
}

/* ---- IRQs and I/O ports ---- */
static void op_irq_control(void)
{
    seL4_Word label = chance(60) ? X86IRQIssueIRQHandlerIOAPIC
                      : chance(80) ? X86IRQIssueIRQHandlerMSI : IRQIssueIRQHandler;
    c[0] = chance(90) ? ROOT : any_src();
    if (label == IRQIssueIRQHandler) {
        a[0] = pick(30);
        a[1] = pool_slot();
        a[2] = 64;
    } else {
        a[0] = chance(70) ? pool_used(false) : pool_slot();
        a[1] = chance(90) ? 64 : depth();
        if (label == X86IRQIssueIRQHandlerIOAPIC) {
            a[2] = chance(90) ? 0 : pick(3);
            a[3] = safe_pin();
            a[4] = pick(3);
            a[5] = pick(3);
        } else {
            a[2] = chance(80) ? pick(256) : 200 + pick(100);
            a[3] = chance(80) ? pick(32) : pick(40);
            a[4] = chance(80) ? pick(8) : pick(10);
            a[5] = word();
        }
        a[6] = chance(90) ? pick(108) : pick(130);
    }
    unsigned len = label == IRQIssueIRQHandler ? 3 : 7;
    seL4_MessageInfo_t r = invoke(seL4_CapIRQControl, label, length(len, 7), ncaps(1), a, c);
    print_op("irq", label, seL4_CapIRQControl, r, false);
}

static void op_irq_handler(void)
{
    seL4_CPtr target = chance(90) ? pool_of(T_IRQ_HANDLER) : pool_slot();
    seL4_Word label = IRQAckIRQ + pick(3);
    c[0] = chance(80) ? pool_of(T_NTFN) : pool_slot();
    seL4_MessageInfo_t r = invoke(target, label, 0, ncaps(label == IRQSetIRQHandler), a, c);
    print_op("irqh", label, target, r, false);
}

static void op_ioport(void)
{
    seL4_MessageInfo_t r;
    seL4_CPtr target;
    seL4_Word label;
    if (chance(35)) {
        target = seL4_CapIOPortControl;
        label = X86IOPortControlIssue;
        a[0] = safe_port();
        a[1] = chance(85) ? a[0] + pick(8) : safe_port();
        a[2] = chance(70) ? pool_used(false) : pool_slot();
        a[3] = chance(90) ? 64 : depth();
        c[0] = chance(90) ? ROOT : any_src();
        r = invoke(target, label, length(4, 4), ncaps(1), a, c);
    } else {
        target = chance(90) ? pool_of(T_IOPORT) : pool_slot();
        label = X86IOPortIn8 + pick(6);
        a[0] = safe_port();
        a[1] = word();
        bool out = label >= X86IOPortOut8;
        r = invoke(target, label, length(out ? 2 : 1, 2), 0, a, c);
        char what[64];
        snprintf(what, sizeof(what), "io %lu %s port %lx", label, slot_name(target), a[0]);
        report(what, r, false);
        return;
    }
    print_op("io", label, target, r, false);
}

/* ---- Notifications, endpoints, domains ---- */
/* Receiving is done only on SLOT_RX_EP / SLOT_RX_NTFN (original caps with all rights):
 * a receive on anything else, or on a notification bound to another thread, is a cap
 * fault, and the root task has no fault handler.  Pool copies of them get the signals
 * and messages. */
static void op_notification(void)
{
    if (chance(55)) {
        seL4_CPtr target = chance(85) ? pool_of(T_NTFN) : SLOT_RX_NTFN;
        if (target != SLOT_RX_NTFN && slot_type[target - pool0] != T_NTFN) {
            /* a Send to an endpoint would block; to an empty slot it would fault */
            report_text("signal %s skipped", slot_name(target));
            return;
        }
        seL4_Signal(target);
        report_text("signal %s", slot_name(target));
        return;
    }
    /* Poll only where it cannot fault: binding the (unbound) probe TCB to the cap succeeds
     * only if the cap may receive and the notification is bound to no other thread. */
    seL4_CPtr target = chance(50) ? SLOT_RX_NTFN : pool_of(T_NTFN);
    seL4_Error u0 = seL4_TCB_UnbindNotification(SLOT_PROBE_TCB);
    seL4_Error b = seL4_TCB_BindNotification(SLOT_PROBE_TCB, target);
    if (b == seL4_NoError) {
        seL4_Error u = seL4_TCB_UnbindNotification(SLOT_PROBE_TCB);
        seL4_Word badge = 0x1234;
        seL4_MessageInfo_t r = seL4_Poll(target, &badge);
        report_text("poll %s -> unbind e%d bind e0 unbind e%d badge %lx label %lu len %lu",
                    slot_name(target), u0, u, badge, (seL4_Word)seL4_MessageInfo_get_label(r),
                    (seL4_Word)seL4_MessageInfo_get_length(r));
        return;
    }
    report_text("poll %s: unbind e%d bind e%d (not polled)", slot_name(target), u0, b);
}

static void op_endpoint(void)
{
    seL4_CPtr target = chance(85) ? pool_of(T_EP) : chance(50) ? SLOT_RX_EP : pool_slot();
    seL4_Word t = target == SLOT_RX_EP ? T_EP : slot_type[target - pool0];
    if (chance(60)) {
        /* NBSend: to an endpoint nobody waits on it is dropped; to an object cap it is an
         * invocation without a reply; a failed lookup is ignored. */
        if (t == T_IOPORT || t == T_IOPORT_CONTROL || t == T_IRQ_CONTROL || t == T_DOMAIN) {
            report_text("nbsend %s skipped", slot_name(target));
            return;
        }
        unsigned nc = (unsigned)pick(3), len = (unsigned)pick(5);
        for (unsigned i = 0; i < nc; i++) seL4_SetCap(i, chance(80) ? c[i] : any_src());
        for (unsigned i = 0; i < len; i++) seL4_SetMR((int)i, a[i]);
        seL4_Word label = t == T_EP || t == T_NTFN ? pick(40) : pick(20);
        /* (labels 6..8 must not give a sandbox TCB the helper's priority) */
        if (label >= TCBSetPriority && label <= TCBSetSchedParams) {
            if (a[0] > SANDBOX_MAX_PRIO && a[0] < 256) seL4_SetMR(0, SANDBOX_MAX_PRIO);
            if (a[1] > SANDBOX_MAX_PRIO && a[1] < 256) seL4_SetMR(1, SANDBOX_MAX_PRIO);
        }
        seL4_NBSend(target, seL4_MessageInfo_new(label, 0, nc, len));
        report_text("nbsend %s label %lu caps %u len %u", slot_name(target), label, nc, len);
        return;
    }
    seL4_Word badge = 0x1234;
    seL4_SetMR(0, 0x77);
    seL4_MessageInfo_t r = seL4_NBRecv(SLOT_RX_EP, &badge);
    report_text("nbrecv rxep -> badge %lx label %lu len %lu caps %lu mr0 %lx", badge,
                (seL4_Word)seL4_MessageInfo_get_label(r),
                (seL4_Word)seL4_MessageInfo_get_length(r),
                (seL4_Word)seL4_MessageInfo_get_extraCaps(r), seL4_GetMR(0));
}

/* A Call to the helper through SLOT_RX_EP (all rights) with random words and caps; the
 * helper receives them through a random receive path and reports what arrived. */
static void op_ipc(void)
{
    seL4_CPtr node;
    seL4_Word index, dep;
    if (chance(75)) {
        node = ROOT;
        index = chance(70) ? pool_used(false) : pool_slot();
        dep = chance(90) ? 64 : depth();
    } else if (chance(60)) {
        node = pool_of(T_CNODE);
        sub_ref(&index, &dep);
    } else {
        node = chance(50) ? seL4_CapNull : any_src();
        index = pool_slot();
        dep = 64;
    }
    helper_ipc->receiveCNode = node;
    helper_ipc->receiveIndex = index;
    helper_ipc->receiveDepth = dep;
    unsigned nc = (unsigned)pick(4), len = (unsigned)pick(7);
    for (unsigned i = 0; i < nc; i++)
        seL4_SetCap((int)i, chance(40) ? pool_of(T_EP) : chance(70) ? any_src() : SLOT_RX_EP);
    for (unsigned i = 0; i < len; i++) seL4_SetMR((int)i, a[i]);
    seL4_MessageInfo_t r = seL4_Call(SLOT_RX_EP, seL4_MessageInfo_new(HELPER_MAGIC, 0, nc, len));
    char what[64];
    snprintf(what, sizeof(what), "ipc caps %u len %u to %s", nc, len, slot_name(node));
    report(what, r, false);
}

static void op_domain(void)
{
    seL4_CPtr target = chance(80) ? seL4_CapDomain : pool_of(T_DOMAIN);
    a[0] = chance(70) ? 0 : pick(4);
    c[0] = chance(85) ? pool_of(T_TCB) : pool_slot();
    seL4_MessageInfo_t r = invoke(target, DomainSetSet, length(1, 2), ncaps(1), a, c);
    print_op("dom", DomainSetSet, target, r, false);
}

/* A random label with random words on a pool cap.  Skipped: endpoints (a Call would
 * block), and caps whose random use could reach devices or the scheduler. */
static void op_random_label(void)
{
    seL4_CPtr target = pool_slot();
    seL4_Word t = slot_type[target - pool0];
    if (t == T_EP || t == T_IOPORT || t == T_IOPORT_CONTROL || t == T_IRQ_CONTROL ||
        t == T_DOMAIN || t == T_REPLY) {
        report_text("rnd %s skipped", slot_name(target));
        return;
    }
    seL4_Word label = pick(nArchInvocationLabels + 2);
    /* Priorities 254/255 would let a sandbox thread run beside the helper or root task. */
    if (label == TCBSetPriority || label == TCBSetMCPriority || label == TCBSetSchedParams) {
        if (a[0] > SANDBOX_MAX_PRIO && a[0] < 256) a[0] = SANDBOX_MAX_PRIO;
        if (a[1] > SANDBOX_MAX_PRIO && a[1] < 256) a[1] = SANDBOX_MAX_PRIO;
    }
    seL4_MessageInfo_t r = invoke(target, label, (unsigned)pick(12), (unsigned)pick(4), a, c);
    print_op("rnd", label, target, r, label == X86PageGetAddress);
}

static void op_identify(void)
{
    seL4_CPtr s = any_src();
    report_text("id %s %lu", slot_name(s), (seL4_Word)seL4_DebugCapIdentify(s));
}

void random_op(void)
{
    fill_args();
    seL4_Word r = pick(100);
    if (r < 14) op_cnode_copy();
    else if (r < 22) op_cnode_delete();
    else if (r < 25) op_cnode_rotate();
    else if (r < 37) op_retype();
    else if (r < 50) op_tcb();
    else if (r < 53) op_regs();
    else if (r < 62) op_page();
    else if (r < 70) op_table();
    else if (r < 74) op_asid();
    else if (r < 78) op_irq_control();
    else if (r < 81) op_irq_handler();
    else if (r < 85) op_ioport();
    else if (r < 89) op_notification();
    else if (r < 91) op_endpoint();
    else if (r < 93) op_ipc();
    else if (r < 94) op_domain();
    else if (r < 99) op_random_label();
    else op_identify();
}
