/*
 * _start: the entry point of every program.  The kernel (root task) or the loader
 * (startup.h) enters with rdi = BootInfo* or startup-info*, and no usable stack (the
 * root task gets rsp = 0).  Switch to the image's own stack (the .stack segment from
 * link.ld), clear the frame pointer for debuggers, and hand rdi to runtime_start.
 */
    .section .text.start, "ax"
    .globl  _start
    .type   _start, @function
_start:
    leaq    __stack_top(%rip), %rsp
    andq    $-16, %rsp
    xorl    %ebp, %ebp
    call    runtime_start           /* never returns */
1:  ud2
    jmp     1b
    .size   _start, . - _start

    .section .note.GNU-stack, "", @progbits
