/*
 * The policy engine at work (supervise.c): events from the kernel, the memory server
 * and the control interface go to rs_policy_event; its actions (START, KILL, PING, ...)
 * are carried out here, each with one console line.
 */
#pragma once
#include "rs/server/rs.h"
#include <stddef.h>

void rs_supervise_boot(void);
/* Take-over: carries out a START the policy decided but the previous RS did not begin. */
void rs_supervise_start_again(unsigned i);
/* Feeds one event (the time is filled in); returns the policy's result (< 0: refused,
 * nothing changed). */
int rs_supervise_event(uint8_t kind, unsigned svc, uint32_t generation, int64_t status, const char *detail);
/* The clock moved (a TICK), or, without a timer, jump to the next backoff expiry. */
void rs_supervise_tick(void);
/* The guardian's RTC ticked (RS_NTFN_CLOCK): the clock moves if the timer driver was
 * silent since the previous one; a driver silent too long is killed as hung
 * (rs/core/watchdog.h). */
void rs_supervise_rtc_tick(void);
/* Tells the guardian's watchdog that the RS is alive (the answer to RS_NTFN_CLOCK, and
 * progress during long batches of actions). */
void rs_supervise_alive(void);
void rs_supervise_idle(void);
/* A service's fault or exit, described (for logs and LIST). */
void rs_describe_end(const struct rs_last *l, char *buf, size_t size);
