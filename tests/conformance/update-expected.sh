#!/bin/sh
# usage: update-expected.sh SEL4_PREFIX IMAGE...
# Records expected/<image name>.txt by running each conformance image on the REAL seL4
# kernel in QEMU (tools/qemu.sh), never on the simulator, and keeping only the harness
# lines (filter.sh).  Prints each image's exit status and case counts.
set -u
prefix=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
qemu=$here/../../tools/qemu.sh
for image in "$@"; do
    name=$(basename "$image" .elf)
    out=$(mktemp) || exit 1
    QEMU_TIMEOUT=${QEMU_TIMEOUT:-300} "$qemu" "$prefix" "$image" >"$out"
    status=$?
    sh "$here/filter.sh" <"$out" >"$here/expected/$name.txt"
    rm -f "$out"
    echo "$name: exit status $status, $(grep -c '^ok ' "$here/expected/$name.txt") ok," \
         "$(grep -c '^not ok ' "$here/expected/$name.txt") not ok"
done
