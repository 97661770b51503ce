/* Host tests of the command-line parser. */
#include <string.h>

#include "check.h"
#include "cli.h"

static int parse(sim_config *cfg, char *err, int argc, ...);

#include <stdarg.h>
static int parse(sim_config *cfg, char *err, int argc, ...)
{
    char *argv[32];
    va_list ap;
    va_start(ap, argc);
    argv[0] = (char *)"sel4-sim";
    for (int i = 1; i < argc; i++) {
        argv[i] = va_arg(ap, char *);
    }
    va_end(ap);
    return cli_parse(argc, argv, cfg, err, 256);
}

int main(void)
{
    sim_config c;
    char err[256];
    CHECK_EQ(parse(&c, err, 2, "img"), 0);
    CHECK(strcmp(c.image_path, "img") == 0);
    CHECK_EQ(c.mem_bytes, 512ull << 20);
    CHECK_EQ(c.seed, 0);
    CHECK(!c.trace);
    CHECK(!c.tick_jitter);
    CHECK(c.stats_json == NULL);

    CHECK_EQ(parse(&c, err, 15, "--mem", "1G", "img", "--seed", "0x10", "--max-insns",
                   "1000", "--timeout", "2.5", "--trace", "--stats-json", "s.json",
                   "--inject", "crash:init@insn=5"), 0);
    CHECK_EQ(c.mem_bytes, 1ull << 30);
    CHECK_EQ(c.seed, 16);
    CHECK_EQ(c.max_insns, 1000);
    CHECK(c.timeout_s == 2.5);
    CHECK(c.trace);
    CHECK(strcmp(c.stats_json, "s.json") == 0);
    CHECK_EQ(c.n_inject, 1);
    CHECK_EQ(c.inject[0].kind, INJ_CRASH);
    CHECK(strcmp(c.inject[0].thread, "init") == 0);
    CHECK_EQ(c.inject[0].at, 5);
    CHECK(!c.inject[0].at_syscall);
    CHECK(!c.tick_jitter);
    CHECK_EQ(parse(&c, err, 5, "img", "--tick-jitter", "--seed", "3"), 0);
    CHECK(c.tick_jitter);
    CHECK_EQ(c.seed, 3);

    uint64_t v;
    CHECK_EQ(cli_parse_size("64K", &v), 0);
    CHECK_EQ(v, 65536);
    CHECK_EQ(cli_parse_size("3M", &v), 0);
    CHECK_EQ(v, 3ull << 20);
    CHECK_EQ(cli_parse_size("2GiB", &v), 0);
    CHECK_EQ(v, 2ull << 30);
    CHECK_EQ(cli_parse_size("4096", &v), 0);
    CHECK_EQ(v, 4096);
    CHECK(cli_parse_size("", &v) != 0);
    CHECK(cli_parse_size("-1M", &v) != 0);
    CHECK(cli_parse_size("1T", &v) != 0);
    CHECK(cli_parse_size("99999999999999999999G", &v) != 0);
    CHECK(cli_parse_size("17179869184G", &v) != 0);

    /* Usage errors */
    CHECK_EQ(parse(&c, err, 1), -1);
    CHECK(strstr(err, "no IMAGE") != NULL);
    CHECK_EQ(parse(&c, err, 3, "a", "b"), -1);
    CHECK_EQ(parse(&c, err, 3, "img", "--bogus"), -1);
    CHECK(strstr(err, "unknown option") != NULL);
    CHECK_EQ(parse(&c, err, 3, "img", "--mem"), -1);
    CHECK(strstr(err, "needs a value") != NULL);
    CHECK_EQ(parse(&c, err, 4, "img", "--mem", "1K"), -1);
    CHECK_EQ(parse(&c, err, 4, "img", "--mem", "16G"), -1);
    CHECK_EQ(parse(&c, err, 4, "img", "--mem", "lots"), -1);
    CHECK_EQ(parse(&c, err, 4, "img", "--seed", "x"), -1);
    CHECK_EQ(parse(&c, err, 4, "img", "--timeout", "0"), -1);
    CHECK_EQ(parse(&c, err, 4, "img", "--timeout", "-3"), -1);
    CHECK_EQ(parse(&c, err, 4, "img", "--max-insns", "12abc"), -1);
    CHECK_EQ(parse(&c, err, 2, "--help"), 1);
    CHECK_EQ(parse(&c, err, 3, "img", "--help"), 1);

    /* --inject grammar */
    sim_inject in;
    CHECK_EQ(cli_parse_inject("crash:memserver@syscall=3", &in, err, sizeof err), 0);
    CHECK_EQ(in.kind, INJ_CRASH);
    CHECK(in.at_syscall);
    CHECK_EQ(in.at, 3);
    CHECK_EQ(cli_parse_inject("hang:worker 1@insn=1000000", &in, err, sizeof err), 0);
    CHECK_EQ(in.kind, INJ_HANG);
    CHECK(strcmp(in.thread, "worker 1") == 0);
    CHECK_EQ(cli_parse_inject("corrupt:t@insn=7:rsp=0xdead", &in, err, sizeof err), 0);
    CHECK_EQ(in.kind, INJ_CORRUPT);
    CHECK(strcmp(in.reg, "rsp") == 0);
    CHECK_EQ(in.value, 0xdead);
    CHECK_EQ(in.at, 7);
    CHECK(!in.at_time);
    CHECK_EQ(cli_parse_inject("corrupt:kv@time=0x10:rip=0x1", &in, err, sizeof err), 0);
    CHECK(in.at_time);
    CHECK(!in.at_syscall);
    CHECK_EQ(in.at, 16);
    CHECK(strcmp(in.thread, "kv") == 0);
    CHECK_EQ(cli_parse_inject("hang:kv@time=5", &in, err, sizeof err), 0);
    CHECK(in.at_time);
    CHECK_EQ(in.kind, INJ_HANG);
    CHECK_EQ(cli_parse_inject("crash:kv@time=", &in, err, sizeof err), -1);
    CHECK_EQ(cli_parse_inject("nomem:UntypedRetype@2", &in, err, sizeof err), 0);
    CHECK_EQ(in.kind, INJ_NOMEM);
    CHECK(strcmp(in.thread, "UntypedRetype") == 0);
    CHECK_EQ(in.at, 2);
    CHECK_EQ(cli_parse_inject("crash:console@rx=12", &in, err, sizeof err), 0);
    CHECK_EQ(in.kind, INJ_CRASH);
    CHECK(in.at_rx);
    CHECK(!in.at_syscall);
    CHECK(strcmp(in.thread, "console") == 0);
    CHECK_EQ(in.at, 12);
    CHECK_EQ(cli_parse_inject("hang:shell@rx=1", &in, err, sizeof err), 0);
    CHECK_EQ(in.kind, INJ_HANG);
    CHECK(in.at_rx);
    CHECK_EQ(in.at, 1);
    CHECK_EQ(cli_parse_inject("crash:t@insn=5", &in, err, sizeof err), 0);
    CHECK(!in.at_rx);
    CHECK_EQ(cli_parse_inject("random:42", &in, err, sizeof err), 0);
    CHECK_EQ(in.kind, INJ_RANDOM);
    CHECK_EQ(in.seed, 42);
    static const char *const bad[] = {
        "crash", "crash:", "crash:t", "crash:@insn=1", "crash:t@insn=", "crash:t@insn=x",
        "crash:t@cycles=5", "crash:t@syscall=0", "crash:t@rx=0", "crash:t@rx=", "crash:t@rx=x",
        "crash:t@rx=3:rax=1", "explode:t@insn=1", "corrupt:t@insn=1",
        "corrupt:t@insn=1:xmm0=1", "corrupt:t@insn=1:rax", "corrupt:t@insn=1:rax=zz",
        "nomem:@1", "nomem:L@0", "nomem:L", "random:", "random:abc",
        "crash:t@insn=1:rax=1", "crash:abcdefghijklmnopqrstuvwxyz0123456789@insn=1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        if (cli_parse_inject(bad[i], &in, err, sizeof err) == 0 || err[0] == '\0') {
            fprintf(stderr, "accepted bad --inject %s\n", bad[i]);
            check_failures++;
        }
    }
    /* At most SIM_MAX_INJECT */
    char *argv[2 + 2 * (SIM_MAX_INJECT + 1)];
    int argc = 0;
    argv[argc++] = (char *)"sel4-sim";
    argv[argc++] = (char *)"img";
    for (int i = 0; i <= SIM_MAX_INJECT; i++) {
        argv[argc++] = (char *)"--inject";
        argv[argc++] = (char *)"random:1";
    }
    CHECK_EQ(cli_parse(argc - 2, argv, &c, err, sizeof err), 0);
    CHECK_EQ(c.n_inject, SIM_MAX_INJECT);
    CHECK_EQ(cli_parse(argc, argv, &c, err, sizeof err), -1);
    return check_report("sim_cli_test");
}
