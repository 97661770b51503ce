/* Throughput of cpu_run on compute-bound code (not a test: prints instructions/s).
 * Usage: sim_cpu_bench [million-instructions] [slice]
 *        sim_cpu_bench overhead [runs]: time per cpu_run that ends at a syscall */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "machine.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Loop body: ALU work, a store and a load, a call to a tiny function. */
static const uint8_t loop_code[] = {
    0xBF, 0x00, 0x00, 0x60, 0x00,       /* mov edi, 0x600000 */
    0x48, 0xB9, 0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0, /* mov rcx, 0x7FFFFFFF */
    0x31, 0xC0,                         /* xor eax, eax */
    /* L (17): */
    0x48, 0x01, 0xC8,                   /* add rax, rcx */
    0x48, 0x6B, 0xC0, 0x07,             /* imul rax, rax, 7 */
    0x48, 0x31, 0xC8,                   /* xor rax, rcx */
    0x48, 0x89, 0x07,                   /* mov [rdi], rax */
    0x48, 0x8B, 0x17,                   /* mov rdx, [rdi] */
    0x48, 0x83, 0xC2, 0x01,             /* add rdx, 1 */
    0x48, 0xD1, 0xEA,                   /* shr rdx, 1 */
    0xE8, 0x07, 0x00, 0x00, 0x00,       /* call F */
    0x48, 0xFF, 0xC9,                   /* dec rcx */
    0x75, 0xDF,                         /* jnz L */
    0x0F, 0x05,                         /* syscall */
    /* F (52): */
    0x48, 0x01, 0xD0,                   /* add rax, rdx */
    0xC3,                               /* ret */
};

/* Fixed cost of one cpu_run: a thread that does `inc rax; syscall` each time;
 * `threads` register files (with different FPU state) take turns. */
static int overhead(uint64_t runs, unsigned threads)
{
    static const uint8_t code1[] = { 0x48, 0xFF, 0xC0, 0x0F, 0x05 };
    sim_space *s = space_create();
    uint8_t *code = frame_alloc(4096), *stack = frame_alloc(4096);
    if (s == NULL || code == NULL || stack == NULL) {
        return 1;
    }
    memcpy(code, code1, sizeof code1);
    space_map(s, 0x400000, code, 4096, SIM_PROT_READ | SIM_PROT_EXEC);
    space_map(s, 0x7F0000, stack, 4096, SIM_PROT_READ | SIM_PROT_WRITE);
    sim_regs regs[2];
    memset(regs, 0, sizeof regs);
    for (unsigned i = 0; i < 2; i++) {
        regs[i].rsp = 0x7F0000 + 4000;
        regs[i].rflags = 0x202;
        regs[i].rip = 0x400000;
        cpu_run(s, &regs[i], 1000); /* FPU image valid from now on */
    }
    regs[1].fpu[24] ^= 0x40; /* another MXCSR (DAZ) */
    double t0 = now();
    for (uint64_t i = 0; i < runs; i++) {
        sim_regs *r = &regs[threads > 1 ? i & 1 : 0];
        r->rip = 0x400000;
        sim_exit x = cpu_run(s, r, 1000);
        if (x.kind != SIM_EXIT_SYSCALL || x.insns != 2) {
            fprintf(stderr, "unexpected exit %d\n", x.kind);
            return 1;
        }
    }
    double t = now() - t0;
    printf("%llu cpu_run calls ending at a syscall, %u thread(s): %.2f us each\n",
           (unsigned long long)runs, threads > 1 ? 2u : 1u, t / (double)runs * 1e6);
    space_destroy(s);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "overhead") == 0) {
        return overhead(argc > 2 ? strtoull(argv[2], NULL, 0) : 200000ull,
                        argc > 3 ? (unsigned)strtoul(argv[3], NULL, 0) : 1);
    }
    uint64_t total = (argc > 1 ? strtoull(argv[1], NULL, 0) : 200) * 1000000ull;
    uint64_t slice = argc > 2 ? strtoull(argv[2], NULL, 0) : 10000000ull;
    sim_space *s = space_create();
    uint8_t *code = frame_alloc(4096), *data = frame_alloc(4096), *stack = frame_alloc(4096);
    if (s == NULL || code == NULL || data == NULL || stack == NULL) {
        return 1;
    }
    memset(code, 0xF4, 4096);
    memcpy(code, loop_code, sizeof loop_code);
    space_map(s, 0x400000, code, 4096, SIM_PROT_READ | SIM_PROT_EXEC);
    space_map(s, 0x600000, data, 4096, SIM_PROT_READ | SIM_PROT_WRITE);
    space_map(s, 0x7F0000, stack, 4096, SIM_PROT_READ | SIM_PROT_WRITE);
    sim_regs r;
    memset(&r, 0, sizeof r);
    r.rip = 0x400000;
    r.rsp = 0x7F0000 + 4000;
    r.rflags = 0x202;
    uint64_t done = 0, runs = 0;
    double t0 = now();
    while (done < total) {
        sim_exit x = cpu_run(s, &r, slice < total - done ? slice : total - done);
        done += x.insns;
        runs++;
        if (x.kind != SIM_EXIT_BUDGET) {
            fprintf(stderr, "unexpected exit %d\n", x.kind);
            return 1;
        }
    }
    double t = now() - t0;
    printf("%llu instructions in %.3f s (%llu runs of <= %llu): %.1f M instructions/s\n",
           (unsigned long long)done, t, (unsigned long long)runs,
           (unsigned long long)slice, (double)done / t / 1e6);
    space_destroy(s);
    return 0;
}
