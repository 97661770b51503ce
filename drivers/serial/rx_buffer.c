/* The serial driver's input buffer (rx_buffer.h). */
#include "drivers/serial/rx_buffer.h"

void rx_init(struct rx_buffer *rx)
{
    rx->head = 0;
    rx->count = 0;
    rx->base_seq = 0;
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

size_t rx_peek(const struct rx_buffer *rx, uint8_t *out, size_t max)
{
    size_t n = max < rx->count ? max : rx->count;
    for (size_t i = 0; i < n; i++) {
        out[i] = rx->bytes[(rx->head + i) % RX_BUFFER_BYTES];
    }
    return n;
}

void rx_ack(struct rx_buffer *rx, uint64_t next_seq)
{
    if (next_seq <= rx->base_seq) {
        return;
    }
    uint64_t drop = next_seq - rx->base_seq;
    if (drop > rx->count) {
        drop = rx->count;
    }
    rx->head = (uint32_t)((rx->head + drop) % RX_BUFFER_BYTES);
    rx->count -= (uint32_t)drop;
    rx->base_seq += drop;
}

bool rx_at_end(const struct rx_buffer *rx) { return rx->ended && rx->count == 0; }
