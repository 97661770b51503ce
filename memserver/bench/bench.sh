#!/usr/bin/env bash
# Memory-server benchmarks.  Prints one JSON object (flat, dotted keys) for
# build/bench.json; tools/bench.sh (`make bench`, `make bench-qemu`) writes it and prints
# the table.
#
#   memserver/bench/bench.sh BUILD [SEL4_PREFIX]
#
# Images (bench_root.c): bench-ms-PHASE-PAGES for PHASE = fault, map4k, map2m and
# PAGES = 16384 (64 MiB) or 0; bench-ms-fault2m-16384 (64 MiB touched page by page
# without MS_MAP_4K: fault2m.large_pages_used, the 2 MiB frames on demand).  Each starts the memory server, lets a client do the
# phase's work through it, then runs the kernel-only baseline of the same work in the
# same image (bench_baseline.c).
#
# sel4-sim (if BUILD has it): every image runs with --stats-json; the per-thread
# instruction and syscall counters of the 0-page image are subtracted from the
# 16384-page image's and divided by the pages (faults) or frames.  Every syscall is one
# kernel invocation (ReplyRecv included).  Threads: "memserver" (the server),
# "bl-fault-handler" and "bl-mapper" (the baselines).  Also from the sim: 2 MiB frames
# the kernel holds (frame_2m count, minus the baseline's), and the TSC the client and the
# baseline read around their work (in sel4-sim the TSC is virtual time = user
# instructions of all threads, the kernel's work takes none): sim.*_ratio_user_insns.
#
# QEMU (if SEL4_PREFIX is given): the 16384-page images on the real kernel with
# QEMU_EXTRA="-icount shift=0", so that rdtsc counts executed instructions (kernel
# included) deterministically; the TSC over the client's touch loop / populating MAP call
# and over the baseline's, as ratios: qemu.fault_ratio, qemu.map_ratio (4 KiB frames),
# qemu.map2m_ratio.
#
# Metadata: the growth of the server's metadata bytes (STATS: its counted heap blocks,
# the slot tables counted for the slots in use) for the 64 MiB map, per page.
#
# Logs and stats files: BUILD/bench/.  Exit status 1 if a run failed.
set -u
build=${1:?usage: bench.sh BUILD [SEL4_PREFIX]}
prefix=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "$build" && pwd)
work=$build/bench
mkdir -p "$work"
rm -f "$work"/*.out "$work"/*.json "$work"/*.rc
status=0
sim=$build/sim/sel4-sim
pages=16384

if [ -x "$sim" ]; then
    for phase in fault map4k map2m fault2m; do
        for n in 0 $pages; do
            img=$build/images/bench-ms-$phase-$n
            [ -f "$img" ] || continue # (fault2m: no 0-page image)
            timeout 300 "$sim" --timeout 240 --stats-json "$work/sim-$phase-$n.json" "$img" \
                >"$work/sim-$phase-$n.out" 2>&1
            rc=$?
            echo $rc >"$work/sim-$phase-$n.rc"
            if [ $rc -ne 0 ] || ! grep -q "^bench-memserver: done" "$work/sim-$phase-$n.out"; then
                echo "bench.sh: sel4-sim run of $(basename "$img") failed (exit $rc, log $work/sim-$phase-$n.out)" >&2
                status=1
            fi
        done
    done
else
    echo "bench.sh: no $sim: no simulator figures" >&2
    status=1
fi

if [ -n "$prefix" ]; then
    for phase in fault map4k map2m; do
        img=$build/images/bench-ms-$phase-$pages
        QEMU_EXTRA="-icount shift=0" QEMU_TIMEOUT=300 "$root/tools/qemu.sh" "$prefix" "$img" \
            >"$work/qemu-$phase.out" 2>&1
        rc=$?
        echo $rc >"$work/qemu-$phase.rc"
        if [ $rc -ne 0 ] || ! grep -q "^bench-memserver: done" "$work/qemu-$phase.out"; then
            echo "bench.sh: QEMU run of $(basename "$img") failed (exit $rc, log $work/qemu-$phase.out)" >&2
            status=1
        fi
    done
fi

python3 "$here/bench_results.py" "$work" "$pages" || status=1
exit $status
