/*
 * The serial driver's input buffer: bytes received from the UART, numbered from 0 in
 * arrival order, kept until the reader says (CONSOLE_READ's next sequence number) that
 * it has consumed them, so that an INPUT message that was lost is sent again; and
 * whether the input has ended.  Portable, host-tested.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RX_BUFFER_BYTES 4096u

struct rx_buffer {
    uint8_t bytes[RX_BUFFER_BYTES];
    uint32_t head, count;    /* oldest byte at bytes[head], count bytes in all */
    uint64_t base_seq;       /* the sequence number of the oldest byte */
    bool ended;              /* the line reported the end of input (a break) */
};

void rx_init(struct rx_buffer *rx);
bool rx_full(const struct rx_buffer *rx);
/* Appends one byte; false (byte dropped) when full. */
bool rx_put(struct rx_buffer *rx, uint8_t byte);
/* Copies up to max of the oldest bytes to out (they stay); returns how many. */
size_t rx_peek(const struct rx_buffer *rx, uint8_t *out, size_t max);
/* The reader consumed every byte before next_seq: they are dropped (numbers beyond the
 * newest byte drop everything there is, numbers before the oldest nothing). */
void rx_ack(struct rx_buffer *rx, uint64_t next_seq);
/* True once the input has ended and every byte before the end was consumed. */
bool rx_at_end(const struct rx_buffer *rx);
