/* The RTC periodic interrupt (rtc.h). */
#include "guardian/rtc.h"
#include "rs/core/watchdog.h"

#define RTC_INDEX 0x70u
#define RTC_DATA 0x71u
#define RTC_REG_A 0x0au
#define RTC_REG_B 0x0bu
#define RTC_REG_C 0x0cu
#define RTC_A_DIVIDER 0x20u /* 32768 Hz time base */
#define RTC_B_PIE 0x40u

static seL4_Error read_reg(seL4_CPtr ports, uint8_t reg, uint8_t *v)
{
    seL4_Error err = seL4_X86_IOPort_Out8(ports, RTC_INDEX, reg);
    if (err != seL4_NoError) return err;
    seL4_X86_IOPort_In8_t r = seL4_X86_IOPort_In8(ports, RTC_DATA);
    *v = r.result;
    return (seL4_Error)r.error;
}

static seL4_Error write_reg(seL4_CPtr ports, uint8_t reg, uint8_t v)
{
    seL4_Error err = seL4_X86_IOPort_Out8(ports, RTC_INDEX, reg);
    return err != seL4_NoError ? err : seL4_X86_IOPort_Out8(ports, RTC_DATA, v);
}

seL4_Error rtc_start(seL4_CPtr ports, seL4_CPtr irq_handler)
{
    uint8_t b = 0, c = 0;
    seL4_Error err = write_reg(ports, RTC_REG_A, RTC_A_DIVIDER | RS_WD_RATE);
    if (err == seL4_NoError) err = read_reg(ports, RTC_REG_B, &b);
    if (err == seL4_NoError) err = write_reg(ports, RTC_REG_B, (uint8_t)(b | RTC_B_PIE));
    if (err == seL4_NoError) err = read_reg(ports, RTC_REG_C, &c);
    if (err == seL4_NoError) err = seL4_IRQHandler_Ack(irq_handler);
    return err;
}

seL4_Error rtc_ack(seL4_CPtr ports, seL4_CPtr irq_handler)
{
    uint8_t c = 0;
    seL4_Error err = seL4_IRQHandler_Ack(irq_handler);
    return err != seL4_NoError ? err : read_reg(ports, RTC_REG_C, &c);
}
