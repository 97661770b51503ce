/* libFuzzer harness: the command-line and --inject parsers on arbitrary text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* NUL-separated arguments. */
    char *buf = malloc(size + 1);
    if (buf == NULL) {
        return 0;
    }
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *argv[34];
    int argc = 0;
    argv[argc++] = (char *)"sel4-sim";
    for (size_t i = 0; i <= size && argc < 33;) {
        argv[argc++] = buf + i;
        i += strlen(buf + i) + 1;
    }
    argv[argc] = NULL;
    sim_config cfg;
    char err[256];
    (void)cli_parse(argc, argv, &cfg, err, sizeof err);
    sim_inject in;
    (void)cli_parse_inject(buf, &in, err, sizeof err);
    free(buf);
    return 0;
}
