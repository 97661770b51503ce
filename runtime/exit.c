/* Ending a program: runtime_exit, runtime_panic and the libsel4 assertion hook. */
#include <runtime/runtime.h>
#include <runtime/startup.h>
#include <runtime/stdio.h>

#define EXIT_PORT 0xf4u

/* The value written to the exit port for `status` (see runtime.h). */
static seL4_Word exit_port_value(int status)
{
    return (status >= 0 && status <= 127) ? (seL4_Word)status : 127u;
}

static _Noreturn void root_exit(int status)
{
    seL4_BootInfo *bi = runtime_bootinfo();
    seL4_CPtr slot = bi->empty.end - 1; /* kept free by alloc.c */
    seL4_Error err = seL4_X86_IOPortControl_Issue(seL4_CapIOPortControl, EXIT_PORT, EXIT_PORT,
                                                  seL4_CapInitThreadCNode, slot, seL4_WordBits);
    if (err == seL4_NoError) {
        seL4_X86_IOPort_Out8(slot, EXIT_PORT, exit_port_value(status));
    }
    /* No exit device (or it did not stop the machine): stop the kernel if it can. */
#ifdef CONFIG_DEBUG_BUILD
    seL4_DebugHalt();
#endif
    for (;;) {
        seL4_TCB_Suspend(RUNTIME_CAP_TCB);
    }
}

static _Noreturn void program_exit(int status)
{
    const runtime_startup_t *su = runtime_startup();
    seL4_CPtr to = seL4_CapNull;
    if (su != NULL) {
        to = (su->version >= 2 && su->supervisor_ep != seL4_CapNull) ? su->supervisor_ep : su->fault_ep;
    }
    if (to != seL4_CapNull) {
        seL4_SetMR(0, (seL4_Word)(long)status);
        seL4_Send(to, seL4_MessageInfo_new(PROGRAM_EXIT_LABEL, 0, 0, 1));
    }
    for (;;) {
        seL4_TCB_Suspend(RUNTIME_CAP_TCB);
    }
}

void runtime_exit(int status)
{
    fflush_console();
    if (runtime_bootinfo() != NULL) {
        root_exit(status);
    }
    program_exit(status);
}

/* The file name without its directories, so that messages do not depend on the checkout. */
static const char *base_name(const char *path)
{
    const char *base = path;
    for (const char *p = path; *p != '\0'; p++) {
        if (*p == '/') {
            base = p + 1;
        }
    }
    return base;
}

void runtime_panic(const char *file, int line, const char *fmt, ...)
{
    fflush_console();
    printf("PANIC at %s:%d: ", base_name(file), line);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (runtime_bootinfo() != NULL && runtime_is_main_thread()) {
        runtime_exit(RUNTIME_PANIC_STATUS);
    }
    /* A store to address 0: the kernel reports a VM fault to our fault handler. */
    for (;;) {
        __asm__ volatile("movq $0, 0" : : : "memory");
    }
}

/* Called by libsel4's seL4_Assert/seL4_Fail (the real headers use it). */
void __assert_fail(const char *str, const char *file, int line, const char *function);
void __assert_fail(const char *str, const char *file, int line, const char *function)
{
    runtime_panic(file, line, "assertion failed in %s: %s", function, str);
}
