#!/usr/bin/python3
"""make campaign: seeded fault injection into every restartable service (README.md,
"Fault-injection campaign").

Runs the campaign system image (tests/campaign/) in sel4-sim many times, each run with
a few --inject faults into one service thread (every restartable service: "timer",
"console" (the serial driver), "store", "names", "logd", "kv", "counter", and "rs"): a
crash at an instruction, a hang, a wild write (a general register set to an unmapped
address) or a wild jump (rip set to one).  The client workload (cworker) reports what the system
itself saw: restarts with their recovery time in virtual instructions, requests lost and
duplicated, hostile requests refused, and the memory server's and the kernel's view of
resources before and after.  Only injections sel4-sim reports as fired are counted.

Usage: campaign.py BUILD [--faults N] [--seed S] [--jobs J] [--json F] [--svg F]
Environment: CAMPAIGN_FAULTS, CAMPAIGN_SEED (defaults of --faults, --seed).
Exit status 0 only if every fired fault was recovered and nothing was lost, duplicated
or leaked.
"""
import argparse
import concurrent.futures
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TARGETS = ("counter", "timer", "console", "store", "names", "logd", "kv", "rs")
KINDS = ("crash", "hang", "wild-write", "wild-jump")
# Faults per run, per target: triggers are virtual times spread over the 120 ms workload
# (a k-th of it each, in order: one every 6 ms or so); a fault that comes while its
# service is down hits the next incarnation when it first runs.  A hung timer is found
# after 100 ms of silence on the guardian's RTC clock, a hung RS after 125 ms
# (rs/README.md): fewer of those.  A run's boot, warm-up and balance measurements cost
# about as much host time as 60 ms of workload, so long runs with many faults each are
# what makes the campaign quick (README.md, "Fault-injection campaign").
PER_RUN = {"counter": 20, "timer": 8, "console": 20, "store": 20, "names": 20, "logd": 20, "kv": 20, "rs": 6}
SIM_MAX_INJECT = 32         # sel4-sim's limit of --inject options (sim/sim.h)
assert max(PER_RUN.values()) <= SIM_MAX_INJECT
REGS = ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11", "r12",
        "r13", "r14", "r15")
# Error answers to valid requests a run may see: at most ERROR_ANSWERS_PER_CORRUPTION for
# each register corruption that fired in it (evaluate()); none for crashes and hangs.
# Why any: a corrupted incarnation runs on until it faults and may refuse a request
# honestly meanwhile (nothing applied), e.g. one whose check word it computed itself
# under the corrupted register, or whose badge arrived damaged.  Why one: damaged
# requests are refused with a check-word error and sent again by the clients, so an error
# answer needs a corruption between the check and the answer; a service that keeps
# refusing (a corrupted constant: seed 1 run 3 gave 39) has not recovered.  Measured:
# `make campaign` seed 1 (20 faults a run, about 13 of them corruptions): 9 error
# answers in 1000 faults, at most 2 in a run.
ERROR_ANSWERS_PER_CORRUPTION = 1
RUN_TIMEOUT_S = 180         # host (wall) seconds: a safety net only (a run takes 2 to 10 s
                            # of CPU; at a load of 10 on 2 cores 5 times that)
RUN_MAX_INSNS = 900000000   # virtual instructions (0.9 s; a fault-free run takes 0.19 s): a
                            # system that never recovers (e.g. a hung thread starving the
                            # rest) ends here, status 125


def wild_address(rng):
    """An address nothing is mapped at: the kernel half, a non-canonical one, or low user
    memory below every image (programs are linked at 4 MiB and up)."""
    choice = rng.randrange(3)
    if choice == 0:
        return 0xffff800000000000 + rng.randrange(1 << 40)
    if choice == 1:
        return 0x0000800000000000 + rng.randrange(1 << 46)
    return rng.randrange(0x1000, 0x100000) & ~7


def inject_spec(kind, thread, at, rng):
    """sel4-sim's --inject for a fault at virtual time `at` (the next time a thread named
    `thread` runs then, whichever incarnation it is)."""
    if kind == "crash":
        return "crash:%s@time=%d" % (thread, at)
    if kind == "hang":
        return "hang:%s@time=%d" % (thread, at)
    if kind == "wild-jump":
        return "corrupt:%s@time=%d:rip=0x%x" % (thread, at, wild_address(rng))
    return "corrupt:%s@time=%d:%s=0x%x" % (thread, at, rng.choice(REGS), wild_address(rng))


RS_TIME_RE = re.compile(r"\(answer by (\d+) ms\)")
RS_TIME_LIMIT_MS = 1000     # the RS's own clock: the workload ends near 210 ms; a run
                            # still pinging at 1 s waits for something that never comes
                            # (e.g. a request whose reply cap died with the RS)


def reap(p):
    """Waits for sel4-sim (2 s at most, then kills it: no statistics then, and
    fired_from_stderr() tells what fired); returns its CPU seconds (user + system)."""
    deadline = time.monotonic() + 2
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid == p.pid:
            break
        if time.monotonic() > deadline:
            p.kill()
            pid, status, ru = os.wait4(p.pid, 0)
            break
        time.sleep(0.01)
    p.returncode = os.waitstatus_to_exitcode(status)
    return ru.ru_utime + ru.ru_stime


def run_sim(sim, image, specs, workdir, name):
    """One sel4-sim run; its console is read as it comes, and the run is ended early
    when the RS's clock (its ping lines) passes RS_TIME_LIMIT_MS."""
    stats = os.path.join(workdir, name + ".json")
    errpath = os.path.join(workdir, name + ".err")
    cmd = [sim, image, "--timeout", str(RUN_TIMEOUT_S), "--max-insns", str(RUN_MAX_INSNS),
           "--stats-json", stats]
    for s in specs:
        cmd += ["--inject", s]
    stdbuf = shutil.which("stdbuf")
    if stdbuf:
        cmd = [stdbuf, "-oL"] + cmd   # the console line by line, to watch the RS's clock
    t0 = time.monotonic()
    lines = []
    stuck = False
    with open(errpath, "w+", encoding="utf-8", errors="replace") as err:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, text=True,
                             errors="replace")
        for line in p.stdout:
            lines.append(line)
            m = RS_TIME_RE.search(line)
            if m and int(m.group(1)) > RS_TIME_LIMIT_MS and not stuck:
                stuck = True
                p.terminate()   # sel4-sim stops, then reports injections and statistics
                break
        cpu_s = reap(p)
        err.seek(0)
        stderr = err.read()
    os.unlink(errpath)
    status = p.returncode
    if stuck:
        status = -1
        stderr += "campaign: no progress by %d ms of RS time: run ended\n" % RS_TIME_LIMIT_MS
    try:
        with open(stats, encoding="utf-8") as f:
            st = json.load(f)
        os.unlink(stats)
    except (OSError, ValueError):
        st = None
    return {"status": status, "stdout": "".join(lines), "stderr": stderr, "stats": st,
            "host_s": time.monotonic() - t0, "cpu_s": cpu_s, "specs": specs}


LINE_RE = {
    "restart": re.compile(r"^campaign: restart (\w+) gen (\d+) from (\d+) recovery (\d+) at (\d+)$"),
    "rscall": re.compile(r"^campaign: rs-call (\d+) at (\d+)$"),
    "start": re.compile(r"^campaign: workload start at (\d+)$"),
    "result": re.compile(r"^campaign: result (.*)$"),
    "restarts": re.compile(r"^campaign: restarts (.*)$"),
    "done": re.compile(r"^campaign: done failures (\d+)$"),
    "rsinc": re.compile(r"^guardian: starting rs incarnation (\d+)(?: \(cold\))?$"),
}


FIRED_RE = re.compile(r'^sel4-sim: inject: (crash|hang|corrupt) "([^"]*)"(?: (\w+)=(0x[0-9a-f]+))?')


def fired_from_stderr(specs, stderr):
    """Which specs fired, from sel4-sim's "inject:" lines (for a run that had to be
    killed before it wrote its statistics): a corrupt line names its register and value,
    crashes and hangs of a thread fire in the order of their triggers."""
    fired = {sp: False for sp in specs}
    for line in stderr.splitlines():
        m = FIRED_RE.match(line)
        if not m:
            continue
        kind, thread, reg, val = m.groups()
        for sp in specs:
            if fired[sp] or not sp.startswith("%s:%s@" % (kind, thread)):
                continue
            if kind == "corrupt" and not sp.endswith(":%s=%s" % (reg, val)):
                continue
            fired[sp] = True
            break
    return fired


def parse_console(text):
    out = {"restarts": [], "rscalls": [], "start": 0, "result": None, "failures": None,
           "rs_incarnations": 0, "fails": [], "restart_counts": None}
    for line in text.splitlines():
        line = line.strip()
        m = LINE_RE["restart"].match(line)
        if m:
            out["restarts"].append({"service": m.group(1), "gens": int(m.group(2)) - int(m.group(3)),
                                    "recovery": int(m.group(4)), "at": int(m.group(5))})
            continue
        m = LINE_RE["restarts"].match(line)
        if m:
            words = m.group(1).split()
            out["restart_counts"] = {words[i]: int(words[i + 1]) for i in range(0, len(words) - 1, 2)}
            continue
        m = LINE_RE["rscall"].match(line)
        if m:
            out["rscalls"].append((int(m.group(1)), int(m.group(2))))
            continue
        m = LINE_RE["start"].match(line)
        if m:
            out["start"] = int(m.group(1))
            continue
        m = LINE_RE["result"].match(line)
        if m:
            words = m.group(1).split()
            out["result"] = {words[i]: int(words[i + 1]) for i in range(0, len(words) - 1, 2)}
            continue
        m = LINE_RE["done"].match(line)
        if m:
            out["failures"] = int(m.group(1))
            continue
        m = LINE_RE["rsinc"].match(line)
        if m:
            out["rs_incarnations"] = max(out["rs_incarnations"], int(m.group(1)))
            continue
        if line.startswith("campaign: FAIL"):
            out["fails"].append(line)
    return out


def kernel_view(stats):
    """The kernel's resources in use at the end of a run (every service stopped)."""
    if not stats:
        return None
    objs = stats.get("objects", {})
    return {"untyped_bytes": stats.get("untyped_bytes_used", 0), "asids": objs.get("pml4", 0),
            "objects": sum(v for v in objs.values() if isinstance(v, int))}


def workload_window(stdout):
    """[lo, hi): virtual times (rdtsc) at which a fault hits the run's workload: from
    its start to 5 ms before its end (a fault then is still found and recovered while
    cworker takes its last look)."""
    start = end = 0
    for line in stdout.splitlines():
        m = re.match(r"^campaign: workload (start|end) at (\d+)$", line.strip())
        if m and m.group(1) == "start":
            start = int(m.group(2))
        elif m:
            end = int(m.group(2))
    return (start + 1, max(end - 5000000, start + 2))


def plan(total, seed, budgets, targets, kinds, skip=frozenset()):
    """A list of runs [(target, [(kind, spec)])] with `total` faults in all; no fault of a
    (target, kind) pair in `skip`."""
    rng = random.Random(seed)
    runs = []
    left = total
    i = 0
    # A small campaign (make test's) still gets a run into every target: fewer faults a run.
    share = max(-(-total // len(targets)), 1)
    while left > 0:
        target = targets[i % len(targets)]
        i += 1
        allowed = tuple(kd for kd in kinds if (target, kd) not in skip)
        if not allowed:
            continue
        k = min(PER_RUN[target], share, left)
        # Triggers are virtual times in the workload: the k faults of a run each get a
        # k-th of the window, in order (a later one hits whichever incarnation runs).
        lo, hi = budgets[target]
        span = max((hi - lo) // k, 1)
        insns = [rng.randrange(lo + j * span, lo + (j + 1) * span) for j in range(k)]
        faults = []
        for j, n in enumerate(insns):
            kind = rng.choice(allowed)
            # A later trigger would hit the same (hung) incarnation before it is found:
            # a hang is only ever the run's last fault.
            while kind == "hang" and j != len(insns) - 1 and len(allowed) > 1:
                kind = rng.choice(allowed)
            if kind == "hang" and j != len(insns) - 1:
                continue
            faults.append((kind, inject_spec(kind, target, n, rng)))
        if faults:
            runs.append((target, faults))
        left -= k
    return runs


def percentile(values, p):
    if not values:
        return 0
    v = sorted(values)
    idx = min(len(v) - 1, max(0, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[idx]


def evaluate(target, faults, res, base_kernel):
    """One run's outcome: fired faults, recovered ones, recovery samples, leaks."""
    con = parse_console(res["stdout"])
    st = res["stats"]
    fired_flags = {}
    for inj in (st or {}).get("injections", []):
        fired_flags[inj.get("spec")] = bool(inj.get("fired"))
    if st is None:
        fired_flags = fired_from_stderr(res["specs"], res["stderr"])
    fired = [(kind, spec) for kind, spec in faults if fired_flags.get(spec)]
    not_fired = [spec for kind, spec in faults if not fired_flags.get(spec)]
    r = con["result"]
    ok = res["status"] == 0 and r is not None and con["failures"] == 0
    # Error answers to valid requests: a corrupted incarnation (wild write or jump) may
    # answer a few wrongly before it dies or is replaced; a crash or a hang never may,
    # and a service that keeps refusing valid requests has not recovered.
    errors = sum((r or {}).get(k, 0) for k in ("kv_errors", "lookup_errors", "log_errors"))
    corruptions = sum(1 for _, spec in fired if spec.startswith("corrupt:"))
    if errors > ERROR_ANSWERS_PER_CORRUPTION * corruptions:
        ok = False
    # Restarts the system itself saw, per service.
    samples = {t: [] for t in TARGETS}
    events = {t: [] for t in TARGETS}
    restarts = {t: 0 for t in TARGETS}
    for ev in con["restarts"]:
        if ev["service"] in samples:
            samples[ev["service"]].append(ev["recovery"])
            events[ev["service"]].append((ev["at"] - con["start"] - ev["recovery"], ev["at"] - con["start"]))
            restarts[ev["service"]] += ev["gens"]
    # The counts cworker prints after the workload (a "restart" line printed while the
    # console was being crashed may be lost with it; its recovery sample with it).
    for t, n in (con["restart_counts"] or {}).items():
        if t in restarts:
            restarts[t] = max(restarts[t], n)
    rs_restarts = max(con["rs_incarnations"] - 1, 0)
    restarts["rs"] = rs_restarts
    slow = sorted(con["rscalls"], reverse=True)[:rs_restarts]
    for length, at in slow:
        samples["rs"].append(length)
        events["rs"].append((at - con["start"] - length, at - con["start"]))
    stopping = sum(1 for kind, _ in fired if kind in ("crash", "hang"))
    recovered = len(fired) if ok else 0
    missing_restarts = max(stopping - restarts[target], 0) if ok else 0
    recovered -= min(missing_restarts, recovered)
    kv = kernel_view(st)
    leaked = {"untyped_bytes": 0, "pages": 0, "slots": 0, "asids": 0}
    if r is not None:
        leaked["pages"] = r.get("pages_leaked", 0)
        leaked["slots"] = r.get("slots_leaked", 0)
        if kv and base_kernel and ok:
            leaked["untyped_bytes"] = kv["untyped_bytes"] - base_kernel["untyped_bytes"]
            leaked["asids"] = kv["asids"] - base_kernel["asids"]
    return {
        "target": target, "ok": ok, "status": res["status"], "fired": len(fired),
        "fired_kinds": [k for k, _ in fired], "not_fired": not_fired, "recovered": recovered,
        "missing_restarts": missing_restarts, "samples": samples, "events": events,
        "restarts": restarts, "leaked": leaked,
        "requests": r.get("requests", 0) if r else 0,
        "lost": r.get("lost", 0) if r else 0, "garbled": r.get("garbled", 0) if r else 0,
        "repeats": r.get("repeats", 0) if r else 0, "duplicated": r.get("duplicated", 0) if r else 0,
        "hostile": r.get("hostile", 0) if r else 0, "rejected": r.get("rejected", 0) if r else 0,
        "error_answers": errors,
        "untyped_not_empty": r.get("untyped_not_empty", 0) if r else 0,
        "chunks_not_empty": r.get("chunks_not_empty", 0) if r else 0,
        "fails": con["fails"][:4], "host_s": res["host_s"], "cpu_s": res["cpu_s"], "specs": res["specs"],
        "stderr_tail": res["stderr"].splitlines()[-3:] if not ok else [],
    }


def progress(done, planned, unrec, t0, final=False):
    el = int(time.monotonic() - t0)
    line = "campaign: faults %d/%d injected, %d not recovered, %d:%02d elapsed" % (
        done, planned, unrec, el // 60, el % 60)
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K" + line + ("\n" if final else ""))
    elif final or done // 100 != progress.last // 100:
        sys.stderr.write(line + "\n")   # not a terminal: a line every 100 faults
    progress.last = done
    sys.stderr.flush()


progress.last = 0


def draw(svg, outcomes, workdir):
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        print("campaign: gnuplot not found (Debian gnuplot-nox, tools/install-deps.sh): no %s" % svg)
        return False
    cmds = ["set terminal svg size 1200,%d dynamic font 'sans,10'" % (300 * len(TARGETS)),
            "set output '%s'" % svg, "set multiplot layout %d,2" % len(TARGETS)]
    for t in TARGETS:
        hist = os.path.join(workdir, "hist-%s.dat" % t)
        line = os.path.join(workdir, "time-%s.dat" % t)
        vals = [v for o in outcomes for v in o["samples"][t]]
        with open(hist, "w", encoding="utf-8") as f:
            for v in vals:
                f.write("%d\n" % v)
            if not vals:
                f.write("0\n")
        with open(line, "w", encoding="utf-8") as f:
            n = 0
            for run, o in enumerate(outcomes):
                for a, b in o["events"][t]:
                    f.write("%d %d %d\n" % (max(a, 0), b, run))
                    n += 1
            if n == 0:
                f.write("0 0 0\n")
        width = max(max(vals) if vals else 1, 1) / 40.0
        cmds += [
            "set title '%s: recovery (virtual instructions), %d restarts'" % (t, len(vals)),
            "unset key", "set style fill solid 0.6", "set xlabel 'recovery instructions'",
            "set ylabel 'restarts'", "bw=%f" % width, "bin(x)=bw*floor(x/bw)+bw/2",
            "plot '%s' using (bin($1)):(1.0) smooth freq with boxes lc rgb '#3060c0'" % hist,
            "set title '%s: outages per run (last good answer -> new incarnation answers)'" % t,
            "set xlabel 'virtual instructions since the workload started'", "set ylabel 'run'",
            "plot '%s' using 1:3:($2-$1):(0) with vectors nohead lw 2 lc rgb '#c03030', "
            "'' using 2:3 with points pt 7 ps 0.4 lc rgb '#208020'" % line,
        ]
    cmds.append("unset multiplot")
    script = os.path.join(workdir, "campaign.gp")
    with open(script, "w", encoding="utf-8") as f:
        f.write("\n".join(cmds) + "\n")
    p = subprocess.run([gnuplot, script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       check=False)
    if p.returncode != 0:
        print("campaign: gnuplot failed: %s" % p.stderr.strip()[:500])
        return False
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build")
    ap.add_argument("--faults", type=int, default=int(os.environ.get("CAMPAIGN_FAULTS", "1000")))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("CAMPAIGN_SEED", "1")))
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("CAMPAIGN_JOBS", os.cpu_count() or 2)))
    ap.add_argument("--json", default=None)
    ap.add_argument("--svg", default=None)
    ap.add_argument("--skip", default=os.environ.get("CAMPAIGN_SKIP", ""),
                    help="TARGET:KIND,... pairs not injected (make test: the known-unrecovered ones)")
    a = ap.parse_args()
    targets = tuple(os.environ.get("CAMPAIGN_TARGETS", ",".join(TARGETS)).split(","))
    kinds = tuple(os.environ.get("CAMPAIGN_KINDS", ",".join(KINDS)).split(","))
    if not set(targets) <= set(TARGETS) or not set(kinds) <= set(KINDS) or not targets or not kinds:
        print("campaign: CAMPAIGN_TARGETS is a list of %s, CAMPAIGN_KINDS of %s" % (TARGETS, KINDS))
        return 2
    skip = frozenset(tuple(x.split(":", 1)) for x in a.skip.split(",") if x)
    if any(len(x) != 2 or x[0] not in TARGETS or x[1] not in KINDS for x in skip):
        print("campaign: --skip is a list of TARGET:KIND (targets %s, kinds %s)" % (TARGETS, KINDS))
        return 2
    if all((t, k) in skip for t in targets for k in kinds):
        print("campaign: --skip leaves nothing to inject")
        return 2
    build = a.build
    sim = os.path.join(build, "sim", "sel4-sim")
    image = os.path.join(build, "images", "campaign-system")
    out_json = a.json or os.path.join(build, "campaign.json")
    out_svg = a.svg or os.path.join(build, "campaign.svg")
    for f in (sim, image):
        if not os.path.exists(f):
            print("campaign: %s missing (make build)" % f)
            return 2
    if a.faults < 1:
        print("campaign: --faults must be >= 1")
        return 2
    t0 = time.monotonic()
    workdir = tempfile.mkdtemp(prefix="campaign-")
    try:
        base = run_sim(sim, image, [], workdir, "baseline")
        bcon = parse_console(base["stdout"])
        if base["status"] != 0 or bcon["failures"] != 0 or not base["stats"] or not bcon["result"]:
            print("campaign: the fault-free run fails (status %d):" % base["status"])
            print("\n".join((base["stdout"] + base["stderr"]).splitlines()[-15:]))
            return 1
        window = workload_window(base["stdout"])
        budgets = {t: window for t in TARGETS}
        base_kernel = kernel_view(base["stats"])
        # Rounds until `faults` injections fired: one that never fires is reported by
        # sel4-sim and not counted, so more runs are planned for it.
        runs, outcomes = [], []
        fired_so_far = unrec = planned_so_far = 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(a.jobs, 1)) as pool:
            for rnd in range(8):
                want = a.faults - fired_so_far
                if want <= 0:
                    break
                # later rounds: scaled by the share of planned faults that fired so far
                ask = want if rnd == 0 else min(want * planned_so_far // max(fired_so_far, 1) + 1, 4 * want + 8)
                batch = plan(ask, a.seed * 1000003 + rnd, budgets, targets, kinds, skip)
                planned_so_far += sum(len(f) for _, f in batch)
                first = len(runs)
                runs += batch
                outcomes += [None] * len(batch)
                progress(fired_so_far, a.faults, unrec, t0)
                futs = {pool.submit(run_sim, sim, image, [sp for _, sp in faults], workdir, "run%d" % (first + j)):
                        first + j for j, (_, faults) in enumerate(batch)}
                for fut in concurrent.futures.as_completed(futs):
                    i = futs[fut]
                    target, faults = runs[i]
                    res = fut.result()
                    if res["status"] in (126, 127):   # not a run of the system: the campaign is broken
                        print("campaign: sel4-sim refused run %d (status %d): %s" % (i, res["status"],
                              " | ".join(res["stderr"].splitlines()[:3])))
                        pool.shutdown(wait=True, cancel_futures=True)
                        return 2
                    o = evaluate(target, faults, res, base_kernel)
                    outcomes[i] = o
                    fired_so_far += o["fired"]
                    unrec += o["fired"] - o["recovered"]
                    progress(fired_so_far, a.faults, unrec, t0)
        progress(fired_so_far, a.faults, unrec, t0, final=True)
        planned = sum(len(f) for _, f in runs)

        fired = sum(o["fired"] for o in outcomes)
        recovered = sum(o["recovered"] for o in outcomes)
        rec = [v for o in outcomes for t in TARGETS for v in o["samples"][t]]
        leaked = {k: sum(o["leaked"][k] for o in outcomes) for k in ("untyped_bytes", "pages", "slots", "asids")}
        per_service = {}
        for t in TARGETS:
            os_ = [o for o in outcomes if o["target"] == t]
            vals = [v for o in outcomes for v in o["samples"][t]]
            per_service[t] = {
                "runs": len(os_), "faults_planned": sum(len(f) for tt, f in runs if tt == t),
                "faults_injected": sum(o["fired"] for o in os_),
                "faults_recovered": sum(o["recovered"] for o in os_),
                "restarts_seen": len(vals),
                "recovery_insns": {"min": min(vals) if vals else 0,
                                   "median": int(statistics.median(vals)) if vals else 0,
                                   "p99": percentile(vals, 99), "max": max(vals) if vals else 0},
            }
        kinds = {k: sum(o["fired_kinds"].count(k) for o in outcomes) for k in KINDS}
        failed = [o for o in outcomes if not o["ok"] or o["missing_restarts"]]
        report = {
            "seed": a.seed, "targets": list(targets), "kinds": list(kinds), "skipped": sorted("%s:%s" % x for x in skip), "faults_planned": planned, "runs": len(runs),
            "faults_injected": fired, "faults_recovered": recovered,
            "faults_not_recovered": fired - recovered,
            "injections_not_fired": sum(len(o["not_fired"]) for o in outcomes),
            "faults_by_kind": kinds,
            "recovery_insns": {"min": min(rec) if rec else 0,
                               "median": int(statistics.median(rec)) if rec else 0,
                               "p99": percentile(rec, 99), "max": max(rec) if rec else 0},
            "leaked": leaked,
            "runs_with_a_leak": sum(1 for o in outcomes if any(v != 0 for v in o["leaked"].values())),
            "leaking_runs": [{"run": i, "target": o["target"], "leaked": o["leaked"], "specs": o["specs"]}
                             for i, o in enumerate(outcomes) if any(v != 0 for v in o["leaked"].values())][:20],
            "untyped_not_empty": sum(o["untyped_not_empty"] for o in outcomes),
            "chunks_not_empty": sum(o["chunks_not_empty"] for o in outcomes),
            "requests": sum(o["requests"] for o in outcomes),
            "requests_lost": sum(o["lost"] for o in outcomes),
            "requests_duplicated": sum(o["duplicated"] for o in outcomes),
            "hostile_requests": sum(o["hostile"] for o in outcomes),
            "hostile_refused": sum(o["rejected"] for o in outcomes),
            "per_service": per_service,
            "baseline": {"trigger_window_time": list(window), "kernel": base_kernel},
            "slowest_recoveries": [{"insns": v, "service": t, "run": i, "specs": o["specs"]}
                                   for v, t, i, o in sorted(((v, t, i, o) for i, o in enumerate(outcomes)
                                                             for t in TARGETS for v in o["samples"][t]),
                                                            key=lambda x: -x[0])[:5]],
            "garbled_answers": sum(o["garbled"] for o in outcomes),
            "error_answers": sum(o["error_answers"] for o in outcomes),
            "most_error_answers_in_a_run": max(o["error_answers"] for o in outcomes),
            "runs_with_error_answers": [{"run": i, "target": o["target"], "error_answers": o["error_answers"],
                                         "fired_kinds": o["fired_kinds"], "specs": o["specs"]}
                                        for i, o in enumerate(outcomes) if o["error_answers"]][:20],
            "answered_again_not_applied": sum(o["repeats"] for o in outcomes),
            "host_seconds": round(time.monotonic() - t0, 1),
            # sel4-sim's CPU time (user + system) over every run and the fault-free one:
            # on a shared machine the wall time says little, this does
            "sim_cpu_seconds": round(base["cpu_s"] + sum(o["cpu_s"] for o in outcomes), 1),
            "slowest_run_cpu_seconds": round(max(o["cpu_s"] for o in outcomes), 1),
            "jobs": a.jobs,
            "failed_runs": [{"run": outcomes.index(o), "target": o["target"], "status": o["status"],
                             "fired": o["fired"], "specs": o["specs"], "fails": o["fails"],
                             "missing_restarts": o["missing_restarts"], "stderr_tail": o["stderr_tail"]}
                            for o in failed],
        }
        os.makedirs(os.path.dirname(os.path.abspath(out_json)), exist_ok=True)
        with open(out_json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2)
            f.write("\n")
        drawn = draw(out_svg, outcomes, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    r = report
    print("campaign: targets %s, kinds %s" % (",".join(targets), ",".join(kinds)))
    print("campaign: seed %d, %d runs, %d faults planned, %d injected (fired), %d did not fire (not counted)"
          % (r["seed"], r["runs"], r["faults_planned"], r["faults_injected"], r["injections_not_fired"]))
    print("campaign: by kind: %s" % ", ".join("%s %d" % kv for kv in kinds.items()))
    print("campaign: recovered %d, not recovered %d" % (r["faults_recovered"], r["faults_not_recovered"]))
    ri = r["recovery_insns"]
    print("campaign: recovery instructions min %d median %d p99 %d max %d" % (ri["min"], ri["median"], ri["p99"], ri["max"]))
    for t, s in per_service.items():
        q = s["recovery_insns"]
        print("campaign:   %-7s %4d injected, %4d recovered, %4d restarts seen, recovery min %d median %d p99 %d max %d"
              % (t, s["faults_injected"], s["faults_recovered"], s["restarts_seen"], q["min"], q["median"], q["p99"], q["max"]))
    print("campaign: leaked (after - before): untyped bytes %d, pages %d, slots %d, ASIDs %d (%d runs with a difference)"
          % (leaked["untyped_bytes"], leaked["pages"], leaked["slots"], leaked["asids"], r["runs_with_a_leak"]))
    print("campaign: requests %d, lost %d, duplicated %d; hostile requests %d, refused %d"
          % (r["requests"], r["requests_lost"], r["requests_duplicated"], r["hostile_requests"], r["hostile_refused"]))
    for fr in r["failed_runs"][:5]:
        print("campaign: FAILED run %d (%s, status %d): %s %s" % (fr["run"], fr["target"], fr["status"],
              " ".join(fr["specs"]), " | ".join(fr["fails"] + fr["stderr_tail"])))
    print("campaign: sel4-sim CPU %.0f s (user + system; slowest run %.1f s), %.0f s wall with %d jobs"
          % (r["sim_cpu_seconds"], r["slowest_run_cpu_seconds"], r["host_seconds"], a.jobs))
    print("campaign: %s%s, %.0f s" % (out_json, (", " + out_svg) if drawn else "", r["host_seconds"]))
    good = (r["faults_not_recovered"] == 0 and r["requests_lost"] == 0 and r["requests_duplicated"] == 0
            and all(v == 0 for v in leaked.values()) and r["runs_with_a_leak"] == 0 and r["untyped_not_empty"] == 0
            and r["chunks_not_empty"] == 0 and r["hostile_refused"] == r["hostile_requests"]
            and r["faults_injected"] >= a.faults and drawn)
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
