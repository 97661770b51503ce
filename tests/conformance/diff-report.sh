#!/bin/sh
# usage: diff-report.sh BUILD [SIM]
# Runs every image of BUILD/conformance.list in sel4-sim and prints, as a Markdown list,
# each case whose sim output differs from the expected output recorded on the real kernel:
# "- conf-X case N: expected `...` / got `...`".  Used to write
# /work/notes/conformance-diffs.md for the simulator engineers.
set -u
build=$1
sim=${2:-$build/sim/sel4-sim}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
while read -r name image expected; do
    [ -n "$name" ] || continue
    timeout 300 "$sim" --timeout 120 "$image" </dev/null >"$tmp/$name.raw" 2>"$tmp/$name.err"
    status=$?
    sh "$here/filter.sh" <"$tmp/$name.raw" >"$tmp/$name.out"
    if cmp -s "$tmp/$name.out" "$expected"; then
        echo "- $name: PASS (identical, sim exit status $status)"
        continue
    fi
    echo "- $name: FAIL (sim exit status $status; $(grep -c '^ok ' "$tmp/$name.out") ok lines of $(grep -c '^ok ' "$expected") expected)"
    # Pair lines by position; report the first 40 differing ones.
    paste -d '\n' "$expected" "$tmp/$name.out" /dev/null 2>/dev/null | awk -v n="$name" '
        NR % 3 == 1 { e = $0 } NR % 3 == 2 { g = $0 }
        NR % 3 == 0 { i++; if (e != g && shown < 40) { printf "  - line %d: expected `%s`\n    got `%s`\n", i, e, g; shown++ } }'
    if [ ! -s "$tmp/$name.out" ]; then
        echo "  - no harness output; last sim lines:"
        tail -5 "$tmp/$name.raw" "$tmp/$name.err" | sed 's/^/    /'
    fi
done <"$build/conformance.list"
