/*
 * The deterministic run loop.  Virtual time is counted in user instructions: the
 * kernel's timer interrupt (CONFIG_TIMER_TICK_MS = 2 ms) arrives every
 * KERNEL_TICK_INSNS instructions, device interrupts when the device model says they
 * are due, and a thread runs until the earlier of the two (or a fault-injection
 * point, or --max-insns).  Kernel work takes no virtual time; when no thread is
 * runnable, time jumps to the next device interrupt.  Nothing depends on the host's
 * clock except the --timeout safety net.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kstate.h"

/* CONFIG_TIMER_TICK_MS = 2, in the virtual time the devices use (devices.h). */
#define KERNEL_TICK_INSNS (SIM_INSNS_PER_SECOND / 1000ull * 2ull)
/* Idle jumps without any thread waking before the system counts as dead. */
#define IDLE_JUMP_LIMIT 100000u

static uint64_t host_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Instructions until the next timer tick.  On a real machine the timer runs on the
 * clock, and the kernel's own work (zeroing retyped memory, ...) takes time that the
 * sim does not count, so ticks fall at other points of the threads' instruction
 * streams from run to run.  --tick-jitter models that: intervals drawn uniformly from
 * 0.5 .. 1.5 ticks by a generator seeded with --seed (still the same run for the same
 * seed); without it, exactly one tick. */
static uint64_t tick_interval(const kernel *k)
{
    if (!k->cfg->tick_jitter)
        return KERNEL_TICK_INSNS;
    /* splitmix64's finaliser of the seed and the current tick's time: no state kept */
    uint64_t z = k->cfg->seed ^ (k->next_tick * 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return KERNEL_TICK_INSNS / 2 + z % KERNEL_TICK_INSNS;
}

/* The next tick after a jump of virtual time to k->now. */
static void tick_after_jump(kernel *k)
{
    if (k->next_tick > k->now)
        return;
    if (k->cfg->tick_jitter)
        k->next_tick = k->now + tick_interval(k);
    else
        k->next_tick = (k->now / KERNEL_TICK_INSNS + 1) * KERNEL_TICK_INSNS;
}

kernel *kernel_create(const sim_config *cfg, sim_devices *dev)
{
    uint64_t mem = cfg->mem_bytes;
    if (mem < (16ull << 20) || mem > (64ull << 30) || (mem & 0xfffff)) {
        fprintf(stderr, "sel4-sim: RAM size must be a whole number of MiB from 16 MiB to 64 GiB\n");
        return NULL;
    }
    /* physical memory as QEMU's "pc" machine lays it out: at most 3 GiB below 4 GiB
     * (when there are 3.5 GiB or more), the rest from 4 GiB up */
    uint64_t phys_size = mem >= 0xe0000000ull ? 0x100000000ull + (mem - 0xc0000000ull) : mem;
    kernel *k = calloc(1, sizeof *k);
    if (!k) {
        fprintf(stderr, "sel4-sim: out of memory\n");
        return NULL;
    }
    k->cfg = cfg;
    k->dev = dev;
    k->objects.next = k->objects.prev = &k->objects;
    if (ram_init(&k->ram, 0, phys_size) != 0) {
        fprintf(stderr, "sel4-sim: cannot allocate %llu MiB of simulated RAM\n",
                (unsigned long long)(cfg->mem_bytes >> 20));
        free(k);
        return NULL;
    }
    strcpy(k->idle.name, "idle_thread");
    k->idle.state = TS_IDLE;
    k->idle.prio = 0;
    k->cur = &k->idle;
    k->action = SCHED_RESUME_CURRENT;
    k->next_tick = tick_interval(k);
    irq_init(k);
    inject_init(k);
    return k;
}

void kernel_destroy(kernel *k)
{
    if (!k)
        return;
    while (k->objects.next != &k->objects) {
        kobj *o = k->objects.next;
        if (o->kind == OBJ_PML4 && ((ptable *)o)->space) {
            space_destroy(((ptable *)o)->space);
            ((ptable *)o)->space = NULL;
        }
        obj_free(k, o);
    }
    obj_reap(k);
    devpages_free(k);
    free(k->dead_threads);
    if (k->null_space)
        space_destroy(k->null_space);
    ram_fini(&k->ram);
    free(k);
}

static const char *state_name(unsigned s)
{
    static const char *const names[] = {
        "inactive", "running", "restart", "blocked on receive", "blocked on send",
        "blocked on reply", "blocked on notification", "idle",
    };
    return s < 8 ? names[s] : "?";
}

static void report_deadlock(kernel *k)
{
    fprintf(stderr, "sel4-sim: deadlock: no thread can run and no interrupt can wake one\n");
    for (tcb *t = k->dbg_threads; t; t = t->dbg_next)
        if (t->state != TS_INACTIVE)
            fprintf(stderr, "sel4-sim:   \"%s\" %s at 0x%llx\n", t->name, state_name(t->state),
                    (unsigned long long)t->ctx[R_FAULTIP]);
}

/* Maps a CPU exception the machine reports to the kernel entry seL4 makes of it.  The
 * machine raises #GP(n*8+2) for every `int n` but int3; in seL4's IDT the vectors
 * 158..254 are user trap gates, which the kernel reports as an unknown syscall numbered
 * (n << 24) | (eax & 0xffffff), with FaultIP at the int instruction. */
static void handle_exception(kernel *k, tcb *t, sim_regs *r, const sim_exit *ex)
{
    uint32_t v = ex->vector, code = ex->error_code;
    uint32_t gate = code >> 3;
    if (v == 13 && (code & 7u) == 2u && gate == 255) {
        /* vector 255 is the spurious-interrupt vector: the kernel ignores it and the
         * thread continues after its `int $0xff` */
        regs_save_full(t, r, 0);
        t->ctx[R_NEXTIP] = r->rip + 2;
        t->ctx[R_FAULTIP] = r->rip + 2;
        return;
    }
    if (v == 13 && (code & 7u) == 2u && gate >= 158 && gate <= 254) {
        regs_save_full(t, r, 0);
        t->ctx[R_NEXTIP] = r->rip + 2;
        t->ctx[R_FAULTIP] = r->rip;
        t->syscalls++;
        k->syscalls++;
        int32_t sysno = (int32_t)((gate << 24) | (uint32_t)(r->rax & 0xffffffu));
        k->cur_fault = (fault){ .type = seL4_Fault_UnknownSyscall, .addr = (uint64_t)(int64_t)sysno };
        handle_fault(k, t);
        schedule(k);
        activate_thread(k);
        return;
    }
    regs_save_full(t, r, code);
    entry_user_exception(k, v, code);
}

static void run_thread(kernel *k, tcb *t, uint64_t budget)
{
    if (t->hung) {
        t->insns += budget;
        k->user_insns += budget;
        k->now += budget;
        return;
    }
    sim_space *space = thread_space(k, t);
    if (!space) {
        /* no valid VSpace: the thread runs with nothing mapped (seL4's kernel-only root) */
        if (!k->null_space)
            k->null_space = space_create();
        space = k->null_space;
        if (!space) {
            fprintf(stderr, "sel4-sim: host out of memory creating an address space\n");
            abort();
        }
    }
    sim_regs r;
    memset(&r, 0, sizeof r);
    regs_load(t, &r);
    regs_user_mode(t);
    sim_exit ex = cpu_run(space, &r, budget);
    t->insns += ex.insns;
    k->user_insns += ex.insns;
    k->now += ex.insns;
    switch (ex.kind) {
    case SIM_EXIT_SYSCALL:
        if (inject_at_syscall(k, t, &r))
            break;
        regs_save_syscall(t, &r);
        /* the whole of rdx is the number: 0xfffffff9 is not Yield (-7) */
        entry_syscall(k, (int64_t)r.rdx);
        break;
    case SIM_EXIT_PAGE_FAULT: {
        uint32_t fsr = vspace_fault_fsr(k, t, ex.fault_addr, ex.fsr);
        regs_save_full(t, &r, fsr);
        entry_vm_fault(k, ex.fault_addr, fsr);
        break;
    }
    case SIM_EXIT_EXCEPTION:
        handle_exception(k, t, &r, &ex);
        break;
    default: /* budget used up or stopped: as if interrupted */
        regs_save_full(t, &r, 0);
        break;
    }
}

static uint64_t virtual_now(void *ctx)
{
    return ((const kernel *)ctx)->now;
}

int kernel_run(kernel *k)
{
    uint64_t t0 = host_now_ns();
    uint64_t deadline = k->cfg->timeout_s > 0 ? t0 + (uint64_t)(k->cfg->timeout_s * 1e9) : 0;
    unsigned idle_jumps = 0;
    int status = SIM_STATUS_OK;

    cpu_set_time_source(virtual_now, k);
    schedule(k);
    activate_thread(k);
    for (uint64_t iter = 0;; iter++) {
        obj_reap(k);
        uint32_t value;
        if (devices_exit_requested(k->dev, &value)) {
            status = (int)(value & 0xff);
            break;
        }
        if (k->stop) {
            status = k->status;
            break;
        }
        if (k->cfg->max_insns && k->user_insns >= k->cfg->max_insns) {
            fprintf(stderr, "sel4-sim: instruction limit reached (%llu)\n",
                    (unsigned long long)k->cfg->max_insns);
            status = SIM_STATUS_LIMIT;
            break;
        }
        if (deadline && (iter & 63) == 0 && host_now_ns() > deadline) {
            fprintf(stderr, "sel4-sim: timeout (%.1f s)\n", k->cfg->timeout_s);
            status = SIM_STATUS_LIMIT;
            break;
        }

        /* interrupts that are due, the kernel timer first (highest vector) */
        if (k->now >= k->next_tick) {
            k->next_tick += tick_interval(k);
            tick_after_jump(k);
            entry_interrupt(k, IRQ_TIMER);
            continue;
        }
        irq_device_lines(k, devices_poll_irqs(k->dev, k->now));
        int irq = irq_next_deliverable(k);
        if (irq >= 0) {
            idle_jumps = 0;
            entry_interrupt(k, (unsigned)irq);
            continue;
        }

        tcb *t = k->cur;
        uint64_t next_dev = devices_next_irq_time(k->dev, k->now);
        if (t == &k->idle) {
            if (next_dev == UINT64_MAX || !irq_any_routed(k) || ++idle_jumps > IDLE_JUMP_LIMIT) {
                report_deadlock(k);
                status = SIM_STATUS_DEADLOCK;
                break;
            }
            if (next_dev > k->now)
                k->now = next_dev;
            tick_after_jump(k);
            continue;
        }
        idle_jumps = 0;
        if (inject_before_run(k, t))
            continue;

        uint64_t budget = k->next_tick - k->now;
        if (next_dev > k->now && next_dev - k->now < budget)
            budget = next_dev - k->now;
        if (k->cfg->max_insns && k->cfg->max_insns - k->user_insns < budget)
            budget = k->cfg->max_insns - k->user_insns;
        budget = inject_budget(k, t, budget);
        run_thread(k, t, budget);
    }
    obj_reap(k);
    k->host_ns += host_now_ns() - t0;
    return status;
}
