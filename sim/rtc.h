/*
 * The simulated CMOS real-time clock (MC146818 as QEMU models it), only what a guest
 * needs for its periodic interrupt: ports 0x70 (register index) and 0x71 (data).
 *   register A (0x0a): bits 0-3 the rate r; the periodic interrupt comes every
 *                      2^(r-1) cycles of the 32768 Hz clock (r = 1, 2 count as 8, 9;
 *                      r = 0: off); bit 7 (update in progress) reads 0
 *   register B (0x0b): bit 6 PIE enables the periodic interrupt (initially 0x02)
 *   register C (0x0c): read-only; bit 6 PF (a period ended), bit 7 IRQF (and PIE was
 *                      set); reading it clears both and lowers the IRQ 8 line
 *   register D (0x0d): 0x80 (battery good)
 *   other registers:   CMOS bytes, kept as written (initially 0)
 * IRQ 8 is an edge when the line rises: a period end with PIE raises the line unless it
 * is high already, so a guest that does not read register C gets no further interrupt
 * (as on QEMU).  Missed periods merge.  Virtual time in instructions (devices.h).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define SIM_RTC_HZ 32768ull
#define SIM_RTC_INDEX 0x70u
#define SIM_RTC_DATA 0x71u

typedef struct sim_rtc {
    uint8_t index;
    uint8_t cmos[128];
    uint8_t reg_c;
    bool line;              /* IRQ 8 line high */
    bool edge;              /* the line rose since rtc_take_edge */
    uint64_t start;         /* virtual time the current rate started */
    uint64_t period;        /* instructions per period; 0 = not running */
    uint64_t next;          /* next period end; UINT64_MAX = none */
} sim_rtc;

void rtc_init(sim_rtc *r);
uint8_t rtc_in(sim_rtc *r, uint64_t now, uint16_t port);
void rtc_out(sim_rtc *r, uint64_t now, uint16_t port, uint8_t value);
/* When the line can next rise (UINT64_MAX: not while it stays as it is). */
uint64_t rtc_next_irq_time(const sim_rtc *r);
/* Brings the clock to `now` (port accesses do too). */
void rtc_poll(sim_rtc *r, uint64_t now);
/* True once per rise of the IRQ 8 line (an edge for the IOAPIC). */
bool rtc_take_edge(sim_rtc *r);
