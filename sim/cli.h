/* sel4-sim's command line, parsed into a sim_config (sim.h). */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

#define CLI_MEM_MIN (4ull << 20)
#define CLI_MEM_MAX (8ull << 30)

/* Parses argv.  Returns 0 (cfg filled), 1 (--help was given), or -1 with a one-line
 * message in err.  cfg->image_path and cfg->stats_json point into argv. */
int cli_parse(int argc, char **argv, sim_config *cfg, char *err, size_t errlen);

/* "512M", "1G", "65536", "64K": bytes.  0 or -1. */
int cli_parse_size(const char *s, uint64_t *out);

/* One --inject SPEC (grammar in sim.h).  0 or -1 with a message in err. */
int cli_parse_inject(const char *spec, sim_inject *out, char *err, size_t errlen);

/* The --help text. */
extern const char cli_usage[];
