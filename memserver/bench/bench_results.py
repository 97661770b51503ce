#!/usr/bin/env python3
"""Turns the logs and --stats-json files of memserver/bench/bench.sh into the JSON object
it prints (flat, dotted keys; null where a figure could not be measured).
    bench_results.py WORKDIR PAGES
WORKDIR holds sim-PHASE-{0,PAGES}.{out,json} and qemu-PHASE.out (see bench.sh)."""
import json
import math
import os
import sys

work, pages = sys.argv[1], int(sys.argv[2])
PHASES = ("fault", "map4k", "map2m")
FAN_OUT = 256          # the kernel's CONFIG_RETYPE_FAN_OUT_LIMIT
PT_PAGES = 512         # 4 KiB pages per page table
problems = []


def load_out(path):
    """The "bench KEY VALUE" lines of a run's output, or None if there is no log."""
    if not os.path.exists(path):
        return None
    vals = {}
    with open(path, errors="replace") as f:
        for line in f:
            w = line.split()
            if len(w) == 3 and w[0] == "bench":
                try:
                    vals[w[1]] = int(w[2])
                except ValueError:
                    pass
    return vals


def load_stats(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def thread(stats, name):
    """(insns, syscalls) of the thread called `name` (exactly one must exist)."""
    ts = [t for t in stats["threads"] if t["name"] == name]
    if len(ts) != 1:
        raise KeyError("%d threads named %s" % (len(ts), name))
    return ts[0]["insns"], ts[0]["syscalls"]


def delta(phase, name, per):
    """Per-unit (insns, syscalls) of thread `name`: PAGES image minus 0 image."""
    s0 = load_stats(os.path.join(work, "sim-%s-0.json" % phase))
    s1 = load_stats(os.path.join(work, "sim-%s-%d.json" % (phase, pages)))
    if s0 is None or s1 is None:
        return None, None
    try:
        i0, c0 = thread(s0, name)
        i1, c1 = thread(s1, name)
    except KeyError as e:
        problems.append("sim %s: %s" % (phase, e))
        return None, None
    return (i1 - i0) / per, (c1 - c0) / per


def rnd(x, n):
    return None if x is None else round(x, n)


def ratio(out, phase):
    if out is None:
        return None
    s, b = out.get("server.%s.tsc" % phase), out.get("baseline.%s.tsc" % phase)
    if not s or not b:
        return None
    return s / b


r = {}
large = pages * 4096 // (2 << 20)
sim_out = {p: load_out(os.path.join(work, "sim-%s-%d.out" % (p, pages))) for p in PHASES}
qemu_out = {p: load_out(os.path.join(work, "qemu-%s.out" % p)) for p in PHASES}

# Anonymous page faults on sequential touch.
ins, inv = delta("fault", "memserver", pages)
bins, binv = delta("fault", "bl-fault-handler", pages)
r["fault.invocations_per_fault"] = rnd(inv, 4)
r["fault.server_insns_per_fault"] = rnd(ins, 1)
r["fault.baseline_invocations_per_fault"] = rnd(binv, 4)
r["fault.baseline_insns_per_fault"] = rnd(bins, 1)
# map + ReplyRecv per fault, frames retyped FAN_OUT at a time (the batched minimum),
# retype + map of a page table per 2 MiB, of the PDPT and page directory once.
r["fault.kernel_min_invocations_per_fault"] = round(
    (2 * pages + math.ceil(pages / FAN_OUT) + 2 * math.ceil(pages / PT_PAGES) + 4) / pages, 4)

# 64 MiB populated with 4 KiB frames.
ins, inv = delta("map4k", "memserver", pages)
bins, binv = delta("map4k", "bl-mapper", pages)
r["map4k.invocations_per_page"] = rnd(inv, 4)
r["map4k.server_insns_per_page"] = rnd(ins, 1)
r["map4k.baseline_invocations_per_page"] = rnd(binv, 4)
r["map4k.baseline_insns_per_page"] = rnd(bins, 1)
# one map per frame, frames retyped FAN_OUT at a time, all page tables in one retype and
# one map each, PDPT + page directory (retype + map each).
r["map4k.kernel_min_invocations_per_page"] = round(
    (pages + math.ceil(pages / FAN_OUT) + 1 + math.ceil(pages / PT_PAGES) + 4) / pages, 4)

# 64 MiB populated: 2 MiB frames for every aligned 2 MiB.
ins, inv = delta("map2m", "memserver", large)
bins, binv = delta("map2m", "bl-mapper", large)
r["map2m.large_pages_possible"] = large
s0 = load_stats(os.path.join(work, "sim-map2m-0.json"))
s1 = load_stats(os.path.join(work, "sim-map2m-%d.json" % pages))
out = sim_out["map2m"] or qemu_out["map2m"]
used = None
if s0 and s1 and sim_out["map2m"]:
    # the kernel's count of 2 MiB frames, minus the baseline's
    used = s1["objects"]["frame_2m"] - s0["objects"]["frame_2m"] - sim_out["map2m"].get("baseline.map2m.large_frames", 0)
    own = sim_out["map2m"].get("server.map2m.large_frames")
    if own != used:
        problems.append("2 MiB frames: kernel count %s, server's own count %s" % (used, own))
elif out:
    used = out.get("server.map2m.large_frames")  # the server's own count (STATS)
r["map2m.large_pages_used"] = used
r["map2m.invocations_per_large_page"] = rnd(inv, 3)
r["map2m.server_insns_per_large_page"] = rnd(ins, 1)
r["map2m.baseline_invocations_per_large_page"] = rnd(binv, 3)
r["map2m.baseline_insns_per_large_page"] = rnd(bins, 1)
r["map2m.kernel_min_invocations_per_large_page"] = round((large + 1 + 4) / large, 3)

# 64 MiB touched page by page, 2 MiB frames on demand: the server's count, checked
# against the kernel's count of 2 MiB frames (sel4-sim).
out = load_out(os.path.join(work, "sim-fault2m-%d.out" % pages))
s1 = load_stats(os.path.join(work, "sim-fault2m-%d.json" % pages))
used = out.get("server.fault2m.large_frames") if out else None
if used is not None and s1 and s1["objects"]["frame_2m"] != used:
    problems.append("fault2m: kernel count of 2 MiB frames %s, server's %s" % (s1["objects"]["frame_2m"], used))
r["fault2m.large_pages_used"] = used
r["fault2m.large_pages_possible"] = large

# Metadata per mapped 4 KiB page.
out = sim_out["map4k"] or qemu_out["map4k"]
meta = out.get("server.map4k.metadata_bytes") if out else None
r["metadata.bytes_per_page"] = None if meta is None else round(meta / pages, 3)

# The server's own invocation counts (STATS) must agree with the simulator's.
for p, per in (("fault", pages), ("map4k", pages), ("map2m", large)):
    key = {"fault": "fault.invocations_per_fault", "map4k": "map4k.invocations_per_page",
           "map2m": "map2m.invocations_per_large_page"}[p]
    own = sim_out[p].get("server.%s.own_invocations" % p) if sim_out[p] else None
    if own is not None and r[key] is not None and abs(own / per - r[key]) > 0.002:
        problems.append("%s: server counts %.4f invocations per unit, the simulator %.4f" % (p, own / per, r[key]))

# Client-observed TSC ratios (server / baseline): sel4-sim = user instructions only.
r["sim.fault_ratio_user_insns"] = rnd(ratio(sim_out["fault"], "fault"), 3)
r["sim.map_ratio_user_insns"] = rnd(ratio(sim_out["map4k"], "map4k"), 3)
r["sim.map2m_ratio_user_insns"] = rnd(ratio(sim_out["map2m"], "map2m"), 3)

# QEMU with -icount: the real kernel's work included.
if any(qemu_out.values()):
    r["qemu.fault_ratio"] = rnd(ratio(qemu_out["fault"], "fault"), 3)
    r["qemu.map_ratio"] = rnd(ratio(qemu_out["map4k"], "map4k"), 3)
    r["qemu.map2m_ratio"] = rnd(ratio(qemu_out["map2m"], "map2m"), 3)
    for p, per, unit in (("fault", pages, "fault"), ("map4k", pages, "page"), ("map2m", large, "large_page")):
        o = qemu_out[p] or {}
        for who in ("server", "baseline"):
            v = o.get("%s.%s.tsc" % (who, p))
            r["qemu.%s.%s_tsc_per_%s" % (p, who, unit)] = None if v is None else round(v / per, 1)

for p in problems:
    print("bench_results: " + p, file=sys.stderr)
json.dump(r, sys.stdout, indent=2)
print()
sys.exit(1 if problems else 0)
