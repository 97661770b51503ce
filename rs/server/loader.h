/*
 * Loading an ELF image into an address space of the memory server: each run of pages
 * with the same rights becomes an anonymous object filled with OBJ_WRITE (all-zero
 * chunks are skipped: the object reads zero where nothing was written, and those pages
 * stay unpopulated until touched), mapped FIXED at its link address.
 */
#pragma once
#include <sel4/sel4.h>
#include <stddef.h>
#include <stdint.h>
#include <runtime/elf_plan.h>

/* Plans `image`: every segment must lie in [0x1000, PROGRAM_STARTUP_VADDR - 4 KiB). */
int rs_loader_plan(const void *image, size_t size, elf_plan_t *plan);
/* Fills space `as` of client `ms` (ms_err_t result). */
int rs_loader_load(seL4_CPtr ms, uint32_t as, const elf_plan_t *plan, const void *image, size_t size);
/* One page at `vaddr` with `len` bytes of `data` (the rest zero), mapped with `rights`. */
int rs_loader_page(seL4_CPtr ms, uint32_t as, uint64_t vaddr, const void *data, size_t len, uint32_t rights);
