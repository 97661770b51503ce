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
# Not measured yet: rs.heartbeat_overhead, rs.hang_detect_ratio (null).
set -u
build=${1:?usage: rs/bench/bench.sh BUILD}
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
python3 - "$work/sim-rs.out" <<'PY' || status=1
import json, sys
r = {"rs.spawn_baseline_insns": None, "rs.recovery_insns_median": None, "rs.recovery_insns_max": None,
     "rs.recovery_ratio": None, "rs.heartbeat_overhead": None, "rs.hang_detect_ratio": None}
for line in open(sys.argv[1], errors="replace"):
    f = line.split()
    if len(f) == 3 and f[0] == "bench" and f[1] in r:
        r[f[1]] = int(f[2])
if r["rs.spawn_baseline_insns"] and r["rs.recovery_insns_median"] is not None:
    r["rs.recovery_ratio"] = round(r["rs.recovery_insns_median"] / r["rs.spawn_baseline_insns"], 4)
print(json.dumps(r))
PY
exit $status
