/* What happens to services: starts, failures, control requests, time (supervise.c). */
#pragma once
#include "rs/server/rs.h"
#include <stddef.h>

void rs_boot(void);                     /* start every service in dependency order */
seL4_Error rs_start(unsigned i);        /* start the next incarnation of service i */
void rs_failed(unsigned i, const struct rs_last *why); /* it crashed / exited / hung */
void rs_stop(unsigned i);               /* control STOP: kill, never restarted until START */
void rs_restart(unsigned i);            /* control RESTART: kill + start, not a failure */
void rs_tick(void);                     /* a timer tick: backoff expiries, heartbeats */
void rs_heartbeat_ack(unsigned i);
void rs_describe_end(const struct rs_last *l, char *buf, size_t size);
