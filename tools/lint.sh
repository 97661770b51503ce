#!/usr/bin/env bash
# tools/lint.sh BUILD: clang-tidy (.clang-tidy at the repository root, with the compile
# commands of BUILD) and cppcheck over the project's own C files.  Fails on any finding.
# Files: every .c file of BUILD/compile_commands.json inside the repository but not in a
# build directory, each checked once (with its first compile command).
set -u
build=${1:?usage: lint.sh BUILD}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
db=$build/compile_commands.json
if [ ! -f "$db" ]; then
    echo "lint: $db missing (configure the build first)" >&2
    exit 2
fi
jobs=${LINT_JOBS:-2}

# One compile command per file, own sources only.
lintdir=$build/lint
mkdir -p "$lintdir"
python3 - "$db" "$root" "$lintdir/compile_commands.json" "$lintdir/files" <<'PY'
import json, os, sys
db, root, out_db, out_files = sys.argv[1:5]
seen, keep = set(), []
for e in json.load(open(db)):
    f = os.path.normpath(os.path.join(e["directory"], e["file"]))
    rel = os.path.relpath(f, root)
    if rel.startswith("..") or rel.split(os.sep)[0].startswith("build") or not f.endswith(".c"):
        continue
    if f in seen:
        continue
    seen.add(f)
    e["file"] = f
    keep.append(e)
json.dump(keep, open(out_db, "w"), indent=1)
open(out_files, "w").write("".join(e["file"] + "\n" for e in keep))
PY
nfiles=$(wc -l <"$lintdir/files")
echo "lint: clang-tidy on $nfiles files ($jobs in parallel)"
status=0
if ! xargs -P "$jobs" -n 4 clang-tidy -p "$lintdir" --quiet \
        --extra-arg=-Wno-unknown-warning-option --extra-arg=-Wno-ignored-optimization-argument \
        <"$lintdir/files" >"$lintdir/clang-tidy.log" 2>&1; then
    status=1
fi
# Findings are lines "file:line:col: error|warning: ... [check]".
if grep -E ': (error|warning): ' "$lintdir/clang-tidy.log" >/dev/null; then
    grep -E -A3 ': (error|warning): ' "$lintdir/clang-tidy.log" | head -200
    echo "lint: clang-tidy findings (full log: $lintdir/clang-tidy.log)"
    status=1
elif [ $status -ne 0 ]; then
    tail -30 "$lintdir/clang-tidy.log"
    echo "lint: clang-tidy failed"
fi

echo "lint: cppcheck"
includes=()
for d in "$root"/abi/include "$root"/*/include "$root"/tests/host; do
    [ -d "$d" ] && includes+=(-I "$d")
done
if ! cppcheck --enable=warning,performance,portability --error-exitcode=1 --inline-suppr \
        --quiet --std=c11 --platform=unix64 -j "$jobs" \
        --suppress=missingIncludeSystem --suppress=unmatchedSuppression \
        "${includes[@]}" --file-list="$lintdir/files" 2>"$lintdir/cppcheck.log"; then
    cat "$lintdir/cppcheck.log" | head -100
    echo "lint: cppcheck findings"
    status=1
fi
# Rust (rust/): cargo clippy -D warnings and cargo fmt --check, as the build's CTest
# tests labelled lint run them (same cargo configuration, offline).
echo "lint: rust (ctest -L lint)"
if ! (cd "$build" && ctest -L lint --output-on-failure >"$lintdir/rust.log" 2>&1); then
    tail -40 "$lintdir/rust.log"
    echo "lint: rust findings (full log: $lintdir/rust.log)"
    status=1
fi
[ $status -eq 0 ] && echo "lint: clean"
exit $status
