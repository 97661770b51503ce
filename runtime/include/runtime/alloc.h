/*
 * Simple resource allocators for the root task, built from BootInfo: free CSpace slots
 * (bootinfo->empty, minus its last slot which runtime_exit keeps for the exit port) and
 * objects retyped from the RAM untypeds (smallest untyped with room first, so that big
 * untypeds stay whole).  Nothing is ever freed; servers that need reuse keep their own.
 * runtime_start() calls alloc_init() for the root task before main.
 */
#pragma once
#include <sel4/sel4.h>

void      alloc_init(seL4_BootInfo *bootinfo);
seL4_CPtr alloc_slot(void);                            /* seL4_CapNull when exhausted */
/* Retypes one object of `type` (size_bits for untyped/CNode objects, else ignored) into
 * a fresh slot of the root CNode.  seL4_CapNull when no untyped has room. */
seL4_CPtr alloc_object(seL4_Word type, seL4_Word size_bits);
/* The frame cap (from bootinfo->userImageFrames) that backs `vaddr` in the root task's
 * own image, e.g. for a page-aligned buffer in .bss.  seL4_CapNull if none. */
seL4_CPtr alloc_image_frame(const void *vaddr);
/* A cap to the I/O port range [first, last], issued into a fresh slot.  seL4_CapNull on
 * failure. */
seL4_CPtr alloc_ioport(seL4_Word first, seL4_Word last);
/* Size in bytes of one object of `type` (for untyped bookkeeping); 0 if unknown. */
seL4_Word alloc_object_bytes(seL4_Word type, seL4_Word size_bits);
