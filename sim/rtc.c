/* The simulated CMOS RTC's periodic interrupt (rtc.h). */
#include "rtc.h"
#include "devices.h"
#include <string.h>

#define REG_A 0x0au
#define REG_B 0x0bu
#define REG_C 0x0cu
#define REG_D 0x0du
#define B_PIE 0x40u
#define C_IRQF 0x80u
#define C_PF 0x40u

void rtc_init(sim_rtc *r)
{
    memset(r, 0, sizeof(*r));
    r->cmos[REG_A] = 0x26;
    r->cmos[REG_B] = 0x02;
    r->cmos[REG_D] = 0x80;
    r->next = UINT64_MAX;
}

/* Instructions per period of rate `rate` (0: off). */
static uint64_t period_of(uint8_t rate)
{
    rate &= 0x0fu;
    if (rate == 0) return 0;
    if (rate <= 2) rate = (uint8_t)(rate + 7u);
    uint64_t cycles = 1ull << (rate - 1u);
    return (cycles * SIM_INSNS_PER_SECOND + SIM_RTC_HZ / 2) / SIM_RTC_HZ;
}

/* The period ends up to `now`: flags set, the line raised. */
void rtc_poll(sim_rtc *r, uint64_t now)
{
    if (r->next == UINT64_MAX || now < r->next) return;
    /* the next period end after now; missed ones merge */
    uint64_t k = (now - r->start) / r->period + 1;
    r->next = r->start + k * r->period;
    r->reg_c |= C_PF;
    if (!(r->cmos[REG_B] & B_PIE)) return;
    r->reg_c |= C_IRQF;
    if (!r->line) r->edge = true;
    r->line = true;
}

bool rtc_take_edge(sim_rtc *r)
{
    bool e = r->edge;
    r->edge = false;
    return e;
}

static void restart(sim_rtc *r, uint64_t now)
{
    r->period = period_of(r->cmos[REG_A]);
    r->start = now;
    r->next = r->period == 0 ? UINT64_MAX : now + r->period;
}

uint8_t rtc_in(sim_rtc *r, uint64_t now, uint16_t port)
{
    if (port != SIM_RTC_DATA) return 0xff;
    rtc_poll(r, now);
    switch (r->index) {
    case REG_A: return (uint8_t)(r->cmos[REG_A] & 0x7fu);
    case REG_C: {
        uint8_t v = r->reg_c;
        r->reg_c = 0;
        r->line = false;
        return v;
    }
    case REG_D: return 0x80;
    default: return r->cmos[r->index];
    }
}

void rtc_out(sim_rtc *r, uint64_t now, uint16_t port, uint8_t value)
{
    if (port == SIM_RTC_INDEX) {
        r->index = value & 0x7fu; /* bit 7: NMI mask, not modelled */
        return;
    }
    if (port != SIM_RTC_DATA) return;
    rtc_poll(r, now);
    switch (r->index) {
    case REG_A:
        r->cmos[REG_A] = (uint8_t)(value & 0x7fu);
        restart(r, now);
        break;
    case REG_B:
        r->cmos[REG_B] = value;
        if (r->next == UINT64_MAX && r->period == 0) restart(r, now);
        break;
    case REG_C:
    case REG_D: break; /* read-only */
    default: r->cmos[r->index] = value; break;
    }
}

uint64_t rtc_next_irq_time(const sim_rtc *r)
{
    if (r->line || !(r->cmos[REG_B] & B_PIE)) return UINT64_MAX;
    return r->next;
}
