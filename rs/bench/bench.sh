#!/usr/bin/env bash
# Reincarnation-server benchmarks.  Prints one JSON object (flat, dotted keys rs.*) that
# tools/bench.sh merges into build/bench.json.
#
#   rs/bench/bench.sh BUILD
#
# Image bench-rs (tests/rs/bench.manifest, rs_add_system ... BENCH), in sel4-sim, where
# the TSC counts user instructions of all threads (the kernel's work takes none):
#   rs.spawn_baseline_insns   the guardian's own loader (spawn_program: kernel objects and
#                             eagerly filled frames, no memory server) starting `faulty`
#                             until its exit message arrives;
#   rs.recovery_insns_median  rstest: from the crash command to the new incarnation's
#   rs.recovery_insns_max     answer (fault report, FAULT_GET, policy, kill, address
#                             space, image, CSpace, TCB, the service's start), 51 rounds;
#   rs.recovery_ratio         median / baseline (target <= 1.5).
# Image bench-rs-hang (test-rs-hang, printing its figure): rs.hang_detect_ratio = the
#   virtual ms from HANG to the kill, over the worst case period + deadline (150 ms); the
#   RS's clock moves in 10 ms ticks.
# Images bench-rs-hb-on / -off (tests/rs/idle-hb-*.manifest): 2 s of a quiet system
#   (timer + 4 services), with and without heartbeats (100 ms / 50 ms); the extra user
#   instructions of the RS and the 4 services, over the run's virtual time (which
#   includes idle time): rs.heartbeat_overhead (target < 0.01).  The timer driver is left
#   out: its count is dominated by the controller's time requests, which differ between
#   the two runs; its own ping answers are a few dozen instructions each.
# With PREFIX (an installed seL4 kernel, `make bench-qemu`): bench-rs also runs on the real
#   kernel in QEMU with `-icount shift=0` (the TSC then counts executed instructions,
#   kernel included) and qemu.rs.spawn_baseline_tsc, qemu.rs.recovery_tsc_median and
#   qemu.rs.recovery_ratio are added.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
prefix=${2:-}
build=${1:?usage: rs/bench/bench.sh BUILD [PREFIX]}
build=$(cd "$build" && pwd)
work=$build/bench
mkdir -p "$work"
sim=$build/sim/sel4-sim
img=$build/images/bench-rs
status=0
if [ -x "$sim" ] && [ -f "$img" ]; then
    timeout 600 "$sim" --timeout 500 "$img" >"$work/sim-rs.out" 2>&1
    rc=$?
    if [ $rc -ne 0 ]; then
        echo "rs/bench/bench.sh: sel4-sim run of bench-rs failed (exit $rc, log $work/sim-rs.out)" >&2
        status=1
    fi
else
    echo "rs/bench/bench.sh: no $sim or $img" >&2
    : >"$work/sim-rs.out"
    status=1
fi
for img in bench-rs-hang bench-rs-hb-on bench-rs-hb-off; do
    if [ -x "$sim" ] && [ -f "$build/images/$img" ]; then
        timeout 600 "$sim" --timeout 500 --stats-json "$work/sim-$img.json" "$build/images/$img" \
            >"$work/sim-$img.out" 2>&1 || { echo "rs/bench/bench.sh: $img failed" >&2; status=1; }
    fi
done
if [ -n "$prefix" ]; then
    QEMU_EXTRA="-icount shift=0" QEMU_TIMEOUT=600 "$root/tools/qemu.sh" "$prefix" \
        "$build/images/bench-rs" >"$work/qemu-rs.out" 2>&1 ||
        { echo "rs/bench/bench.sh: QEMU run of bench-rs failed (log $work/qemu-rs.out)" >&2; status=1; }
fi
python3 - "$work/sim-rs.out" "$work" "$prefix" <<'PY' || status=1
import json, sys
r = {"rs.spawn_baseline_insns": None, "rs.recovery_insns_median": None, "rs.recovery_insns_max": None,
     "rs.recovery_ratio": None, "rs.heartbeat_overhead": None, "rs.hang_detect_ratio": None}
for line in open(sys.argv[1], errors="replace"):
    f = line.split()
    if len(f) == 3 and f[0] == "bench" and f[1] in r:
        r[f[1]] = int(f[2])
if r["rs.spawn_baseline_insns"] and r["rs.recovery_insns_median"] is not None:
    r["rs.recovery_ratio"] = round(r["rs.recovery_insns_median"] / r["rs.spawn_baseline_insns"], 4)
work = sys.argv[2]
try:
    for line in open(work + "/sim-bench-rs-hang.out", errors="replace"):
        f = line.split()
        if len(f) == 3 and f[:2] == ["bench", "rs.hang_detect_ms"]:
            r["rs.hang_detect_ms"] = int(f[2])
            r["rs.hang_detect_ratio"] = round(int(f[2]) / 150.0, 4)
except OSError:
    pass
def insns(name):
    d = json.load(open(work + "/sim-%s.json" % name))
    n = sum(t["insns"] for t in d["threads"] if t["name"] in ("rs", "s1", "s2", "s3", "s4"))
    return n, d["virtual_time_insns"]
try:
    on, t_on = insns("bench-rs-hb-on")
    off, _ = insns("bench-rs-hb-off")
    r["rs.heartbeat_insns"] = on - off
    r["rs.heartbeat_overhead"] = round((on - off) / t_on, 6)
except (OSError, ValueError, KeyError):
    pass
if sys.argv[3]:
    q = {}
    try:
        for line in open(work + "/qemu-rs.out", errors="replace"):
            f = line.split()
            if len(f) == 3 and f[0] == "bench" and f[2].isdigit():
                q[f[1]] = int(f[2])
    except OSError:
        pass
    base, med = q.get("rs.spawn_baseline_insns"), q.get("rs.recovery_insns_median")
    r["qemu.rs.spawn_baseline_tsc"] = base
    r["qemu.rs.recovery_tsc_median"] = med
    r["qemu.rs.recovery_ratio"] = round(med / base, 4) if base and med is not None else None
print(json.dumps(r))
PY
exit $status
