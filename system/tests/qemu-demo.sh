#!/bin/bash
# The default system's scenario on the real kernel: the typed lines of SCENARIO go into
# QEMU's serial line one every 0.3 s (after the boot), then the final `ps` and Ctrl-D;
# the expectations of SCENARIO are checked on the output (tools/demo.py --expect).
# Usage: qemu-demo.sh SEL4_PREFIX IMAGE SCENARIO       (make qemu-demo SEL4_PREFIX=...)
set -u
prefix=${1:?usage: qemu-demo.sh SEL4_PREFIX IMAGE SCENARIO} image=${2:?} scenario=${3:?}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
mkfifo "$work/input"
(
    sleep 6 # the boot (QEMU's firmware reads the serial line while it boots)
    sed -n 's/^at [^ ]* type "\(.*\)"$/\1/p' "$scenario" | while IFS= read -r line; do
        printf '%s\n' "$line"
        sleep 0.3
    done
    sleep 1
    printf 'ps\n\004'
) >"$work/input" &
QEMU_INPUT=$work/input QEMU_INPUT_DELAY=0 QEMU_TIMEOUT=120 "$root/tools/qemu.sh" "$prefix" "$image" >"$work/out" 2>"$work/err"
rc=$?
cat "$work/out"
[ "$rc" -eq 0 ] || { echo "FAIL: QEMU run exit status $rc"; cat "$work/err"; }
python3 "$root/tools/demo.py" --expect "$scenario" "$work/out" || rc=1
exit "$rc"
