#!/usr/bin/env python3
"""make demo: runs a scripted scenario on the default system in sel4-sim.

Usage: demo.py SEL4_SIM IMAGE SCENARIO      run it; exit 0 only if every expectation held
       demo.py --check SCENARIO             parse only (exit 1 with file:line: why)
       demo.py --qemu QEMU_SH SEL4_PREFIX IMAGE SCENARIO
                                            the same on the real kernel (tools/qemu.sh)

Scenario file (system/demo.scenario), one statement a line, '#' starts a comment:
  at TIME type "TEXT"     type TEXT and Enter into the shell at virtual time TIME
  end at TIME [after "TEXT"]
                          end the input at TIME (after a final `ps`, typed by this script:
                          the summary's restarts come from it); the shell then stops
                          the system.  Exactly one, after every `at`.  With after: on
                          QEMU (real time) the final `ps` waits until the output has
                          TEXT (then TIME minus the last `at`'s time more); sel4-sim's
                          virtual time needs no wait.
  expect WHAT OP NUMBER   checked on the run's output, OP one of == != < <= > >=:
      ps SERVICE gen|restarts        the final ps table (the RS's LIST)
      recoveries SERVICE             recoveries measured (see below)
      max_recovery SERVICE           in instructions (or TIME with a unit)
      served|failed|lost             the workload's requests to demo
      kv_ops|kv_lost|kv_duplicated   kv's checking client (kvload): operations, acknowledged
                                     changes lost, changes applied twice (summed over its lines)
      logd_restored                  records logd restored at its last restart
      log_records|log_conflicts      records the shell's `log` showed; numbers shown with two
                                     different contents (0: logd's ring and numbering intact)
  expect line "TEXT"      some output line contains TEXT
TIME: a number with unit ns, us, ms or s (virtual time: 1 s = 10^9 instructions in
sel4-sim), counted from the console driver's first look at its input.

How input arrives at given times: sel4-sim delivers stdin one byte per 86805
instructions (115200 baud, sim/devices.h); the shell ignores NUL bytes, so NULs before
a line make its first byte arrive at its time.  The time a line needs (86805
instructions a byte) must fit before the next `at`, or the scenario is refused.

What is measured (the demo's and the shell's lines carry t=, the TSC: virtual
instructions in sel4-sim):
  failure of demo   "demo: job N: crashing|hanging on purpose (t=T)" or the shell's
                    "crash|hang|kill|restart demo: done (t=T)" (taken before asking the RS)
  recovered         the next "demo: gen G: job N done (first, t=T)": the new
                    incarnation's first finished request.  recovery = its T - failure's T
                    (the earliest failure not yet recovered from).  For kv and store:
                    "S: gen G: first request served (t=T)" after the shell's "crash S: done".
  served / failed   "job N done" lines / "job N: ... on purpose" lines
  lost              sent ("workload: N jobs sent") - served - failed: requests that were
                    neither finished nor reported failed (e.g. the job a `crash demo` cut).

On the real kernel (--qemu) there is no virtual time: the lines are typed in real time
(1 s = 10^9 instructions of sel4-sim), counted from the shell's first line, then the
final `ps` and Ctrl-D (QEMU tells the guest nothing when its input ends).  t= values are
the TSC, whose rate is the host's: max_recovery expectations are shown but not checked
there; every other expectation is.  Real time makes a run differ from sel4-sim's and from
the next one (a command may reach a service while it is backing off and be refused).
"""
import os
import re
import subprocess
import sys
import tempfile

BYTE_INSNS = 86805
INSNS_PER = {"ns": 1, "us": 1000, "ms": 1000000, "s": 1000000000}
OPS = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}
SERVICE = r"[a-z][a-z0-9_-]{0,15}"
METRICS = {"served", "failed", "lost", "kv_ops", "kv_lost", "kv_duplicated", "logd_restored",
           "log_records", "log_conflicts"}
LEVELS = "debug|info|warn|error|fatal"


class ScenarioError(Exception):
    pass


def parse_time(text):
    m = re.fullmatch(r"(\d{1,12})(ns|us|ms|s)?", text)
    if not m:
        raise ScenarioError(f"bad time '{text}' (a number with ns, us, ms or s)")
    if m.group(2) is None:
        return int(m.group(1))  # plain instructions (used by max_recovery)
    return int(m.group(1)) * INSNS_PER[m.group(2)]


def parse(text, name="scenario"):
    """-> (typed: [(time, line)], end_time, expects: [(what, op, value, lineno, source)],
    end_after: the text the end waits for on QEMU, or None)"""
    typed, expects, end, end_after = [], [], None, None
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip() if '"' not in raw else raw.strip()
        if line.startswith("#") or not line:
            continue
        try:
            m = re.fullmatch(r'at (\S+) type "([^"\\\x00-\x1f]{0,200})"', line)
            if m:
                if end is not None:
                    raise ScenarioError("'at' after 'end'")
                t = parse_time(m.group(1))
                if typed and t < typed[-1][0]:
                    raise ScenarioError("times must not go back")
                typed.append((t, m.group(2)))
                continue
            m = re.fullmatch(r'end at (\S+)(?: after "([^"]{1,200})")?', line)
            if m:
                if end is not None:
                    raise ScenarioError("a second 'end'")
                end = parse_time(m.group(1))
                end_after = m.group(2)
                if typed and end <= typed[-1][0]:
                    raise ScenarioError("'end' must come after the last 'at'")
                continue
            m = re.fullmatch(r'expect line "([^"]{1,200})"', line)
            if m:
                expects.append((("line", m.group(1)), None, None, no, line))
                continue
            m = re.fullmatch(r"expect (.+?) (==|!=|<=|>=|<|>) (\S+)", line)
            if m:
                what, op, value = m.group(1).split(), m.group(2), parse_time(m.group(3))
                if len(what) == 3 and what[0] == "ps" and re.fullmatch(SERVICE, what[1]) and what[2] in ("gen", "restarts"):
                    key = ("ps", what[1], what[2])
                elif len(what) == 2 and what[0] in ("recoveries", "max_recovery") and re.fullmatch(SERVICE, what[1]):
                    key = (what[0], what[1])
                elif len(what) == 1 and what[0] in METRICS:
                    key = (what[0],)
                else:
                    raise ScenarioError(f"unknown measure '{m.group(1)}'")
                expects.append((key, op, value, no, line))
                continue
            raise ScenarioError("not a statement (at / end at / expect)")
        except ScenarioError as e:
            raise ScenarioError(f"{name}:{no}: {e}") from None
    if end is None:
        raise ScenarioError(f"{name}: no 'end at TIME'")
    return typed, end, expects, end_after


def input_bytes(typed, end):
    """The bytes for sel4-sim's stdin: byte i arrives (i + 1) * BYTE_INSNS after the start."""
    out = bytearray()
    for t, text in typed + [(end, "ps")]:
        first = max(0, -(-t // BYTE_INSNS) - 1)  # the first index arriving at or after t
        if first < len(out):
            raise ScenarioError(f"the line at {t} instructions starts before the one before it has been typed "
                                f"(it would arrive at {(len(out) + 1) * BYTE_INSNS})")
        out += b"\0" * (first - len(out)) + text.encode() + b"\n"
    return bytes(out)


def measure(output):
    """The run's output -> (ps rows {name: {gen, restarts}}, recoveries {name: [insns]}, metrics)"""
    ps, events, sent = {}, [], None
    served, failed = set(), set()
    kv = None
    restored = None
    shown = {}  # log record number -> its text as shown
    conflicts = set()
    for line in output.splitlines():
        m = re.search(r"(" + SERVICE + r"): gen \d+: first request served \(t=(\d+)\)", line)
        if m:
            events.append((int(m.group(2)), "up", m.group(1)))
        m = re.search(r"kvload \d+: (\d+) ops, \d+ released calls, \d+ in doubt, lost (\d+), duplicated (\d+)", line)
        if m:
            kv = [a + int(b) for a, b in zip(kv or [0, 0, 0], m.groups())]
        m = re.search(r"logd: generation \d+ \(restarted\), store yes, ring restored: (\d+) records", line)
        if m:
            restored = int(m.group(1))
        m = re.match(r"^ *(\d+) (?:" + LEVELS + r") +(\S+) +(.*)$", line)
        if m:
            seq, text = int(m.group(1)), m.group(2) + " " + m.group(3)
            old = shown.setdefault(seq, text)
            # Output of other programs may cut into a line: one a prefix of the other agrees.
            if not (old.startswith(text) or text.startswith(old)):
                conflicts.add(seq)
        m = re.match(r"^(" + SERVICE + r") +(\S+) +(\d+) +(\d+) ", line)
        if m and m.group(1) != "NAME":
            ps[m.group(1)] = {"gen": int(m.group(3)), "restarts": int(m.group(4))}
        m = re.search(r"demo: job (\d+): (?:crashing|hanging) on purpose \(t=(\d+)\)", line)
        if m:
            failed.add(int(m.group(1)))
            events.append((int(m.group(2)), "fail", "demo"))
        m = re.search(r"(?:crash|hang|kill|restart) (" + SERVICE + r"): done \(t=(\d+)\)", line)
        if m:
            events.append((int(m.group(2)), "fail", m.group(1)))
        m = re.search(r"demo: gen \d+: job (\d+) done(?: \(first, t=(\d+)\))?", line)
        if m:
            served.add(int(m.group(1)))
            if m.group(2):
                events.append((int(m.group(2)), "up", "demo"))
        m = re.search(r"workload: (\d+) jobs sent", line)
        if m:
            sent = int(m.group(1))
    # Typed echo may run into a line ("lstore: gen 2: ..."): an unknown name that ends
    # with a service's name is that service.
    def known(name):
        return max((n for n in ps if name.endswith(n)), key=len, default=name)
    events = [(t, kind, name if name in ps else known(name)) for t, kind, name in events]
    recoveries, pending = {}, {}
    for t, kind, name in sorted(events):
        if kind == "fail":
            pending.setdefault(name, t)
        elif name in pending:
            recoveries.setdefault(name, []).append(t - pending.pop(name))
    metrics = {"served": len(served), "failed": len(failed),
               "lost": None if sent is None else sent - len(served) - len(failed),
               "kv_ops": kv and kv[0], "kv_lost": kv and kv[1], "kv_duplicated": kv and kv[2],
               "logd_restored": restored, "log_records": len(shown), "log_conflicts": len(conflicts)}
    return ps, recoveries, metrics


def value_of(key, ps, recoveries, metrics):
    if key[0] == "ps":
        return ps.get(key[1], {}).get(key[2])
    if key[0] == "recoveries":
        return len(recoveries.get(key[1], []))
    if key[0] == "max_recovery":
        r = recoveries.get(key[1], [])
        return max(r) if r else None
    return metrics[key[0]]


def table(ps, recoveries, metrics):
    rows = [f"{'SERVICE':<12} {'RESTARTS':>8} {'RECOVERIES':>10} {'MEAN INSNS':>12} {'MAX INSNS':>12} "
            f"{'SERVED':>6} {'FAILED':>6} {'LOST':>4} {'TWICE':>5}"]
    # Requests: demo's from its workload; kv's from its checking client (failed: not counted).
    keys = {"demo": ("served", "failed", "lost", None), "kv": ("kv_ops", None, "kv_lost", "kv_duplicated")}
    for name, row in ps.items():
        r = recoveries.get(name, [])
        mean = f"{sum(r) // len(r)}" if r else "-"
        mx = f"{max(r)}" if r else "-"
        req = [str(metrics[k]) if k is not None and metrics[k] is not None else "-" for k in keys.get(name, (None,) * 4)]
        rows.append(f"{name:<12} {row['restarts']:>8} {len(r):>10} {mean:>12} {mx:>12} {req[0]:>6} {req[1]:>6} "
                    f"{req[2]:>4} {req[3]:>5}")
    if metrics["logd_restored"] is not None or metrics["log_records"]:
        restored = "-" if metrics["logd_restored"] is None else metrics["logd_restored"]
        rows.append(f"logd: {restored} records restored at its last restart; `log` showed {metrics['log_records']} "
                    f"records, {metrics['log_conflicts']} numbers with two different contents")
    return "\n".join(rows)


SHELL_UP = "shell: gen 1; type help"


def timed_input(typed, end, end_after=None):
    """tools/qemu.sh's QEMU_INPUT_TIMED lines: "SECONDS TEXT", SECONDS after the line before;
    "wait TEXT" before the final ps for end_after."""
    lines, last = [], 0
    for t, text in typed + [(end, "ps")]:
        if text == "ps" and t == end and end_after:
            lines.append(f"wait {end_after}")
        lines.append(f"{(t - last) / 1e9:.3f} {text}")
        last = t
    lines.append("0.5 \x04")
    return "\n".join(lines) + "\n"


def run_qemu(qemu_sh, prefix, image, typed, end, end_after=None):
    with tempfile.NamedTemporaryFile("w", prefix="demo-input-", suffix=".txt", delete=False) as f:
        f.write(timed_input(typed, end, end_after))
        path = f.name
    env = dict(os.environ, QEMU_INPUT=path, QEMU_INPUT_AFTER=SHELL_UP, QEMU_INPUT_TIMED="1",
               QEMU_TIMEOUT=os.environ.get("QEMU_TIMEOUT", "120"))
    try:
        return subprocess.run([qemu_sh, prefix, image], env=env, capture_output=True, check=False)
    finally:
        os.unlink(path)


def evaluate(output, returncode, stderr, who, scenario, expects, real_time=False):
    """Prints the run's output, the summary table and each expectation; -> failures.
    real_time: t= is not in instructions (QEMU), so max_recovery is not checked."""
    sys.stdout.write(output)
    ps, recoveries, metrics = measure(output)
    print()
    print(table(ps, recoveries, metrics))
    print("(recovery: from a failure of the service to the first request its next incarnation finished)")
    if returncode != 0:
        print(f"FAIL: {who} exit status {returncode} (want 0)")
        sys.stdout.write(stderr.decode(errors="replace"))
    held = fails = 0
    for key, op, want, no, source in expects:
        if key[0] == "line":
            ok = any(key[1] in line for line in output.splitlines())
            got = "found" if ok else "not found"
        else:
            got = value_of(key, ps, recoveries, metrics)
            ok = got is not None and OPS[op](got, want)
        if real_time and key[0] == "max_recovery":
            print(f"skip {scenario}:{no}: {source} (got {got} TSC cycles: not instructions)")
            continue
        print(f"{'ok  ' if ok else 'FAIL'} {scenario}:{no}: {source} (got {got})")
        held += ok
        fails += not ok
    checked = held + fails
    print(f"demo: {held} of {checked} expectations held, {who} exit status {returncode}")
    return fails + (returncode != 0)


def main(argv):
    if len(argv) == 3 and argv[1] == "--check":
        try:
            typed, end, _, _ = parse(open(argv[2]).read(), argv[2])
            input_bytes(typed, end)
        except (OSError, ScenarioError) as e:
            print(f"demo: {e}")
            return 1
        return 0
    qemu = len(argv) == 6 and argv[1] == "--qemu"
    if len(argv) != 4 and not qemu:
        print(__doc__.split("\n\n")[1])
        return 2
    image, scenario = argv[-2:]
    try:
        typed, end, expects, end_after = parse(open(scenario).read(), scenario)
        data = input_bytes(typed, end)
    except (OSError, ScenarioError) as e:
        print(f"demo: {e}")
        return 1
    if qemu:
        run = run_qemu(argv[2], argv[3], image, typed, end, end_after)
        who = "QEMU"
    else:
        run = subprocess.run([argv[1], "--timeout", "120", image], input=data, capture_output=True, check=False)
        who = "sel4-sim"
    fails = evaluate(run.stdout.decode(errors="replace"), run.returncode, run.stderr, who, scenario, expects,
                     real_time=qemu)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
