/* Host tests of the machine layer: what user code sees of the reference CPU and of
 * seL4's descriptor tables (GDT, IDT, TR, CR0), cpuid answers, opcodes the reference
 * CPU lacks, and popcnt / bsf / bsr run as the reference runs them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "machine.h"
#include "machine/space.h"

#define CODE 0x400000ull
#define DATA 0x600000ull
#define STACK 0x7F0000ull
#define PG 4096u

/* Runs `code` (followed by hlt bytes) with rax..rdx from `in` (may be NULL); the
 * registers after the run in *r, the data page in *data_out (64 bytes, may be NULL). */
static sim_exit run(const uint8_t *code, size_t len, const uint64_t *in, sim_regs *r,
                    uint8_t *data_out)
{
    sim_space *s = space_create();
    uint8_t *c = frame_alloc(PG), *d = frame_alloc(PG), *st = frame_alloc(PG);
    if (s == NULL || c == NULL || d == NULL || st == NULL) {
        fprintf(stderr, "out of host memory\n");
        exit(1);
    }
    memset(c, 0xF4, PG);
    memcpy(c, code, len);
    for (unsigned i = 0; i < 64; i++) {
        d[i] = (uint8_t)(0xA0 + i);
    }
    CHECK_EQ(space_map(s, CODE, c, PG, SIM_PROT_READ | SIM_PROT_EXEC), 0);
    CHECK_EQ(space_map(s, DATA, d, PG, SIM_PROT_READ | SIM_PROT_WRITE), 0);
    CHECK_EQ(space_map(s, STACK, st, PG, SIM_PROT_READ | SIM_PROT_WRITE), 0);
    memset(r, 0, sizeof *r);
    r->rip = CODE;
    r->rsp = STACK + PG - 64;
    r->rflags = 0x202;
    if (in != NULL) {
        r->rax = in[0];
        r->rbx = in[1];
        r->rcx = in[2];
        r->rdx = in[3];
    }
    cpu_set_user_mode(0x2B, 0x33, false);
    sim_exit x = cpu_run(s, r, 10000);
    if (data_out != NULL) {
        memcpy(data_out, d, 64);
    }
    space_destroy(s);
    frame_free(c, PG);
    frame_free(d, PG);
    frame_free(st, PG);
    return x;
}

#define SYSCALL 0x0F, 0x05

static void test_descriptor_tables(void)
{
    sim_regs r;
    uint8_t d[64];
    /* sgdt [0x600000]; sidt [0x600010]; str ax; smsw si; syscall (which sets rcx) */
    static const uint8_t tables[] = { 0x0F, 0x01, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00,
                                      0x0F, 0x01, 0x0C, 0x25, 0x10, 0x00, 0x60, 0x00,
                                      0x0F, 0x00, 0xC8, 0x66, 0x0F, 0x01, 0xE6, SYSCALL };
    sim_exit x = run(tables, sizeof tables, NULL, &r, d);
    CHECK_EQ(x.kind, SIM_EXIT_SYSCALL);
    CHECK_EQ(d[0] | (d[1] << 8), 9 * 8 - 1);  /* seL4's 9 GDT entries */
    CHECK_EQ(d[16] | (d[17] << 8), 0xFFF);   /* 256 IDT gates */
    CHECK_EQ(r.rax & 0xFFFF, 0x18);          /* seL4's TSS selector */
    CHECK_EQ(r.rsi & 0xFFFF, 0x33);          /* CR0: PE MP ET NE */

    /* lar eax, ecx for ecx = 0x33, 0x3b, 0x43 (data, type 7), 0x2b (code); 0x4b: none */
    static const uint8_t lar[] = { 0x0F, 0x02, 0xC1, 0x0F, 0x94, 0xC3, SYSCALL }; /* ...; setz bl */
    const struct { uint64_t sel, ar, zf; } want[] = {
        { 0x33, 0xC0F700, 1 }, { 0x3B, 0xC0F700, 1 }, { 0x43, 0xC0F700, 1 },
        { 0x2B, 0xA0FB00, 1 }, { 0x4B, 0, 0 },         { 0x08, 0, 0 },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        uint64_t in[4] = { 0, 0, want[i].sel, 0 };
        x = run(lar, sizeof lar, in, &r, NULL);
        CHECK_EQ(x.kind, SIM_EXIT_SYSCALL);
        CHECK_EQ(r.rax, want[i].ar);
        CHECK_EQ(r.rbx & 1, want[i].zf);
    }

    /* mov ds, ax: 0x33 loads; 0x13 (kernel data) is #GP(0x10); mov ss, 0x3b loads (data),
     * iretq to cs 0x3b is #GP(0x38) */
    static const uint8_t movds[] = { 0x8E, 0xD8, 0x8C, 0xDE, SYSCALL }; /* mov ds,ax; mov si,ds */
    uint64_t in33[4] = { 0x33, 0, 0, 0 }, in13[4] = { 0x13, 0, 0, 0 };
    x = run(movds, sizeof movds, in33, &r, NULL);
    CHECK_EQ(x.kind, SIM_EXIT_SYSCALL);
    CHECK_EQ(r.rsi & 0xFFFF, 0x33);
    x = run(movds, sizeof movds, in13, &r, NULL);
    CHECK_EQ(x.kind, SIM_EXIT_EXCEPTION);
    CHECK_EQ(x.vector, 13);
    CHECK_EQ(x.error_code, 0x10);
    CHECK_EQ(r.rip, CODE);
    static const uint8_t movss[] = { 0x8E, 0xD0, 0x8C, 0xD6, 0xBA, 0x33, 0, 0, 0, 0x8E, 0xD2,
                                     SYSCALL }; /* mov ss,ax; mov si,ss; mov edx,0x33; mov ss,dx */
    uint64_t in3b[4] = { 0x3B, 0, 0, 0 };
    x = run(movss, sizeof movss, in3b, &r, NULL);
    CHECK_EQ(x.kind, SIM_EXIT_SYSCALL);
    CHECK_EQ(r.rsi & 0xFFFF, 0x3B);
    /* push 0x33; push rsp+8; push 0x202; push 0x3b; push rip; iretq */
    static const uint8_t iret[] = { 0x6A, 0x33, 0x48, 0x8D, 0x44, 0x24, 0x08, 0x50, 0x68, 0x02,
                                    0x02, 0x00, 0x00, 0x6A, 0x3B, 0x6A, 0x00, 0x48, 0xCF };
    x = run(iret, sizeof iret, NULL, &r, NULL);
    CHECK_EQ(x.kind, SIM_EXIT_EXCEPTION);
    CHECK_EQ(x.vector, 13);
    CHECK_EQ(x.error_code, 0x38);
    CHECK_EQ(r.rip, CODE + sizeof iret - 2);
}

static void test_cpuid(void)
{
    sim_regs r;
    static const uint8_t cpuid[] = { 0x0F, 0xA2, 0x89, 0xCE, SYSCALL }; /* cpuid; mov esi, ecx */
    uint64_t in0[4] = { 0, 0, 0, 0 }, in1[4] = { 1, 0, 0, 0 }, in_hi[4] = { 0x20, 0, 1, 0 };
    sim_exit x = run(cpuid, sizeof cpuid, in0, &r, NULL);
    CHECK_EQ(x.kind, SIM_EXIT_SYSCALL);
    CHECK_EQ(x.insns, 3);
    CHECK_EQ(r.rax, 0xB);
    CHECK_EQ(r.rbx, 0x756E6547); /* "GenuineIntel" */
    CHECK_EQ(r.rdx, 0x49656E69);
    CHECK_EQ(r.rsi, 0x6C65746E);
    x = run(cpuid, sizeof cpuid, in1, &r, NULL);
    CHECK_EQ(x.kind, SIM_EXIT_SYSCALL);
    CHECK_EQ(r.rax, 0x106A3);
    CHECK_EQ(r.rsi, 0x80982201); /* SSE3 SSSE3 CX16 SSE4.1 SSE4.2 POPCNT hypervisor */
    x = run(cpuid, sizeof cpuid, in_hi, &r, NULL);
    CHECK_EQ(x.kind, SIM_EXIT_SYSCALL);
    CHECK_EQ(r.rbx, 1); /* above the highest leaf: leaf 0xb, subleaf 1 */
    CHECK_EQ(r.rsi, 0x201);
}

static void test_flags(void)
{
    sim_regs r;
    /* pushfq; or qword [rsp], 0x4000 (NT); popfq; syscall */
    static const uint8_t nt[] = { 0x9C, 0x48, 0x81, 0x0C, 0x24, 0x00, 0x40, 0x00, 0x00, 0x9D,
                                  SYSCALL };
    sim_exit x = run(nt, sizeof nt, NULL, &r, NULL);
    CHECK_EQ(x.kind, SIM_EXIT_SYSCALL);
    CHECK_EQ(r.rflags & 0x4000, 0x4000); /* NT is user state, as in seL4 */
}

static void test_absent_opcodes(void)
{
    static const uint8_t ud[][8] = {
        { 4, 0xC5, 0xF8, 0x58, 0xC0 },             /* vaddps */
        { 5, 0xC4, 0xE2, 0x70, 0xF2, 0xD0 },       /* andn (BMI1) */
        { 3, 0x0F, 0x01, 0xF9 },                   /* rdtscp */
        { 5, 0x66, 0x0F, 0x38, 0xDC, 0xC1 },       /* aesenc */
        { 2, 0x0F, 0x0E },                         /* femms */
        { 5, 0x66, 0x0F, 0x38, 0xF6, 0xC1 },       /* adcx */
    };
    for (size_t i = 0; i < sizeof ud / sizeof ud[0]; i++) {
        uint8_t code[12] = { 0x90 };
        memcpy(code + 1, ud[i] + 1, ud[i][0]);
        code[1 + ud[i][0]] = 0x0F;
        code[2 + ud[i][0]] = 0x05;
        sim_regs r;
        sim_exit x = run(code, 3u + ud[i][0], NULL, &r, NULL);
        CHECK_EQ(x.kind, SIM_EXIT_EXCEPTION);
        CHECK_EQ(x.vector, 6);
        CHECK_EQ(r.rip, CODE + 1);
        CHECK_EQ(x.insns, 1);
    }
}

static void test_bit_counts(void)
{
    sim_regs r;
    /* popcnt eax, ecx; popcnt r8, [0x600008]; lzcnt(bsr) edx, ebx; syscall */
    static const uint8_t bits[] = { 0xF3, 0x0F, 0xB8, 0xC1,
                                    0xF3, 0x4C, 0x0F, 0xB8, 0x04, 0x25, 0x08, 0x00, 0x60, 0x00,
                                    0xF3, 0x0F, 0xBD, 0xD3, SYSCALL };
    uint64_t in[4] = { 0, 0x10, 0xF0F0, 0xFFFFFFFF12345678ull };
    sim_exit x = run(bits, sizeof bits, in, &r, NULL);
    CHECK_EQ(x.kind, SIM_EXIT_SYSCALL);
    CHECK_EQ(x.insns, 4);
    CHECK_EQ(r.rax, 8);
    CHECK_EQ(r.r8, (uint64_t)__builtin_popcountll(0xAFAEADACABAAA9A8ull));
    CHECK_EQ(r.rdx, 4); /* bsr 0x10 */
    /* tzcnt (bsf) of 0, 32-bit: destination kept, upper half cleared, ZF and PF */
    static const uint8_t bsf0[] = { 0xF3, 0x0F, 0xBC, 0xC3, SYSCALL };
    uint64_t in0[4] = { 0xFFFFFFFF12345678ull, 0, 0, 0 };
    x = run(bsf0, sizeof bsf0, in0, &r, NULL);
    CHECK_EQ(x.kind, SIM_EXIT_SYSCALL);
    CHECK_EQ(r.rax, 0x12345678);
    CHECK_EQ(r.rflags & 0x8D5, 0x44);
    /* popcnt of an unmapped operand: page fault at it, not counted */
    static const uint8_t pf[] = { 0x90, 0xF3, 0x48, 0x0F, 0xB8, 0x03, SYSCALL }; /* [rbx] */
    uint64_t inpf[4] = { 0, 0x500FFC, 0, 0 };
    x = run(pf, sizeof pf, inpf, &r, NULL);
    CHECK_EQ(x.kind, SIM_EXIT_PAGE_FAULT);
    CHECK_EQ(x.fault_addr, 0x500FFC);
    CHECK_EQ(x.fsr, 4);
    CHECK_EQ(x.insns, 1);
    CHECK_EQ(r.rip, CODE + 1);
    /* ...and of a non-canonical one: #GP(0) */
    uint64_t innc[4] = { 0, 0x0000800000000000ull, 0, 0 };
    x = run(pf, sizeof pf, innc, &r, NULL);
    CHECK_EQ(x.kind, SIM_EXIT_EXCEPTION);
    CHECK_EQ(x.vector, 13);
    CHECK_EQ(r.rip, CODE + 1);
    /* a budget ending right before it, then the rest */
    static const uint8_t loop[] = { 0xB9, 0x05, 0, 0, 0, 0xF3, 0x0F, 0xB8, 0xC1, 0xFF, 0xC9,
                                    0x75, 0xF8, SYSCALL }; /* mov ecx,5; L: popcnt; dec; jnz L */
    x = run(loop, sizeof loop, NULL, &r, NULL);
    CHECK_EQ(x.kind, SIM_EXIT_SYSCALL);
    CHECK_EQ(x.insns, 1 + 5 * 3 + 1);
}

#define RUN(t) do { fprintf(stderr, "-- %s\n", #t); t(); } while (0)

int main(void)
{
    RUN(test_descriptor_tables);
    RUN(test_cpuid);
    RUN(test_flags);
    RUN(test_absent_opcodes);
    RUN(test_bit_counts);
    return check_report("sim_cpu_ref_test");
}
