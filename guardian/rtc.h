/*
 * The guardian's own clock: the CMOS RTC's periodic interrupt (IRQ 8, IOAPIC pin 8,
 * ports 0x70-0x71), independent of the PIT that the supervised timer driver owns.
 * Rate RS_WD_RATE (rs/core/watchdog.h).
 */
#pragma once
#include <sel4/sel4.h>

/* Programs the periodic interrupt on `ports` (0x70-0x71) and clears a pending one. */
seL4_Error rtc_start(seL4_CPtr ports, seL4_CPtr irq_handler);
/* After each interrupt: acknowledges it at the IOAPIC, then at the RTC (register C),
 * in that order, so a period that ends in between still raises a new edge. */
seL4_Error rtc_ack(seL4_CPtr ports, seL4_CPtr irq_handler);
