#!/bin/sh
# usage: update-expected.sh SEL4_PREFIX IMAGE...
# Records expected/<image name>.txt by running each conformance image on the REAL seL4
# kernel in QEMU (never on the simulator).  Prints each image's QEMU exit status.
set -eu
prefix=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
objcopy -O elf32-i386 "$prefix/bin/kernel.elf" "$tmp/kernel32.elf"
for image in "$@"; do
    name=$(basename "$image" .elf)
    set +e
    timeout 300 qemu-system-x86_64 -machine pc \
        -cpu Nehalem,-vme,+pdpe1gb,-xsave,-xsaveopt,-xsavec,-fsgsbase,-invpcid,enforce \
        -m 512M -nographic -serial mon:stdio -kernel "$tmp/kernel32.elf" -initrd "$image" \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null >"$tmp/$name.log" 2>&1
    status=$?
    set -e
    sh "$here/filter.sh" <"$tmp/$name.log" >"$here/expected/$name.txt"
    echo "$name: qemu exit $status, $(grep -c '^ok ' "$here/expected/$name.txt") ok," \
         "$(grep -c '^not ok ' "$here/expected/$name.txt" || true) not ok"
done
