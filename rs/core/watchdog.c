/* Watchdog and fallback-clock decisions (watchdog.h). */
#include "rs/core/watchdog.h"

void rs_watchdog_start(struct rs_watchdog *w) { *w = (struct rs_watchdog){ 0 }; }

void rs_watchdog_answer(struct rs_watchdog *w)
{
    w->unanswered = 0;
    w->answered = true;
}

enum rs_wd_verdict rs_watchdog_tick(struct rs_watchdog *w)
{
    if (w->unanswered < UINT32_MAX) w->unanswered++;
    uint32_t limit = w->answered ? RS_WD_RUN_LIMIT : RS_WD_BOOT_LIMIT;
    return w->unanswered > limit ? RS_WD_HUNG : RS_WD_ALIVE;
}

uint32_t rs_clock_timer_tick(struct rs_clock *c, uint32_t tick_ms)
{
    c->timer_ticked = true;
    c->silent_ms = 0;
    bool counted = c->silence_taken;
    c->silence_taken = false;
    return counted ? 0 : tick_ms;
}

uint32_t rs_clock_rtc_tick(struct rs_clock *c, bool timer_running)
{
    bool ticked = c->timer_ticked;
    c->timer_ticked = false;
    if (timer_running && ticked) {
        c->rem_us = 0; /* the silence is counted from the first whole silent period */
        return 0;
    }
    c->rem_us += RS_WD_PERIOD_US;
    uint32_t ms = c->rem_us / 1000u;
    c->rem_us %= 1000u;
    if (!timer_running) {
        c->silence_taken = false; /* a driver that is not running: the RTC is the clock */
        return ms;
    }
    if (c->silent_ms <= UINT32_MAX - ms) c->silent_ms += ms;
    return 0;
}

void rs_clock_timer_started(struct rs_clock *c)
{
    c->silent_ms = 0;
    c->rem_us = 0;
    c->timer_ticked = false;
    c->silence_taken = false;
}

bool rs_clock_timer_hung(const struct rs_clock *c) { return c->silent_ms >= RS_TIMER_SILENT_MS; }

uint32_t rs_clock_take_silence(struct rs_clock *c)
{
    uint32_t ms = c->silent_ms;
    c->silent_ms = 0;
    if (ms != 0) c->silence_taken = true;
    return ms;
}
