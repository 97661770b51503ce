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
        typed, end, _ = demo.parse(text, "t")
        demo.input_bytes(typed, end)
    except demo.ScenarioError as e:
        check(why in str(e), f"'{text}' refused for '{e}', want '{why}'")
        return
    check(False, f"'{text}' was accepted")


# Parsing: times and units, statements, expectations.
typed, end, expects = demo.parse('# c\nat 20ms type "crash demo"\n\nat 1s type "ps"\nend at 2s\n'
                                 'expect ps demo gen >= 2\nexpect lost == 0\nexpect max_recovery demo < 5ms\n'
                                 'expect line "shell: halt"\n', "t")
check(typed == [(20000000, "crash demo"), (1000000000, "ps")], f"typed {typed}")
check(end == 2000000000, f"end {end}")
check([e[0] for e in expects] == [("ps", "demo", "gen"), ("lost",), ("max_recovery", "demo"), ("line", "shell: halt")],
      f"expects {expects}")
check(expects[2][2] == 5000000 and expects[0][1] == ">=", "expect values")

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
check(met == {"served": 4, "failed": 1, "lost": 2}, f"metrics {met}")
check(ps == {"demo": {"gen": 3, "restarts": 2}, "console": {"gen": 1, "restarts": 0}}, f"ps {ps}")
check(demo.value_of(("max_recovery", "demo"), ps, rec, met) == 1000, "max_recovery")
check(demo.value_of(("recoveries", "console"), ps, rec, met) == 0, "no recoveries measured for console")
check(demo.value_of(("ps", "nothere", "gen"), ps, rec, met) is None, "unknown service: no value (fails)")
t = demo.table(ps, rec, met)
check("demo" in t and "750" in t and "1000" in t, f"table has the mean and max:\n{t}")
_, _, met = demo.measure("demo: gen 1: job 1 done (first, t=1)\n")
check(met["lost"] is None, "lost unknown without the workload's line")

print("demo_scenario_test: " + ("all passed" if failures == 0 else f"{failures} failed"))
sys.exit(1 if failures else 0)
