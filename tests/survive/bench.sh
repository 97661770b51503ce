#!/usr/bin/env bash
# Figures of the survive work for `make bench`: prints one JSON object (flat, dotted keys).
#
#   tests/survive/bench.sh BUILD
#
# names.resolve_insns, kv.put_insns, kv.put_insns_no_store: bench-survive in sel4-sim
# (survbench.c: TSC = user instructions of every thread, per operation).
# kv.requests_lost, kv.requests_duplicated: test-survive-churn in sel4-sim (1000 crashes
# of kv under two clients; acknowledged requests lost / applied twice).
# Logs: BUILD/bench/survive-*.out.  Exit status 1 if a run failed.
set -u
build=$(cd "${1:?usage: bench.sh BUILD}" && pwd)
sim=$build/sim/sel4-sim
work=$build/bench
mkdir -p "$work"
status=0
timeout 300 "$sim" --timeout 240 "$build/images/bench-survive" >"$work/survive-bench.out" 2>&1 || status=1
timeout 900 "$sim" --timeout 880 "$build/images/test-survive-churn" >"$work/survive-churn.out" 2>&1 || status=1
python3 - "$work/survive-bench.out" "$work/survive-churn.out" <<'PY' || status=1
import json, re, sys
keys = ["names.resolve_insns", "kv.put_insns", "kv.put_insns_no_store", "kv.requests_lost", "kv.requests_duplicated"]
r = {k: None for k in keys}
for f in sys.argv[1:]:
    for line in open(f, errors="replace"):
        m = re.match(r"^([a-z_.]+) (\d+)$", line.strip())
        if m and m.group(1) in r:
            r[m.group(1)] = int(m.group(2))
print(json.dumps(r, indent=1))
sys.exit(0 if all(v is not None for v in r.values()) else 1)
PY
exit $status
