/*
 * The console protocol (PROTOCOL.md): requests on the console driver's endpoint and
 * their codec.  Portable (no system calls): the driver decodes with it, clients
 * (runtime/stdio.c, the shell) encode with it, and host tests and a fuzzer check it.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <runtime/console.h>

#define CONSOLE_MAX_WORDS (CONSOLE_INPUT_HEADER + CONSOLE_DATA_WORDS(CONSOLE_READ_MAX))

/* Error label of a refused request (WRITE sent with seL4_Call gets a reply). */
enum console_err { CONSOLE_OK = 0, CONSOLE_ERR_BAD_REQUEST = 1 };

/* A decoded request. */
struct console_request {
    uint32_t label;          /* CONSOLE_WRITE, CONSOLE_READ or CONSOLE_SYNC */
    uint32_t n;              /* WRITE: bytes in data; READ: most bytes wanted */
    uint64_t generation;     /* READ: the driver generation the reader knows */
    uint64_t next_seq;       /* READ: the next byte it wants */
    uint8_t data[CONSOLE_WRITE_MAX];
};

/* An INPUT message decoded by the reader. */
struct console_input {
    uint32_t n, flags;
    uint64_t generation, seq;
    uint8_t data[CONSOLE_READ_MAX];
};

/* Packs n bytes into words, little endian (the last word zero-padded); returns the
 * number of words written (CONSOLE_DATA_WORDS(n)). */
size_t console_pack(const uint8_t *bytes, size_t n, uint64_t *words);
/* Unpacks n bytes from words. */
void console_unpack(const uint64_t *words, size_t n, uint8_t *bytes);

/* Validates a request (label, message length, no caps, registers mrs[0..length)) and
 * fills *req; changes nothing else.  CONSOLE_OK or CONSOLE_ERR_BAD_REQUEST: unknown
 * label, caps attached, WRITE with n = 0, n > CONSOLE_WRITE_MAX or a length other than
 * 1 + words(n), READ with a length other than 3 or max outside 1..CONSOLE_READ_MAX,
 * SYNC with any registers. */
int console_decode(uint64_t label, size_t length, size_t extra_caps, const uint64_t *mrs,
                   struct console_request *req);

/* Encodes an INPUT message into mrs (CONSOLE_INPUT_HEADER + words(n) registers, returned). */
size_t console_encode_input(const struct console_input *in, uint64_t *mrs);
/* Validates an INPUT message (label, length, caps) for the reader.  0 or -1. */
int console_decode_input(uint64_t label, size_t length, size_t extra_caps, const uint64_t *mrs,
                         struct console_input *in);
