#!/bin/sh
# usage: run-sim.sh IMAGE EXPECTED SIM
# Runs one conformance image in sel4-sim and compares the harness lines of its output
# (see filter.sh) byte for byte with EXPECTED, recorded on the real seL4 kernel.
set -u
image=$1 expected=$2 sim=$3
here=$(dirname "$0")
if [ ! -f "$expected" ]; then
    echo "missing expected output $expected (record it on the real kernel: update-expected.sh)"
    exit 1
fi
out=$(mktemp) || exit 1
trap 'rm -f "$out" "$out.f"' EXIT
timeout 300 "$sim" --timeout 120 "$image" </dev/null >"$out" 2>&1
status=$?
sh "$here/filter.sh" <"$out" >"$out.f"
# The real kernel's run ended with status 0 if every case passed there, else 1.
want=0
grep -q '^not ok ' "$expected" && want=1
if cmp -s "$out.f" "$expected" && [ "$status" -eq "$want" ]; then
    echo "PASS $(basename "$image")"
    exit 0
fi
if cmp -s "$out.f" "$expected"; then
    echo "FAIL $(basename "$image"): same output but sim exit status $status, expected $want"
    exit 1
fi
echo "FAIL $(basename "$image"): output differs from $expected (sim exit status $status)"
diff -u "$expected" "$out.f" | head -100
echo "--- last lines of the raw sim output:"
tail -20 "$out"
exit 1
