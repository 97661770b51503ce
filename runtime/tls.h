/* Static TLS (x86_64 variant II) layout, from the symbols in link.ld.  Internal. */
#pragma once
#include <sel4/sel4.h>

/* Bytes of a thread's TLS area: the static TLS block plus the word fs:0 points at. */
seL4_Word tls_area_bytes(void);
/* Initialises a TLS area at `area` (tls_area_bytes() bytes, 16-byte aligned): copies the
 * .tdata image, zeroes .tbss, stores the self pointer.  Returns the thread pointer. */
seL4_Word tls_init_area(void *area);
/* The main thread's area, reserved in .bss by link.ld. */
void *tls_main_area(void);
