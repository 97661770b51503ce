/*
 * Static TLS for x86_64 (variant II): the TLS block lies just below the thread pointer
 * (tp); the linker resolves each TLS variable to a negative offset from tp, and %fs:0
 * holds tp itself.  link.ld pads the TLS segment to a multiple of 16 and keeps its
 * alignment at most 16, so tp = block start + TLS size.
 */
#include "tls.h"
#include <runtime/string.h>
#include <stdint.h>

extern char __tdata_start[], __tdata_end[], __tbss_end[];
extern char __main_tls_area[];

seL4_Word tls_area_bytes(void)
{
    return (seL4_Word)((uintptr_t)__tbss_end - (uintptr_t)__tdata_start) + 16u;
}

seL4_Word tls_init_area(void *area)
{
    char *block = area;
    size_t data = (size_t)((uintptr_t)__tdata_end - (uintptr_t)__tdata_start);
    size_t total = (size_t)((uintptr_t)__tbss_end - (uintptr_t)__tdata_start);
    memcpy(block, __tdata_start, data);
    memset(block + data, 0, total - data);
    seL4_Word *tcb = (seL4_Word *)(void *)(block + total);
    tcb[0] = (seL4_Word)(uintptr_t)tcb; /* %fs:0 = the thread pointer */
    tcb[1] = 0;
    return (seL4_Word)(uintptr_t)tcb;
}

void *tls_main_area(void) { return __main_tls_area; }
