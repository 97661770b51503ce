/* The serial driver's input buffer (rx_buffer.h). */
#include "drivers/serial/rx_buffer.h"

void rx_init(struct rx_buffer *rx)
{
    rx->head = 0;
    rx->count = 0;
    rx->ended = false;
}

bool rx_full(const struct rx_buffer *rx) { return rx->count >= RX_BUFFER_BYTES; }

bool rx_put(struct rx_buffer *rx, uint8_t byte)
{
    if (rx_full(rx)) {
        return false;
    }
    rx->bytes[(rx->head + rx->count) % RX_BUFFER_BYTES] = byte;
    rx->count++;
    return true;
}

size_t rx_take(struct rx_buffer *rx, uint8_t *out, size_t max)
{
    size_t n = 0;
    while (n < max && rx->count > 0) {
        out[n++] = rx->bytes[rx->head];
        rx->head = (rx->head + 1) % RX_BUFFER_BYTES;
        rx->count--;
    }
    return n;
}

bool rx_at_end(const struct rx_buffer *rx) { return rx->ended && rx->count == 0; }
