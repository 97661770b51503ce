#!/usr/bin/env python3
"""Host test of make demo's scenario parser, input timing and measurements (tools/demo.py)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import demo  # noqa: E402

failures = 0


def check(cond, what):
    global failures
    if not cond:
        print(f"FAIL: {what}")
        failures += 1


def refused(text, why):
    try:
        typed, end, _, _ = demo.parse(text, "t")
        demo.input_bytes(typed, end)
    except demo.ScenarioError as e:
        check(why in str(e), f"'{text}' refused for '{e}', want '{why}'")
        return
    check(False, f"'{text}' was accepted")


# Parsing: times and units, statements, expectations.
typed, end, expects, end_after = demo.parse('# c\nat 20ms type "crash demo"\n\nat 1s type "ps"\nend at 2s\n'
                                 'expect ps demo gen >= 2\nexpect lost == 0\nexpect max_recovery demo < 5ms\n'
                                 'expect line "shell: halt"\n', "t")
check(typed == [(20000000, "crash demo"), (1000000000, "ps")], f"typed {typed}")
check(end == 2000000000, f"end {end}")
check([e[0] for e in expects] == [("ps", "demo", "gen"), ("lost",), ("max_recovery", "demo"), ("line", "shell: halt")],
      f"expects {expects}")
check(expects[2][2] == 5000000 and expects[0][1] == ">=", "expect values")
check(end_after is None, "no 'after': the end waits for nothing")

# end ... after "TEXT": on QEMU the final ps waits for TEXT (a "wait" line for qemu.sh).
typed, end, _, end_after = demo.parse('at 20ms type "crash kv"\nend at 900ms after "kvload 1: "\n', "t")
check(end == 900000000 and end_after == "kvload 1: ", f"end {end}, after {end_after}")
lines = demo.timed_input(typed, end, end_after).splitlines()
check(lines == ["0.020 crash kv", "wait kvload 1: ", "0.880 ps", "0.5 \x04"], f"timed input {lines}")

refused('at 20ms type "x"\n', "no 'end at TIME'")
refused('at 20 parsecs type "x"\nend at 1s\n', "not a statement")
refused('at 20xs type "x"\nend at 1s\n', "bad time")
refused('at 2s type "x"\nat 1s type "y"\nend at 3s\n', "times must not go back")
refused('end at 1s\nat 2s type "x"\n', "'at' after 'end'")
refused('at 1s type "x"\nend at 1s\n', "'end' must come after the last 'at'")
refused('end at 1s\nend at 2s\n', "a second 'end'")
refused('end at 1s\nexpect ps demo pages > 1\n', "unknown measure")
refused('end at 1s\nexpect served >> 1\n', "not a statement")
refused('at 0ms type "a long line"\nat 100us type "y"\nend at 1s\n', "starts before")
check(demo.parse('end at 1s\nexpect line "a # b"\n')[2][0][0] == ("line", "a # b"), "a # inside quotes is text")

# Input timing: byte i arrives (i + 1) * 86805 instructions after the start; NULs pad.
data = demo.input_bytes([(1000000, "ps")], 5000000)
first = data.index(b"p")
check(data[:first] == b"\0" * first, "padding is NULs")
check((first + 1) * demo.BYTE_INSNS >= 1000000 > first * demo.BYTE_INSNS, f"ps arrives at its time (index {first})")
check(data.endswith(b"ps\n") and data[first:first + 3] == b"ps\n", "the final ps ends the input")
last = data.rindex(b"ps\n")
check(last * demo.BYTE_INSNS < 5000000 <= (last + 1) * demo.BYTE_INSNS, f"the final ps at the end time ({last})")

# Measurements: recovery from the earliest failure not yet recovered from, served /
# failed / lost, the last ps table wins.
out = """demo: gen 1: job 1 done (first, t=100)
demo: gen 1: job 2 done
demo: job 3: hanging on purpose (t=200)
crash demo: done (t=300)
demo: gen 2: job 4 done (first, t=1200)
restart demo: done (t=2000)
demo: gen 3: job 6 done (first, t=2500)
workload: 7 jobs sent
NAME            STATE     GEN RESTARTS LAST END
demo            running     2        1 hang                                   14/64     0.38s
demo            running     3        2 hang                                   14/64     0.38s
console         running     1        0 -                                      17/64     0.56s
"""
ps, rec, met = demo.measure(out)
check(rec == {"demo": [1000, 500]}, f"recoveries {rec}")
check({k: met[k] for k in ("served", "failed", "lost")} == {"served": 4, "failed": 1, "lost": 2}, f"metrics {met}")
check(met["kv_ops"] is None and met["logd_restored"] is None, f"no kv/logd lines, no kv/logd values {met}")
check(ps == {"demo": {"gen": 3, "restarts": 2}, "console": {"gen": 1, "restarts": 0}}, f"ps {ps}")
check(demo.value_of(("max_recovery", "demo"), ps, rec, met) == 1000, "max_recovery")
check(demo.value_of(("recoveries", "console"), ps, rec, met) == 0, "no recoveries measured for console")
check(demo.value_of(("ps", "nothere", "gen"), ps, rec, met) is None, "unknown service: no value (fails)")
t = demo.table(ps, rec, met)
check("demo" in t and "750" in t and "1000" in t, f"table has the mean and max:\n{t}")
_, _, met = demo.measure("demo: gen 1: job 1 done (first, t=1)\n")
check(met["lost"] is None, "lost unknown without the workload's line")

# kv: recovery from the shell's crash to kv's first request served; kvload's lines summed.
# logd: restored records; log lines: a number shown twice with other contents is a conflict,
# a line cut by other output (a prefix) is not.
out = """crash kv: done (t=1000)
kv: gen 2: first request served (t=4000)
crash store: done (t=5000)
lstore: gen 2: first request served (t=5500)
NAME            STATE     GEN RESTARTS LAST END
store           running     2        1 -                                      34/64     0.81s
kvload 1: 300 ops, 2 released calls, 0 in doubt, lost 0, duplicated 1 (0)
kvload 2: 100 ops, 0 released calls, 0 in doubt, lost 2, duplicated 0 (0)
logd: generation 2 (restarted), store yes, ring restored: 12 records (3 blobs good, 13 missing, 0 refused)
   1 info  kv              gen 1 up: KV_OK
   2 warn  rs              #11 demo gen 1 crashed: VM fault
   2 warn  rs              #11 demo gen 1 cr
   1 info  kv              gen 1 up: KV_OK
   3 info  rs              #12 a
   3 info  demo            #12 a
"""
ps, rec, met = demo.measure(out)
check(rec == {"kv": [3000], "store": [500]}, f"kv and store recoveries (echo run into a line) {rec}")
check((met["kv_ops"], met["kv_lost"], met["kv_duplicated"]) == (400, 2, 1), f"kvload sums {met}")
check(met["logd_restored"] == 12, f"logd restored {met}")
check((met["log_records"], met["log_conflicts"]) == (3, 1), f"log records and conflicts {met}")
check(demo.value_of(("kv_duplicated",), ps, rec, met) == 1, "kv_duplicated is a metric")
refused('end at 1s\nexpect kv_lost_ops == 0\n', "unknown measure")
check(demo.parse('end at 1s\nexpect kv_lost == 0\n')[2][0][0] == ("kv_lost",), "kv_lost parses")

print("demo_scenario_test: " + ("all passed" if failures == 0 else f"{failures} failed"))
sys.exit(1 if failures else 0)
