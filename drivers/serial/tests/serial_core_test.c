/* Host tests of the serial driver's portable parts: the console codec and the input buffer. */
#include <string.h>

#include "check.h"
#include "drivers/serial/console_protocol.h"
#include "drivers/serial/rx_buffer.h"

static void test_pack(void)
{
    const uint8_t text[11] = "hello world";
    uint64_t words[4] = { 0 };
    CHECK_EQ(console_pack(text, 11, words), 2);
    CHECK_EQ(words[0], 0x6f77206f6c6c6568ull); /* "hello wo" little endian */
    CHECK_EQ(words[1], 0x646c72ull);           /* "rld", zero-padded */
    uint8_t back[11];
    console_unpack(words, 11, back);
    CHECK(memcmp(back, text, 11) == 0);
    CHECK_EQ(console_pack(text, 0, words), 0);
}

static void test_decode(void)
{
    struct console_request r;
    uint64_t mrs[CONSOLE_MAX_WORDS + 40] = { 0 };
    uint8_t text[CONSOLE_WRITE_MAX];
    memset(text, 'x', sizeof text);
    mrs[0] = 3;
    console_pack((const uint8_t *)"abc", 3, mrs + 1);
    CHECK_EQ(console_decode(CONSOLE_WRITE, 2, 0, mrs, &r), CONSOLE_OK);
    CHECK_EQ(r.label, CONSOLE_WRITE);
    CHECK_EQ(r.n, 3);
    CHECK(memcmp(r.data, "abc", 3) == 0);
    /* wrong lengths, caps, sizes */
    CHECK_EQ(console_decode(CONSOLE_WRITE, 3, 0, mrs, &r), CONSOLE_ERR_BAD_REQUEST);
    CHECK_EQ(console_decode(CONSOLE_WRITE, 1, 0, mrs, &r), CONSOLE_ERR_BAD_REQUEST);
    CHECK_EQ(console_decode(CONSOLE_WRITE, 2, 1, mrs, &r), CONSOLE_ERR_BAD_REQUEST);
    CHECK_EQ(console_decode(CONSOLE_WRITE, 0, 0, mrs, &r), CONSOLE_ERR_BAD_REQUEST);
    mrs[0] = 0;
    CHECK_EQ(console_decode(CONSOLE_WRITE, 1, 0, mrs, &r), CONSOLE_ERR_BAD_REQUEST);
    mrs[0] = CONSOLE_WRITE_MAX;
    console_pack(text, CONSOLE_WRITE_MAX, mrs + 1);
    CHECK_EQ(console_decode(CONSOLE_WRITE, 1 + CONSOLE_WRITE_MAX / 8, 0, mrs, &r), CONSOLE_OK);
    mrs[0] = CONSOLE_WRITE_MAX + 1;
    CHECK_EQ(console_decode(CONSOLE_WRITE, 2 + CONSOLE_WRITE_MAX / 8, 0, mrs, &r), CONSOLE_ERR_BAD_REQUEST);
    mrs[0] = 16;
    mrs[1] = 2;
    mrs[2] = 77;
    CHECK_EQ(console_decode(CONSOLE_READ, 3, 0, mrs, &r), CONSOLE_OK);
    CHECK_EQ(r.label, CONSOLE_READ);
    CHECK_EQ(r.n, 16);
    CHECK_EQ(r.generation, 2);
    CHECK_EQ(r.next_seq, 77);
    CHECK_EQ(console_decode(CONSOLE_READ, 1, 0, mrs, &r), CONSOLE_ERR_BAD_REQUEST);
    CHECK_EQ(console_decode(CONSOLE_READ, 4, 0, mrs, &r), CONSOLE_ERR_BAD_REQUEST);
    CHECK_EQ(console_decode(CONSOLE_READ, 3, 1, mrs, &r), CONSOLE_ERR_BAD_REQUEST);
    mrs[0] = 0;
    CHECK_EQ(console_decode(CONSOLE_READ, 3, 0, mrs, &r), CONSOLE_ERR_BAD_REQUEST);
    mrs[0] = CONSOLE_READ_MAX + 1;
    CHECK_EQ(console_decode(CONSOLE_READ, 3, 0, mrs, &r), CONSOLE_ERR_BAD_REQUEST);
    mrs[0] = 1;
    CHECK_EQ(console_decode(CONSOLE_INPUT, 1, 0, mrs, &r), CONSOLE_ERR_BAD_REQUEST); /* driver -> reader only */
    CHECK_EQ(console_decode(99, 1, 0, mrs, &r), CONSOLE_ERR_BAD_REQUEST);
    CHECK_EQ(console_decode(CONSOLE_SYNC, 0, 0, mrs, &r), CONSOLE_OK);
    CHECK_EQ(r.label, CONSOLE_SYNC);
    CHECK_EQ(console_decode(CONSOLE_SYNC, 1, 0, mrs, &r), CONSOLE_ERR_BAD_REQUEST);
    CHECK_EQ(console_decode(CONSOLE_SYNC, 0, 1, mrs, &r), CONSOLE_ERR_BAD_REQUEST);
}

static void test_input(void)
{
    static struct console_input in, out;
    uint64_t mrs[CONSOLE_MAX_WORDS];
    in.n = 5;
    in.flags = CONSOLE_FLAG_EOF;
    in.generation = 3;
    in.seq = 1000;
    memcpy(in.data, "ps\nme", 5);
    size_t len = console_encode_input(&in, mrs);
    CHECK_EQ(len, CONSOLE_INPUT_HEADER + 1);
    CHECK_EQ(console_decode_input(CONSOLE_INPUT, len, 0, mrs, &out), 0);
    CHECK_EQ(out.n, 5);
    CHECK_EQ(out.flags, CONSOLE_FLAG_EOF);
    CHECK_EQ(out.generation, 3);
    CHECK_EQ(out.seq, 1000);
    CHECK(memcmp(out.data, "ps\nme", 5) == 0);
    CHECK_EQ(console_decode_input(CONSOLE_WRITE, len, 0, mrs, &out), -1);
    CHECK_EQ(console_decode_input(CONSOLE_INPUT, len + 1, 0, mrs, &out), -1);
    CHECK_EQ(console_decode_input(CONSOLE_INPUT, len, 1, mrs, &out), -1);
    CHECK_EQ(console_decode_input(CONSOLE_INPUT, 3, 0, mrs, &out), -1);
    mrs[1] = 2; /* unknown flag */
    CHECK_EQ(console_decode_input(CONSOLE_INPUT, len, 0, mrs, &out), -1);
    mrs[1] = 0;
    mrs[0] = CONSOLE_READ_MAX + 1;
    CHECK_EQ(console_decode_input(CONSOLE_INPUT, CONSOLE_INPUT_HEADER + CONSOLE_DATA_WORDS(CONSOLE_READ_MAX + 1), 0,
                                  mrs, &out), -1);
    /* an empty INPUT (the end of input and nothing else) */
    in.n = 0;
    len = console_encode_input(&in, mrs);
    CHECK_EQ(len, CONSOLE_INPUT_HEADER);
    CHECK_EQ(console_decode_input(CONSOLE_INPUT, len, 0, mrs, &out), 0);
    CHECK_EQ(out.n, 0);
}

static void test_rx(void)
{
    static struct rx_buffer rx;
    rx_init(&rx);
    CHECK(!rx_at_end(&rx));
    uint8_t out[8];
    CHECK_EQ(rx_peek(&rx, out, sizeof out), 0);
    for (unsigned i = 0; i < RX_BUFFER_BYTES; i++) {
        CHECK(rx_put(&rx, (uint8_t)i));
    }
    CHECK(rx_full(&rx));
    CHECK(!rx_put(&rx, 0xAA)); /* dropped, not overwritten */
    /* peeking keeps the bytes: a lost INPUT is sent again */
    CHECK_EQ(rx_peek(&rx, out, 3), 3);
    CHECK_EQ(rx_peek(&rx, out, 3), 3);
    CHECK_EQ(out[0], 0);
    CHECK_EQ(out[2], 2);
    CHECK_EQ(rx.base_seq, 0);
    rx_ack(&rx, 3);            /* consumed bytes 0..2 */
    CHECK_EQ(rx.base_seq, 3);
    CHECK_EQ(rx.count, RX_BUFFER_BYTES - 3);
    rx_ack(&rx, 1);            /* an old number: nothing */
    CHECK_EQ(rx.base_seq, 3);
    CHECK_EQ(rx_peek(&rx, out, 1), 1);
    CHECK_EQ(out[0], 3);
    CHECK(rx_put(&rx, 0xBB));  /* wraps around */
    rx.ended = true;
    CHECK(!rx_at_end(&rx));    /* bytes before the end are still there */
    rx_ack(&rx, RX_BUFFER_BYTES);
    CHECK_EQ(rx.count, 1);
    CHECK_EQ(rx_peek(&rx, out, 8), 1);
    CHECK_EQ(out[0], 0xBB);
    rx_ack(&rx, 1ull << 40);   /* beyond the newest byte: everything there is */
    CHECK_EQ(rx.count, 0);
    CHECK_EQ(rx.base_seq, RX_BUFFER_BYTES + 1);
    CHECK(rx_at_end(&rx));
}

int main(void)
{
    test_pack();
    test_decode();
    test_input();
    test_rx();
    return check_result("serial_core_test");
}
