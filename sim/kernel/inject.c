/*
 * Fault injection (sim.h --inject): crash a thread (delivered as an invalid-opcode
 * user exception, vector 6, at the instruction it was about to execute), make it hang
 * (it keeps consuming its time slices without making progress), corrupt one of its
 * registers, or make the K-th invocation with a given label fail with
 * seL4_NotEnoughMemory before anything changes.  "random:SEED" picks one of crash,
 * hang or corrupt, a system call number K in [1, 200] counted over all threads and,
 * for corrupt, a general register and a value; it applies to the thread making the
 * K-th system call, at that syscall instruction.  Each injection fires once and is
 * reported on stderr; one that never fired is reported at the end of the run
 * (inject_report) and in the statistics, so that a campaign counts only real faults.
 */
#include <string.h>
#include "kstate.h"

static const char *const label_names[] = {
    "InvalidInvocation", "UntypedRetype", "TCBReadRegisters", "TCBWriteRegisters",
    "TCBCopyRegisters", "TCBConfigure", "TCBSetPriority", "TCBSetMCPriority",
    "TCBSetSchedParams", "TCBSetIPCBuffer", "TCBSetSpace", "TCBSuspend", "TCBResume",
    "TCBBindNotification", "TCBUnbindNotification", "TCBSetTLSBase", "TCBSetFlags",
    "CNodeRevoke", "CNodeDelete", "CNodeCancelBadgedSends", "CNodeCopy", "CNodeMint",
    "CNodeMove", "CNodeMutate", "CNodeRotate", "CNodeSaveCaller", "IRQIssueIRQHandler",
    "IRQAckIRQ", "IRQSetIRQHandler", "IRQClearIRQHandler", "DomainSetSet",
    "DomainScheduleConfigure", "DomainScheduleSetStart", "X86PDPTMap", "X86PDPTUnmap",
    "X86PageDirectoryMap", "X86PageDirectoryUnmap", "X86PageTableMap", "X86PageTableUnmap",
    "X86PageMap", "X86PageUnmap", "X86PageGetAddress", "X86ASIDControlMakePool",
    "X86ASIDPoolAssign", "X86IOPortControlIssue", "X86IOPortIn8", "X86IOPortIn16",
    "X86IOPortIn32", "X86IOPortOut8", "X86IOPortOut16", "X86IOPortOut32",
    "X86IRQIssueIRQHandlerIOAPIC", "X86IRQIssueIRQHandlerMSI",
};
#define N_LABELS (sizeof label_names / sizeof label_names[0])

const char *invocation_label_name(uint64_t label)
{
    return label < N_LABELS ? label_names[label] : "user";
}

int inject_label_from_name(const char *name)
{
    for (unsigned i = 0; i < N_LABELS; i++)
        if (strcmp(name, label_names[i]) == 0)
            return (int)i;
    /* also accept the libsel4 function-style names, e.g. Untyped_Retype */
    char flat[64];
    size_t n = 0;
    for (const char *p = name; *p && n + 1 < sizeof flat; p++)
        if (*p != '_')
            flat[n++] = *p;
    flat[n] = '\0';
    for (unsigned i = 0; i < N_LABELS; i++) {
        const char *l = label_names[i];
        if (strncmp(l, "X86", 3) == 0 && strcmp(flat, l + 3) == 0)
            return (int)i;
        if (strcmp(flat, l) == 0)
            return (int)i;
    }
    return -1;
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static const char *const reg_names[] = {
    "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11", "r12",
    "r13", "r14", "r15", "rip", "rsp",
};

/* Concrete plan for a random spec: a function of the seed only. */
typedef struct random_plan { int kind; uint64_t at; unsigned reg; uint64_t value; } random_plan;
static random_plan plan_random(const sim_inject *s)
{
    uint64_t st = s->seed;
    random_plan p;
    p.kind = (int)(splitmix(&st) % 3);   /* crash, hang, corrupt */
    p.at = 1 + splitmix(&st) % 200;      /* the K-th system call of the run */
    p.reg = (unsigned)(splitmix(&st) % 15);   /* a general register, not rip/rsp */
    p.value = splitmix(&st);
    return p;
}

void inject_init(kernel *k)
{
    for (int i = 0; i < SIM_MAX_INJECT; i++)
        k->inject[i] = (inject_state){ false, 0 };
}

static bool name_matches(const tcb *t, const sim_inject *s)
{
    return strncmp(t->name, s->thread, sizeof s->thread) == 0;
}

static uint64_t *reg_field(sim_regs *r, const char *name)
{
    static const struct { const char *n; size_t off; } map[] = {
        { "rax", offsetof(sim_regs, rax) }, { "rbx", offsetof(sim_regs, rbx) },
        { "rcx", offsetof(sim_regs, rcx) }, { "rdx", offsetof(sim_regs, rdx) },
        { "rsi", offsetof(sim_regs, rsi) }, { "rdi", offsetof(sim_regs, rdi) },
        { "rbp", offsetof(sim_regs, rbp) }, { "r8", offsetof(sim_regs, r8) },
        { "r9", offsetof(sim_regs, r9) }, { "r10", offsetof(sim_regs, r10) },
        { "r11", offsetof(sim_regs, r11) }, { "r12", offsetof(sim_regs, r12) },
        { "r13", offsetof(sim_regs, r13) }, { "r14", offsetof(sim_regs, r14) },
        { "r15", offsetof(sim_regs, r15) }, { "rip", offsetof(sim_regs, rip) },
        { "rsp", offsetof(sim_regs, rsp) },
    };
    for (unsigned i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(name, map[i].n) == 0)
            return (uint64_t *)((char *)r + map[i].off);
    return NULL;
}

/* Crash: the thread takes an invalid-opcode exception at its current instruction. */
static void do_crash(kernel *k, tcb *t)
{
    sim_regs r;
    regs_load(t, &r);
    regs_save_full(t, &r, 0);
    entry_user_exception(k, 6, 0);
}

static void do_corrupt(kernel *k, tcb *t, const char *reg, uint64_t value)
{
    (void)k;
    sim_regs r;
    regs_load(t, &r);
    uint64_t *f = reg_field(&r, reg);
    if (f)
        *f = value;
    regs_save_full(t, &r, 0);
}

/* Applies a fired injection of `kind` to t; returns true if t stopped running. */
static bool apply(kernel *k, tcb *t, int kind, const char *reg, uint64_t value, const char *why)
{
    switch (kind) {
    case INJ_CRASH:
        fprintf(stderr, "sel4-sim: inject: crash \"%s\" (%s)\n", t->name, why);
        do_crash(k, t);
        return true;
    case INJ_HANG:
        fprintf(stderr, "sel4-sim: inject: hang \"%s\" (%s)\n", t->name, why);
        t->hung = true;
        return false;
    case INJ_CORRUPT: {
        sim_regs r;
        regs_load(t, &r);
        fprintf(stderr, "sel4-sim: inject: corrupt \"%s\" %s=0x%llx (%s) at rip 0x%llx\n", t->name, reg,
                (unsigned long long)value, why, (unsigned long long)r.rip);
        do_corrupt(k, t, reg, value);
        return false;
    }
    default:
        return false;
    }
}

uint64_t inject_budget(kernel *k, tcb *t, uint64_t budget)
{
    const sim_config *cfg = k->cfg;
    for (int i = 0; i < cfg->n_inject && i < SIM_MAX_INJECT; i++) {
        const sim_inject *s = &cfg->inject[i];
        if (k->inject[i].done)
            continue;
        if (s->kind != INJ_NOMEM && s->kind != INJ_RANDOM && !s->at_syscall && !s->at_rx &&
            name_matches(t, s)) {
            uint64_t count = s->at_time ? k->now : t->insns;
            if (s->at > count && s->at - count < budget)
                budget = s->at - count;
        }
    }
    return budget ? budget : 1;
}

bool inject_before_run(kernel *k, tcb *t)
{
    const sim_config *cfg = k->cfg;
    for (int i = 0; i < cfg->n_inject && i < SIM_MAX_INJECT; i++) {
        const sim_inject *s = &cfg->inject[i];
        if (k->inject[i].done)
            continue;
        if (s->kind != INJ_NOMEM && s->kind != INJ_RANDOM && !s->at_syscall && !s->at_rx && name_matches(t, s) &&
            (s->at_time ? k->now : t->insns) >= s->at) {
            k->inject[i].done = true;
            if (apply(k, t, (int)s->kind, s->reg, s->value, s->at_time ? "at virtual time" : "at instruction count"))
                return true;
        }
    }
    return false;
}

/* At a syscall exit of t, before the kernel saves anything: `r` is the machine state
 * right after the syscall instruction.  True if the syscall is replaced. */
bool inject_at_syscall(kernel *k, tcb *t, sim_regs *r)
{
    const sim_config *cfg = k->cfg;
    if (!r)
        return false;
    for (int i = 0; i < cfg->n_inject && i < SIM_MAX_INJECT; i++) {
        const sim_inject *s = &cfg->inject[i];
        if (k->inject[i].done || s->kind == INJ_NOMEM)
            continue;
        int kind = (int)s->kind;
        const char *reg = s->reg;
        uint64_t value = s->value;
        if (s->kind == INJ_RANDOM) {
            random_plan p = plan_random(s);
            if (k->syscalls + 1 != p.at)
                continue;
            kind = p.kind == 0 ? INJ_CRASH : p.kind == 1 ? INJ_HANG : INJ_CORRUPT;
            reg = reg_names[p.reg];
            value = p.value;
            fprintf(stderr, "sel4-sim: inject: random seed %llu picks system call %llu\n",
                    (unsigned long long)s->seed, (unsigned long long)p.at);
        } else if (s->at_rx) {
            /* At the thread's next wait (seL4_Recv or seL4_ReplyRecv) after the N-th byte
             * was read: it has handled that byte and not read the next (the first syscall
             * after the read could be before a driver passed the byte on: it would be lost
             * with the crash, as a byte taken from a real UART would). */
            int64_t sysno = (int64_t)r->rdx;
            if (!name_matches(t, s) || k->dev == NULL ||
                devices_uart_bytes_read(k->dev) < s->at ||
                (sysno != seL4_SysRecv && sysno != seL4_SysReplyRecv))
                continue;
        } else if (!s->at_syscall || !name_matches(t, s) || t->syscalls + 1 != s->at) {
            continue;
        }
        k->inject[i].done = true;
        if (kind == INJ_CORRUPT) {
            fprintf(stderr, "sel4-sim: inject: corrupt \"%s\" %s=0x%llx (at its syscall %llu)\n",
                    t->name, reg, (unsigned long long)value, (unsigned long long)t->syscalls + 1);
            uint64_t *f = reg_field(r, reg);
            if (f)
                *f = value;
            continue;
        }
        /* crash or hang: the syscall instruction itself is where it happens */
        t->syscalls++;
        k->syscalls++;
        r->rip -= 2;
        regs_save_full(t, r, 0);
        if (kind == INJ_CRASH) {
            fprintf(stderr, "sel4-sim: inject: crash \"%s\" (at its syscall %llu)\n", t->name,
                    (unsigned long long)t->syscalls);
            entry_user_exception(k, 6, 0);
        } else {
            fprintf(stderr, "sel4-sim: inject: hang \"%s\" (at its syscall %llu)\n", t->name,
                    (unsigned long long)t->syscalls);
            t->hung = true;
        }
        return true;
    }
    return false;
}

bool inject_nomem(kernel *k, uint64_t label)
{
    const sim_config *cfg = k->cfg;
    if (!cfg)
        return false;
    for (int i = 0; i < cfg->n_inject && i < SIM_MAX_INJECT; i++) {
        const sim_inject *s = &cfg->inject[i];
        if (s->kind != INJ_NOMEM || k->inject[i].done)
            continue;
        int l = inject_label_from_name(s->thread);
        if (l < 0 || (uint64_t)l != label)
            continue;
        if (++k->inject[i].count == s->at) {
            k->inject[i].done = true;
            fprintf(stderr, "sel4-sim: inject: %s invocation %llu fails with NotEnoughMemory\n",
                    s->thread, (unsigned long long)s->at);
            return true;
        }
    }
    return false;
}

bool inject_fired(const kernel *k, int i)
{
    return i >= 0 && i < SIM_MAX_INJECT && k->inject[i].done;
}

/* Whether a thread named like s's target existed at any time during the run. */
static bool target_seen(const kernel *k, const sim_inject *s)
{
    for (const tcb *t = k->dbg_threads; t; t = t->dbg_next)
        if (name_matches(t, s))
            return true;
    for (size_t i = 0; i < k->n_dead; i++)
        if (strncmp(k->dead_threads[i].name, s->thread, sizeof s->thread) == 0)
            return true;
    return false;
}

unsigned inject_report(const kernel *k)
{
    const sim_config *cfg = k->cfg;
    unsigned missed = 0;
    for (int i = 0; cfg && i < cfg->n_inject && i < SIM_MAX_INJECT; i++) {
        const sim_inject *s = &cfg->inject[i];
        if (k->inject[i].done)
            continue;
        missed++;
        const char *why;
        if (s->kind == INJ_RANDOM)
            why = "the run made fewer system calls than the one picked";
        else if (s->kind == INJ_NOMEM)
            why = "fewer invocations with that label were made";
        else if (!target_seen(k, s))
            why = "no thread of that name ever existed";
        else if (s->at_rx && (k->dev == NULL || devices_uart_bytes_read(k->dev) < s->at))
            why = "fewer serial input bytes were read";
        else if (s->at_time)
            why = "no thread of that name ran at or after that time";
        else
            why = "the thread did not reach the trigger";
        fprintf(stderr, "sel4-sim: inject: %s did not fire: %s\n", s->spec ? s->spec : "?", why);
    }
    return missed;
}
