/* Command-line parsing for sel4-sim (see cli.h).  No I/O, no exits: main.c does
 * those, so this can be unit-tested and fuzzed. */
#include "cli.h"
#include "error.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char cli_usage[] =
    "usage: sel4-sim IMAGE [options]\n"
    "Boots the seL4 root-task ELF IMAGE on a simulated seL4 16.0.0 x86_64 kernel.\n"
    "  --mem SIZE        simulated RAM (K/M/G suffix; default 512M, 4M..8G)\n"
    "  --seed N          seed for everything pseudo-random (default 0)\n"
    "  --max-insns N     stop after N user instructions (exit status 125)\n"
    "  --timeout S       stop after S seconds of host time (exit status 125)\n"
    "  --inject SPEC     inject a fault (repeatable, at most 32):\n"
    "                      crash:THREAD@insn=N   crash:THREAD@syscall=K\n"
    "                      hang:THREAD@insn=N    corrupt:THREAD@insn=N:REG=VALUE\n"
    "                      KIND:THREAD@time=T (virtual time T: the next time THREAD runs)\n"
    "                      nomem:LABEL@K         random:SEED\n"
    "                      crash:THREAD@rx=N     (at THREAD's next seL4_Recv/ReplyRecv\n"
    "                      after the N-th serial input byte was read from COM1)\n"
    "  --trace           one line per syscall and fault on stderr\n"
    "  --tick-jitter     timer ticks at seeded pseudo-random 1..3 ms intervals (other\n"
    "                    interleavings of threads, as the real kernel's time gives)\n"
    "  --stats-json F    write statistics as JSON to F at exit\n"
    "  --help            this text\n"
    "Exit status: what the system wrote to its exit port (0..123), 124 deadlock,\n"
    "125 limit reached, 126 bad image, 127 bad command line.\n";

/* Whole-string unsigned number, decimal or 0x hex. */
static int parse_u64(const char *s, uint64_t *out)
{
    if (s == NULL || *s == '\0' || *s == '-' || *s == '+' || *s == ' ') {
        return -1;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno != 0 || *end != '\0') {
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

int cli_parse_size(const char *s, uint64_t *out)
{
    if (s == NULL || *s == '\0' || *s == '-' || *s == '+' || *s == ' ') {
        return -1;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s) {
        return -1;
    }
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k') {
        shift = 10;
    } else if (*end == 'M' || *end == 'm') {
        shift = 20;
    } else if (*end == 'G' || *end == 'g') {
        shift = 30;
    }
    if (shift != 0) {
        end++;
        if (*end == 'i' || *end == 'B') { /* "Mi", "MB" */
            end++;
            if (*end == 'B') {
                end++;
            }
        }
    }
    if (*end != '\0' || v > (UINT64_MAX >> shift)) {
        return -1;
    }
    *out = (uint64_t)v << shift;
    return 0;
}

static bool valid_reg(const char *r)
{
    static const char *const regs[] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp",
                                        "rsp", "rip", "r8",  "r9",  "r10", "r11", "r12",
                                        "r13", "r14", "r15" };
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++) {
        if (strcmp(r, regs[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* Copies [s, s+n) into dst (size cap) as a string; -1 if empty or too long. */
static int copy_name(char *dst, size_t cap, const char *s, size_t n)
{
    if (n == 0 || n >= cap) {
        return -1;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

int cli_parse_inject(const char *spec, sim_inject *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->spec = spec;
    const char *colon = strchr(spec, ':');
    if (colon == NULL) {
        return set_error(err, errlen, "--inject %s: expected KIND:... (crash, hang, corrupt, "
                                      "nomem, random)", spec);
    }
    size_t klen = (size_t)(colon - spec);
    const char *rest = colon + 1;
    if (klen == 6 && strncmp(spec, "random", 6) == 0) {
        out->kind = INJ_RANDOM;
        if (parse_u64(rest, &out->seed) != 0) {
            return set_error(err, errlen, "--inject %s: random:SEED needs a number", spec);
        }
        return 0;
    }
    const char *at = strrchr(rest, '@');
    if (at == NULL) {
        return set_error(err, errlen, "--inject %s: missing @ trigger", spec);
    }
    if (klen == 5 && strncmp(spec, "nomem", 5) == 0) {
        out->kind = INJ_NOMEM;
        out->at_syscall = true;
        if (copy_name(out->thread, sizeof out->thread, rest, (size_t)(at - rest)) != 0) {
            return set_error(err, errlen, "--inject %s: bad invocation label", spec);
        }
        if (parse_u64(at + 1, &out->at) != 0 || out->at == 0) {
            return set_error(err, errlen, "--inject %s: nomem:LABEL@K needs K >= 1", spec);
        }
        return 0;
    }
    if (klen == 5 && strncmp(spec, "crash", 5) == 0) {
        out->kind = INJ_CRASH;
    } else if (klen == 4 && strncmp(spec, "hang", 4) == 0) {
        out->kind = INJ_HANG;
    } else if (klen == 7 && strncmp(spec, "corrupt", 7) == 0) {
        out->kind = INJ_CORRUPT;
    } else {
        return set_error(err, errlen, "--inject %s: unknown kind (crash, hang, corrupt, nomem, "
                                      "random)", spec);
    }
    /* THREAD@trigger, the thread name may itself contain '@'? No: last '@' before
     * the trigger.  For corrupt the trigger is followed by :REG=VALUE. */
    const char *trig = NULL;
    const char *p = rest;
    while ((p = strchr(p, '@')) != NULL) {
        if (strncmp(p + 1, "insn=", 5) == 0 || strncmp(p + 1, "syscall=", 8) == 0 ||
            strncmp(p + 1, "rx=", 3) == 0 || strncmp(p + 1, "time=", 5) == 0) {
            trig = p;
        }
        p++;
    }
    if (trig == NULL) {
        return set_error(err, errlen, "--inject %s: expected THREAD@insn=N, THREAD@syscall=K, "
                                      "THREAD@time=T or THREAD@rx=N", spec);
    }
    if (copy_name(out->thread, sizeof out->thread, rest, (size_t)(trig - rest)) != 0) {
        return set_error(err, errlen, "--inject %s: thread name must be 1..%zu characters", spec,
                    sizeof out->thread - 1);
    }
    const char *num = trig + 1;
    if (strncmp(num, "insn=", 5) == 0) {
        num += 5;
    } else if (strncmp(num, "rx=", 3) == 0) {
        out->at_rx = true;
        num += 3;
    } else if (strncmp(num, "time=", 5) == 0) {
        out->at_time = true;
        num += 5;
    } else {
        out->at_syscall = true;
        num += 8;
    }
    char buf[64];
    const char *tail = strchr(num, ':');
    size_t nlen = tail != NULL ? (size_t)(tail - num) : strlen(num);
    if (nlen == 0 || nlen >= sizeof buf) {
        return set_error(err, errlen, "--inject %s: bad trigger number", spec);
    }
    memcpy(buf, num, nlen);
    buf[nlen] = '\0';
    if (parse_u64(buf, &out->at) != 0 || ((out->at_syscall || out->at_rx) && out->at == 0)) {
        return set_error(err, errlen, "--inject %s: bad trigger number", spec);
    }
    if (out->kind != INJ_CORRUPT) {
        if (tail != NULL) {
            return set_error(err, errlen, "--inject %s: unexpected text after the trigger", spec);
        }
        return 0;
    }
    if (tail == NULL) {
        return set_error(err, errlen, "--inject %s: corrupt needs :REG=VALUE", spec);
    }
    const char *eq = strchr(tail + 1, '=');
    if (eq == NULL || copy_name(out->reg, sizeof out->reg, tail + 1,
                                (size_t)(eq - tail - 1)) != 0 ||
        !valid_reg(out->reg)) {
        return set_error(err, errlen, "--inject %s: REG must be one of rax..r15, rip, rsp", spec);
    }
    if (parse_u64(eq + 1, &out->value) != 0) {
        return set_error(err, errlen, "--inject %s: bad VALUE", spec);
    }
    return 0;
}

int cli_parse(int argc, char **argv, sim_config *cfg, char *err, size_t errlen)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->mem_bytes = 512ull << 20;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : "";
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            return 1;
        }
        if (strcmp(a, "--trace") == 0) {
            cfg->trace = true;
            continue;
        }
        if (strcmp(a, "--tick-jitter") == 0) {
            cfg->tick_jitter = true;
            continue;
        }
        bool takes = strcmp(a, "--mem") == 0 || strcmp(a, "--seed") == 0 ||
                     strcmp(a, "--max-insns") == 0 || strcmp(a, "--timeout") == 0 ||
                     strcmp(a, "--inject") == 0 || strcmp(a, "--stats-json") == 0;
        if (takes && i + 1 >= argc) {
            return set_error(err, errlen, "%s needs a value", a);
        }
        if (strcmp(a, "--mem") == 0) {
            if (cli_parse_size(v, &cfg->mem_bytes) != 0) {
                return set_error(err, errlen, "--mem %s: expected a size like 512M or 1G", v);
            }
            if (cfg->mem_bytes < CLI_MEM_MIN || cfg->mem_bytes > CLI_MEM_MAX ||
                (cfg->mem_bytes & 0xFFF) != 0) {
                return set_error(err, errlen, "--mem %s: must be a multiple of 4K between 4M "
                                              "and 8G", v);
            }
        } else if (strcmp(a, "--seed") == 0) {
            if (parse_u64(v, &cfg->seed) != 0) {
                return set_error(err, errlen, "--seed %s: expected a number", v);
            }
        } else if (strcmp(a, "--max-insns") == 0) {
            if (parse_u64(v, &cfg->max_insns) != 0) {
                return set_error(err, errlen, "--max-insns %s: expected a number", v);
            }
        } else if (strcmp(a, "--timeout") == 0) {
            char *end;
            errno = 0;
            double t = strtod(v, &end);
            if (errno != 0 || end == v || *end != '\0' || !(t > 0) || t > 1e9) {
                return set_error(err, errlen, "--timeout %s: expected seconds > 0", v);
            }
            cfg->timeout_s = t;
        } else if (strcmp(a, "--inject") == 0) {
            if (cfg->n_inject == SIM_MAX_INJECT) {
                return set_error(err, errlen, "at most %d --inject options", SIM_MAX_INJECT);
            }
            if (cli_parse_inject(v, &cfg->inject[cfg->n_inject], err, errlen) != 0) {
                return -1;
            }
            cfg->n_inject++;
        } else if (strcmp(a, "--stats-json") == 0) {
            if (*v == '\0') {
                return set_error(err, errlen, "--stats-json needs a file name");
            }
            cfg->stats_json = v;
        } else if (a[0] == '-' && a[1] != '\0') {
            return set_error(err, errlen, "unknown option %s", a);
        } else {
            if (cfg->image_path != NULL) {
                return set_error(err, errlen, "more than one IMAGE (%s, %s)", cfg->image_path, a);
            }
            cfg->image_path = a;
            continue;
        }
        i++; /* the option's value */
    }
    if (cfg->image_path == NULL) {
        return set_error(err, errlen, "no IMAGE given");
    }
    return 0;
}
