/*
 * The console protocol's numbers (drivers/serial/PROTOCOL.md), shared by the runtime's
 * printf (a console client) and the serial driver (drivers/serial/console_protocol.h).
 * Every message is one-way (seL4_Send / seL4_NBSend): nobody ever waits for a reply
 * from the console driver, so its death cannot leave a caller blocked.
 */
#pragma once

enum console_label {
    CONSOLE_WRITE = 1, /* client -> driver, Send: MR0 n, MR1.. n bytes */
    CONSOLE_READ = 2,  /* reader -> driver, Send: MR0 most bytes wanted, MR1 the driver
                        * generation the reader knows (0: none), MR2 the sequence number
                        * of the next byte it wants (every byte before it is consumed) */
    CONSOLE_INPUT = 3, /* driver -> reader, NBSend: MR0 n, MR1 flags, MR2 generation,
                        * MR3 sequence number of the first byte, MR4.. n bytes */
    CONSOLE_SYNC = 4,  /* client -> driver, Send, no MRs: does nothing; when the Send
                        * returns, the driver has written everything sent before it */
};

#define CONSOLE_WRITE_MAX 256u   /* bytes per WRITE: 32 words after MR0 */
#define CONSOLE_READ_MAX  256u   /* bytes per INPUT */
#define CONSOLE_DATA_WORDS(n) (((n) + 7u) / 8u)
#define CONSOLE_INPUT_HEADER 4u  /* MRs before the bytes of an INPUT */

/* INPUT flags (MR1). */
#define CONSOLE_FLAG_EOF 1u      /* the input has ended after these bytes */
