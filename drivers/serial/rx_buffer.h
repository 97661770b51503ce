/*
 * The serial driver's input buffer: bytes received from the UART until a reader takes
 * them with CONSOLE_READ, and whether the input has ended.  Portable, host-tested.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RX_BUFFER_BYTES 4096u

struct rx_buffer {
    uint8_t bytes[RX_BUFFER_BYTES];
    uint32_t head, count;    /* oldest byte at bytes[head], count bytes in all */
    bool ended;              /* the line reported the end of input (a break) */
};

void rx_init(struct rx_buffer *rx);
bool rx_full(const struct rx_buffer *rx);
/* Appends one byte; false (byte dropped) when full. */
bool rx_put(struct rx_buffer *rx, uint8_t byte);
/* Takes up to max oldest bytes into out; returns how many. */
size_t rx_take(struct rx_buffer *rx, uint8_t *out, size_t max);
/* True once the input has ended and every byte before the end was taken. */
bool rx_at_end(const struct rx_buffer *rx);
