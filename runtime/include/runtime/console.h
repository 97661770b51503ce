/*
 * The console protocol's numbers (drivers/serial/PROTOCOL.md), shared by the runtime's
 * printf (a console client) and the serial driver (drivers/serial/console_protocol.h).
 */
#pragma once

enum console_label {
    CONSOLE_WRITE = 1,       /* MR0 n, MR1.. n bytes; sent with seL4_Send (no reply) */
    CONSOLE_READ = 2,        /* MR0 max -> label 0, MR0 n, MR1 flags, MR2.. n bytes */
    CONSOLE_INPUT_READY = 3, /* driver -> reader, seL4_NBSend, no MRs: READ again */
};

#define CONSOLE_WRITE_MAX 256u   /* bytes per WRITE: 32 words after MR0 */
#define CONSOLE_READ_MAX  256u   /* bytes per READ reply */
#define CONSOLE_DATA_WORDS(n) (((n) + 7u) / 8u)

/* READ reply flags (MR1). */
#define CONSOLE_FLAG_EOF 1u      /* the input has ended and every byte of it was read */
