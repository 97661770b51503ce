/*
 * The campaign workload's part for the services of the default system (svcload.c):
 * kv through the name service (exactly-once APPENDs and PUTs, checked), logd WRITEs
 * (acknowledged records must be in the ring, once), and malformed requests to names,
 * the store, logd, kv and the console (each must be refused with an error label).
 */
#pragma once
#include <sel4/sel4.h>
#include <stdint.h>

struct svcload_result {
    uint64_t kv_ops, kv_lost, kv_duplicated, kv_errors, kv_transient;
    uint64_t lookups, lookup_errors;
    uint64_t log_acked, log_in_doubt, log_errors, log_lost, log_duplicated, log_checked;
    uint64_t hostile, refused, garbled;
};

/* caps: the channels to the name service, the store, logd and the console. */
void svcload_init(seL4_CPtr names, seL4_CPtr store, seL4_CPtr logd, seL4_CPtr console);
/* After every service was stopped and started again (the store, and with it kv's table
 * and logd's ring, starts empty): forget what was acknowledged before. */
void svcload_reset(void);
/* One round: a name-service lookup of kv, a kv APPEND (+ read-back every 200 bytes),
 * a kv PUT and GET, a logd WRITE. */
void svcload_step(uint64_t round);
/* A malformed request (kind k picks service and fault); counted refused or not. */
void svcload_hostile(uint64_t k);
/* The end: reads back kv's appended bytes and logd's ring; counts what was lost. */
void svcload_finish(void);
const struct svcload_result *svcload_result(void);
/* The kv cap in use (0 before the first LOOKUP) and the generation it was looked up at. */
seL4_CPtr svcload_kv_cap(void);
uint64_t svcload_kv_gen(void);
