#!/usr/bin/env bash
# tools/fuzz.sh DIR RUNS: runs every libFuzzer binary in DIR for RUNS inputs each
# (-runs=RUNS; RUNS=-1 runs until stopped).  Crash reproducers go to DIR/artifacts/.
# Fails if any fuzzer finds a crash (or cannot run); prints which ran.
set -u
dir=${1:?usage: fuzz.sh DIR RUNS}
runs=${2:?usage: fuzz.sh DIR RUNS}
shopt -s nullglob
fuzzers=()
for f in "$dir"/*; do
    [ -f "$f" ] && [ -x "$f" ] && fuzzers+=("$f")
done
if [ ${#fuzzers[@]} -eq 0 ]; then
    echo "fuzz: no fuzzers in $dir"
    exit 0
fi
mkdir -p "$dir/artifacts"
failed=0
for f in "${fuzzers[@]}"; do
    name=$(basename "$f")
    log=$dir/artifacts/$name.log
    if "$f" -runs="$runs" -artifact_prefix="$dir/artifacts/$name-" >"$log" 2>&1; then
        echo "fuzz: $name: $runs runs, no crash"
    else
        echo "fuzz: $name: CRASH (log: $log)"
        tail -20 "$log"
        failed=1
    fi
done
exit $failed
