/* Host tests of the watchdog and the fallback clock (rs/core/watchdog.h): RTC ticks and
 * answers in, verdicts and clock steps out. */
#include <stdbool.h>
#include <stdint.h>
#include "check.h"
#include "rs/core/watchdog.h"

/* The RS that answers every tick is never hung; one that stops answering is hung at
 * exactly the tick after the limit. */
static void test_watchdog_run(void)
{
    struct rs_watchdog w;
    rs_watchdog_start(&w);
    rs_watchdog_answer(&w);
    for (int k = 0; k < 1000; k++) {
        rs_watchdog_answer(&w);
        CHECK_EQ(rs_watchdog_tick(&w), RS_WD_ALIVE);
    }
    /* the last answer was one tick ago */
    for (unsigned k = 2; k <= RS_WD_RUN_LIMIT; k++) CHECK_EQ(rs_watchdog_tick(&w), RS_WD_ALIVE);
    CHECK_EQ(rs_watchdog_tick(&w), RS_WD_HUNG);
    CHECK_EQ(rs_watchdog_tick(&w), RS_WD_HUNG); /* stays hung until replaced */
    /* An answer at the last moment keeps it alive. */
    rs_watchdog_start(&w);
    rs_watchdog_answer(&w);
    for (unsigned k = 1; k <= RS_WD_RUN_LIMIT; k++) CHECK_EQ(rs_watchdog_tick(&w), RS_WD_ALIVE);
    rs_watchdog_answer(&w);
    CHECK_EQ(rs_watchdog_tick(&w), RS_WD_ALIVE);
}

/* A new incarnation gets the boot limit until its first answer, then the run limit. */
static void test_watchdog_boot(void)
{
    struct rs_watchdog w;
    rs_watchdog_start(&w);
    for (unsigned k = 1; k <= RS_WD_BOOT_LIMIT; k++) CHECK_EQ(rs_watchdog_tick(&w), RS_WD_ALIVE);
    CHECK_EQ(rs_watchdog_tick(&w), RS_WD_HUNG);
    rs_watchdog_start(&w); /* replaced: boot limit again */
    for (unsigned k = 1; k <= RS_WD_RUN_LIMIT + 1; k++) CHECK_EQ(rs_watchdog_tick(&w), RS_WD_ALIVE);
    rs_watchdog_answer(&w);
    for (unsigned k = 1; k <= RS_WD_RUN_LIMIT; k++) CHECK_EQ(rs_watchdog_tick(&w), RS_WD_ALIVE);
    CHECK_EQ(rs_watchdog_tick(&w), RS_WD_HUNG);
    CHECK(RS_WD_RUN_LIMIT < RS_WD_BOOT_LIMIT);
}

/* A ticking timer drives the clock alone; the RTC measures a running driver's silence
 * (hung after 100 ms: 7 RTC periods of 15.625 ms) and drives the clock while no driver
 * runs (exact over 64 ticks). */
static void test_clock(void)
{
    struct rs_clock c = { 0 };
    uint64_t now = 0;
    for (int k = 0; k < 64; k++) {
        now += rs_clock_timer_tick(&c, 10);
        now += rs_clock_timer_tick(&c, 10);
        now += rs_clock_rtc_tick(&c, true);
        CHECK(!rs_clock_timer_hung(&c));
    }
    CHECK_EQ(now, 64 * 20);
    /* The driver goes silent: the clock stands still, the silence grows. */
    now = 0;
    unsigned ticks = 0;
    while (!rs_clock_timer_hung(&c) && ticks < 100) {
        now += rs_clock_rtc_tick(&c, true);
        ticks++;
    }
    CHECK_EQ(now, 0);
    CHECK_EQ(ticks, 7); /* 7 * 15.625 = 109 ms >= 100, 6 * 15.625 = 93 < 100 */
    CHECK_EQ(rs_clock_take_silence(&c), 109);
    CHECK_EQ(rs_clock_take_silence(&c), 0);
    /* A silence that ends is forgotten. */
    for (int k = 0; k < 5; k++) (void)rs_clock_rtc_tick(&c, true);
    (void)rs_clock_timer_tick(&c, 10);
    CHECK(!rs_clock_timer_hung(&c));
    CHECK_EQ(rs_clock_take_silence(&c), 0);
    /* The RTC period in which the timer last ticked does not count (the phase). */
    (void)rs_clock_rtc_tick(&c, true);
    for (int k = 0; k < 6; k++) (void)rs_clock_rtc_tick(&c, true);
    CHECK(!rs_clock_timer_hung(&c));
    (void)rs_clock_rtc_tick(&c, true);
    CHECK(rs_clock_timer_hung(&c));
    rs_clock_timer_started(&c);
    CHECK(!rs_clock_timer_hung(&c));
    /* While no driver runs (backing off, stopped) the RTC is the clock. */
    now = 0;
    for (int k = 0; k < 64; k++) now += rs_clock_rtc_tick(&c, false);
    CHECK_EQ(now, 1000);
    CHECK(!rs_clock_timer_hung(&c));
}

/* The first timer tick after a silence was added to the clock adds nothing (its time is
 * in the silence: the interrupt the held-up driver handles first); the next ones do.  A
 * driver that stops running in between starts afresh. */
static void test_clock_after_silence(void)
{
    struct rs_clock c = { 0 };
    CHECK_EQ(rs_clock_timer_tick(&c, 10), 10);
    for (int k = 0; k < 8; k++) CHECK_EQ(rs_clock_rtc_tick(&c, true), 0); /* the phase, then 7 */
    CHECK(rs_clock_timer_hung(&c));
    CHECK_EQ(rs_clock_take_silence(&c), 109);
    CHECK_EQ(rs_clock_take_silence(&c), 0); /* taking nothing keeps the first tick uncounted */
    CHECK_EQ(rs_clock_timer_tick(&c, 10), 0);
    CHECK_EQ(rs_clock_timer_tick(&c, 10), 10);
    CHECK_EQ(rs_clock_timer_tick(&c, 10), 10);
    /* silent again, taken, then the driver is killed: the RTC runs the clock, and the
     * next incarnation's first tick counts */
    (void)rs_clock_rtc_tick(&c, true);
    for (int k = 0; k < 7; k++) (void)rs_clock_rtc_tick(&c, true);
    CHECK_EQ(rs_clock_take_silence(&c), 109);
    CHECK(rs_clock_rtc_tick(&c, false) >= 15);
    rs_clock_timer_started(&c);
    CHECK_EQ(rs_clock_timer_tick(&c, 10), 10);
    /* taken, then restarted at once (no RTC tick while it was down) */
    for (int k = 0; k < 8; k++) (void)rs_clock_rtc_tick(&c, true);
    CHECK(rs_clock_take_silence(&c) > 0);
    rs_clock_timer_started(&c);
    CHECK_EQ(rs_clock_timer_tick(&c, 10), 10);
}

int main(void)
{
    test_watchdog_run();
    test_watchdog_boot();
    test_clock();
    test_clock_after_silence();
    return check_result("rs_watchdog_test");
}
