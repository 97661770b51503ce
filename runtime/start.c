/*
 * runtime_start: the C side of _start.  Sets up the main thread's TLS and IPC-buffer
 * pointer, recognises the kind of program from rdi (startup.h), prepares the root task's
 * allocators, runs main and exits with its status.
 */
#include <runtime/runtime.h>
#include <runtime/startup.h>
#include <runtime/alloc.h>
#include "tls.h"

/* The IPC-buffer pointer libsel4's functions use (one per thread). */
__thread seL4_IPCBuffer *__sel4_ipc_buffer;
#ifdef CONFIG_LIB_SEL4_USE_THREAD_LOCALS
/* The real libsel4 also declares this thread-local for seL4_DebugPutString errors. */
__thread char __sel4_print_error;
#endif

static __thread bool main_thread; /* .tbss: false in every new thread */
static seL4_BootInfo *boot_info;
static const runtime_startup_t *startup_info;

seL4_BootInfo *runtime_bootinfo(void) { return boot_info; }
const runtime_startup_t *runtime_startup(void) { return startup_info; }
bool runtime_is_main_thread(void) { return main_thread; }

void runtime_start(void *arg)
{
    seL4_SetTLSBase(tls_init_area(tls_main_area()));
    main_thread = true;

    const runtime_startup_t *su = arg;
    if (su != NULL && su->magic == RUNTIME_STARTUP_MAGIC) {
        startup_info = su;
        seL4_SetIPCBuffer((seL4_IPCBuffer *)su->ipc_buffer);
    } else if (arg != NULL) {
        boot_info = arg;
        seL4_SetIPCBuffer(boot_info->ipcBuffer);
        alloc_init(boot_info);
    }
    runtime_exit(main());
}
