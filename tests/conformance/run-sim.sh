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
trap 'rm -f "$out" "$out.f" "$out.e" "$out.g"' EXIT
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
# Differences the simulator is known to have (sim-known-differences.txt: "IMAGE CASE
# reason").  Only those case lines may differ, and the summary line and exit status with
# them; each one is printed, so it stays visible in every test run.
name=$(basename "$image")
known=$(awk -v n="$name" '$1 == n { print $2 }' "$here/sim-known-differences.txt" 2>/dev/null)
if [ -n "$known" ]; then
    drop() { awk -v cases=" $(echo $known) " '
        /^conf-[a-z0-9-]+: / { next }
        /^(not )?ok [0-9]+ / { n = ($1 == "ok") ? $2 : $3; if (index(cases, " " n " ")) next }
        { print }'; }
    drop <"$expected" >"$out.e"
    drop <"$out.f" >"$out.g"
    if cmp -s "$out.e" "$out.g" && { [ "$status" -eq "$want" ] || [ "$status" -eq 1 ]; }; then
        awk -v n="$name" '$1 == n { $1 = ""; sub(/^ /, ""); print "KNOWN SIM DIFFERENCE " n " case " $0 }' \
            "$here/sim-known-differences.txt"
        echo "PASS $name (apart from the known differences above)"
        exit 0
    fi
fi
if cmp -s "$out.f" "$expected"; then
    echo "FAIL $name: same output but sim exit status $status, expected $want"
    exit 1
fi
echo "FAIL $name: output differs from $expected (sim exit status $status)"
diff -u "$expected" "$out.f" | head -100
echo "--- last lines of the raw sim output:"
tail -20 "$out"
exit 1
