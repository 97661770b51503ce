#!/usr/bin/env bash
# tools/test-qemu.sh SEL4_PREFIX BUILD: every system-test image on the real seL4 kernel
# (QEMU, tools/qemu.sh) and in sel4-sim (BUILD/sim/sel4-sim), compared.
#
# Which images: every BUILD/images/test-* and every image listed in a BUILD/*.list file
# (one image per line: "NAME IMAGE [more fields]", e.g. conformance.list).
# An image passes when its QEMU run exits with status 0 and, if sel4-sim exists, the sim
# run has the same exit status and the same output byte for byte, except for figures that
# depend on timing: a TSC reading "t=N" and a count printed as "~N" (e.g. "~52 released
# calls") have N replaced by "#" in both before the comparison (mask_timing); everything
# else on those lines, and the order of the lines, is compared.  Output of both is
# filtered the same way (tools/qemu.sh --filter: program lines only).  Outputs are kept in
# BUILD/test-qemu/NAME.{qemu,sim}.out (unmasked) and NAME.{qemu,sim}.cmp (masked).  Prints
# PASS/FAIL per image and "N passed, N failed".
#
# Before any run: the kernel's configuration is checked (sel4-kconfig-check; one line per
# setting that cannot work, then nothing runs), the kernel is named, and the ABI
# comparison with the kernel's libsel4 (CTest abi_compare) must pass.  A kernel with
# KernelIOMMU ON numbers invocation labels differently from
# sel4-sim: QEMU then runs images built with the kernel's numbering
# (tools/kernel-images.sh: BUILD/kernel-numbering) and sel4-sim BUILD's images, and this
# is said before the runs.
#
# Then the default system's scenario for the real kernel (system/demo-qemu.scenario: the
# demo's commands, only expectations that do not depend on timing; tools/demo.py: the
# shell's crash / hang / restart commands are the fault injector) runs on QEMU and in
# sel4-sim; it passes when every expectation holds in both (on QEMU the lines are typed in
# real time and t= is the TSC, so the outputs are not compared byte for byte).  A QEMU run
# that fails is run again, up to 3 attempts, and each failed attempt is said.
#
# A release kernel (KernelDebugBuild and KernelPrinting OFF, README) has no debug
# syscalls: every system-test image needs them (each prints its results with
# seL4_DebugPutChar), so each is skipped by name with that reason, and only the default
# system's scenario runs, with images built for that kernel.
set -u
prefix=${1:-}
build=${2:?usage: test-qemu.sh SEL4_PREFIX BUILD}
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "$prefix" ]; then
    echo "skipped: SEL4_PREFIX not set"
    exit 0
fi

build=$(cd "$build" && pwd) || exit 1
check=$build/tools/kernel-config/sel4-kconfig-check
if [ ! -x "$check" ]; then
    echo "test-qemu: $check missing (ninja -C $build sel4-kconfig-check)"
    exit 1
fi
if ! "$check" "$prefix"; then
    echo "test-qemu: nothing was run: the kernel at $prefix cannot run this project's images"
    exit 1
fi
echo "test-qemu: kernel $prefix/bin/kernel.elf: $("$check" --summary "$prefix")"
if ! (cd "$build" && ctest -N -R '^abi_compare$' | grep -q 'Total Tests: 1'); then
    echo "test-qemu: $build has no abi_compare test: configure it with -DSEL4_PREFIX=$prefix"
    exit 1
fi
if ! (cd "$build" && ctest -R '^abi_compare$' --output-on-failure >"$build/abi_compare.log" 2>&1); then
    cat "$build/abi_compare.log"
    echo "FAIL abi_compare: the ABI layer differs from the kernel's libsel4; nothing was run"
    exit 1
fi
echo "PASS abi_compare"
qbuild=$("$here/kernel-images.sh" "$build" "$prefix") || exit 1
abi=$("$check" --abi "$prefix")
debug_syscalls=yes
grep -qx -e 'KernelDebugBuild=OFF' -e 'KernelPrinting=OFF' <<<"$abi" && debug_syscalls=no
if [ "$debug_syscalls" = no ]; then
    echo "note: the kernel has no debug syscalls (${abi//$'\n'/ }): QEMU runs the default system"
    echo "  built for it ($qbuild/images), sel4-sim the images of $build; the test images are skipped."
elif [ "$qbuild" != "$build" ]; then
    echo "note: the kernel numbers invocation labels differently from sel4-sim ($(echo $("$check" --abi "$prefix"))):"
    echo "  QEMU runs images built with the kernel's numbering ($qbuild/images), sel4-sim the"
    echo "  images of $build.  conf-random prints the invocation labels it draws, so its"
    echo "  output differs; a kernel with sel4-sim's numbering compares everything."
fi

images=()
shopt -s nullglob
for img in "$build"/images/test-*; do
    [ -f "$img" ] && images+=("$img")
done
for list in "$build"/*.list; do
    while read -r name img _; do
        case "$name" in ''|'#'*) continue ;; esac
        [ -n "${img:-}" ] && images+=("$img")
    done <"$list"
done
if [ ${#images[@]} -eq 0 ]; then
    echo "test-qemu: no system-test images in $build"
    exit 1
fi

# The figures that depend on timing (file comment): "t=N" and "~N" become "t=#" and "~#".
mask_timing() {
    sed -E 's/(t=|~)[0-9]+/\1#/g' "$1" >"$2"
}

sim=$build/sim/sel4-sim
if [ ! -x "$sim" ]; then
    echo "note: $sim does not exist: checking QEMU exit status only, no sim comparison"
    sim=
fi
out=$build/test-qemu
mkdir -p "$out"
passed=0 failed=0 skipped=0
for img in "${images[@]}"; do
    name=$(basename "$img")
    if [ "$debug_syscalls" = no ]; then
        echo "SKIP $name: needs the kernel's debug syscalls (it prints its results with seL4_DebugPutChar; KernelDebugBuild and KernelPrinting are OFF)"
        skipped=$((skipped + 1))
        continue
    fi
    qimg=$img
    [ "$qbuild" = "$build" ] || qimg=$qbuild/images/$name
    if [ ! -f "$img" ]; then
        echo "FAIL $name: image $img missing"
        failed=$((failed + 1))
        continue
    fi
    QEMU_TIMEOUT=${QEMU_TIMEOUT:-120} "$here/qemu.sh" "$prefix" "$qimg" >"$out/$name.qemu.out" 2>"$out/$name.qemu.err"
    q=$?
    why=""
    if [ "$q" -ne 0 ]; then
        why="QEMU status $q ($(grep -v '^qemu.sh: booting ' "$out/$name.qemu.err" 2>/dev/null | tail -1))"
    fi
    if [ -n "$sim" ]; then
        timeout 300 "$sim" --timeout 120 "$img" 2>"$out/$name.sim.err" | "$here/qemu.sh" --filter >"$out/$name.sim.out"
        s=${PIPESTATUS[0]}
        if [ "$s" -ne "$q" ]; then
            why="${why:+$why; }exit status: qemu $q, sim $s"
        fi
        mask_timing "$out/$name.qemu.out" "$out/$name.qemu.cmp"
        mask_timing "$out/$name.sim.out" "$out/$name.sim.cmp"
        if ! cmp -s "$out/$name.qemu.cmp" "$out/$name.sim.cmp"; then
            why="${why:+$why; }output differs"
        fi
    fi
    if [ -z "$why" ]; then
        echo "PASS $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name: $why"
        if [ -n "$sim" ] && ! cmp -s "$out/$name.qemu.cmp" "$out/$name.sim.cmp"; then
            diff -u --label qemu --label sim "$out/$name.qemu.cmp" "$out/$name.sim.cmp" | head -20
        fi
        failed=$((failed + 1))
    fi
done
# The default system's scenario (file comment).
scenario=$here/../system/demo-qemu.scenario
if [ ! -f "$build/images/system" ] || [ ! -f "$qbuild/images/system" ]; then
    echo "FAIL system-scenario: the image system is missing ($build/images, $qbuild/images)"
    failed=$((failed + 1))
else
    why=""
    if [ -n "$sim" ]; then
        python3 "$here/demo.py" "$sim" "$build/images/system" "$scenario" >"$out/system-scenario.sim.out" 2>&1 ||
            why="sel4-sim: $(grep -c '^FAIL' "$out/system-scenario.sim.out") expectation(s) failed"
    fi
    attempt=1
    until QEMU_TIMEOUT=${QEMU_TIMEOUT:-120} python3 "$here/demo.py" --qemu "$here/qemu.sh" "$prefix" \
            "$qbuild/images/system" "$scenario" >"$out/system-scenario.qemu.out" 2>&1; do
        if [ "$attempt" -ge 3 ]; then
            why="${why:+$why; }QEMU: $(grep '^FAIL' "$out/system-scenario.qemu.out" | head -3 | tr '\n' ' ')"
            break
        fi
        echo "note: system-scenario attempt $attempt failed on QEMU ($(grep '^FAIL' "$out/system-scenario.qemu.out" | head -1)); running it again (real time)"
        attempt=$((attempt + 1))
    done
    if [ -z "$why" ]; then
        echo "PASS system-scenario: QEMU $(grep -o '[0-9]* of [0-9]* expectations held' "$out/system-scenario.qemu.out")${sim:+, sel4-sim $(grep -o '[0-9]* of [0-9]* expectations held' "$out/system-scenario.sim.out")}"
        passed=$((passed + 1))
    else
        echo "FAIL system-scenario: $why (outputs: $out/system-scenario.{qemu,sim}.out)"
        failed=$((failed + 1))
    fi
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
