#!/usr/bin/env bash
# logd benchmark: instructions per record of logd's Rust code and of the C baseline.
# Prints one JSON object (flat, dotted keys), like memserver/bench/bench.sh, for
# tools/bench.sh to merge into BUILD/bench.json.
#
#   rust/logd/bench/bench.sh BUILD
#
# Images bench-logd-0 and bench-logd-10000 (bench_root.c): logd-bench-rs (logd's
# Logd::handle: decode, push into the ring, reply) and logd-bench-c (ring_c.c, the same
# in C) each handle N WRITE requests (8 texts of 0..82 bytes, 4 named clients, the ring
# full after 64).  Both run in sel4-sim with --stats-json; a thread's instructions in
# the 10000 image minus those in the 0 image, divided by 10000, is its cost per record
# (start-up cancels out).  Both print the same check value over their replies, which
# must agree (the same work was done).
#
# Keys: logd.insns_per_record, logd.c_baseline_insns_per_record, logd.rust_c_ratio
# (target <= 1.2).  Logs: BUILD/bench/logd-*.  Exit status 1 if a run failed.
set -u
build=$(cd "${1:?usage: bench.sh BUILD}" && pwd)
work=$build/bench
mkdir -p "$work"
sim=$build/sim/sel4-sim
n=10000
status=0
for k in 0 $n; do
    if ! timeout 300 "$sim" --timeout 240 --stats-json "$work/logd-$k.json" \
        "$build/images/bench-logd-$k" >"$work/logd-$k.out" 2>&1 ||
        ! grep -q '^bench-logd: done' "$work/logd-$k.out"; then
        echo "logd bench.sh: sel4-sim run of bench-logd-$k failed (log $work/logd-$k.out)" >&2
        status=1
    fi
done
python3 - "$work" "$n" <<'PY' || status=1
import json, re, sys
work, n = sys.argv[1], int(sys.argv[2])
def insns(k, name):
    try:
        s = json.load(open("%s/logd-%d.json" % (work, k)))
        return [t["insns"] for t in s["threads"] if t["name"] == name][0]
    except (OSError, ValueError, IndexError, KeyError):
        return None
def per_record(name):
    a, b = insns(0, name), insns(n, name)
    return None if a is None or b is None else round((b - a) / n, 1)
out = open("%s/logd-%d.out" % (work, n)).read()
checks = re.findall(r"^logd-bench-(?:rs|c): %d records.*check (0x[0-9a-f]+|0)$" % n, out, re.M)
same = len(checks) == 2 and int(checks[0], 16) == int(checks[1], 16)
rs, c = per_record("logd-bench-rs"), per_record("logd-bench-c")
if not same:
    print("logd bench.sh: the two programs did not do the same work: %s" % checks, file=sys.stderr)
    rs = c = None
r = {
    "logd.insns_per_record": rs,
    "logd.c_baseline_insns_per_record": c,
    "logd.rust_c_ratio": None if rs is None or not c else round(rs / c, 3),
}
print(json.dumps(r, indent=1))
sys.exit(0 if None not in r.values() else 1)
PY
exit $status
