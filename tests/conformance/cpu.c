/* Conformance: user-mode CPU behaviour as seen through seL4 on the reference machine
 * (QEMU TCG, -cpu Nehalem,-vme,+pdpe1gb,-xsave,-xsaveopt,-xsavec,-fsgsbase,-invpcid).
 *
 * Each case is a small assembly "probe" run by one worker thread whose fault endpoint is
 * the root task.  The probe either faults -- the root task checks the fault message:
 * label, exception number, error code, FaultIP (relative to a label in the probe) or the
 * VM fault address and FSR -- or returns two values (rax, rdx) that the worker reports
 * in a message with label 0x600d.  Between cases the root task suspends the worker and
 * restarts it with WriteRegisters at a fresh stack (the worker's TLS base is kept).
 *
 * Only architectural values are printed: exception numbers, error codes, offsets of
 * FaultIP from the probe's labels, flag masks, selectors, CPUID words, FPU bit patterns.
 * What the reference machine does is not always what hardware does (QEMU raises #GP
 * where hardware raises #SS for a non-canonical stack access, for example); the cases
 * record the reference machine, and the descriptions say so where they differ. */
#include "harness.h"

#define ROOT seL4_CapInitThreadCNode
#define D 64
#define LAST_MAPPED_PAGE 0x7fffffffe000ul /* the page below the last user page */
#define GOOD 0x600d

/* ---- data the probes use (referenced by name from the assembly) ---- */
extern unsigned char cpu_buf[1024];
extern seL4_Word cpu_arg, cpu_saved_rsp;
extern const unsigned int cpu_consts[];
extern const unsigned char cpu_bytes[32];
unsigned char cpu_buf[1024] __attribute__((aligned(64)));
seL4_Word cpu_arg, cpu_saved_rsp;
/* 0: MXCSR default, 1: MXCSR with divide-by-zero unmasked, 2: MXCSR with a reserved bit,
 * 3: 1.0f, 4: 3.0f, 5: -1.0f, 6/7: 0.5 (double), 8/9: 3.0 (double), 10: x87 control word
 * with invalid-operation unmasked */
const unsigned int cpu_consts[] = { 0x1f80, 0x1d80, 0x11f80, 0x3f800000, 0x40400000, 0xbf800000,
                                    0x00000000, 0x3fe00000, 0x00000000, 0x40080000, 0x037e };
/* bytes 0..15, then the pshufb mask reversing them */
const unsigned char cpu_bytes[32] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                                      15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 };

/* PROBE(name, setup, rest): a function `name` running `setup`, then `rest` starting at
 * the label name_f (the instruction a fault is expected at), then returning rax:rdx.
 * (The arguments are a symbol name and string literals: they cannot be parenthesised.) */
/* NOLINTBEGIN(bugprone-macro-parentheses) */
#define PROBE(name, setup, rest)                                                           \
    extern char name[], name##_f[];                                                        \
    __asm__(".text\n.p2align 4\n.globl " #name "\n.type " #name ",@function\n" #name ":\n" \
            setup "\n.globl " #name "_f\n" #name "_f:\n" rest "\n\tret\n.size " #name      \
            ", .-" #name "\n")

#define SET_AC "pushfq\n orq $0x40000, (%rsp)\n popfq\n"
#define CLEAR_AC_ID "pushfq\n andq $~0x240000, (%rsp)\n popfq\n"
#define MISALIGNED "leaq cpu_buf+8(%rip), %rax\n"
#define NONCANON "movabsq $0x0000800000000000, %rax\n"
#define RESET_FPU "fninit\n ldmxcsr cpu_consts(%rip)\n"
/* lar/lsl/verr/verw on a selector: rax = the result register, rdx = ZF */
#define SEL_PROBE(name, insn, sel)                                                          \
    PROBE(name, "movl $" #sel ", %ecx\n xorl %eax, %eax\n", insn " %cx\n setz %dl\n movzbl %dl, %edx")
#define SEL_PROBE2(name, insn, sel)                                                         \
    PROBE(name, "movl $" #sel ", %ecx\n xorl %eax, %eax\n", insn " %ecx, %eax\n setz %dl\n movzbl %dl, %edx")
/* cpuid leaf: rax = ra, rdx = rb of the result */
#define CPUID_PROBE(name, leaf, ra, rb)                                                     \
    PROBE(name, "pushq %rbx\n movl $" #leaf ", %eax\n xorl %ecx, %ecx\n",                  \
          "cpuid\n movq %" ra ", %r8\n movq %" rb ", %r9\n popq %rbx\n movq %r8, %rax\n"   \
          "movq %r9, %rdx")
/* one x87 operation on st0 (and st1), the 80-bit result: rax = mantissa, rdx = sign/exp */
#define X87_PROBE(name, load, op)                                                           \
    PROBE(name, "fninit\n" load, op "\n fstpt cpu_buf(%rip)\n movq cpu_buf(%rip), %rax\n"   \
          "movzwl cpu_buf+8(%rip), %edx\n fninit")
/* NOLINTEND(bugprone-macro-parentheses) */

/* ---- flags ---- */
PROBE(p_ac_set, SET_AC, "pushfq\n popq %rax\n" CLEAR_AC_ID "andl $0x40000, %eax");
PROBE(p_ac_load, SET_AC "leaq cpu_buf+1(%rip), %rcx\n", "movl (%rcx), %eax\n" CLEAR_AC_ID "movl $1, %eax");
PROBE(p_ac_push, SET_AC "subq $4, %rsp\n", "pushq $1\n popq %rax\n addq $4, %rsp\n" CLEAR_AC_ID);
PROBE(p_flags_syscall,
      "pushq %rbx\n pushfq\n orq $0x240001, (%rsp)\n popfq\n movq $-7, %rdx\n movq %rsp, %rbx\n",
      "syscall\n movq %rbx, %rsp\n pushfq\n popq %rax\n" CLEAR_AC_ID "popq %rbx\n andl $0x240001, %eax");
PROBE(p_flags_ud2, "pushq $0x244403\n popfq\n", "ud2");
PROBE(p_flags_reply, "pushq $0x244403\n popfq\n", "ud2\n pushfq\n popq %rax\n pushq $0x202\n popfq");
PROBE(p_nt_syscall, "pushq %rbx\n pushfq\n orq $0x4000, (%rsp)\n popfq\n movq $-7, %rdx\n movq %rsp, %rbx\n",
      "syscall\n movq %rbx, %rsp\n pushfq\n popq %rax\n pushfq\n andq $~0x4000, (%rsp)\n popfq\n popq %rbx\n"
      "andl $0x4000, %eax");
PROBE(p_popf_all, "pushq $0x3f7cd5\n popfq\n", "pushfq\n popq %rax\n pushq $0x202\n popfq");
/* iretq to CPL 3 with rflags IOPL 3 and IF 0: both are kept as they were */
PROBE(p_iret_flags, "movl %ss, %eax\n pushq %rax\n leaq 8(%rsp), %rax\n pushq %rax\n pushq $0x3002\n"
                    "movl %cs, %eax\n pushq %rax\n leaq 1f(%rip), %rax\n pushq %rax\n",
      "iretq\n1: pushfq\n popq %rax\n andl $0x3200, %eax");
PROBE(p_iret_2b, "movl %ss, %eax\n pushq %rax\n leaq 8(%rsp), %rax\n pushq %rax\n pushq $0x202\n"
                 "pushq $0x2b\n leaq 1f(%rip), %rax\n pushq %rax\n",
      "iretq\n1: movl %cs, %eax");
PROBE(p_iret_3b, "movl %ss, %eax\n pushq %rax\n leaq 8(%rsp), %rax\n pushq %rax\n pushq $0x202\n"
                 "pushq $0x3b\n leaq 1f(%rip), %rax\n pushq %rax\n",
      "iretq\n1: movl %cs, %eax");
PROBE(p_iret_ss0, "pushq $0\n leaq 8(%rsp), %rax\n pushq %rax\n pushq $0x202\n"
                  "movl %cs, %eax\n pushq %rax\n leaq 1f(%rip), %rax\n pushq %rax\n",
      "iretq\n1: movl %ss, %eax");

/* ---- segment registers and descriptor tables ---- */
PROBE(p_seg_dses, "", "movl %ds, %eax\n movl %es, %edx");
PROBE(p_seg_fsgs, "", "movl %fs, %eax\n movl %gs, %edx");
PROBE(p_ds_0, "xorl %eax, %eax\n", "movl %eax, %ds\n movl %ds, %eax");
PROBE(p_ds_13, "movl $0x13, %eax\n", "movl %eax, %ds");
PROBE(p_ds_0b, "movl $0x0b, %eax\n", "movl %eax, %ds");
PROBE(p_ds_1230, "movl $0x1230, %eax\n", "movl %eax, %ds");
PROBE(p_ds_1234, "movl $0x1234, %eax\n", "movl %eax, %ds");
PROBE(p_ds_4b, "movl $0x4b, %eax\n", "movl %eax, %ds");
PROBE(p_ds_2b, "movl $0x2b, %eax\n", "movl %eax, %ds\n movl %ds, %eax\n xorl %ecx, %ecx\n movl %ecx, %ds");
PROBE(p_ds_3b, "movl $0x3b, %eax\n", "movl %eax, %ds\n movl %ds, %eax\n xorl %ecx, %ecx\n movl %ecx, %ds");
PROBE(p_es_33, "movl $0x33, %eax\n", "movl %eax, %es\n movl %es, %eax\n xorl %ecx, %ecx\n movl %ecx, %es");
PROBE(p_ss_0, "xorl %eax, %eax\n", "movl %eax, %ss");
PROBE(p_ss_2b, "movl $0x2b, %eax\n", "movl %eax, %ss");
PROBE(p_ss_3b, "movl $0x3b, %eax\n", "movl %eax, %ss\n movl %ss, %eax\n movl $0x33, %ecx\n movl %ecx, %ss");
PROBE(p_gs_43, "movl $0x43, %eax\n", "movl %eax, %gs\n movl %gs, %eax\n xorl %ecx, %ecx\n movl %ecx, %gs");
SEL_PROBE2(p_lar_33, "larl", 0x33);
SEL_PROBE2(p_lar_2b, "larl", 0x2b);
SEL_PROBE2(p_lar_3b, "larl", 0x3b);
SEL_PROBE2(p_lar_43, "larl", 0x43);
SEL_PROBE2(p_lar_08, "larl", 0x08);
SEL_PROBE2(p_lar_18, "larl", 0x18);
SEL_PROBE2(p_lsl_33, "lsll", 0x33);
SEL_PROBE2(p_lsl_43, "lsll", 0x43);
SEL_PROBE2(p_lsl_4b, "lsll", 0x4b);
SEL_PROBE(p_verr_2b, "verr", 0x2b);
SEL_PROBE(p_verw_2b, "verw", 0x2b);
SEL_PROBE(p_verw_33, "verw", 0x33);
SEL_PROBE(p_verr_10, "verr", 0x10);
PROBE(p_sgdt, "", "sgdt cpu_buf(%rip)\n movzwl cpu_buf(%rip), %eax");
PROBE(p_sidt, "", "sidt cpu_buf(%rip)\n movzwl cpu_buf(%rip), %eax");
PROBE(p_str, "xorl %eax, %eax\n", "str %ax\n movzwl %ax, %eax");
PROBE(p_sldt, "movl $0x55, %eax\n", "sldt %ax\n movzwl %ax, %eax");
PROBE(p_smsw, "xorl %eax, %eax\n", "smsw %ax\n movzwl %ax, %eax");

/* ---- opcodes that do not exist in 64-bit mode or on this CPU: #UD ---- */
PROBE(p_into, "", ".byte 0xce");
PROBE(p_aaa, "", ".byte 0x37");
PROBE(p_daa, "", ".byte 0x27");
PROBE(p_aas, "", ".byte 0x3f");
PROBE(p_das, "", ".byte 0x2f");
PROBE(p_aam, "", ".byte 0xd4, 0x0a");
PROBE(p_aad, "", ".byte 0xd5, 0x0a");
PROBE(p_pusha, "", ".byte 0x60");
PROBE(p_popa, "", ".byte 0x61");
PROBE(p_push_es, "", ".byte 0x06");
PROBE(p_pop_es, "", ".byte 0x07");
PROBE(p_push_cs, "", ".byte 0x0e");
PROBE(p_push_ss, "", ".byte 0x16");
PROBE(p_pop_ss, "", ".byte 0x17");
PROBE(p_push_ds, "", ".byte 0x1e");
PROBE(p_pop_ds, "", ".byte 0x1f");
PROBE(p_bound, "", ".byte 0x62, 0x00");
PROBE(p_salc, "", ".byte 0xd6");
PROBE(p_callfar, "", ".byte 0x9a, 0, 0, 0, 0, 0x2b, 0");
PROBE(p_jmpfar, "", ".byte 0xea, 0, 0, 0, 0, 0x2b, 0");
PROBE(p_ud0, "", ".byte 0x0f, 0xff, 0xc0");
PROBE(p_ud1, "", ".byte 0x0f, 0xb9, 0xc0");
PROBE(p_femms, "", ".byte 0x0f, 0x0e");
PROBE(p_lock_reg, "", ".byte 0xf0, 0x01, 0xc3"); /* lock add %eax, %ebx */
PROBE(p_movbe, "leaq cpu_buf(%rip), %rax\n", "movbe (%rax), %ecx");
PROBE(p_rdrand, "", "rdrand %eax");
PROBE(p_rdseed, "", "rdseed %eax");
PROBE(p_pclmul, "", "pclmulqdq $0, %xmm1, %xmm0");
PROBE(p_aesenc, "", "aesenc %xmm1, %xmm0");
PROBE(p_vaddps, "", ".byte 0xc5, 0xf8, 0x58, 0xc0");              /* vaddps: the lds opcode */
PROBE(p_vbroadcast, "leaq cpu_buf(%rip), %rax\n", ".byte 0xc4, 0xe2, 0x79, 0x18, 0x00"); /* les */
PROBE(p_andn, "", ".byte 0xc4, 0xe2, 0x70, 0xf2, 0xd0");          /* BMI1 andn */
PROBE(p_rdtscp, "", ".byte 0x0f, 0x01, 0xf9");
PROBE(p_rdpid, "", ".byte 0xf3, 0x0f, 0xc7, 0xf8");
PROBE(p_monitor, "leaq cpu_buf(%rip), %rax\n xorl %ecx, %ecx\n xorl %edx, %edx\n", ".byte 0x0f, 0x01, 0xc8");
PROBE(p_xsetbv, "xorl %ecx, %ecx\n movl $3, %eax\n xorl %edx, %edx\n", ".byte 0x0f, 0x01, 0xd1");
PROBE(p_invpcid, "leaq cpu_buf(%rip), %rax\n xorl %ecx, %ecx\n", ".byte 0x66, 0x0f, 0x38, 0x82, 0x08");
PROBE(p_icebp, "", ".byte 0xf1\n movl $1, %eax");
PROBE(p_fld1, "", "fld1\n fstp %st(0)");
PROBE(p_movd, "", "movd %eax, %xmm0");

/* ---- privileged instructions: #GP(0) ---- */
PROBE(p_lgdt, "", "lgdt cpu_buf(%rip)");
PROBE(p_lidt, "", "lidt cpu_buf(%rip)");
PROBE(p_lldt, "xorl %eax, %eax\n", "lldt %ax");
PROBE(p_ltr, "movl $0x18, %eax\n", "ltr %ax");
PROBE(p_invlpg, "", "invlpg cpu_buf(%rip)");
PROBE(p_wbinvd, "", "wbinvd");
PROBE(p_invd, "", "invd");
PROBE(p_wrmsr, "movl $0x10, %ecx\n xorl %eax, %eax\n xorl %edx, %edx\n", "wrmsr");
PROBE(p_mov_cr3, "xorl %eax, %eax\n", "movq %rax, %cr3");
PROBE(p_mov_cr8, "", "movq %cr8, %rax");
PROBE(p_dr7_read, "", "movq %dr7, %rax");
PROBE(p_dr7_write, "xorl %eax, %eax\n", "movq %rax, %dr7");
PROBE(p_clts, "", "clts");
PROBE(p_lmsw, "movl $0x33, %eax\n", "lmsw %ax");
PROBE(p_sti, "", "sti");
PROBE(p_out80, "xorl %eax, %eax\n", "outb %al, $0x80");
PROBE(p_in3f8, "movl $0x3f8, %edx\n", "inb %dx, %al");
PROBE(p_out3f8, "movl $0x3f8, %edx\n movl $0x41, %eax\n", "outb %al, %dx");
PROBE(p_insb, "leaq cpu_buf(%rip), %rdi\n movl $0x80, %edx\n", "insb");
PROBE(p_outsb, "leaq cpu_buf(%rip), %rsi\n movl $0x80, %edx\n", "outsb");
PROBE(p_sysret, "", "sysretq");
PROBE(p_sysexit, "", ".byte 0x0f, 0x35");

/* ---- non-canonical addresses, control transfers ---- */
PROBE(p_push_nc, "movabsq $0x0000800000000010, %rsp\n", "pushq $1");
PROBE(p_rbp_nc, "movabsq $0x0000800000000000, %rbp\n", "movq (%rbp), %rax");
PROBE(p_jmp_nc, NONCANON, "jmp *%rax");
PROBE(p_call_nc, NONCANON "movq %rsp, cpu_saved_rsp(%rip)\n", "call *%rax");
PROBE(p_ret_nc, NONCANON "pushq %rax\n", "ret");
PROBE(p_last_page, "movabsq $0x7ffffffffff8, %rax\n", "movq (%rax), %rax");
PROBE(p_cross_nc, "movabsq $0x7ffffffffffc, %rax\n", "movq (%rax), %rax");
PROBE(p_cross_nc_mapped, "movabsq $0x7fffffffeffc, %rax\n", "movq (%rax), %rax");

/* ---- memory the kernel maps for the root task ---- */
extern char p_text_slot[];
__asm__(".text\n.globl p_text_slot\np_text_slot:\n\tnop\n");
PROBE(p_text_write, "leaq p_text_slot(%rip), %rcx\n",
      "movb $0xcc, (%rcx)\n movzbl (%rcx), %eax\n movb $0x90, (%rcx)");
PROBE(p_bi_write, "movq cpu_arg(%rip), %rcx\n movb 4095(%rcx), %al\n", "movb %al, 4095(%rcx)\n movl $1, %eax");
PROBE(p_exec_arg, "movq cpu_arg(%rip), %rax\n", "call *%rax");

/* ---- SSE and x87 ---- */
PROBE(p_mxcsr_default, "", "stmxcsr cpu_buf(%rip)\n movl cpu_buf(%rip), %eax");
PROBE(p_divss_masked, "movss cpu_consts+12(%rip), %xmm0\n xorps %xmm1, %xmm1\n",
      "divss %xmm1, %xmm0\n movd %xmm0, %eax\n stmxcsr cpu_buf(%rip)\n movl cpu_buf(%rip), %edx\n" RESET_FPU);
PROBE(p_sqrtss_neg, "movss cpu_consts+20(%rip), %xmm1\n",
      "sqrtss %xmm1, %xmm0\n movd %xmm0, %eax\n stmxcsr cpu_buf(%rip)\n movl cpu_buf(%rip), %edx\n" RESET_FPU);
PROBE(p_cvt_nan, "movss cpu_consts+20(%rip), %xmm1\n sqrtss %xmm1, %xmm0\n",
      "cvttss2si %xmm0, %eax\n" RESET_FPU);
PROBE(p_divss_unmasked, "ldmxcsr cpu_consts+4(%rip)\n movss cpu_consts+12(%rip), %xmm0\n xorps %xmm1, %xmm1\n",
      "divss %xmm1, %xmm0\n movd %xmm0, %eax\n" RESET_FPU);
PROBE(p_ldmxcsr_reserved, "", "ldmxcsr cpu_consts+8(%rip)\n stmxcsr cpu_buf(%rip)\n movl cpu_buf(%rip), %eax\n" RESET_FPU);
PROBE(p_rcpss, "movss cpu_consts+16(%rip), %xmm1\n", "rcpss %xmm1, %xmm0\n movd %xmm0, %eax");
PROBE(p_rsqrtss, "movss cpu_consts+16(%rip), %xmm1\n", "rsqrtss %xmm1, %xmm0\n movd %xmm0, %eax");
PROBE(p_fxsave_mis, MISALIGNED, "fxsave (%rax)");
PROBE(p_fxrstor_mis, "leaq cpu_buf(%rip), %rax\n fxsave (%rax)\n addq $8, %rax\n", "fxrstor (%rax)\n" RESET_FPU);
PROBE(p_fxsave_img, "fninit\n leaq cpu_buf(%rip), %rax\n",
      "fxsave (%rax)\n movzwl (%rax), %edx\n movl 28(%rax), %eax\n shlq $16, %rax\n orq %rdx, %rax\n"
      "xorl %edx, %edx");
PROBE(p_cx16_mis, "pushq %rbx\n xorl %eax, %eax\n xorl %edx, %edx\n xorl %ebx, %ebx\n xorl %ecx, %ecx\n"
                  "leaq cpu_buf+8(%rip), %rdi\n",
      "lock cmpxchg16b (%rdi)\n popq %rbx");
PROBE(p_cx16, "pushq %rbx\n xorl %eax, %eax\n xorl %edx, %edx\n movl $5, %ebx\n movl $6, %ecx\n"
              "leaq cpu_buf+64(%rip), %rdi\n movq %rax, (%rdi)\n movq %rax, 8(%rdi)\n",
      "lock cmpxchg16b (%rdi)\n setz %al\n movzbl %al, %eax\n movq 8(%rdi), %rdx\n shlq $8, %rdx\n"
      "orq (%rdi), %rdx\n popq %rbx");
PROBE(p_movdqa_mis, MISALIGNED, "movdqa (%rax), %xmm0");
PROBE(p_addps_mis, MISALIGNED, "addps (%rax), %xmm0");
PROBE(p_movntdq_mis, MISALIGNED, "movntdq %xmm0, (%rax)");
PROBE(p_movntdqa_mis, MISALIGNED, "movntdqa (%rax), %xmm0");
PROBE(p_movups_mis, MISALIGNED "movl $0x12345678, (%rax)\n", "movups (%rax), %xmm0\n movd %xmm0, %eax");
PROBE(p_lddqu_mis, MISALIGNED "movl $0x9abcdef0, (%rax)\n", "lddqu (%rax), %xmm0\n movd %xmm0, %eax");
PROBE(p_x87_env, "fninit\n", "fnstenv cpu_buf(%rip)\n movzwl cpu_buf(%rip), %eax\n movzwl cpu_buf+4(%rip), %edx\n"
                             "shlq $16, %rdx\n movzwl cpu_buf+8(%rip), %ecx\n orq %rcx, %rdx");
PROBE(p_x87_zdiv, "fninit\n fld1\n fldz\n", "fdivrp\n fnstsw %ax\n movzwl %ax, %eax\n fstpt cpu_buf(%rip)\n"
                                         "movzwl cpu_buf+8(%rip), %edx\n fninit");
PROBE(p_x87_invalid, "fninit\n fldcw cpu_consts+40(%rip)\n fld1\n fchs\n fsqrt\n", "fwait\n fninit");
X87_PROBE(p_fldpi, "", "fldpi");
X87_PROBE(p_fsqrt2, "fld1\n fld1\n faddp\n", "fsqrt");
X87_PROBE(p_f2xm1, "fldl cpu_consts+24(%rip)\n", "f2xm1");
X87_PROBE(p_fyl2x, "fld1\n fldl cpu_consts+32(%rip)\n", "fyl2x");
X87_PROBE(p_fpatan, "fld1\n fld1\n", "fpatan");
X87_PROBE(p_fsin, "fld1\n", "fsin");

/* ---- CPUID and the instructions programs check it for ---- */
PROBE(p_cpuid_vendor, "pushq %rbx\n xorl %eax, %eax\n xorl %ecx, %ecx\n",
      "cpuid\n shlq $32, %rdx\n orq %rbx, %rdx\n movq %rcx, %rax\n popq %rbx\n xchgq %rax, %rdx");
CPUID_PROBE(p_cpuid_0, 0, "rax", "rax");
CPUID_PROBE(p_cpuid_1a, 1, "rax", "rbx");
CPUID_PROBE(p_cpuid_1c, 1, "rcx", "rdx");
CPUID_PROBE(p_cpuid_7, 7, "rbx", "rcx");
CPUID_PROBE(p_cpuid_d, 0xd, "rax", "rbx");
CPUID_PROBE(p_cpuid_80, 0x80000000, "rax", "rbx");
CPUID_PROBE(p_cpuid_81, 0x80000001, "rcx", "rdx");
CPUID_PROBE(p_cpuid_82, 0x80000002, "rax", "rbx");
CPUID_PROBE(p_cpuid_88, 0x80000008, "rax", "rbx");
/* cpuid with a subleaf: rax = ra, rdx = rb */
/* NOLINTBEGIN(bugprone-macro-parentheses) */
#define CPUID_SUB_PROBE(name, leaf, sub, ra, rb)                                            \
    PROBE(name, "pushq %rbx\n movl $" #leaf ", %eax\n movl $" #sub ", %ecx\n",              \
          "cpuid\n movq %" ra ", %r8\n movq %" rb ", %r9\n popq %rbx\n movq %r8, %rax\n"   \
          "movq %r9, %rdx")
CPUID_SUB_PROBE(p_cpuid_hv, 0x40000000, 0, "rax", "rbx");
CPUID_SUB_PROBE(p_cpuid_4_3, 4, 3, "rax", "rbx");
CPUID_SUB_PROBE(p_cpuid_b_1, 0xb, 1, "rbx", "rcx");
CPUID_SUB_PROBE(p_cpuid_big, 0x20, 1, "rbx", "rcx");
CPUID_SUB_PROBE(p_cpuid_86, 0x80000006, 0, "rbx", "rcx");
/* NOLINTEND(bugprone-macro-parentheses) */
PROBE(p_popcnt, "movl $0xf0f0f0f0, %ecx\n", "popcntl %ecx, %eax");
PROBE(p_crc32, "movl $0xffffffff, %eax\n movb $0x61, %cl\n", "crc32b %cl, %eax");
PROBE(p_pshufb, "movdqu cpu_bytes(%rip), %xmm0\n movdqu cpu_bytes+16(%rip), %xmm1\n",
      "pshufb %xmm1, %xmm0\n movq %xmm0, %rax");
PROBE(p_pcmpeqq, "pxor %xmm0, %xmm0\n pxor %xmm1, %xmm1\n", "pcmpeqq %xmm1, %xmm0\n movq %xmm0, %rax");
PROBE(p_pminud, "movdqu cpu_bytes(%rip), %xmm0\n movdqu cpu_bytes+16(%rip), %xmm1\n",
      "pminud %xmm1, %xmm0\n movq %xmm0, %rax");
PROBE(p_lzcnt, "movl $1, %ecx\n xorl %eax, %eax\n", "lzcntl %ecx, %eax");
PROBE(p_tzcnt, "movl $0x77, %eax\n xorl %ecx, %ecx\n", "tzcntl %ecx, %eax");
/* popcnt/lzcnt/tzcnt forms: rax = result, rdx = the arithmetic flags after it */
#define FLAGS_TO_RDX "pushfq\n popq %rdx\n andl $0x8d5, %edx\n"
PROBE(p_popcnt_zero, "xorl %ecx, %ecx\n movl $7, %eax\n stc\n", "popcntl %ecx, %eax\n" FLAGS_TO_RDX);
PROBE(p_popcnt_mem64, "movabsq $0x8000000000000301, %rcx\n movq %rcx, cpu_buf+16(%rip)\n",
      "popcntq cpu_buf+16(%rip), %rax\n" FLAGS_TO_RDX);
PROBE(p_popcnt16, "movabsq $0x1111111111111111, %rax\n movl $0xffff, %ecx\n", "popcntw %cx, %ax\n" FLAGS_TO_RDX);
PROBE(p_lzcnt_zero, "movabsq $0x1234567812345678, %rax\n xorl %ecx, %ecx\n", "lzcntl %ecx, %eax\n" FLAGS_TO_RDX);
PROBE(p_lzcnt_high, "movabsq $0x0000400000000080, %rcx\n xorl %eax, %eax\n", "lzcntq %rcx, %rax\n" FLAGS_TO_RDX);
PROBE(p_tzcnt_mem, "movl $0x80000100, cpu_buf+16(%rip)\n xorl %eax, %eax\n",
      "tzcntl cpu_buf+16(%rip), %eax\n" FLAGS_TO_RDX);
PROBE(p_tzcnt16_zero, "movabsq $0x123456789abcdef0, %rax\n xorl %ecx, %ecx\n", "tzcntw %cx, %ax\n" FLAGS_TO_RDX);
PROBE(p_popcnt_ud2, "movl $3, %ecx\n", "popcntl %ecx, %eax\n ud2");
PROBE(p_popcnt_unmapped, "movabsq $0x7ffffffffff8, %rcx\n", "popcntq (%rcx), %rax");
PROBE(p_lahf, "movb $0xd5, %ah\n", "sahf\n lahf\n movzbl %ah, %eax");

/* ---- the cases ---- */
enum { K_UE, K_VM, K_VAL, K_VAL2 };
enum { IP_REL, IP_ABS }; /* expected FaultIP: probe label + ip, or the address ip */
typedef struct cpu_case {
    const char *what;
    char *fn, *fip;
    unsigned char kind, ipmode;
    seL4_Word a, b;  /* UE: vector, error code; VM: address, FSR; VAL: rax (rdx) */
    seL4_Word ip;    /* UE/VM: FaultIP offset from the label (or absolute) */
} cpu_case;

#define UE(what, p, vec, code) { what, p, p##_f, K_UE, IP_REL, vec, code, 0 }
#define UE_AT(what, p, vec, code, mode, ip) { what, p, p##_f, K_UE, mode, vec, code, ip }
#define UD(what, p) UE(what " -> #UD", p, 6, 0)
#define GP0(what, p) UE(what " -> #GP(0)", p, 13, 0)
#define VM(what, p, addr, fsr) { what, p, p##_f, K_VM, IP_REL, addr, fsr, 0 }
#define VAL(what, p, v) { what, p, p##_f, K_VAL, IP_REL, v, 0, 0 }
#define VAL2(what, p, v, w) { what, p, p##_f, K_VAL2, IP_REL, v, w, 0 }

static const cpu_case cases[] = {
    /* flags */
    VAL("popf can set AC at CPL 3", p_ac_set, 0x40000),
    VAL("misaligned load with AC set: no #AC (the kernel leaves CR0.AM clear)", p_ac_load, 1),
    VAL("misaligned push with AC set: no #AC", p_ac_push, 1),
    VAL("AC, ID and CF survive a system call (sysretq restores rflags)", p_flags_syscall, 0x240001),
    UE("ud2 with NT, AC, ID, DF and CF set -> #UD", p_flags_ud2, 6, 0),
    VAL("a fault reply's FLAGS is cut to the low 12 bits: NT, AC, ID cleared; DF, CF kept", p_flags_reply, 0x603),
    VAL("NT survives a system call", p_nt_syscall, 0x4000),
    VAL("popf of every flag at CPL 3: IOPL, IF, VIF, VIP, VM, RF unchanged or clear; NT, AC, ID, DF set",
        p_popf_all, 0x244ed7),
    VAL("iretq at CPL 3 cannot clear IF or raise IOPL", p_iret_flags, 0x200),
    VAL("iretq to cs 0x2b, ss 0x33 at CPL 3 works", p_iret_2b, 0x2b),
    UE("iretq to cs 0x3b (GDT entry 7 is the FS data descriptor) -> #GP(0x38)", p_iret_3b, 13, 0x38),
    UE("iretq to ss 0 at CPL 3 -> #GP(0)", p_iret_ss0, 13, 0),
    /* segments */
    VAL2("ds and es after a restart by WriteRegisters", p_seg_dses, 0, 0),
    VAL2("fs and gs selectors", p_seg_fsgs, 0, 0),
    VAL("mov 0 to ds is allowed", p_ds_0, 0),
    UE("mov 0x13 (kernel data, RPL 3) to ds -> #GP(0x10)", p_ds_13, 13, 0x10),
    UE("mov 0x0b (kernel code, RPL 3) to ds -> #GP(0x08)", p_ds_0b, 13, 0x8),
    UE("mov 0x1230 (beyond the GDT limit) to ds -> #GP(0x1230)", p_ds_1230, 13, 0x1230),
    UE("mov 0x1234 (LDT selector, no LDT) to ds -> #GP(0x1234)", p_ds_1234, 13, 0x1234),
    UE("mov 0x4b (GDT entry 9, beyond the 9-entry GDT) to ds -> #GP(0x48)", p_ds_4b, 13, 0x48),
    VAL("mov 0x2b (user code, readable) to ds is allowed", p_ds_2b, 0x2b),
    VAL("mov 0x3b (FS data descriptor) to ds is allowed", p_ds_3b, 0x3b),
    VAL("mov 0x33 (user data) to es is allowed", p_es_33, 0x33),
    UE("mov 0 to ss at CPL 3 -> #GP(0)", p_ss_0, 13, 0),
    UE("mov 0x2b (code) to ss -> #GP(0x28)", p_ss_2b, 13, 0x28),
    VAL("mov 0x3b (GDT entry 7: writable data, DPL 3) to ss is allowed", p_ss_3b, 0x3b),
    VAL("mov 0x43 (GDT entry 8: GS data descriptor) to gs is allowed", p_gs_43, 0x43),
    VAL2("lar 0x33: user data access rights 0xc0f700, ZF=1", p_lar_33, 0xc0f700, 1),
    VAL2("lar 0x2b: user code access rights 0xa0fb00, ZF=1", p_lar_2b, 0xa0fb00, 1),
    VAL2("lar 0x3b: GDT entry 7 is a data descriptor (0xc0f700), ZF=1", p_lar_3b, 0xc0f700, 1),
    VAL2("lar 0x43: GDT entry 8 is a data descriptor (0xc0f700), ZF=1", p_lar_43, 0xc0f700, 1),
    VAL2("lar 0x08 (kernel code, DPL 0) fails at CPL 3: ZF=0", p_lar_08, 0, 0),
    VAL2("lar 0x18 (TSS, DPL 0) fails at CPL 3: ZF=0", p_lar_18, 0, 0),
    VAL2("lsl 0x33: limit 0xffffffff, ZF=1", p_lsl_33, 0xffffffff, 1),
    VAL2("lsl 0x43: limit 0xffffffff, ZF=1", p_lsl_43, 0xffffffff, 1),
    VAL2("lsl 0x4b (beyond the GDT) fails: ZF=0", p_lsl_4b, 0, 0),
    VAL2("verr 0x2b: readable", p_verr_2b, 0, 1),
    VAL2("verw 0x2b: code is not writable", p_verw_2b, 0, 0),
    VAL2("verw 0x33: writable", p_verw_33, 0, 1),
    VAL2("verr 0x10 (kernel data): not accessible at CPL 3", p_verr_10, 0, 0),
    VAL("sgdt works at CPL 3 (no UMIP): GDT limit 0x47 (9 entries)", p_sgdt, 0x47),
    VAL("sidt: IDT limit 0xfff (256 entries)", p_sidt, 0xfff),
    VAL("str: task register 0x18", p_str, 0x18),
    VAL("sldt: no LDT (0)", p_sldt, 0),
    VAL("smsw: CR0 low bits PE, MP, ET, NE", p_smsw, 0x33),
    /* #UD */
    UD("into in 64-bit mode", p_into),
    UD("aaa in 64-bit mode", p_aaa),
    UD("daa in 64-bit mode", p_daa),
    UD("aas in 64-bit mode", p_aas),
    UD("das in 64-bit mode", p_das),
    UD("aam in 64-bit mode", p_aam),
    UD("aad in 64-bit mode", p_aad),
    UD("pusha in 64-bit mode", p_pusha),
    UD("popa in 64-bit mode", p_popa),
    UD("push es in 64-bit mode", p_push_es),
    UD("pop es in 64-bit mode", p_pop_es),
    UD("push cs in 64-bit mode", p_push_cs),
    UD("push ss in 64-bit mode", p_push_ss),
    UD("pop ss in 64-bit mode", p_pop_ss),
    UD("push ds in 64-bit mode", p_push_ds),
    UD("pop ds in 64-bit mode", p_pop_ds),
    UD("bound (0x62) in 64-bit mode", p_bound),
    UD("salc in 64-bit mode", p_salc),
    UD("call far ptr16:32 in 64-bit mode", p_callfar),
    UD("jmp far ptr16:32 in 64-bit mode", p_jmpfar),
    UD("ud0", p_ud0),
    UD("ud1", p_ud1),
    UD("femms (3DNow!, not on this CPU)", p_femms),
    UD("lock add with a register destination", p_lock_reg),
    UD("movbe (not on Nehalem)", p_movbe),
    UD("rdrand (not on Nehalem)", p_rdrand),
    UD("rdseed (not on Nehalem)", p_rdseed),
    UD("pclmulqdq (not on Nehalem)", p_pclmul),
    UD("aesenc (not on Nehalem)", p_aesenc),
    UD("vaddps (VEX c5 = the lds opcode; no AVX)", p_vaddps),
    UD("vbroadcastss (VEX c4 = the les opcode; no AVX)", p_vbroadcast),
    UD("andn (BMI1, not on Nehalem)", p_andn),
    UD("rdtscp (not in the Nehalem model)", p_rdtscp),
    UD("rdpid (not on Nehalem)", p_rdpid),
    UD("monitor (not in the Nehalem model)", p_monitor),
    UD("xsetbv (XSAVE disabled)", p_xsetbv),
    UD("invpcid (disabled)", p_invpcid),
    UD("icebp (int1, 0xf1): the reference QEMU is built without it", p_icebp),
    /* #GP(0) */
    GP0("lgdt", p_lgdt),
    GP0("lidt", p_lidt),
    GP0("lldt", p_lldt),
    GP0("ltr", p_ltr),
    GP0("invlpg", p_invlpg),
    GP0("wbinvd", p_wbinvd),
    GP0("invd", p_invd),
    GP0("wrmsr", p_wrmsr),
    GP0("mov to cr3", p_mov_cr3),
    GP0("mov from cr8", p_mov_cr8),
    GP0("mov from dr7", p_dr7_read),
    GP0("mov to dr7", p_dr7_write),
    GP0("clts", p_clts),
    GP0("lmsw", p_lmsw),
    GP0("sti (IOPL 0)", p_sti),
    GP0("outb to port 0x80 without an I/O port cap", p_out80),
    GP0("inb from port 0x3f8 (COM1) without an I/O port cap", p_in3f8),
    GP0("outb to port 0x3f8 (COM1) without an I/O port cap", p_out3f8),
    GP0("insb without I/O permission", p_insb),
    GP0("outsb without I/O permission", p_outsb),
    GP0("sysretq at CPL 3", p_sysret),
    GP0("sysexit at CPL 3", p_sysexit),
    /* non-canonical addresses (QEMU: #GP(0) also for stack accesses, where hardware raises #SS) */
    UE("push with a non-canonical rsp -> #GP(0) on the reference (hardware: #SS)", p_push_nc, 13, 0),
    UE("load through a non-canonical rbp -> #GP(0) on the reference (hardware: #SS)", p_rbp_nc, 13, 0),
    UE_AT("jmp to a non-canonical address -> #GP(0), FaultIP the target", p_jmp_nc, 13, 0, IP_ABS,
          0x0000800000000000ul),
    UE_AT("call to a non-canonical address -> #GP(0), FaultIP the target", p_call_nc, 13, 0, IP_ABS,
          0x0000800000000000ul),
    UE_AT("ret to a non-canonical address -> #GP(0), FaultIP the target", p_ret_nc, 13, 0, IP_ABS,
          0x0000800000000000ul),
    VM("8-byte load at the end of the (unmappable) last user page -> VMFault", p_last_page,
       0x7ffffffffff8ul, 4),
    VM("8-byte load crossing from the last user page into non-canonical space -> VMFault at its start",
       p_cross_nc, 0x7ffffffffffcul, 4),
    VM("8-byte load crossing from a mapped page into the last user page -> VMFault at that page",
       p_cross_nc_mapped, 0x7ffffffff000ul, 4),
    /* the root task's own memory */
    VAL("the root task's text is writable (the kernel maps the image read-write)", p_text_write, 0xcc),
    VAL("the BootInfo frame is writable", p_bi_write, 1),
    VAL("code written to the IPC buffer runs (no NX)", p_exec_arg, 0x1234),
    VAL("code written to a fresh data page runs (no NX)", p_exec_arg, 0x1234),
    /* SSE and x87 */
    VAL("MXCSR at thread start: 0x1f80", p_mxcsr_default, 0x1f80),
    VAL2("divss 1/0, masked: +inf, MXCSR ZE flag set", p_divss_masked, 0x7f800000, 0x1f84),
    VAL2("sqrtss(-1), masked: default NaN, MXCSR IE flag set", p_sqrtss_neg, 0xffc00000, 0x1f81),
    VAL("cvttss2si of NaN: integer indefinite 0x80000000", p_cvt_nan, 0x80000000),
    VAL("divss 1/0 with ZE unmasked: no #XM on the reference (QEMU TCG), result +inf", p_divss_unmasked, 0x7f800000),
    VAL("ldmxcsr with a reserved bit: no #GP on the reference (QEMU TCG); stmxcsr then reads", p_ldmxcsr_reserved, 0x11f80),
    VAL("rcpss(3.0): the reference computes 1/3 exactly rounded", p_rcpss, 0x3eaaaaab),
    VAL("rsqrtss(3.0)", p_rsqrtss, 0x3f13cd3a),
    UE("fxsave to a misaligned address -> #GP(0)", p_fxsave_mis, 13, 0),
    UE("fxrstor from a misaligned address -> #GP(0)", p_fxrstor_mis, 13, 0),
    VAL("fxsave image after fninit: FCW 0x37f, MXCSR_MASK 0xffff", p_fxsave_img, 0xffff037f),
    UE("lock cmpxchg16b on an 8-byte aligned address -> #GP(0)", p_cx16_mis, 13, 0),
    VAL2("lock cmpxchg16b on an aligned address swaps", p_cx16, 1, 0x605),
    UE("movdqa load from a misaligned address -> #GP(0)", p_movdqa_mis, 13, 0),
    UE("addps with a misaligned memory operand -> #GP(0)", p_addps_mis, 13, 0),
    UE("movntdq to a misaligned address -> #GP(0)", p_movntdq_mis, 13, 0),
    UE("movntdqa from a misaligned address -> #GP(0)", p_movntdqa_mis, 13, 0),
    VAL("movups from a misaligned address works", p_movups_mis, 0x12345678),
    VAL("lddqu from a misaligned address works", p_lddqu_mis, 0x9abcdef0),
    VAL2("fnstenv after fninit: control word 0x37f, status 0, tag word 0xffff", p_x87_env, 0x37f, 0xffff),
    VAL2("x87 1/0, masked: status word ZE with TOP 7, result +inf", p_x87_zdiv, 0x3804, 0x7fff),
    UE_AT("x87 sqrt(-1) with IM unmasked -> #MF (16) at the next fwait", p_x87_invalid, 16, 0, IP_REL, 0),
    VAL2("fldpi", p_fldpi, 0xc90fdaa22168c235ul, 0x4000),
    VAL2("fsqrt(2)", p_fsqrt2, 0xb504f333f9de6484ul, 0x3fff),
    VAL2("f2xm1(0.5)", p_f2xm1, 0xd413cccfe7799211ul, 0x3ffd),
    VAL2("fyl2x: 1 * log2(3)", p_fyl2x, 0xcae00d1cfdeb43d0ul, 0x3fff),
    VAL2("fpatan(1, 1) = pi/4", p_fpatan, 0xc90fdaa22168c235ul, 0x3ffe),
    VAL2("fsin(1)", p_fsin, 0xd76aa47848677000ul, 0x3ffe),
    /* CPUID */
    VAL2("cpuid 0: vendor GenuineIntel", p_cpuid_vendor, 0x49656e69756e6547ul, 0x6c65746e),
    VAL("cpuid 0: highest leaf 0xb", p_cpuid_0, 0xb),
    VAL2("cpuid 1: signature (family 6, model 26) and ebx", p_cpuid_1a, 0x106a3, 0x800),
    VAL2("cpuid 1: feature words ecx (sse3 ssse3 cx16 sse4.1 sse4.2 popcnt hypervisor), edx", p_cpuid_1c, 0x80982201, 0x78bfbfd),
    VAL2("cpuid 7: ebx, ecx (no fsgsbase, no invpcid)", p_cpuid_7, 0, 0),
    VAL2("cpuid 0xd: eax 0, ebx 1", p_cpuid_d, 0, 1),
    VAL("cpuid 0x80000000: highest extended leaf", p_cpuid_80, 0x80000008),
    VAL2("cpuid 0x80000001: ecx, edx (lahf_lm; syscall, nx, pdpe1gb, lm)", p_cpuid_81, 1, 0x24100800),
    VAL2("cpuid 0x80000002: brand string starts \"Intel Co\"", p_cpuid_82, 0x65746e49, 0x6f43206c),
    VAL2("cpuid 0x80000008: address sizes 40 physical, 48 virtual", p_cpuid_88, 0x3028, 0),
    VAL("popcnt (SSE4.2 era, in the Nehalem model)", p_popcnt, 16),
    VAL("crc32b (SSE4.2)", p_crc32, 0x3e2fbccf),
    VAL("pshufb (SSSE3) reverses bytes", p_pshufb, 0x08090a0b0c0d0e0ful),
    VAL("pcmpeqq (SSE4.1)", p_pcmpeqq, ~0ul),
    VAL("pminud (SSE4.1)", p_pminud, 0x0706050403020100ul),
    VAL("lzcnt without ABM runs as bsr: lzcnt(1) = 0", p_lzcnt, 0),
    VAL("tzcnt without BMI1 runs as bsf: tzcnt(0) leaves the destination", p_tzcnt, 0x77),
    VAL("sahf/lahf in 64-bit mode (lahf_lm)", p_lahf, 0xd7),
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* Run in the worker with seL4_TCBFlag_fpuDisabled (the kernel sets CR0.TS for it). */
static const cpu_case nofpu_cases[] = {
    UE("fpuDisabled: fld1 -> #NM (7)", p_fld1, 7, 0),
    UE("fpuDisabled: movd to xmm0 -> #NM (7)", p_movd, 7, 0),
    UD("fpuDisabled: vaddps (VEX, no AVX)", p_vaddps),
    UD("fpuDisabled: vbroadcastss (VEX, no AVX)", p_vbroadcast),
    UD("fpuDisabled: andn (BMI1 absent)", p_andn),
    UD("fpuDisabled: aesenc (absent)", p_aesenc),
    UE_AT("fpuDisabled: popcnt is no FPU instruction (it runs; the ud2 after it faults)", p_popcnt_ud2, 6, 0,
          IP_REL, 4),
};

/* popcnt and the lzcnt/tzcnt encodings in more forms (run after the fpuDisabled ones) */
static const cpu_case bits_cases[] = {
    VAL2("popcnt of 0: 0, ZF set, CF cleared", p_popcnt_zero, 0, 0x40),
    VAL2("popcnt of a 64-bit memory operand", p_popcnt_mem64, 4, 0),
    VAL2("popcnt with a 16-bit operand keeps the upper bits", p_popcnt16, 0x1111111111110010ul, 0),
    VAL2("lzcnt encoding of 0 (bsr): destination kept, upper half cleared (32-bit), ZF", p_lzcnt_zero,
         0x12345678, 0x44),
    VAL2("lzcnt encoding, 64-bit (bsr): index of the highest set bit", p_lzcnt_high, 46, 0),
    VAL2("tzcnt encoding of a memory operand (bsf): index of the lowest set bit", p_tzcnt_mem, 8, 0x84),
    VAL2("tzcnt encoding of 0, 16-bit (bsf): destination kept, ZF", p_tzcnt16_zero, 0x123456789abcdef0ul,
         0x44),
    VM("popcnt of an unmapped memory operand -> VMFault", p_popcnt_unmapped, 0x7ffffffffff8ul, 4),
    VAL2("cpuid 0x40000000: hypervisor leaves up to 0x40000001, \"TCGT...\"", p_cpuid_hv, 0x40000001,
         0x54474354),
    VAL2("cpuid 4, subleaf 3: the L3 cache descriptor", p_cpuid_4_3, 0x163, 0x3c0003f),
    VAL2("cpuid 0xb, subleaf 1: topology, core level", p_cpuid_b_1, 1, 0x201),
    VAL2("cpuid 0x20 (above the highest leaf) answers as leaf 0xb, same subleaf", p_cpuid_big, 1, 0x201),
    VAL2("cpuid 0x80000006: L2 cache", p_cpuid_86, 0x42004200, 0x2008140),
};
#define NBITS (sizeof(bits_cases) / sizeof(bits_cases[0]))
#define NNOFPU (sizeof(nofpu_cases) / sizeof(nofpu_cases[0]))

/* ---- the worker ---- */
static seL4_CPtr fault_ep, report_ep;
static const cpu_case *volatile g_case;
static conf_thread_t worker;
static seL4_UserContext worker_regs;
static seL4_Word worker_stack[2048] __attribute__((aligned(16)));

typedef struct pair {
    seL4_Word a, b;
} pair_t;

void cpu_worker_main(void);
void cpu_worker_main(void)
{
    pair_t (*fn)(void) = (pair_t(*)(void))(void *)g_case->fn;
    pair_t r = fn();
    seL4_SetMR(0, r.a);
    seL4_SetMR(1, r.b);
    seL4_Send(report_ep, seL4_MessageInfo_new(GOOD, 0, 0, 2));
    conf_park();
}

/* Every run starts with a clean FPU and direction flag (without the FPU when the
 * thread has fpuDisabled). */
extern char cpu_worker_entry[], cpu_worker_entry_nofpu[];
__asm__(".text\n.globl cpu_worker_entry\ncpu_worker_entry:\n\tfninit\n\tldmxcsr cpu_consts(%rip)\n"
        ".globl cpu_worker_entry_nofpu\ncpu_worker_entry_nofpu:\n"
        "\tcld\n\tcall cpu_worker_main\n\tud2\n");

static void worker_first(void *arg)
{
    (void)arg;
    seL4_Send(report_ep, seL4_MessageInfo_new(0x1717, 0, 0, 0));
    conf_park();
}

/* ---- the root task's side ---- */
typedef struct outcome {
    seL4_Word label, mr[5], sp;
} outcome_t;

static outcome_t run(const cpu_case *c, bool nofpu)
{
    outcome_t o = { 0 };
    g_case = c;
    seL4_UserContext regs = worker_regs;
    regs.rip = (seL4_Word)(nofpu ? cpu_worker_entry_nofpu : cpu_worker_entry);
    regs.rsp = (seL4_Word)&worker_stack[2048];
    regs.rflags = 0x202;
    seL4_Error e = seL4_TCB_WriteRegisters(worker.tcb, 1, 0, sizeof(regs) / sizeof(seL4_Word), &regs);
    if (e != seL4_NoError) conf_bail("WriteRegisters failed: %s", conf_error_name(e));
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, &badge);
    o.label = seL4_MessageInfo_get_label(info);
    for (int k = 0; k < 5; k++) o.mr[k] = seL4_GetMR(k);
    if (o.label == seL4_Fault_UserException) o.sp = seL4_GetMR(seL4_UserException_SP);
    if (c->fn == p_flags_reply && o.label == seL4_Fault_UserException) {
        /* resume after the ud2 with the FLAGS word as the kernel reported it */
        seL4_SetMR(0, o.mr[seL4_UserException_FaultIP] + 2);
        seL4_SetMR(1, o.mr[seL4_UserException_SP]);
        seL4_SetMR(2, o.mr[seL4_UserException_FLAGS]);
        info = seL4_ReplyRecv(fault_ep, seL4_MessageInfo_new(0, 0, 0, 3), &badge);
        o.label = seL4_MessageInfo_get_label(info);
        for (int k = 0; k < 5; k++) o.mr[k] = seL4_GetMR(k);
    }
    seL4_TCB_Suspend(worker.tcb);
    return o;
}

static const char *label_name(seL4_Word l)
{
    switch (l) {
    case seL4_Fault_UserException: return "UserException";
    case seL4_Fault_VMFault: return "VMFault";
    case GOOD: return "no fault";
    default: return "other";
    }
}

static void judge(const cpu_case *c, const outcome_t *o)
{
    char detail[200] = "";
    bool ok;
    seL4_Word want_ip = c->ipmode == IP_ABS ? c->ip : (seL4_Word)c->fip + c->ip;
    switch (c->kind) {
    case K_UE:
        ok = o->label == seL4_Fault_UserException && o->mr[seL4_UserException_Number] == c->a &&
             o->mr[seL4_UserException_Code] == c->b && o->mr[seL4_UserException_FaultIP] == want_ip;
        if (o->label == seL4_Fault_UserException)
            snprintf(detail, sizeof(detail), "got UserException %lu code %#lx at label%+ld",
                     o->mr[seL4_UserException_Number], o->mr[seL4_UserException_Code],
                     (long)(o->mr[seL4_UserException_FaultIP] - (seL4_Word)c->fip));
        break;
    case K_VM:
        ok = o->label == seL4_Fault_VMFault && o->mr[seL4_VMFault_Addr] == c->a &&
             o->mr[seL4_VMFault_FSR] == c->b && o->mr[seL4_VMFault_IP] == want_ip;
        if (o->label == seL4_Fault_VMFault)
            snprintf(detail, sizeof(detail), "got VMFault addr %#lx FSR %#lx at label%+ld", o->mr[seL4_VMFault_Addr],
                     o->mr[seL4_VMFault_FSR], (long)(o->mr[seL4_VMFault_IP] - (seL4_Word)c->fip));
        break;
    default:
        ok = o->label == GOOD && o->mr[0] == c->a && (c->kind == K_VAL || o->mr[1] == c->b);
        if (o->label == GOOD) snprintf(detail, sizeof(detail), "got %#lx, %#lx", o->mr[0], o->mr[1]);
        break;
    }
    if (o->label == seL4_Fault_UserException && c->kind != K_UE)
        snprintf(detail, sizeof(detail), "got UserException %lu code %#lx at label%+ld",
                 o->mr[seL4_UserException_Number], o->mr[seL4_UserException_Code],
                 (long)(o->mr[seL4_UserException_FaultIP] - (seL4_Word)c->fip));
    else if (o->label == seL4_Fault_VMFault && c->kind != K_VM)
        snprintf(detail, sizeof(detail), "got VMFault addr %#lx FSR %#lx", o->mr[seL4_VMFault_Addr],
                 o->mr[seL4_VMFault_FSR]);
    else if (o->label == GOOD && (c->kind == K_UE || c->kind == K_VM))
        snprintf(detail, sizeof(detail), "got no fault: %#lx, %#lx", o->mr[0], o->mr[1]);
    else if (o->label != GOOD && o->label != seL4_Fault_UserException && o->label != seL4_Fault_VMFault)
        snprintf(detail, sizeof(detail), "got %s message, label %lu", label_name(o->label), o->label);
    if (ok)
        check(true, "%s", c->what);
    else
        check(false, "%s (%s)", c->what, detail);
}

static void write_code(unsigned char *at)
{
    static const unsigned char code[] = { 0xb8, 0x34, 0x12, 0x00, 0x00, 0xc3 }; /* mov $0x1234,%eax; ret */
    for (unsigned k = 0; k < sizeof(code); k++) at[k] = code[k];
}

int main(void)
{
    conf_begin("cpu");
    fault_ep = conf_object(seL4_EndpointObject, 0);
    report_ep = fault_ep;
    seL4_CPtr below_top = conf_object(seL4_X86_4K, 0);
    if (conf_map(below_top, LAST_MAPPED_PAGE, seL4_ReadWrite) != seL4_NoError)
        conf_bail("cannot map the page at %#lx", LAST_MAPPED_PAGE);
    unsigned char *data_page = conf_page(NULL);

    conf_thread_create(&worker, worker_first, NULL, 100, fault_ep);
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, &badge);
    if (seL4_MessageInfo_get_label(info) != 0x1717) conf_bail("the worker did not start");
    seL4_TCB_Suspend(worker.tcb);
    if (seL4_TCB_ReadRegisters(worker.tcb, 0, 0, sizeof(worker_regs) / sizeof(seL4_Word), &worker_regs) !=
        seL4_NoError)
        conf_bail("ReadRegisters failed");

    for (seL4_Word i = 0; i < NCASES; i++) {
        const cpu_case *c = &cases[i];
        cpu_arg = 0;
        if (c->fn == p_bi_write) cpu_arg = (seL4_Word)runtime_bootinfo();
        if (c->fn == p_exec_arg) {
            bool ipc = i > 0 && cases[i - 1].fn != p_exec_arg;
            unsigned char *at = ipc ? (unsigned char *)worker.ipc + 0xf00 : data_page + 0x100;
            write_code(at);
            cpu_arg = (seL4_Word)at;
        }
        outcome_t o = run(c, false);
        judge(c, &o);
        if (c->fn == p_flags_ud2 && o.label == seL4_Fault_UserException)
            check_eq(o.mr[seL4_UserException_FLAGS], 0x244603,
                     "...the message's FLAGS word is the full rflags (NT, AC, ID, DF, CF, IF)");
        if (c->fn == p_call_nc && o.label == seL4_Fault_UserException)
            check_eq(cpu_saved_rsp - o.sp, 8, "...the return address was pushed: SP = rsp - 8");
    }

    seL4_TCB_SetFlags_t f = seL4_TCB_SetFlags(worker.tcb, 0, seL4_TCBFlag_fpuDisabled);
    if (f.error != seL4_NoError) conf_bail("SetFlags failed: %s", conf_error_name((seL4_Word)f.error));
    for (seL4_Word i = 0; i < NNOFPU; i++) {
        outcome_t o = run(&nofpu_cases[i], true);
        judge(&nofpu_cases[i], &o);
    }
    seL4_TCB_SetFlags(worker.tcb, seL4_TCBFlag_fpuDisabled, 0);
    for (seL4_Word i = 0; i < NBITS; i++) {
        outcome_t o = run(&bits_cases[i], false);
        judge(&bits_cases[i], &o);
    }
    conf_end();
}
