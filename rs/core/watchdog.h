/*
 * Time that does not depend on the supervised timer driver: the decisions, portable
 * (no syscalls; host-tested in rs/tests/watchdog_test.c).
 *
 * The guardian owns a second clock, the CMOS RTC's periodic interrupt (RS_WD_HZ, IRQ 8),
 * and on every RTC tick signals the RS's notification (RS_NTFN_CLOCK).  Two users:
 *
 * 1. The guardian's watchdog of the RS (struct rs_watchdog).  The RS answers each
 *    RS_NTFN_CLOCK signal from its main loop (a Signal to the guardian), and also signals
 *    after each service it starts or kills (progress during long batches: its first
 *    boot, a group restart), so an RS stuck in a loop or a deadlock stops answering.  The guardian counts its ticks since the
 *    last answer; past the limit the RS is hung and is destroyed and replaced like a
 *    crashed one.  A new incarnation has a longer limit until its first answer (its
 *    start-up: parsing the manifest, starting or taking over every service).
 *
 * 2. The RS's clock when the timer driver is silent (struct rs_clock).  The RS's clock
 *    runs on the timer driver's ticks (RS_TICK_MS each).  While the driver runs, RTC
 *    ticks only measure its silence: the RTC periods in a row without a timer tick
 *    (counted from the first whole silent period).  Past RS_TIMER_SILENT_MS the RS
 *    treats the driver as hung (also when the manifest gives it no heartbeat): the
 *    silence is added to the clock at once, and the driver is killed.  While the driver
 *    is not running (hung and killed, crashed, backing off, stopped), each RTC tick
 *    advances the clock by the RTC period, so heartbeats and backoffs go on.  A driver
 *    that is only held up for a while (a busy RS starves it) loses those ticks, as
 *    before: the clock runs slow, never fast, and a running timer alone decides what the
 *    clock says (the same console lines on the real kernel and in sel4-sim).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define RS_WD_RATE 10u                                 /* RTC register A rate: 2^(10-1) cycles */
#define RS_WD_HZ (32768u >> (RS_WD_RATE - 1u))         /* 64 Hz */
#define RS_WD_PERIOD_US (1000000u / RS_WD_HZ)           /* 15625 us */
#define RS_WD_RUN_LIMIT 8u    /* ticks (125 ms) without an answer: the RS is hung */
#define RS_WD_BOOT_LIMIT 16u  /* ticks (250 ms) before an incarnation's first answer */
#define RS_TIMER_SILENT_MS 100u

struct rs_watchdog {
    uint32_t unanswered;  /* ticks since the last answer (or since the start) */
    bool answered;        /* this incarnation has answered once */
};

enum rs_wd_verdict { RS_WD_ALIVE = 0, RS_WD_HUNG };

/* A new RS incarnation was started. */
void rs_watchdog_start(struct rs_watchdog *w);
/* The RS answered. */
void rs_watchdog_answer(struct rs_watchdog *w);
/* One RTC tick passed (after any answer delivered with it): HUNG once past the limit. */
enum rs_wd_verdict rs_watchdog_tick(struct rs_watchdog *w);

struct rs_clock {
    uint32_t rem_us;      /* RTC time not yet counted as a whole ms */
    uint32_t silent_ms;   /* RTC time without a timer tick while the driver runs */
    bool timer_ticked;    /* a timer tick since the previous RTC tick */
    bool silence_taken;   /* the silence was added to the clock, no timer tick since */
};

/* A timer tick of `tick_ms`: returns the ms the clock advances: tick_ms, or 0 for the
 * first tick after a silence was added to the clock (rs_clock_take_silence): that is the
 * interrupt the driver was handling when it was held up, and its time is in the
 * silence.  Counting it again would move the clock a whole tick the moment the driver
 * runs again, past a deadline the RS had just extended for every service the hog above
 * it held up (found by the campaign: a hung console took the timer or the services
 * below it with it). */
uint32_t rs_clock_timer_tick(struct rs_clock *c, uint32_t tick_ms);
/* An RTC tick: returns the ms the clock advances (only while the driver is not
 * running, `timer_running` false; otherwise the silence grows, if the timer did not tick
 * since the previous RTC tick). */
uint32_t rs_clock_rtc_tick(struct rs_clock *c, bool timer_running);
/* The timer driver (re)started: its silence starts from 0. */
void rs_clock_timer_started(struct rs_clock *c);
/* The driver has been silent too long (it is hung). */
bool rs_clock_timer_hung(const struct rs_clock *c);
/* The silence so far, to be added to the clock (it is reset; the driver's next tick,
 * if it runs on, adds nothing). */
uint32_t rs_clock_take_silence(struct rs_clock *c);
