/*
 * Client library of the RS control interface (rs/PROTOCOL.md).  `ep` is a control cap
 * (the RS endpoint badged for control); every call returns an rs_err (RS_OK = 0) and
 * writes results only on success.
 */
#pragma once
#include <sel4/sel4.h>
#include <stdint.h>
#include "rs/protocol/rs_protocol.h"

int rsc_list(seL4_CPtr ep, uint32_t index, struct rs_list_entry *e);
int rsc_find(seL4_CPtr ep, const char *name, uint32_t *index);
int rsc_stop(seL4_CPtr ep, uint32_t index);
int rsc_start(seL4_CPtr ep, uint32_t index);
int rsc_restart(seL4_CPtr ep, uint32_t index);
int rsc_crash(seL4_CPtr ep, uint32_t index);
int rsc_hang(seL4_CPtr ep, uint32_t index);
int rsc_abort(seL4_CPtr ep, uint64_t when);
/* A stopped service's resources as the kernel and the memory server see them. */
int rsc_audit(seL4_CPtr ep, uint32_t index, struct rs_audit *a);
/* The RS's console line with the smallest sequence number >= seq: *got its number,
 * text[0..*len) (no NUL; RS_LOG_TEXT_MAX bytes at most); *len = 0: none yet (*got is
 * then the next number the RS will give). */
int rsc_log(seL4_CPtr ep, uint64_t seq, uint64_t *got, char *text, unsigned *len);
