/*
 * serial: the 16550 UART driver (COM1), the system's console: a service supervised by
 * the reincarnation server (manifest name `console`).  Protocol: PROTOCOL.md.
 *
 * Caps (startup page caps range, as the RS lays it out for the manifest entry
 * `channels = READER grants = irq:4 ioport:0x3f8-0x3ff`; rs/server/process.c):
 *   caps_start + 0        its memory-server cap (unused)
 *   caps_start + 1        the reader's endpoint (the shell), when it has that channel
 *   then                  IRQ handler for COM1 (grant irq:4), I/O ports 0x3F8-0x3FF,
 *                         its own bound notification badged RUNTIME_IRQ_BADGE
 * The driver prints its own messages to the UART directly (never to itself).
 */
#include <runtime/runtime.h>
#include <runtime/stdio.h>
#include <runtime/string.h>
#include "drivers/serial/serial.h"

int main(void)
{
    const runtime_startup_t *su = runtime_startup();
    struct serial_caps c;
    seL4_Word ncaps = su == NULL ? 0 : su->caps_end - su->caps_start;
    if (su == NULL || (ncaps != 4 && ncaps != 5) || !runtime_service_caps(&c.svc)) {
        printf("serial: not started as the console driver (needs 4 or 5 caps and a service endpoint)\n");
        return 2;
    }
    seL4_Word k = su->caps_start + 1;
    c.reader = ncaps == 5 ? k++ : seL4_CapNull;
    c.irq_handler = k++;
    c.ioports = k++;
    c.irq_ntfn = k;
    c.generation = su->generation;
    seL4_Error err = serial_start(&c);
    if (err != seL4_NoError) {
        printf("serial: start failed: seL4 error %d\n", (int)err);
        return 1;
    }
    char line[80];
    int n = snprintf(line, sizeof line, "serial: gen %lu: COM1 at 115200 8N1, IRQ 4\n",
                     (unsigned long)su->generation);
    serial_write(&c, (const uint8_t *)line, n > 0 ? (size_t)n : 0);
    serial_announce(&c);
    err = serial_serve(&c);
    printf("serial: request loop failed: seL4 error %d\n", (int)err);
    return 1;
}
