#!/usr/bin/env bash
# Benchmarks: `make bench` (sel4-sim) and `make bench-qemu SEL4_PREFIX=...` (also the
# real seL4 kernel in QEMU with -icount).  Not part of `make test`.
#
#   tools/bench.sh BUILD [SEL4_PREFIX]
#
# Writes BUILD/bench.json (flat object, dotted keys; null = not measured) and prints a
# table: each figure, its target, the kernel-forced minimum and the baseline measured in
# the same run (a program doing only the kernel's minimal sequence itself), pass/fail.
# How each figure is measured: memserver/bench/bench.sh and rs/bench/bench.sh.
# Exit status: 1 if a measurement failed or is missing, else 0 (missed targets show as
# FAIL in the table and in the last line).
set -u
build=${1:?usage: tools/bench.sh BUILD [SEL4_PREFIX]}
prefix=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$build/bench.json
status=0
# A real kernel is checked before anything runs: its configuration (one line per setting
# that cannot work) and its invocation-label numbering, which must be sel4-sim's because
# the benchmark runs the same images in both.
if [ -n "$prefix" ]; then
    check=$build/tools/kernel-config/sel4-kconfig-check
    if [ ! -x "$check" ]; then
        echo "bench: $check missing (ninja -C $build sel4-kconfig-check)" >&2
        exit 1
    fi
    "$check" "$prefix" || { echo "bench: nothing was run" >&2; exit 1; }
    numbering=$("$check" --abi "$prefix") || exit 1
    if [ -n "$numbering" ]; then
        for s in $numbering; do
            want=OFF
            [ "${s#*=}" = OFF ] && want=ON
            echo "bench: the kernel has $s; set -D${s%=*}=$want (bench-qemu runs the images built for sel4-sim's configuration: its invocation labels and debug syscalls; make qemu and make test-qemu build images for this kernel)" >&2
        done
        echo "bench: nothing was run" >&2
        exit 1
    fi
fi
"$root/memserver/bench/bench.sh" "$build" "$prefix" >"$out.tmp" || status=1
"$root/rs/bench/bench.sh" "$build" "$prefix" >"$out.rs.tmp" || status=1
"$root/rust/logd/bench/bench.sh" "$build" >"$out.logd.tmp" || status=1
"$root/tests/survive/bench.sh" "$build" >"$out.survive.tmp" || status=1
if ! python3 - "$out.tmp" "$out.rs.tmp" "$out.logd.tmp" "$out.survive.tmp" <<'PY' 2>/dev/null; then
import json, sys
r = json.load(open(sys.argv[1]))
for part in sys.argv[2:]:
    try:
        r.update(json.load(open(part)))
    except ValueError:
        pass
if r.get("kv.put_insns") and r.get("kv.put_insns_no_store"):
    r["kv.durability_ratio"] = round(r["kv.put_insns"] / r["kv.put_insns_no_store"], 4)
json.dump(r, open(sys.argv[1], "w"), indent=1, sort_keys=True)
PY
    echo "bench: no results (see the messages above)" >&2
    rm -f "$out.tmp" "$out.rs.tmp" "$out.logd.tmp" "$out.survive.tmp"
    exit 1
fi
rm -f "$out.rs.tmp" "$out.logd.tmp" "$out.survive.tmp"
mv "$out.tmp" "$out"

python3 - "$out" "$prefix" <<'PY' || status=1
import json, sys
r = json.load(open(sys.argv[1]))
qemu = bool(sys.argv[2])
# key, what, target (op, value), kernel minimum key, baseline key
rows = [
    ("fault.invocations_per_fault", "fault: kernel invocations by the server per fault",
     ("<=", 2.05), "fault.kernel_min_invocations_per_fault", "fault.baseline_invocations_per_fault"),
    ("fault.server_insns_per_fault", "fault: server user instructions per fault",
     ("<=", 400), None, "fault.baseline_insns_per_fault"),
    ("map4k.invocations_per_page", "map 64 MiB, 4 KiB frames: invocations per page",
     ("<=", 1.01), "map4k.kernel_min_invocations_per_page", "map4k.baseline_invocations_per_page"),
    ("map4k.server_insns_per_page", "map 64 MiB, 4 KiB frames: server instructions per page",
     None, None, "map4k.baseline_insns_per_page"),
    ("map2m.large_pages_used", "map 64 MiB: 2 MiB frames used (of aligned 2 MiB blocks)",
     ("==", r.get("map2m.large_pages_possible")), None, None),
    ("map2m.invocations_per_large_page", "map 64 MiB, 2 MiB frames: invocations per frame",
     None, "map2m.kernel_min_invocations_per_large_page", "map2m.baseline_invocations_per_large_page"),
    ("map2m.server_insns_per_large_page", "map 64 MiB, 2 MiB frames: server instructions per frame",
     ("<=", 1000), None, "map2m.baseline_insns_per_large_page"),
    ("fault2m.large_pages_used", "touch 64 MiB: 2 MiB frames on demand (of aligned blocks)",
     ("==", r.get("fault2m.large_pages_possible")), None, None),
    ("metadata.bytes_per_page", "server metadata bytes per mapped 4 KiB page",
     ("<=", 16), None, None),
    ("sim.fault_ratio_user_insns", "sim: fault round trip, user instructions / baseline's",
     None, None, None),
    ("sim.map_ratio_user_insns", "sim: 64 MiB 4 KiB map, user instructions / baseline's",
     None, None, None),
    ("rs.spawn_baseline_insns", "rs: root task's loader starts faulty (baseline), insns",
     None, None, None),
    ("rs.recovery_insns_median", "rs: crash -> restarted service answers, median insns",
     None, None, "rs.spawn_baseline_insns"),
    ("rs.recovery_insns_max", "rs: crash -> restarted service answers, max insns",
     None, None, "rs.spawn_baseline_insns"),
    ("rs.recovery_ratio", "rs: recovery median / spawn baseline",
     ("<=", 1.5), None, None),
    ("rs.heartbeat_overhead", "rs: share of time spent on heartbeats", ("<=", 0.01), None, None),
    ("rs.hang_detect_ratio", "rs: hang detection time / (period + deadline)", ("<=", 1.05), None, None),
    ("logd.insns_per_record", "logd: instructions per record (Rust)", None, None,
     "logd.c_baseline_insns_per_record"),
    ("logd.rust_c_ratio", "logd: Rust / C instructions per record", ("<=", 1.2), None, None),
    ("names.resolve_insns", "names: LOOKUP (asks the RS), insns", None, None, None),
    ("kv.put_insns", "kv: PUT with exactly-once record, insns", None, None, "kv.put_insns_no_store"),
    ("kv.put_insns_no_store", "kv: PUT with seq 0 (no exactly-once record), insns", None, None, None),
    ("kv.durability_ratio", "kv: PUT with record / without", ("<=", 1.5), None, None),
    ("kv.requests_lost", "kv: acknowledged requests lost in 1000 crashes", ("<=", 0), None, None),
    ("kv.requests_duplicated", "kv: acknowledged requests applied twice", ("<=", 0), None, None),
]
if qemu:
    rows += [
        ("qemu.fault.server_tsc_per_fault", "qemu: cycles (icount) fault -> resume",
         None, None, "qemu.fault.baseline_tsc_per_fault"),
        ("qemu.fault_ratio", "qemu: fault -> resume, ratio to the baseline",
         ("<=", 1.1), None, None),
        ("qemu.map4k.server_tsc_per_page", "qemu: cycles (icount) per page, 64 MiB 4 KiB map",
         None, None, "qemu.map4k.baseline_tsc_per_page"),
        ("qemu.map_ratio", "qemu: 64 MiB 4 KiB map, ratio to the baseline",
         ("<=", 1.1), None, None),
        ("qemu.map2m_ratio", "qemu: 64 MiB 2 MiB map, ratio to the baseline",
         ("<=", 1.5), None, None),
        ("qemu.rs.recovery_tsc_median", "qemu: crash -> restarted service answers, cycles (icount)",
         None, None, "qemu.rs.spawn_baseline_tsc"),
        ("qemu.rs.recovery_ratio", "qemu: recovery median / spawn baseline", ("<=", 1.5), None, None),
    ]

def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, float):
        return ("%.4f" % v).rstrip("0").rstrip(".") if abs(v) < 100 else "%.1f" % v
    return str(v)

print("%-58s %10s %10s %10s %10s  %s" % ("measurement", "value", "target", "kernel min", "baseline", "result"))
missing, failed = [], []
for key, what, target, kmin, base in rows:
    v = r.get(key)
    res = ""
    tgt = "-"
    if target is not None and target[1] is not None:
        op, t = target
        tgt = "%s %s" % (op, fmt(t))
        if v is None:
            res = "MISSING"
            missing.append(key)
        else:
            ok = v <= t if op == "<=" else v == t
            res = "pass" if ok else "FAIL"
            if not ok:
                failed.append(key)
    elif v is None:
        res = "missing"
    print("%-58s %10s %10s %10s %10s  %s" % (what, fmt(v), tgt, fmt(r.get(kmin)) if kmin else "-",
                                             fmt(r.get(base)) if base else "-", res))
if not qemu:
    print("(no QEMU figures: make bench-qemu SEL4_PREFIX=... adds them)")
print("results: %s; targets: %d missed%s%s" % (sys.argv[1], len(failed),
      (" (" + ", ".join(failed) + ")") if failed else "",
      ("; missing: " + ", ".join(missing)) if missing else ""))
sys.exit(1 if missing else 0)
PY
exit $status
