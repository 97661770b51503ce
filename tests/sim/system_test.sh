#!/usr/bin/env bash
# sel4-sim as a user meets it: exit statuses, determinism, limits and fault injection,
# run on the HELLO root task (roottask/).  Usage: system_test.sh SIM IMAGE
set -u
sim=${1:?usage: system_test.sh SIM IMAGE}
image=${2:?usage: system_test.sh SIM IMAGE}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

check() { # check DESCRIPTION COMMAND...: the command must succeed
    local what=$1; shift
    if "$@"; then passed=$((passed + 1)); echo "ok: $what"
    else failed=$((failed + 1)); echo "FAIL: $what"; fi
}
status() { # status EXPECTED ARGS...: sel4-sim ARGS exits with EXPECTED
    local want=$1; shift
    "$sim" "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    [ "$got" -eq "$want" ] || { echo "  exit status $got, expected $want"; sed 's/^/  stderr: /' "$tmp/err" | head -5; return 1; }
}

# A clean run ends with the status the system wrote to the exit port, and prints what
# HELLO promises: boot summary, IPC round trip with a cap, the decoded fault.
check "HELLO exits 0" status 0 "$image"
check "boot summary printed" grep -q '^boot: .* untypeds' "$tmp/out"
check "IPC round trip with cap transfer" grep -q '^worker: received label 1, value 42, 1 cap(s)' "$tmp/out"
check "fault decoded" grep -q '^root: VM fault: addr=0xdead0000 .*write' "$tmp/out"

# Determinism: the same image and options give the same output and counts, byte for byte.
"$sim" --seed 7 --stats-json "$tmp/s1.json" "$image" >"$tmp/run1" 2>&1
"$sim" --seed 7 --stats-json "$tmp/s2.json" "$image" >"$tmp/run2" 2>&1
check "two runs print the same bytes" cmp -s "$tmp/run1" "$tmp/run2"
strip_host() { grep -v -E '"(host_seconds|insns_per_sec|cpu_insns_per_sec)"' "$1"; }
check "two runs count the same instructions and syscalls" \
    cmp -s <(strip_host "$tmp/s1.json") <(strip_host "$tmp/s2.json")
check "stats name both threads" grep -q '"hello-worker"' "$tmp/s1.json"

# Bad input for the host: clear message, distinct status, no crash.
check "missing image -> 126" status 126 "$tmp/does-not-exist"
printf 'not an ELF image' >"$tmp/junk"
check "non-ELF image -> 126" status 126 "$tmp/junk"
check "...with a reason" grep -q 'not an ELF' "$tmp/err"
head -c 100 "$image" >"$tmp/truncated"
check "truncated ELF -> 126" status 126 "$tmp/truncated"
check "unknown option -> 127" status 127 --no-such-option "$image"
check "bad --inject spec -> 127" status 127 --inject crash:nothing "$image"

# Limits are reported, not hung on.
check "--max-insns stops the run -> 125" status 125 --max-insns 1000 "$image"
check "...and says why" grep -q 'instruction limit' "$tmp/err"

# Fault injection: a crashed worker never answers, and the simulator names who is stuck.
check "crash injection ends in a reported deadlock -> 124" \
    status 124 --inject crash:hello-worker@insn=100 "$image"
check "...naming the blocked threads" grep -q '"rootserver" blocked' "$tmp/err"
check "hang injection runs until the limit -> 125" \
    status 125 --max-insns 5000000 --inject hang:hello-worker@insn=10 "$image"
check "corrupting the worker's rip makes it fault -> deadlock 124" \
    status 124 --inject corrupt:hello-worker@insn=50:rip=0x10 "$image"

# An injection that never fires is reported (and marked in the statistics), never silent.
check "injection into a thread that never exists: the run itself is unchanged -> 0" \
    status 0 --stats-json "$tmp/inj.json" --inject crash:no-such-thread@insn=1 "$image"
check "...and the simulator says it did not fire, and why" \
    grep -q 'inject: crash:no-such-thread@insn=1 did not fire: no thread of that name ever existed' "$tmp/err"
check "...and the statistics mark it not fired" \
    grep -q '"spec": "crash:no-such-thread@insn=1", "fired": false' "$tmp/inj.json"
check "a trigger the thread never reaches is reported too" \
    status 0 --inject crash:hello-worker@insn=999999999 "$image"
check "...as not reached" grep -q 'did not fire: the thread did not reach the trigger' "$tmp/err"
"$sim" --stats-json "$tmp/inj2.json" --inject crash:hello-worker@insn=100 "$image" >/dev/null 2>"$tmp/err2"
check "a fired injection is marked fired and not reported as missed" \
    sh -c 'grep -q "\"fired\": true" "$1" && ! grep -q "did not fire" "$2"' _ "$tmp/inj2.json" "$tmp/err2"

echo "sim system test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
