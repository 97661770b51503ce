/* Host tests of the simulated devices: PIT timing in virtual time, UART registers. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "devices.h"

static void test_pit(void)
{
    FILE *out = tmpfile();
    sim_devices *d = devices_create_io(NULL, out);
    CHECK_EQ(devices_next_irq_time(d, 0), UINT64_MAX);
    /* 100 Hz: reload 11932, mode 2, lo/hi. */
    devices_set_now(d, 1000);
    devices_out(d, 0x43, 1, 0x34);
    devices_out(d, 0x40, 1, 11932 & 0xFF);
    devices_out(d, 0x40, 1, 11932 >> 8);
    uint64_t period = (11932ull * SIM_INSNS_PER_SECOND + SIM_PIT_HZ / 2) / SIM_PIT_HZ;
    CHECK_EQ(period, 10000151); /* 11932 / 1193182 s at 1e9 instructions/s */
    CHECK_EQ(devices_next_irq_time(d, 1000), 1000 + period);
    CHECK_EQ(devices_poll_irqs(d, 1000 + period - 1), 0);
    CHECK_EQ(devices_poll_irqs(d, 1000 + period), 1);
    CHECK_EQ(devices_poll_irqs(d, 1000 + period), 0); /* an edge: once */
    uint64_t next = devices_next_irq_time(d, 1000 + period);
    CHECK(next > 1000 + period && next - (1000 + period) <= period + 1);
    CHECK_EQ(next, 1000 + (2 * 11932ull * SIM_INSNS_PER_SECOND + SIM_PIT_HZ / 2) / SIM_PIT_HZ);
    /* Missed periods merge into one interrupt. */
    CHECK_EQ(devices_poll_irqs(d, 1000 + 10 * period + 5), 1);
    CHECK_EQ(devices_poll_irqs(d, 1000 + 10 * period + 6), 0);
    CHECK(devices_next_irq_time(d, 0) > 1000 + 10 * period);
    /* The counter counts down from the reload value. */
    devices_set_now(d, 1000 + 10 * period + period / 2);
    devices_out(d, 0x43, 1, 0x00); /* latch */
    unsigned lo = devices_in(d, 0x40, 1), hi = devices_in(d, 0x40, 1);
    unsigned count = lo | (hi << 8);
    CHECK(count > 11932 / 2 - 50 && count < 11932 / 2 + 50);
    /* Mode 0 (one-shot) with reload 0 = 65536. */
    devices_set_now(d, 5000000000ull);
    devices_out(d, 0x43, 1, 0x30);
    CHECK_EQ(devices_next_irq_time(d, 5000000000ull), UINT64_MAX);
    devices_out(d, 0x40, 1, 0);
    devices_out(d, 0x40, 1, 0);
    uint64_t t = 5000000000ull + (65536ull * SIM_INSNS_PER_SECOND + SIM_PIT_HZ / 2) / SIM_PIT_HZ;
    CHECK_EQ(devices_next_irq_time(d, 0), t);
    CHECK_EQ(devices_poll_irqs(d, t), 1);
    CHECK_EQ(devices_next_irq_time(d, t), UINT64_MAX);
    /* Mode 3 square wave, lobyte only. */
    devices_out(d, 0x43, 1, 0x16);
    devices_out(d, 0x40, 1, 100);
    CHECK_EQ(devices_next_irq_time(d, t), t + (100ull * SIM_INSNS_PER_SECOND + SIM_PIT_HZ / 2) /
                                                    SIM_PIT_HZ);
    devices_destroy(d);
    fclose(out);
}

/* The RTC's periodic interrupt: 64 Hz (rate 10), IRQ 8 edges, register C. */
static uint8_t rtc_read(sim_devices *d, uint8_t reg)
{
    devices_out(d, 0x70, 1, reg);
    return (uint8_t)devices_in(d, 0x71, 1);
}

static void rtc_write(sim_devices *d, uint8_t reg, uint8_t v)
{
    devices_out(d, 0x70, 1, reg);
    devices_out(d, 0x71, 1, v);
}

static void test_rtc(void)
{
    FILE *out = tmpfile();
    sim_devices *d = devices_create_io(NULL, out);
    CHECK_EQ(rtc_read(d, 0x0b), 0x02);
    CHECK_EQ(rtc_read(d, 0x0d), 0x80);
    devices_set_now(d, 500);
    rtc_write(d, 0x0a, 0x2a); /* rate 10: 512 cycles of 32768 Hz = 1/64 s */
    CHECK_EQ(devices_next_irq_time(d, 500), UINT64_MAX); /* PIE off: no interrupt */
    rtc_write(d, 0x0b, 0x42);
    uint64_t period = 15625000; /* 1e9 / 64 */
    CHECK_EQ(devices_next_irq_time(d, 500), 500 + period);
    CHECK_EQ(devices_poll_irqs(d, 500 + period - 1), 0);
    CHECK_EQ(devices_poll_irqs(d, 500 + period), 1u << 8);
    CHECK_EQ(devices_poll_irqs(d, 500 + period), 0); /* an edge: once */
    /* Register C not read: the line stays high, no further interrupt. */
    CHECK_EQ(devices_next_irq_time(d, 500 + period), UINT64_MAX);
    CHECK_EQ(devices_poll_irqs(d, 500 + 3 * period), 0);
    devices_set_now(d, 500 + 3 * period + 7);
    CHECK_EQ(rtc_read(d, 0x0c), 0xc0); /* IRQF | PF; reading clears them */
    CHECK_EQ(rtc_read(d, 0x0c), 0x00);
    CHECK_EQ(devices_next_irq_time(d, 500 + 3 * period + 7), 500 + 4 * period);
    CHECK_EQ(devices_poll_irqs(d, 500 + 4 * period), 1u << 8);
    /* PIE off: the period flag only. */
    devices_set_now(d, 500 + 4 * period + 1);
    CHECK_EQ(rtc_read(d, 0x0c), 0xc0);
    rtc_write(d, 0x0b, 0x02);
    CHECK_EQ(devices_poll_irqs(d, 500 + 6 * period), 0);
    CHECK_EQ(rtc_read(d, 0x0c), 0x40);
    /* Rate 0: stopped. */
    rtc_write(d, 0x0b, 0x42);
    rtc_write(d, 0x0a, 0x20);
    CHECK_EQ(devices_next_irq_time(d, 500 + 6 * period), UINT64_MAX);
    CHECK_EQ(devices_poll_irqs(d, 500 + 100 * period), 0);
    /* Other CMOS bytes are kept. */
    rtc_write(d, 0x30, 0x5a);
    CHECK_EQ(rtc_read(d, 0x30), 0x5a);
    devices_destroy(d);
    fclose(out);
}

static void test_uart(void)
{
    FILE *in = tmpfile(), *out = tmpfile();
    fputs("hi", in);
    rewind(in);
    sim_devices *d = devices_create_io(in, out);
    devices_set_now(d, 1); /* time 0 is the simulated kernel's boot */
    /* Transmit */
    CHECK_EQ(devices_in(d, 0x3FD, 1) & 0x60, 0x60); /* THRE | TEMT */
    devices_out(d, 0x3F8, 1, 'A');
    devices_putchar(d, 'B');
    devices_out(d, 0x3F8, 1, '\n');
    /* Divisor latch: DLAB hides THR/IER. */
    devices_out(d, 0x3FB, 1, 0x80);
    devices_out(d, 0x3F8, 1, 0x01);
    devices_out(d, 0x3F9, 1, 0x00);
    CHECK_EQ(devices_in(d, 0x3F8, 1), 0x01);
    devices_out(d, 0x3FB, 1, 0x03);
    CHECK_EQ(devices_in(d, 0x3FB, 1), 0x03);
    /* Scratch */
    devices_out(d, 0x3FF, 1, 0x5A);
    CHECK_EQ(devices_in(d, 0x3FF, 1), 0x5A);
    /* Receive, polled: the bytes arrive at 115200 baud (86805 instructions apart) */
    CHECK_EQ(devices_in(d, 0x3FD, 1) & 1, 0);
    devices_set_now(d, 1 + 86805);
    CHECK_EQ(devices_in(d, 0x3FD, 1) & 1, 1);
    CHECK_EQ(devices_in(d, 0x3F8, 1), 'h');
    CHECK_EQ(devices_in(d, 0x3FD, 1) & 1, 0);
    devices_set_now(d, 1 + 2 * 86805);
    CHECK_EQ(devices_in(d, 0x3FD, 1) & 1, 1);
    CHECK_EQ(devices_in(d, 0x3F8, 1), 'i');
    CHECK_EQ(devices_in(d, 0x3FD, 1) & 1, 0);
    CHECK_EQ(devices_in(d, 0x3FA, 1) & 0x0F, 0x01); /* no interrupt */
    CHECK_EQ(devices_poll_irqs(d, 1 + 2 * 86805), 0);
    /* THR-empty interrupt: pending after enabling, acknowledged by reading IIR. */
    devices_out(d, 0x3F9, 1, 0x02);
    CHECK_EQ(devices_poll_irqs(d, 0), 1u << 4);
    CHECK_EQ(devices_next_irq_time(d, 77), UINT64_MAX); /* pending now, nothing to come */
    CHECK_EQ(devices_in(d, 0x3FA, 1) & 0x0F, 0x02);
    CHECK_EQ(devices_poll_irqs(d, 0), 0);
    devices_out(d, 0x3F8, 1, 'C');
    CHECK_EQ(devices_poll_irqs(d, 0), 1u << 4);
    devices_out(d, 0x3F9, 1, 0x00);
    CHECK_EQ(devices_poll_irqs(d, 0), 0);
    /* Unknown ports */
    CHECK_EQ(devices_in(d, 0x80, 1), 0xFF);
    CHECK_EQ(devices_in(d, 0x80, 2), 0xFFFF);
    CHECK_EQ(devices_in(d, 0x80, 4), 0xFFFFFFFFu);
    /* Exit port */
    uint32_t v = 0;
    CHECK(!devices_exit_requested(d, &v));
    devices_out(d, 0xF4, 4, 3);
    CHECK(devices_exit_requested(d, &v));
    CHECK_EQ(v, 3);
    devices_flush(d);
    char buf[16] = { 0 };
    rewind(out);
    size_t n = fread(buf, 1, sizeof buf - 1, out);
    CHECK_EQ(n, 4);
    CHECK(strcmp(buf, "AB\nC") == 0);
    devices_destroy(d);
    fclose(in);
    fclose(out);
}

static void test_uart_rx_irq(void)
{
    FILE *in = tmpfile(), *out = tmpfile();
    fputs("x", in);
    rewind(in);
    sim_devices *d = devices_create_io(in, out);
    devices_out(d, 0x3F9, 1, 0x01); /* RX interrupt */
    CHECK_EQ(devices_poll_irqs(d, 1), 0);           /* the first look: 'x' arrives later */
    CHECK_EQ(devices_next_irq_time(d, 5), 1 + 86805);
    CHECK_EQ(devices_poll_irqs(d, 86805), 0);
    CHECK_EQ(devices_poll_irqs(d, 1 + 86805), 1u << 4);
    CHECK_EQ(devices_in(d, 0x3FA, 1) & 0x0F, 0x04);
    CHECK_EQ(devices_in(d, 0x3F8, 1), 'x');
    CHECK_EQ(devices_poll_irqs(d, 0), 0);
    devices_destroy(d);
    fclose(in);
    fclose(out);
}

/* End of input: a break (LSR.BI) after the last byte, with a line-status interrupt
 * (IIR 0x06) while IER.ELSI is set, acknowledged by reading LSR. */
static void test_uart_eof(void)
{
    FILE *in = tmpfile(), *out = tmpfile();
    fputs("ab", in);
    rewind(in);
    sim_devices *d = devices_create_io(in, out);
    devices_set_now(d, 1);
    devices_out(d, 0x3F9, 1, 0x05); /* RX data + line status */
    CHECK_EQ(devices_in(d, 0x3FA, 1) & 0x0F, 0x01); /* loaded now: nothing arrived yet */
    devices_set_now(d, 1 + 2 * 86805);
    CHECK_EQ(devices_in(d, 0x3FA, 1) & 0x0F, 0x04);
    CHECK_EQ(devices_in(d, 0x3FD, 1) & 0x11, 0x01); /* data, no break */
    CHECK_EQ(devices_in(d, 0x3F8, 1), 'a');
    CHECK_EQ(devices_in(d, 0x3F8, 1), 'b');
    CHECK_EQ(devices_poll_irqs(d, 1 + 2 * 86805), 1u << 4); /* the break */
    CHECK_EQ(devices_next_irq_time(d, 9), UINT64_MAX);
    CHECK_EQ(devices_in(d, 0x3FA, 1) & 0x0F, 0x06);
    CHECK_EQ(devices_in(d, 0x3FD, 1) & 0x11, 0x10); /* BI, no DR */
    CHECK_EQ(devices_poll_irqs(d, 1 + 2 * 86805), 0);    /* acknowledged */
    CHECK_EQ(devices_next_irq_time(d, 9), UINT64_MAX);
    CHECK_EQ(devices_in(d, 0x3FD, 1) & 0x11, 0x10); /* the line stays in break */
    CHECK_EQ(devices_in(d, 0x3FA, 1) & 0x0F, 0x01);
    devices_destroy(d);
    fclose(in);
    fclose(out);
    /* No input at all (a terminal, or /dev/null): in break from the start, but only for
     * a guest that asked for line-status interrupts (QEMU's idle line reads 0x60). */
    out = tmpfile();
    d = devices_create_io(NULL, out);
    devices_set_now(d, 1);
    CHECK_EQ(devices_in(d, 0x3FD, 1), 0x60);
    devices_out(d, 0x3F9, 1, 0x04);
    CHECK_EQ(devices_poll_irqs(d, 0), 1u << 4);
    CHECK_EQ(devices_in(d, 0x3FD, 1) & 0x11, 0x10);
    CHECK_EQ(devices_poll_irqs(d, 0), 0);
    devices_destroy(d);
    fclose(out);
}

int main(void)
{
    test_rtc();
    test_pit();
    test_uart();
    test_uart_rx_irq();
    test_uart_eof();
    return check_report("sim_devices_test");
}
