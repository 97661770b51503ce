#!/bin/bash
# `make run </dev/null`: the default system boots, the shell finds the input ended, stops
# every service and ends the run with status 0; two runs give the same bytes.
# Usage: run-null.sh SEL4_SIM IMAGE
sim=$1 image=$2
a=$("$sim" --timeout 120 "$image" </dev/null 2>&1); ra=$?
b=$("$sim" --timeout 120 "$image" </dev/null 2>&1); rb=$?
fail=0
[ "$ra" -eq 0 ] && [ "$rb" -eq 0 ] || { echo "FAIL: exit status $ra, $rb (want 0)"; fail=1; }
[ "$a" = "$b" ] || { echo "FAIL: the two runs differ"; diff <(echo "$a") <(echo "$b") | head; fail=1; }
grep -qx "shell: halt" <<<"$a" || { echo "FAIL: no 'shell: halt'"; fail=1; }
[ "$fail" -eq 0 ] || { echo "$a"; exit 1; }
echo "run </dev/null: $(wc -l <<<"$a") lines, identical in two runs, status 0"
