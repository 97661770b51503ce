#!/usr/bin/env bash
# tools/kernel-images.sh BUILD SEL4_PREFIX: prints the build directory whose images/ are
# numbered for the kernel installed at SEL4_PREFIX.
#
# KernelIOMMU only inserts invocation labels and an object type; KernelDebugBuild and
# KernelPrinting decide which debug syscalls exist (sel4-kconfig-check --abi names each
# that differs from sel4-sim's configuration: IOMMU OFF, debug build and printing ON).
# BUILD's images use sel4-sim's configuration (BUILD/sel4-numbering.txt records it).  When
# the kernel's is the same, BUILD is printed.  Otherwise the images are built again in
# BUILD/kernel-numbering with cmake -DSEL4_ABI_CONFIG=SEL4_PREFIX (the ABI layer then
# follows the kernel: abi/include/sel4/config.h) and that directory is printed.  For a
# kernel without the debug syscalls (the release configuration) only the images that need
# none are built there (target sel4-release-images: the default system).  Progress and
# errors go to stderr; exit 2 when the images cannot be built.
set -u
build=${1:?usage: kernel-images.sh BUILD SEL4_PREFIX}
prefix=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
check=$build/tools/kernel-config/sel4-kconfig-check
if [ -z "$prefix" ]; then
    echo "$build"   # no kernel: the caller reports that
    exit 0
fi
if [ ! -x "$check" ]; then
    echo "kernel-images: $check missing (ninja -C $build sel4-kconfig-check)" >&2
    exit 2
fi
want=$("$check" --abi "$prefix") || exit 2
have=$(cat "$build/sel4-numbering.txt" 2>/dev/null || true)
if [ "$want" = "$have" ]; then
    echo "$build"
    exit 0
fi
alt=$build/kernel-numbering
log=$alt.log
target=sel4-images
what="the images"
if grep -qx -e 'KernelDebugBuild=OFF' -e 'KernelPrinting=OFF' <<<"$want"; then
    target=sel4-release-images
    what="the images that need no debug syscalls (the default system)"
fi
echo "kernel-images: the kernel's configuration is not sel4-sim's (${want//$'\n'/ }):" \
     "building $what for it in $alt" >&2
if ! { cmake -G Ninja -S "$root" -B "$alt" -DSEL4_PREFIX="$prefix" -DSEL4_ABI_CONFIG="$prefix" &&
       ninja -C "$alt" -j "${JOBS:-2}" "$target"; } >"$log" 2>&1; then
    tail -20 "$log" >&2
    echo "kernel-images: building the images in $alt failed (log: $log)" >&2
    exit 2
fi
echo "$alt"
