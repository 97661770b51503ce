/* The serial driver's work (serial.h): UART set-up, output, input and the request loop. */
#include "drivers/serial/serial.h"
#include "drivers/serial/console_protocol.h"
#include "drivers/serial/rx_buffer.h"
#include "drivers/serial/uart.h"
#include <runtime/serve.h>

#define THRE_POLLS 100000u /* a transmitter that never empties does not stop the driver */

static struct rx_buffer rx;
static bool read_pending;   /* a READ is waiting for input: answer it when some comes */
static uint32_t read_max;   /* ... with at most this many bytes */
static uint8_t ier;         /* interrupts enabled now */

static seL4_Error out8(const struct serial_caps *c, seL4_Word port, uint8_t v)
{
    return seL4_X86_IOPort_Out8(c->ioports, port, v);
}

static uint8_t in8(const struct serial_caps *c, seL4_Word port, seL4_Error *err)
{
    seL4_X86_IOPort_In8_t r = seL4_X86_IOPort_In8(c->ioports, port);
    if (r.error != seL4_NoError && *err == seL4_NoError) *err = (seL4_Error)r.error;
    return (uint8_t)r.result;
}

static seL4_Error drain_uart(const struct serial_caps *c);

seL4_Error serial_start(const struct serial_caps *c)
{
    rx_init(&rx);
    read_pending = false;
    ier = UART_IER_RDI | UART_IER_ELSI;
    seL4_Error err = seL4_IRQHandler_SetNotification(c->irq_handler, c->irq_ntfn);
    if (err == seL4_NoError) err = out8(c, UART_IER, 0);
    if (err == seL4_NoError) err = out8(c, UART_LCR, UART_LCR_DLAB);
    if (err == seL4_NoError) err = out8(c, UART_DLL, UART_DIVISOR_115200);
    if (err == seL4_NoError) err = out8(c, UART_DLM, 0);
    if (err == seL4_NoError) err = out8(c, UART_LCR, UART_LCR_8N1);
    /* Bytes typed before this incarnation (or while none ran) are in the receiver:
     * keep them, since switching the FIFOs on clears them (QEMU). */
    if (err == seL4_NoError) err = drain_uart(c);
    if (err == seL4_NoError) err = out8(c, UART_FCR, UART_FCR_ENABLE);
    if (err == seL4_NoError) err = out8(c, UART_MCR, UART_MCR_DTR_RTS_OUT2);
    if (err == seL4_NoError) err = out8(c, UART_IER, ier);
    /* A previous incarnation may have died between an interrupt and its Ack. */
    if (err == seL4_NoError) err = seL4_IRQHandler_Ack(c->irq_handler);
    return err;
}

/* Reads LSR; a break there is the end of input (sel4-sim: sim/devices.h), also when
 * seen while waiting to transmit (reading LSR acknowledges the line-status interrupt). */
static uint8_t read_lsr(const struct serial_caps *c, seL4_Error *err)
{
    uint8_t lsr = in8(c, UART_LSR, err);
    if (lsr & UART_LSR_BI) rx.ended = true;
    return lsr;
}

void serial_write(const struct serial_caps *c, const uint8_t *bytes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        seL4_Error err = seL4_NoError;
        for (unsigned k = 0; k < THRE_POLLS && !(read_lsr(c, &err) & UART_LSR_THRE) && err == seL4_NoError; k++) {
        }
        (void)out8(c, UART_THR, bytes[i]);
    }
}

/* Moves received bytes from the UART into rx until it is empty or rx is full; notes the
 * end of input (a break).  With rx full, the received-data interrupt is switched off
 * until a READ makes room (else the level interrupt would fire without end). */
static seL4_Error drain_uart(const struct serial_caps *c)
{
    seL4_Error err = seL4_NoError;
    for (unsigned k = 0; k < RX_BUFFER_BYTES && !rx_full(&rx) && err == seL4_NoError; k++) {
        if (!(read_lsr(c, &err) & UART_LSR_DR)) break;
        (void)rx_put(&rx, in8(c, UART_RBR, &err));
    }
    uint8_t want = rx_full(&rx) ? UART_IER_ELSI : (uint8_t)(UART_IER_RDI | UART_IER_ELSI);
    if (err == seL4_NoError && want != ier) {
        ier = want;
        err = out8(c, UART_IER, ier);
    }
    return err;
}

/* Answers a pending READ if there is input (or its end): one INPUT message, one-way
 * and non-blocking, so that the driver never waits for its reader.  The bytes stay in
 * rx until the reader's next READ says it consumed them: an INPUT that found the reader
 * not waiting is sent again then (PROTOCOL.md: why the reader's priority is higher). */
static void answer_read(const struct serial_caps *c)
{
    static struct console_input in;
    static uint64_t mrs[CONSOLE_MAX_WORDS];
    if (!read_pending || c->reader == seL4_CapNull || (rx.count == 0 && !rx.ended)) return;
    in.n = (uint32_t)rx_peek(&rx, in.data, read_max);
    in.flags = rx.ended && in.n == rx.count ? CONSOLE_FLAG_EOF : 0;
    in.generation = c->generation;
    in.seq = rx.base_seq;
    size_t len = console_encode_input(&in, mrs);
    for (size_t k = 0; k < len; k++) seL4_SetMR((int)k, mrs[k]);
    read_pending = false;
    seL4_NBSend(c->reader, seL4_MessageInfo_new(CONSOLE_INPUT, 0, 0, len));
}

void serial_announce(const struct serial_caps *c)
{
    if (c->reader == seL4_CapNull) return;
    static struct console_input in;
    static uint64_t mrs[CONSOLE_INPUT_HEADER];
    in.generation = c->generation;
    size_t len = console_encode_input(&in, mrs);
    for (size_t k = 0; k < len; k++) seL4_SetMR((int)k, mrs[k]);
    seL4_NBSend(c->reader, seL4_MessageInfo_new(CONSOLE_INPUT, 0, 0, len));
}

static seL4_Error on_read(const struct serial_caps *c, const struct console_request *req)
{
    if (req->generation == c->generation) {
        rx_ack(&rx, req->next_seq);
    }
    read_pending = true;
    read_max = req->n;
    seL4_Error err = drain_uart(c); /* room again: switch the receiver interrupt back on */
    answer_read(c);
    return err;
}

static seL4_Error on_interrupt(const struct serial_caps *c)
{
    seL4_Error err = seL4_NoError;
    (void)in8(c, UART_IIR, &err); /* identifies (and for THR empty acknowledges) the source */
    if (err == seL4_NoError) err = drain_uart(c);
    if (err == seL4_NoError) err = seL4_IRQHandler_Ack(c->irq_handler);
    if (err == seL4_NoError) answer_read(c);
    return err;
}

static seL4_Error on_notified(void *ctx, seL4_Word badge)
{
    return (badge & RUNTIME_IRQ_BADGE) ? on_interrupt(ctx) : seL4_NoError;
}

/* Requests come with seL4_Send: there is no caller and the reply goes nowhere (a client
 * that used seL4_Call gets it).  A kernel error of a READ ends the loop (serial_serve). */
static seL4_MessageInfo_t on_request(void *ctx, runtime_request_t *rq)
{
    static struct console_request req;
    const struct serial_caps *c = ctx;
    seL4_MessageInfo_t info = rq->info;
    seL4_MessageInfo_t reply = seL4_MessageInfo_new(CONSOLE_ERR_BAD_REQUEST, 0, 0, 0);
    if (console_decode(seL4_MessageInfo_get_label(info), seL4_MessageInfo_get_length(info),
                       seL4_MessageInfo_get_extraCaps(info), rq->mr, &req) == CONSOLE_OK) {
        reply = seL4_MessageInfo_new(CONSOLE_OK, 0, 0, 0);
        if (req.label == CONSOLE_WRITE) {
            serial_write(c, req.data, req.n);
            answer_read(c); /* the write may have seen the end of input */
        } else if (req.label == CONSOLE_READ) {
            rq->stop = on_read(c, &req);
        } /* CONSOLE_SYNC: receiving it was the point */
    }
    return reply;
}

seL4_Error serial_serve(const struct serial_caps *c)
{
    static uint64_t mrs[seL4_MsgMaxLength];
    const runtime_serve_t serve = {
        .handle = on_request, .notified = on_notified, .ctx = (void *)c, .mr = mrs
    };
    return runtime_serve(&c->svc, &serve);
}
