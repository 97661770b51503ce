/*
 * The simulated PC devices: debug console, 16550 UART (COM1), 8254 PIT channel 0,
 * isa-debug-exit.  All timing is in virtual time (instructions); see devices.h.
 */
#include "devices.h"
#include "rtc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define COM1 0x3F8u
#define PIT_CH0 0x40u
#define PIT_CMD 0x43u
#define EXIT_PORT 0xF4u
#define INPUT_MAX (16u << 20)
/* Input arrives at 115200 baud, 10 bits per byte (8N1), in virtual time. */
#define UART_BYTE_INSNS (SIM_INSNS_PER_SECOND * 10u / 115200u)

/* UART register bits */
#define IER_RDI 0x01u   /* received data available */
#define IER_THRI 0x02u  /* transmitter holding register empty */
#define IER_ELSI 0x04u  /* receiver line status (here: the break at the end of input) */
#define LCR_DLAB 0x80u
#define LSR_DR 0x01u
#define LSR_BI 0x10u    /* break: the input has ended (see devices.h) */
#define LSR_THRE 0x20u
#define LSR_TEMT 0x40u
#define IIR_NONE 0x01u
#define IIR_THRI 0x02u
#define IIR_RDI 0x04u
#define IIR_RLS 0x06u   /* receiver line status: highest priority */
#define FCR_FIFO 0x01u

typedef struct uart {
    uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
    bool thre_pending;      /* THR-empty interrupt not yet acknowledged */
    bool break_seen;        /* LSR was read after the input ended: no more RLS interrupt */
    bool input_loaded;
    uint8_t *input;
    size_t input_len, input_pos;
    bool input_started;
    uint64_t input_start;   /* the guest's first look: byte i arrives (i + 1) byte times later */
} uart;

typedef struct pit {
    uint8_t mode;           /* 0..5 (6, 7 are 2, 3) */
    uint8_t access;         /* 1 lo, 2 hi, 3 lo then hi */
    bool write_hi_next, read_hi_next;
    uint16_t reload_lo;
    uint32_t reload;        /* 1..65536 */
    bool running;
    uint64_t start;         /* virtual time the count started */
    uint64_t next_irq;      /* UINT64_MAX = none */
    bool latched;
    uint16_t latch;
} pit;

struct sim_devices {
    FILE *in, *out;
    uint64_t now;
    uart com1;
    pit pit0;
    sim_rtc rtc;
    bool exit_requested;
    uint32_t exit_value;
};

sim_devices *devices_create_io(FILE *in, FILE *out)
{
    sim_devices *d = calloc(1, sizeof *d);
    if (d == NULL) {
        return NULL;
    }
    d->in = in;
    d->out = out;
    d->pit0.reload = 65536;
    d->pit0.next_irq = UINT64_MAX;
    d->pit0.access = 3;
    rtc_init(&d->rtc);
    return d;
}

sim_devices *devices_create(void)
{
    return devices_create_io(isatty(STDIN_FILENO) ? NULL : stdin, stdout);
}

void devices_destroy(sim_devices *d)
{
    if (d == NULL) {
        return;
    }
    devices_flush(d);
    free(d->com1.input);
    free(d);
}

void devices_flush(sim_devices *d)
{
    if (d->out != NULL) {
        fflush(d->out);
    }
}

void devices_putchar(sim_devices *d, char c)
{
    if (d->out != NULL) {
        fputc((unsigned char)c, d->out);
    }
}

void devices_set_now(sim_devices *d, uint64_t now)
{
    if (now > d->now) {
        d->now = now;
    }
}

/* ---- UART ---- */

static void uart_load_input(sim_devices *d)
{
    uart *u = &d->com1;
    if (!u->input_started && d->now > 0) {
        /* The simulated kernel's own look at boot (time 0) does not start the line. */
        u->input_started = true;
        u->input_start = d->now;
    }
    if (u->input_loaded) {
        return;
    }
    u->input_loaded = true;
    if (d->in == NULL) {
        return;
    }
    size_t cap = 4096;
    u->input = malloc(cap);
    while (u->input != NULL && u->input_len < INPUT_MAX) {
        if (u->input_len == cap) {
            uint8_t *n = realloc(u->input, cap * 2);
            if (n == NULL) {
                break;
            }
            u->input = n;
            cap *= 2;
        }
        size_t got = fread(u->input + u->input_len, 1, cap - u->input_len, d->in);
        if (got == 0) {
            break;
        }
        u->input_len += got;
    }
}

/* When input byte `pos` has arrived in the receiver. */
static uint64_t uart_arrival(const uart *u, size_t pos)
{
    return u->input_start + (uint64_t)(pos + 1) * UART_BYTE_INSNS;
}

static bool uart_data_ready(sim_devices *d)
{
    uart_load_input(d);
    return d->com1.input_started && d->com1.input_pos < d->com1.input_len &&
           d->now >= uart_arrival(&d->com1, d->com1.input_pos);
}

/* The input has ended: everything there was has been read (no input at all counts). */
static bool uart_at_end(sim_devices *d)
{
    uart_load_input(d);
    return d->com1.input_pos >= d->com1.input_len;
}

/* Pending interrupt source, as IIR reports it. */
static uint8_t uart_iir(sim_devices *d)
{
    uart *u = &d->com1;
    if ((u->ier & IER_ELSI) && !u->break_seen && uart_at_end(d)) {
        return IIR_RLS;
    }
    if ((u->ier & IER_RDI) && uart_data_ready(d)) {
        return IIR_RDI;
    }
    if ((u->ier & IER_THRI) && u->thre_pending) {
        return IIR_THRI;
    }
    return IIR_NONE;
}

static uint32_t uart_in(sim_devices *d, unsigned reg)
{
    uart *u = &d->com1;
    switch (reg) {
    case 0:
        if (u->lcr & LCR_DLAB) {
            return u->dll;
        }
        if (uart_data_ready(d)) {
            return u->input[u->input_pos++];
        }
        return 0;
    case 1:
        return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
    case 2: {
        uint8_t iir = uart_iir(d);
        if (iir == IIR_THRI) {
            u->thre_pending = false; /* reading IIR acknowledges THR empty */
        }
        return iir | ((u->fcr & FCR_FIFO) ? 0xC0u : 0u);
    }
    case 3:
        return u->lcr;
    case 4:
        return u->mcr;
    case 5:
        if ((u->ier & IER_ELSI) && uart_at_end(d)) {
            u->break_seen = true; /* reading LSR acknowledges the line-status interrupt */
            return LSR_THRE | LSR_TEMT | LSR_BI;
        }
        return LSR_THRE | LSR_TEMT | (uart_data_ready(d) ? LSR_DR : 0u);
    case 6:
        return 0xB0; /* DCD, DSR, CTS */
    default:
        return u->scr;
    }
}

static void uart_out(sim_devices *d, unsigned reg, uint8_t v)
{
    uart *u = &d->com1;
    switch (reg) {
    case 0:
        if (u->lcr & LCR_DLAB) {
            u->dll = v;
        } else {
            devices_putchar(d, (char)v);
            u->thre_pending = true; /* transmitted at once: empty again */
        }
        break;
    case 1:
        if (u->lcr & LCR_DLAB) {
            u->dlm = v;
        } else {
            if ((v & IER_THRI) && !(u->ier & IER_THRI)) {
                u->thre_pending = true;
            }
            u->ier = v & 0x0F;
        }
        break;
    case 2:
        u->fcr = v;
        break;
    case 3:
        u->lcr = v;
        break;
    case 4:
        u->mcr = v & 0x1F;
        break;
    case 7:
        u->scr = v;
        break;
    default:
        break; /* LSR, MSR: read-only */
    }
}

/* ---- PIT ---- */

static uint64_t pit_ticks_to_insns(uint64_t ticks)
{
    /* ticks / 1193182 s, in instructions; rounded to nearest, at least 1. */
    uint64_t n = (ticks * SIM_INSNS_PER_SECOND + SIM_PIT_HZ / 2) / SIM_PIT_HZ;
    return n ? n : 1;
}

static void pit_start(sim_devices *d)
{
    pit *p = &d->pit0;
    p->running = true;
    p->start = d->now;
    p->next_irq = d->now + pit_ticks_to_insns(p->reload);
}

static uint16_t pit_count(const sim_devices *d)
{
    const pit *p = &d->pit0;
    if (!p->running) {
        return (uint16_t)p->reload;
    }
    uint64_t ticks = (d->now - p->start) * SIM_PIT_HZ / SIM_INSNS_PER_SECOND;
    uint64_t left = p->reload - ticks % p->reload;
    if (p->mode == 0 && ticks >= p->reload) {
        return 0;
    }
    return (uint16_t)left;
}

static uint32_t pit_in(sim_devices *d, unsigned port)
{
    pit *p = &d->pit0;
    if (port != PIT_CH0) {
        return 0xFF;
    }
    uint16_t v = p->latched ? p->latch : pit_count(d);
    uint8_t byte;
    if (p->access == 1) {
        byte = (uint8_t)v;
        p->latched = false;
    } else if (p->access == 2) {
        byte = (uint8_t)(v >> 8);
        p->latched = false;
    } else {
        byte = p->read_hi_next ? (uint8_t)(v >> 8) : (uint8_t)v;
        if (p->read_hi_next) {
            p->latched = false;
        }
        p->read_hi_next = !p->read_hi_next;
    }
    return byte;
}

static void pit_out(sim_devices *d, unsigned port, uint8_t v)
{
    pit *p = &d->pit0;
    if (port == PIT_CMD) {
        if ((v >> 6) != 0) {
            return; /* channels 1, 2 and read-back: not modelled */
        }
        unsigned access = (v >> 4) & 3;
        if (access == 0) { /* counter latch */
            p->latch = pit_count(d);
            p->latched = true;
            p->read_hi_next = false;
            return;
        }
        p->access = (uint8_t)access;
        p->mode = (uint8_t)((v >> 1) & 7);
        if (p->mode >= 6) {
            p->mode -= 4;
        }
        p->write_hi_next = false;
        p->read_hi_next = false;
        p->running = false; /* a new mode stops the count until reloaded */
        p->next_irq = UINT64_MAX;
        return;
    }
    if (port != PIT_CH0) {
        return;
    }
    uint32_t reload;
    if (p->access == 1) {
        reload = v;
    } else if (p->access == 2) {
        reload = (uint32_t)v << 8;
    } else if (!p->write_hi_next) {
        p->reload_lo = v;
        p->write_hi_next = true;
        return;
    } else {
        reload = p->reload_lo | ((uint32_t)v << 8);
        p->write_hi_next = false;
    }
    p->reload = reload ? reload : 65536;
    pit_start(d);
}

/* ---- port dispatch ---- */

/* One byte from the byte-wide devices; unclaimed ports float high. */
static uint8_t byte_in(sim_devices *d, uint16_t port)
{
    if (port >= COM1 && port < COM1 + 8) {
        return (uint8_t)uart_in(d, port - COM1);
    }
    if (port >= PIT_CH0 && port <= PIT_CMD) {
        return (uint8_t)pit_in(d, port);
    }
    if (port == SIM_RTC_INDEX || port == SIM_RTC_DATA) {
        return rtc_in(&d->rtc, d->now, port);
    }
    return 0xFF;
}

static void byte_out(sim_devices *d, uint16_t port, uint8_t value)
{
    if (port >= COM1 && port < COM1 + 8) {
        uart_out(d, port - COM1, value);
    } else if (port >= PIT_CH0 && port <= PIT_CMD) {
        pit_out(d, port, value);
    } else if (port == SIM_RTC_INDEX || port == SIM_RTC_DATA) {
        rtc_out(&d->rtc, d->now, port, value);
    }
}

static bool port_claimed(uint16_t port)
{
    return (port >= COM1 && port < COM1 + 8) || (port >= PIT_CH0 && port <= PIT_CMD) ||
           port == SIM_RTC_INDEX || port == SIM_RTC_DATA || (port >= EXIT_PORT && port < EXIT_PORT + 4);
}

/* The UART and the PIT are 8-bit devices: as on the PC's ISA bus, a 16- or 32-bit access
 * is split into byte accesses at consecutive ports, lowest first.  The exit device takes
 * the whole value at once, as QEMU's isa-debug-exit does.  A read from ports no device
 * claims floats high (0xff per byte), except that QEMU rejects a 16- or 32-bit read of
 * unclaimed ports at a port not aligned to its size and returns 0 (checked on the real
 * kernel: In16 at 0x2d1 -> 0, at 0x2d2 -> 0xffff; In32 at 0x2d2 -> 0, at 0x2d4 ->
 * 0xffffffff). */
uint32_t devices_in(sim_devices *d, uint16_t port, unsigned size)
{
    unsigned n = size >= 4 ? 4u : size == 2 ? 2u : 1u;
    bool claimed = false;
    for (unsigned i = 0; i < n; i++) {
        claimed = claimed || port_claimed((uint16_t)(port + i));
    }
    if (!claimed && port % n != 0) {
        return 0;
    }
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        v |= (uint32_t)byte_in(d, (uint16_t)(port + i)) << (8 * i);
    }
    return v;
}

void devices_out(sim_devices *d, uint16_t port, unsigned size, uint32_t value)
{
    if (port >= EXIT_PORT && port < EXIT_PORT + 4) {
        if (!d->exit_requested) {
            d->exit_requested = true;
            d->exit_value = value;
        }
        return;
    }
    unsigned n = size >= 4 ? 4u : size == 2 ? 2u : 1u;
    for (unsigned i = 0; i < n; i++) {
        byte_out(d, (uint16_t)(port + i), (uint8_t)(value >> (8 * i)));
    }
}

uint64_t devices_next_irq_time(const sim_devices *d, uint64_t now)
{
    /* Only events still to come: a UART condition that holds already is reported by
     * devices_poll_irqs at once, and while its IOAPIC pin is masked (an IRQ nobody has
     * acknowledged, e.g. of a driver that died) time must still run to the next tick. */
    const uart *u = &d->com1;
    uint64_t next = d->pit0.next_irq;
    uint64_t rtc = rtc_next_irq_time(&d->rtc);
    if (rtc > now && rtc < next) {
        next = rtc;
    }
    if ((u->ier & IER_RDI) && u->input_started && u->input_pos < u->input_len) {
        uint64_t arrival = uart_arrival(u, u->input_pos);
        if (arrival > now && arrival < next) {
            next = arrival;
        }
    }
    return next;
}

uint32_t devices_poll_irqs(sim_devices *d, uint64_t now)
{
    devices_set_now(d, now);
    uint32_t irqs = 0;
    pit *p = &d->pit0;
    if (p->next_irq != UINT64_MAX && now >= p->next_irq) {
        irqs |= 1u << 0;
        if (p->mode == 0 || p->mode == 1 || p->mode == 4 || p->mode == 5) {
            p->next_irq = UINT64_MAX; /* one-shot */
        } else {
            /* Periodic: the next period boundary after `now`; missed ones merge. */
            uint64_t period_ticks = p->reload;
            uint64_t elapsed = (now - p->start) * SIM_PIT_HZ / SIM_INSNS_PER_SECOND;
            uint64_t k = elapsed / period_ticks + 1;
            p->next_irq = p->start + pit_ticks_to_insns(k * period_ticks);
            if (p->next_irq <= now) {
                p->next_irq = now + 1;
            }
        }
    }
    if (uart_iir(d) != IIR_NONE) {
        irqs |= 1u << 4;
    }
    rtc_poll(&d->rtc, now);
    if (rtc_take_edge(&d->rtc)) {
        irqs |= 1u << 8;
    }
    return irqs;
}

bool devices_exit_requested(const sim_devices *d, uint32_t *value)
{
    if (d->exit_requested && value != NULL) {
        *value = d->exit_value;
    }
    return d->exit_requested;
}
