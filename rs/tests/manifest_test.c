/* Host tests of the manifest parser: a full manifest with every key, defaults, forward
 * references and start order; then one bad manifest per error class, with the exact
 * `FILE:LINE: field 'X': message` text the build prints. */
#include <string.h>
#include "check.h"
#include "rs/core/manifest.h"

static struct rs_manifest m;

static int parse(const char *text)
{
    struct rs_manifest_error err;
    char msg[512];
    if (rs_manifest_parse(text, strlen(text), &m, &err) == 0) return 0;
    rs_manifest_format_error(&err, "t.manifest", msg, sizeof(msg));
    fprintf(stderr, "unexpected error: %s\n", msg);
    return -1;
}

/* The manifest must be rejected with exactly `want`. */
static void expect_error(int line, const char *text, const char *want)
{
    struct rs_manifest_error err;
    char msg[512];
    check_count++;
    if (rs_manifest_parse(text, strlen(text), &m, &err) == 0) {
        check_failures++;
        fprintf(stderr, "%s:%d: accepted, expected: %s\n", __FILE__, line, want);
        return;
    }
    rs_manifest_format_error(&err, "t.manifest", msg, sizeof(msg));
    if (strcmp(msg, want) != 0) {
        check_failures++;
        fprintf(stderr, "%s:%d: error\n  got:  %s\n  want: %s\n", __FILE__, line, msg, want);
    }
}
#define BAD(text, want) expect_error(__LINE__, text, want)

static int svc(const char *name)
{
    return rs_manifest_find_service(&m, name, strlen(name));
}

static const char full[] =
    "# the design's example\n"
    "group core  strategy=one_for_one  intensity=5/10s\n"
    "group app   strategy=rest_for_one intensity=3/5s\n"
    "\n"
    "service timer\n"
    "    image     = timer          # program name in the boot archive\n"
    "    group     = core\n"
    "    priority  = 200\n"
    "    pages     = 64\n"
    "    untyped   = 16\n"
    "    restart   = permanent\n"
    "    backoff   = 10ms 1s\n"
    "    stable    = 5s\n"
    "    heartbeat = 100ms 50ms\n"
    "    depends   = store names\n"
    "    grants    = irq:0 ioport:0x40-0x43\n"
    "    channels  = names store\n"
    "    args      = 1 2 0x3\n"
    "service store\n"
    "\timage = kv_store\n"
    "\tgroup = app\n"
    "\trestart = transient\n"
    "service names\n"
    "  image=names.v2\n"
    "  group = app\n"
    "  depends = store\n"
    "  restart = temporary\n"
    "  heartbeat = off\n"
    "  args = 18446744073709551615\n";

static void test_full(void)
{
    CHECK_EQ(parse(full), 0);
    CHECK_EQ(m.nservices, 3);
    CHECK_EQ(m.ngroups, 2);
    CHECK(strcmp(m.group[0].name, "core") == 0);
    CHECK_EQ(m.group[0].strategy, RS_ONE_FOR_ONE);
    CHECK_EQ(m.group[0].intensity, 5);
    CHECK_EQ(m.group[0].period_ms, 10000);
    CHECK_EQ(m.group[1].strategy, RS_REST_FOR_ONE);
    CHECK_EQ(m.group[1].intensity, 3);
    CHECK_EQ(m.group[1].period_ms, 5000);
    const struct rs_service *t = &m.service[0];
    CHECK(strcmp(t->name, "timer") == 0);
    CHECK(strcmp(t->image, "timer") == 0);
    CHECK_EQ(t->group, 0);
    CHECK_EQ(t->priority, 200);
    CHECK_EQ(t->pages, 64);
    CHECK_EQ(t->untyped_bits, 16);
    CHECK_EQ(t->restart, RS_PERMANENT);
    CHECK_EQ(t->backoff_first_ms, 10);
    CHECK_EQ(t->backoff_cap_ms, 1000);
    CHECK_EQ(t->stable_ms, 5000);
    CHECK_EQ(t->heartbeat_period_ms, 100);
    CHECK_EQ(t->heartbeat_deadline_ms, 50);
    CHECK_EQ(t->depends, (1u << 1) | (1u << 2));
    CHECK_EQ(t->ngrants, 2);
    CHECK_EQ(t->grants[0].kind, RS_GRANT_IRQ);
    CHECK_EQ(t->grants[0].first, 0);
    CHECK_EQ(t->grants[1].kind, RS_GRANT_IOPORT);
    CHECK_EQ(t->grants[1].first, 0x40);
    CHECK_EQ(t->grants[1].last, 0x43);
    CHECK_EQ(t->nchannels, 2); /* manifest order, not index order */
    CHECK_EQ(t->channels[0], 2);
    CHECK_EQ(t->channels[1], 1);
    CHECK_EQ(t->nargs, 3);
    CHECK_EQ(t->args[2], 3);
    CHECK_EQ(t->line, 5);
    const struct rs_service *n = &m.service[svc("names")];
    CHECK(strcmp(n->image, "names.v2") == 0);
    CHECK_EQ(n->restart, RS_TEMPORARY);
    CHECK_EQ(n->heartbeat_period_ms, 0);
    CHECK_EQ(n->args[0], UINT64_MAX);
    CHECK_EQ(m.service[svc("store")].restart, RS_TRANSIENT);
    /* store, then names (depends on store), then timer (depends on both). */
    CHECK_EQ(m.start_order[0], svc("store"));
    CHECK_EQ(m.start_order[1], svc("names"));
    CHECK_EQ(m.start_order[2], svc("timer"));
    CHECK_EQ(rs_manifest_start_rank(&m, (uint32_t)svc("timer")), 2);
}

static void test_defaults(void)
{
    CHECK_EQ(parse("service a\n image = a\nservice b\n image = b\n"), 0);
    CHECK_EQ(m.ngroups, 1); /* the implicit group */
    CHECK(strcmp(m.group[0].name, "default") == 0);
    CHECK_EQ(m.group[0].strategy, RS_ONE_FOR_ONE);
    CHECK_EQ(m.group[0].intensity, RS_DEFAULT_INTENSITY);
    CHECK_EQ(m.group[0].period_ms, RS_DEFAULT_PERIOD);
    const struct rs_service *a = &m.service[0];
    CHECK_EQ(a->group, 0);
    CHECK_EQ(a->priority, RS_DEFAULT_PRIORITY);
    CHECK_EQ(a->pages, RS_DEFAULT_PAGES);
    CHECK_EQ(a->untyped_bits, RS_DEFAULT_UNTYPED_BITS);
    CHECK_EQ(a->restart, RS_PERMANENT);
    CHECK_EQ(a->backoff_first_ms, RS_DEFAULT_BACKOFF_FIRST);
    CHECK_EQ(a->backoff_cap_ms, RS_DEFAULT_BACKOFF_CAP);
    CHECK_EQ(a->stable_ms, RS_DEFAULT_STABLE);
    CHECK_EQ(a->heartbeat_period_ms, 0);
    CHECK_EQ(a->nchannels + a->ngrants + a->nargs + a->depends, 0);
    CHECK_EQ(m.start_order[0], 0);
    CHECK_EQ(m.start_order[1], 1);

    /* A declared `default` group is used as it is; an explicit `group = default` too. */
    CHECK_EQ(parse("service a\n image = a\n group = default\ngroup default strategy=one_for_all\n"), 0);
    CHECK_EQ(m.ngroups, 1);
    CHECK_EQ(m.group[0].strategy, RS_ONE_FOR_ALL);
    CHECK_EQ(parse("group x\nservice a\n image = a\n group = default\n"), 0);
    CHECK_EQ(m.ngroups, 2);
    CHECK_EQ(m.service[0].group, 1);
    /* Durations: ms and s, limits. */
    CHECK_EQ(parse("service a\n image = a\n backoff = 1ms 86400s\n stable = 86400000ms\n"), 0);
    CHECK_EQ(m.service[0].backoff_cap_ms, RS_MAX_DURATION_MS);
    CHECK_EQ(m.service[0].stable_ms, RS_MAX_DURATION_MS);
    /* Intensity 0: the first failure gives up.  Group line without attributes. */
    CHECK_EQ(parse("group g intensity=0/1s\ngroup h\nservice a\n image = a\n group = g\n"), 0);
    CHECK_EQ(m.group[0].intensity, 0);
    CHECK_EQ(m.group[1].intensity, RS_DEFAULT_INTENSITY);
    /* No trailing newline, CRLF line ends, comments everywhere, UTF-8 in comments. */
    CHECK_EQ(parse("# caf\xc3\xa9\r\nservice a # x\r\n image = a # y"), 0);
    CHECK(strcmp(m.service[0].image, "a") == 0);
    /* Limits exactly: 32 services, 8 groups, 8 args, names of 15 characters. */
    char big[8192];
    size_t len = 0;
    for (int g = 0; g < 8; g++) len += (size_t)snprintf(big + len, sizeof(big) - len, "group g%d\n", g);
    for (int s = 0; s < 32; s++)
        len += (size_t)snprintf(big + len, sizeof(big) - len, "service s%d-%s\n image = i\n group = g%d\n", s,
                                "abcdefghijk", s % 8);
    (void)len;
    CHECK_EQ(parse(big), 0);
    CHECK_EQ(m.nservices, 32);
    CHECK_EQ(parse("service abcdefghijklmno\n image = a\n args = 1 2 3 4 5 6 7 8\n"), 0);
    CHECK_EQ(m.service[0].nargs, 8);
}

static void test_order(void)
{
    /* Dependencies first, otherwise manifest order. */
    CHECK_EQ(parse("service a\n image = x\n depends = d\n"
                   "service b\n image = x\n"
                   "service c\n image = x\n depends = a b\n"
                   "service d\n image = x\n"),
             0);
    CHECK_EQ(m.start_order[0], svc("b"));
    CHECK_EQ(m.start_order[1], svc("d"));
    CHECK_EQ(m.start_order[2], svc("a"));
    CHECK_EQ(m.start_order[3], svc("c"));
}

static void test_errors(void)
{
    /* Syntax. */
    BAD("", "t.manifest:1: field 'service': no service declared");
    BAD("# nothing\n\n", "t.manifest:1: field 'service': no service declared");
    BAD("service a\n image a\n",
        "t.manifest:2: 'image': expected 'service NAME', 'group NAME ...' or 'KEY = VALUE'");
    BAD("image = a\n",
        "t.manifest:1: field 'image': 'KEY = VALUE' outside a service (start one with 'service NAME')");
    BAD("service a\n = a\n", "t.manifest:2: missing key before '='");
    BAD("service a\n image = a\x01\n", "t.manifest:2: invalid character (byte 0x1) in column 11");
    BAD("service a\n image = caf\xc3\xa9\n", "t.manifest:2: invalid character (byte 0xc3) in column 13");
    char longline[400];
    memset(longline, ' ', sizeof(longline));
    memcpy(longline, "service a\n image = a", 20);
    longline[sizeof(longline) - 1] = '\0';
    BAD(longline, "t.manifest:2: line too long (at most 255 characters)");
    /* Keys. */
    BAD("service a\n image = a\n colour = red\n", "t.manifest:3: field 'colour': unknown key");
    BAD("service a\n image = a\n image = b\n", "t.manifest:3: field 'image': duplicate key (first set on line 2)");
    BAD("service a\n image =\n", "t.manifest:2: field 'image': missing value");
    BAD("service a\n priority = 3\nservice b\n image = b\n",
        "t.manifest:1: field 'image': service 'a' has no image (a required key)");
    BAD("service a\n image = a b\n", "t.manifest:2: field 'image': expects one value, got 2");
    BAD("service a\n image = a/b\n",
        "t.manifest:2: field 'image': invalid image name 'a/b': 1-31 characters A-Z a-z 0-9 _ . -");
    /* Names. */
    BAD("service A\n image = a\n", "t.manifest:1: field 'service': invalid name 'A': 1-15 characters a-z 0-9 _ -");
    BAD("service abcdefghijklmnop\n image = a\n",
        "t.manifest:1: field 'service': invalid name 'abcdefghijklmnop': 1-15 characters a-z 0-9 _ -");
    BAD("service\n", "t.manifest:1: field 'service': missing name: 'service NAME'");
    BAD("service a image = a\n",
        "t.manifest:1: field 'service': unexpected text after the name (keys go on their own lines)");
    BAD("service a\n image = a\nservice a\n image = b\n",
        "t.manifest:3: field 'service': duplicate service 'a' (first on line 1)");
    BAD("group g\ngroup g\nservice a\n image = a\n", "t.manifest:2: field 'group': duplicate group 'g' (first on line 1)");
    /* Limits. */
    char big[8192];
    size_t len = 0;
    for (int s = 0; s < 33; s++) len += (size_t)snprintf(big + len, sizeof(big) - len, "service s%d\n image = i\n", s);
    BAD(big, "t.manifest:65: field 'service': too many services (at most 32)");
    len = 0;
    for (int g = 0; g < 9; g++) len += (size_t)snprintf(big + len, sizeof(big) - len, "group g%d\n", g);
    BAD(big, "t.manifest:9: field 'group': too many groups (at most 8)");
    len = 0;
    for (int g = 0; g < 8; g++) len += (size_t)snprintf(big + len, sizeof(big) - len, "group g%d\n", g);
    snprintf(big + len, sizeof(big) - len, "service a\n image = a\n");
    BAD(big, "t.manifest:9: field 'group': no group given and no room for the implicit group 'default' (at most 8 groups)");
    BAD("service a\n image = a\n args = 1 2 3 4 5 6 7 8 9\n", "t.manifest:3: field 'args': at most 8 args");
    BAD("service a\n image = a\nservice b\n image = b\n channels = a a\n",
        "t.manifest:5: field 'channels': 'a' listed twice");
    BAD("service a\n image = a\n channels = b c d e f g h i j\n", "t.manifest:3: field 'channels': at most 8 channels");
    /* References. */
    BAD("service a\n image = a\n group = core\n", "t.manifest:3: field 'group': unknown group 'core'");
    BAD("service a\n image = a\n depends = b\n", "t.manifest:3: field 'depends': unknown service 'b'");
    BAD("service a\n image = a\n channels = zz\n", "t.manifest:3: field 'channels': unknown service 'zz'");
    BAD("service a\n image = a\n depends = a\n", "t.manifest:3: field 'depends': a service cannot depend on itself");
    BAD("service a\n image = a\n channels = a\n",
        "t.manifest:3: field 'channels': a service cannot have a channel to itself");
    /* Cycles: reported at the depends line of the cycle's first service. */
    BAD("service a\n image = a\n depends = b\nservice b\n image = b\n depends = a\n",
        "t.manifest:3: field 'depends': dependency cycle: a -> b -> a");
    BAD("service x\n image = x\n depends = a\n"
        "service a\n image = a\n depends = c\n"
        "service b\n image = b\n depends = a\n"
        "service c\n image = c\n depends = b\n",
        "t.manifest:6: field 'depends': dependency cycle: a -> c -> b -> a");
    /* Ranges. */
    BAD("service a\n image = a\n priority = 255\n", "t.manifest:3: field 'priority': 255 is out of range 1..254");
    BAD("service a\n image = a\n priority = 0\n", "t.manifest:3: field 'priority': 0 is out of range 1..254");
    BAD("service a\n image = a\n priority = high\n", "t.manifest:3: field 'priority': 'high' is not a number");
    BAD("service a\n image = a\n pages = 0\n", "t.manifest:3: field 'pages': 0 is out of range 1..1048576");
    BAD("service a\n image = a\n pages = 99999999999999999999\n",
        "t.manifest:3: field 'pages': '99999999999999999999' is not a number");
    BAD("service a\n image = a\n untyped = 13\n", "t.manifest:3: field 'untyped': 13 is out of range 14..28");
    BAD("service a\n image = a\n restart = always\n",
        "t.manifest:3: field 'restart': 'always' is not one of permanent, transient, temporary");
    BAD("service a\n image = a\n backoff = 10ms\n",
        "t.manifest:3: field 'backoff': expects FIRST CAP (two durations), got 1 values");
    BAD("service a\n image = a\n backoff = 10 1s\n",
        "t.manifest:3: field 'backoff': '10' is not a duration (a number with ms or s, at most 1 day)");
    BAD("service a\n image = a\n backoff = 2s 1s\n",
        "t.manifest:3: field 'backoff': first delay (2000 ms) is above the cap (1000 ms)");
    BAD("service a\n image = a\n stable = 0ms\n", "t.manifest:3: field 'stable': '0ms': durations must be at least 1 ms");
    BAD("service a\n image = a\n stable = 86401s\n",
        "t.manifest:3: field 'stable': '86401s' is not a duration (a number with ms or s, at most 1 day)");
    BAD("service a\n image = a\n stable = 1.5s\n",
        "t.manifest:3: field 'stable': '1.5s' is not a duration (a number with ms or s, at most 1 day)");
    BAD("service a\n image = a\n heartbeat = 100ms 200ms\n",
        "t.manifest:3: field 'heartbeat': deadline (200 ms) is above the period (100 ms)");
    BAD("service a\n image = a\n heartbeat = on\n",
        "t.manifest:3: field 'heartbeat': expects PERIOD DEADLINE (two durations) or off");
    BAD("service a\n image = a\n args = -1\n",
        "t.manifest:3: field 'args': '-1' is not a number (decimal or 0x hex, 64 bits)");
    BAD("service a\n image = a\n args = 0x10000000000000000\n",
        "t.manifest:3: field 'args': '0x10000000000000000' is not a number (decimal or 0x hex, 64 bits)");
    /* Grants. */
    BAD("service a\n image = a\n grants = irq:24\n", "t.manifest:3: field 'grants': 'irq:24': IRQ pin is out of range 0..23");
    BAD("service a\n image = a\n grants = irq:x\n", "t.manifest:3: field 'grants': 'irq:x': IRQ pin is not a number");
    BAD("service a\n image = a\n grants = ioport:0x43-0x40\n",
        "t.manifest:3: field 'grants': 'ioport:0x43-0x40': ports must be within 0..0xffff, FIRST <= LAST");
    BAD("service a\n image = a\n grants = ioport:0x10000\n",
        "t.manifest:3: field 'grants': 'ioport:0x10000': ports must be within 0..0xffff, FIRST <= LAST");
    BAD("service a\n image = a\n grants = ioport:\n",
        "t.manifest:3: field 'grants': 'ioport:' is not irq:PIN, ioport:FIRST[-LAST] or control");
    BAD("service a\n image = a\n grants = dma:1\n", "t.manifest:3: field 'grants': 'dma:1' is not irq:PIN, ioport:FIRST[-LAST] or control");
    {
        /* `control` (the RS control cap) may be granted to several services */
        static struct rs_manifest cm;
        struct rs_manifest_error ce;
        const char *t = "service a\n image = a\n grants = control\nservice b\n image = b\n grants = control ioport:0xf4\n";
        CHECK_EQ(rs_manifest_parse(t, strlen(t), &cm, &ce), 0);
        CHECK_EQ(cm.service[1].ngrants, 2);
        CHECK_EQ(cm.service[0].grants[0].kind, RS_GRANT_CONTROL);
        CHECK_EQ(cm.service[1].grants[0].kind, RS_GRANT_CONTROL);
    }
    BAD("service a\n image = a\n grants = irq:1 irq:1\n",
        "t.manifest:3: field 'grants': IRQ pin 1 is already granted to service 'a'");
    BAD("service a\n image = a\n grants = ioport:0x40-0x43\nservice b\n image = b\n grants = ioport:0x43\n",
        "t.manifest:6: field 'grants': I/O ports 0x43-0x43 overlap ports 0x40-0x43 of service 'a'");
    /* Group lines. */
    BAD("group\nservice a\n image = a\n",
        "t.manifest:1: field 'group': missing name: 'group NAME [strategy=...] [intensity=N/DURATION]'");
    BAD("group g strategy=random\nservice a\n image = a\n",
        "t.manifest:1: field 'strategy': 'random' is not one of one_for_one, rest_for_one, one_for_all");
    BAD("group g intensity=5\nservice a\n image = a\n", "t.manifest:1: field 'intensity': '5' is not N/DURATION (e.g. 5/10s)");
    BAD("group g intensity=5/10\nservice a\n image = a\n",
        "t.manifest:1: field 'intensity': '5/10' is not N/DURATION (e.g. 5/10s)");
    BAD("group g intensity=1001/1s\nservice a\n image = a\n",
        "t.manifest:1: field 'intensity': 1001 restarts is out of range 0..1000");
    BAD("group g intensity=1/0s\nservice a\n image = a\n",
        "t.manifest:1: field 'intensity': the period must be at least 1 ms");
    BAD("group g colour=red\nservice a\n image = a\n",
        "t.manifest:1: field 'colour': unknown key (group keys: strategy, intensity)");
    BAD("group g strategy=one_for_one strategy=one_for_all\n",
        "t.manifest:1: field 'strategy': duplicate key");
    BAD("group g one_for_one\n",
        "t.manifest:1: field 'group': 'one_for_one': expected strategy=STRATEGY or intensity=N/DURATION");
    /* A later invalid declaration is not a target of earlier references. */
    BAD("service a\n image = a\n depends = B\nservice B\n image = b\n", "t.manifest:3: field 'depends': unknown service 'B'");
}

static void test_not_nul_terminated(void)
{
    /* The parser reads exactly len bytes. */
    static const char text[] = "service a\n image = abc";
    struct rs_manifest_error err;
    CHECK_EQ(rs_manifest_parse(text, sizeof(text) - 2, &m, &err), 0);
    CHECK(strcmp(m.service[0].image, "ab") == 0);
}

int main(void)
{
    test_full();
    test_defaults();
    test_order();
    test_errors();
    test_not_nul_terminated();
    return check_result("rs_manifest_test");
}
