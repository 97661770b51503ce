/* The scripted machine and devices of fake_machine.h. */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "fake_machine.h"

/* ---- RAM ---- */
int ram_init(sim_ram *ram, uint64_t base, uint64_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    ram->host = p;
    ram->base = base;
    ram->size = size;
    return 0;
}

void ram_fini(sim_ram *ram)
{
    if (ram->host)
        munmap(ram->host, ram->size);
    ram->host = NULL;
}

void *ram_ptr(const sim_ram *ram, uint64_t paddr, uint64_t len)
{
    if (paddr < ram->base || len > ram->size || paddr - ram->base > ram->size - len)
        return NULL;
    return ram->host + (paddr - ram->base);
}

void *frame_alloc(uint64_t size)
{
    void *p = aligned_alloc(4096, size);
    if (p)
        memset(p, 0, size);
    return p;
}

void frame_free(void *p, uint64_t size)
{
    (void)size;
    free(p);
}

/* ---- address spaces: a list of mappings ---- */
typedef struct mapping { uint64_t vaddr, size; uint8_t *host; unsigned prot; } mapping;
struct sim_space { mapping *m; size_t n, cap; };

sim_space *space_create(void) { return calloc(1, sizeof(sim_space)); }

void space_destroy(sim_space *s)
{
    if (s) {
        free(s->m);
        free(s);
    }
}

int space_map(sim_space *s, uint64_t vaddr, void *host, uint64_t size, unsigned prot)
{
    if ((vaddr | size | (uint64_t)(uintptr_t)host) & 0xfff)
        return -1;
    for (size_t i = 0; i < s->n; i++)
        if (vaddr < s->m[i].vaddr + s->m[i].size && s->m[i].vaddr < vaddr + size)
            return -1;
    if (s->n == s->cap) {
        size_t c = s->cap ? s->cap * 2 : 16;
        mapping *m = realloc(s->m, c * sizeof *m);
        if (!m)
            return -1;
        s->m = m;
        s->cap = c;
    }
    s->m[s->n++] = (mapping){ vaddr, size, host, prot };
    return 0;
}

void space_unmap(sim_space *s, uint64_t vaddr, uint64_t size)
{
    uint64_t end = vaddr + size;
    for (size_t i = 0; i < s->n;) {
        mapping m = s->m[i];
        uint64_t mend = m.vaddr + m.size;
        if (m.vaddr >= end || mend <= vaddr) {
            i++;
            continue;
        }
        s->m[i] = s->m[--s->n];
        if (m.vaddr < vaddr)
            space_map(s, m.vaddr, m.host, vaddr - m.vaddr, m.prot);
        if (mend > end)
            space_map(s, end, m.host + (end - m.vaddr), mend - end, m.prot);
    }
}

void *space_host_ptr(const sim_space *s, uint64_t vaddr, uint64_t len, unsigned *prot)
{
    for (size_t i = 0; i < s->n; i++) {
        const mapping *m = &s->m[i];
        if (vaddr >= m->vaddr && len <= m->size && vaddr - m->vaddr <= m->size - len) {
            if (prot)
                *prot = m->prot;
            return m->host + (vaddr - m->vaddr);
        }
    }
    return NULL;
}

/* ---- CPU: program threads ---- */
typedef enum { REQ_SYSCALL, REQ_PAGE_FAULT, REQ_EXCEPTION, REQ_SPIN, REQ_DONE } req_kind;

typedef struct fthread {
    fake_program fn;
    void *arg;
    bool started, kill;
    pthread_t th;
    sem_t go;              /* the program may run */
    sim_regs regs;         /* registers handed over */
    req_kind req;
    uint64_t addr;
    uint32_t code, vector;
    sim_space *space;
} fthread;

static fthread threads[FAKE_MAX_THREADS];
static sem_t back;         /* the program stopped at a trap */
static bool back_init;
static __thread int my_id = -1;
static fake_cpu_hook hook;

void fake_cpu_hook_set(fake_cpu_hook h) { hook = h; }

void fake_program_set(int id, fake_program fn, void *arg)
{
    threads[id].fn = fn;
    threads[id].arg = arg;
}

uint64_t fake_entry(int id) { return FAKE_BASE + 0x100ull * (uint64_t)id; }

const sim_regs *fake_entry_regs(void) { return &threads[my_id].regs; }

void *fake_user(uint64_t vaddr, uint64_t len)
{
    return space_host_ptr(threads[my_id].space, vaddr, len, NULL);
}

static sim_regs trap(req_kind kind)
{
    fthread *t = &threads[my_id];
    t->req = kind;
    sem_post(&back);
    sem_wait(&t->go);
    if (t->kill)
        pthread_exit(NULL);
    return t->regs;
}

sim_regs fake_syscall(int64_t sysno, uint64_t rdi, uint64_t rsi, uint64_t mr0, uint64_t mr1,
                      uint64_t mr2, uint64_t mr3)
{
    sim_regs *r = &threads[my_id].regs;
    r->rdx = (uint64_t)sysno;
    r->rdi = rdi;
    r->rsi = rsi;
    r->r10 = mr0;
    r->r8 = mr1;
    r->r9 = mr2;
    r->r15 = mr3;
    return trap(REQ_SYSCALL);
}

sim_regs fake_page_fault(uint64_t addr, uint32_t fsr)
{
    threads[my_id].addr = addr;
    threads[my_id].code = fsr;
    return trap(REQ_PAGE_FAULT);
}

sim_regs fake_exception(uint32_t vector, uint32_t code)
{
    threads[my_id].vector = vector;
    threads[my_id].code = code;
    return trap(REQ_EXCEPTION);
}

sim_regs fake_spin(void) { return trap(REQ_SPIN); }

static void *thread_main(void *p)
{
    fthread *t = p;
    my_id = (int)(t - threads);
    sem_wait(&t->go);
    if (t->kill)
        return NULL;
    t->fn(my_id, t->arg);
    t->req = REQ_DONE;
    sem_post(&back);
    return NULL;
}

/* Runs program `id` until its next trap; registers in/out through t->regs. */
static void resume(fthread *t)
{
    sem_post(&t->go);
    sem_wait(&back);
}

sim_exit cpu_run(sim_space *s, sim_regs *regs, uint64_t budget)
{
    sim_exit ex;
    memset(&ex, 0, sizeof ex);
    if (hook)
        return hook(s, regs, budget);
    if (!back_init) {
        sem_init(&back, 0, 0);
        back_init = true;
    }
    uint64_t off = regs->rip - FAKE_BASE;
    int id = (int)(off >> 8);
    if (regs->rip < FAKE_BASE || id >= FAKE_MAX_THREADS || !threads[id].fn) {
        /* no program here: behave like an unmapped instruction fetch */
        ex.kind = SIM_EXIT_PAGE_FAULT;
        ex.fault_addr = regs->rip;
        ex.fsr = 0x14;
        return ex;
    }
    fthread *t = &threads[id];
    uint64_t at = fake_entry(id);
    t->space = s;
    if (!t->started) {
        t->started = true;
        sem_init(&t->go, 0, 0);
        t->regs = *regs;
        pthread_create(&t->th, NULL, thread_main, t);
        resume(t);
    } else if (regs->rip == at + 2 || (regs->rip == at + 4 && t->req == REQ_SPIN)) {
        /* back from a syscall, or a spinner scheduled again */
        t->regs = *regs;
        resume(t);
    } else if (regs->rip == at && t->req == REQ_PAGE_FAULT &&
               space_host_ptr(s, t->addr & ~0xfffull, 4096, NULL)) {
        /* the faulting access is re-executed and now succeeds */
        unsigned prot = 0;
        space_host_ptr(s, t->addr & ~0xfffull, 4096, &prot);
        if (!(t->code & 2) || (prot & SIM_PROT_WRITE)) {
            t->regs = *regs;
            resume(t);
        } else {
            t->regs = *regs;
        }
    } else {
        /* re-executing the trapping instruction with the registers the kernel restored,
         * or a finished program that keeps spinning */
        t->regs = *regs;
    }
    /* report the trap */
    *regs = t->regs;
    switch (t->req) {
    case REQ_SYSCALL:
        regs->rip = at + 2;
        regs->rcx = at + 2;
        regs->r11 = regs->rflags;
        ex.kind = SIM_EXIT_SYSCALL;
        ex.insns = 1;
        break;
    case REQ_PAGE_FAULT:
        regs->rip = at;
        ex.kind = SIM_EXIT_PAGE_FAULT;
        ex.fault_addr = t->addr;
        ex.fsr = t->code;
        break;
    case REQ_EXCEPTION:
        regs->rip = at;
        ex.kind = SIM_EXIT_EXCEPTION;
        ex.vector = t->vector;
        ex.error_code = t->code;
        break;
    default:
        regs->rip = at + 4;
        ex.kind = SIM_EXIT_BUDGET;
        ex.insns = budget;
        break;
    }
    return ex;
}

void fake_reset(void)
{
    for (int i = 0; i < FAKE_MAX_THREADS; i++) {
        fthread *t = &threads[i];
        if (t->started) {
            if (t->req != REQ_DONE) {
                t->kill = true;
                sem_post(&t->go);
            }
            pthread_join(t->th, NULL);
            sem_destroy(&t->go);
        }
        memset(t, 0, sizeof *t);
    }
    hook = NULL;
}

void cpu_request_stop(void) {}
void cpu_clear_stop(void) {}
static uint64_t (*time_fn)(void *);
static void *time_ctx;
void cpu_set_time_source(uint64_t (*now)(void *ctx), void *ctx)
{
    time_fn = now;
    time_ctx = ctx;
}
void cpu_get_stats(sim_cpu_stats *out) { memset(out, 0, sizeof *out); }

/* ---- devices ---- */
struct sim_devices { int unused; };
static char console[1 << 16];
static size_t console_len;
static uint32_t ports[65536];
static bool exit_req;
static uint32_t exit_value;
static uint64_t irq_at = UINT64_MAX;
static uint32_t irq_mask;

sim_devices *devices_create(void)
{
    exit_req = false;
    irq_at = UINT64_MAX;
    return calloc(1, sizeof(sim_devices));
}
void devices_destroy(sim_devices *d) { free(d); }
void devices_putchar(sim_devices *d, char c)
{
    (void)d;
    if (console_len + 1 < sizeof console)
        console[console_len++] = c;
    console[console_len] = '\0';
}
const char *fake_console(void) { return console; }
void devices_flush(sim_devices *d) { (void)d; }
void fake_console_clear(void) { console_len = 0; console[0] = '\0'; }
static uint64_t uart_reads; /* reads of COM1's receive register (port 0x3f8) */
uint32_t devices_in(sim_devices *d, uint16_t port, unsigned size)
{
    (void)d;
    (void)size;
    if (port == 0x3f8)
        uart_reads++;
    return ports[port];
}
uint64_t devices_uart_bytes_read(const sim_devices *d)
{
    (void)d;
    return uart_reads;
}
void devices_out(sim_devices *d, uint16_t port, unsigned size, uint32_t value)
{
    (void)d;
    (void)size;
    ports[port] = value;
    if (port == 0xf4) {
        exit_req = true;
        exit_value = value;
    }
}
uint32_t fake_port_value(uint16_t port) { return ports[port]; }
void fake_port_set_input(uint16_t port, uint32_t value) { ports[port] = value; }
uint64_t devices_next_irq_time(const sim_devices *d, uint64_t now)
{
    (void)d;
    (void)now;
    return irq_at;
}
uint32_t devices_poll_irqs(sim_devices *d, uint64_t now)
{
    (void)d;
    if (now >= irq_at) {
        irq_at = UINT64_MAX;
        return irq_mask;
    }
    return 0;
}
void fake_irq_schedule(uint64_t at, uint32_t isa_mask)
{
    irq_at = at;
    irq_mask = isa_mask;
}
bool devices_exit_requested(const sim_devices *d, uint32_t *value)
{
    (void)d;
    if (exit_req)
        *value = exit_value;
    return exit_req;
}
