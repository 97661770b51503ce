#!/usr/bin/env bash
# Memory-server benchmarks; prints a JSON object with the keys of the project's
# build/bench.json (tools/bench.sh can merge it in):
#   fault.invocations_per_fault, fault.server_insns_per_fault, map4k.invocations_per_page,
#   map4k.server_insns_per_page, map2m.large_pages_used, metadata.bytes_per_page
#
#   memserver/bench/bench.sh BUILD [SEL4_PREFIX]
#
# Kernel invocations, 2 MiB frames and metadata come from the system test test-memserver
# (the server counts every invocation it makes, including its ReplyRecv): run in
# sel4-sim if BUILD has it, else on the real kernel in QEMU (SEL4_PREFIX).
# Instructions: in sel4-sim, the server's own count (it reads the TSC, which the simulator
# defines as executed user instructions) from receiving a fault to replying, or from
# receiving the map request to replying.  Otherwise the server's core (the same object
# code, memserver_core) under valgrind with a null kernel, counted only inside
# ms_vm_fault / ms_map, without the receive loop and syscall stubs.
set -u
build=${1:?usage: bench.sh BUILD [SEL4_PREFIX]}
prefix=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
image=$build/images/bench-memserver
out=$(mktemp)
trap 'rm -f "$out" "$out.cg"' EXIT

insn_src=valgrind
if [ -x "$build/sim/sel4-sim" ]; then
    timeout 600 "$build/sim/sel4-sim" --timeout 500 "$image" >"$out" 2>&1
    insn_src=sim # the server reads the TSC, which in sel4-sim counts user instructions
elif [ -n "$prefix" ]; then
    QEMU_TIMEOUT=500 "$root/tools/qemu.sh" "$prefix" "$image" >"$out" 2>&1
else
    echo "bench.sh: neither sel4-sim nor SEL4_PREFIX: no system measurements" >&2
fi
sys() { awk -v k="$1" '$1 == "bench" && $2 == k { print $3 }' "$out" | tail -1; }

insns() { # mode function
    local b=$build/memserver/bench/memserver_bench_core
    command -v valgrind >/dev/null && [ -x "$b" ] || return
    valgrind --tool=callgrind --callgrind-out-file="$out.cg" --collect-atstart=no \
        --toggle-collect="$2" "$b" "$1" >/dev/null 2>&1 || return
    awk '/^summary:/ { printf "%.1f", $2 / 16384 }' "$out.cg"
}

val() { [ -n "$1" ] && echo "$1" || echo null; }
cat <<JSON
{
  "fault.invocations_per_fault": $(val "$(sys fault.invocations_per_fault)"),
  "fault.server_insns_per_fault": $(val "$([ $insn_src = sim ] && sys fault.server_tsc_per_fault || insns fault ms_vm_fault)"),
  "map4k.invocations_per_page": $(val "$(sys map4k.invocations_per_page)"),
  "map4k.server_insns_per_page": $(val "$([ $insn_src = sim ] && sys map4k.server_tsc_per_page || insns map4k ms_map)"),
  "map2m.large_pages_used": $(val "$(sys map2m.large_pages_used)"),
  "metadata.bytes_per_page": $(val "$(sys metadata.bytes_per_page)")
}
JSON
