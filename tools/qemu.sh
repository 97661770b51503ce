#!/usr/bin/env bash
# Runs one seL4 system image on the real seL4 kernel in QEMU (TCG).
#
#   tools/qemu.sh SEL4_PREFIX IMAGE     run IMAGE as the root task; print what the program
#                                       printed; exit with the program's status
#   tools/qemu.sh --filter < LOG        just the output filter, for other scripts
#
# QEMU_EXTRA: more QEMU options, split at spaces (e.g. QEMU_EXTRA="-icount shift=0" for
# an instruction-counting TSC, as tools/bench.sh uses).
# QEMU_INPUT: a file typed into the serial line (COM1) QEMU_INPUT_DELAY seconds (default
# 5) after QEMU starts (SeaBIOS reads the serial line while booting); default no input.
# QEMU_INPUT_AFTER=TEXT: instead of that delay, wait until the guest has printed TEXT
# (e.g. the shell's first line; at most QEMU_TIMEOUT seconds).
# QEMU_INPUT_TIMED=1: QEMU_INPUT is lines "SECONDS TEXT": each TEXT and a line break is
# typed SECONDS (a decimal number) after the one before; a TEXT of Ctrl-D alone is typed
# without the line break; a line "wait TEXT" types nothing more until the guest has
# printed TEXT (at most QEMU_TIMEOUT seconds) (tools/demo.py --qemu writes such files).
# QEMU tells the guest nothing at its end: end it with Ctrl-D (0x04), which the default
# system's shell takes as the end of input; avoid Ctrl-A (0x01), QEMU's monitor escape.
#
# Output: only the program's lines.  Dropped: the kernel's boot log (everything up to and
# including "Booting all finished, dropped to user space"; for a kernel without printing,
# the firmware's messages up to and including "Booting from ROM..", on whose line the
# program's first line begins), the kernel's debug messages
# (lines starting with "<<seL4("), its reports of faults without a handler (from
# "Caught ..." through "With stack:" and the stack lines after it), its seL4_DebugSnapshot
# dump ("Debug snapshot syscall ..." through the end of "irq maps {...}") and
# seL4_DebugDumpScheduler table ("Dumping all tcbs!", header, one tab-separated row per
# thread), and carriage returns.
# The raw serial log is kept in BUILD/qemu/NAME.log (BUILD = the image's ../..).
#
# Before QEMU starts: the kernel's configuration is checked (sel4-kconfig-check, built in
# BUILD/tools/kernel-config; SEL4_KCONFIG_CHECK overrides its path), and the image must
# be numbered as the kernel numbers invocation labels (BUILD/sel4-numbering.txt, see
# tools/kernel-images.sh).  The kernel is booted from a 32-bit copy in BUILD/qemu named
# by the hashes of its path and of its contents, so another SEL4_PREFIX or a rebuilt
# kernel always gets its own copy.  Which kernel boots (path, hash, key settings) is
# printed on stderr.
#
# A kernel built without KernelPrinting (the release configuration) prints nothing, not
# even its boot log: then every line is the program's, and that the kernel reached user
# space is known only from the exit device.
#
# Exit status: the status the program passed to runtime_exit (the runtime writes it to
# the isa-debug-exit port 0xF4 and QEMU exits with (v << 1) | 1, mapped back here);
# 124 if the run did not end within QEMU_TIMEOUT seconds (default 60); 125 if QEMU did not
# boot the kernel or ended in another way; 2 for usage errors (e.g. SEL4_PREFIX not set)
# and for a kernel or image that cannot work (nothing is run then).
set -u

filter() {
    # ANSI colour codes go first: the kernel's messages start with ESC[0m ESC[1m "<<".
    # A log without the kernel's boot line (sel4-sim prints no boot log) is kept whole.
    tr -d '\r' | sed -u 's/\x1b\[[0-9;]*m//g' | awk '
        function keep(line) {
            if (state == "report") { if (line == "With stack:") state = "stack"; return }
            if (state == "stack") { if (line ~ /^0x[0-9a-fA-F]+: /) return; state = "" }
            if (state == "snapshot") { if (line == "irq maps {") state = "irqs"; return }
            if (state == "irqs") { if (line == "}") state = ""; return }
            if (state == "tcbs") { if (line ~ /^(Name|---)/ || split(line, f, "\t") == 5) return; state = "" }
            if (line ~ /^<<seL4\(/) return
            if (line ~ /^Caught /) { state = "report"; return }
            if (line ~ /^Debug snapshot syscall from /) { state = "snapshot"; return }
            if (line == "Dumping all tcbs!") { state = "tcbs"; return }
            print line; fflush()
        }
        !booted {
            if ($0 ~ /Booting all finished, dropped to user space/) { booted = 1; n = 0; next }
            # The firmware'"'"'s last words, which the first line of a kernel without printing
            # follows on the same line: everything before them goes.
            i = index($0, "Booting from ROM..")
            if (i > 0) { n = 0; rest = substr($0, i + 18); if (rest != "") held[n++] = rest; next }
            held[n++] = $0; next
        }
        { keep($0) }
        END { if (!booted) for (i = 0; i < n; i++) keep(held[i]) }'
}

if [ "${1:-}" = "--filter" ]; then
    filter
    exit 0
fi

prefix=${1:-}
image=${2:-}
if [ -z "$prefix" ]; then
    echo "qemu.sh: SEL4_PREFIX is not set: give the installed seL4 kernel, e.g." >&2
    echo "  make qemu SEL4_PREFIX=/path/to/sel4-install" >&2
    exit 2
fi
kernel=$prefix/bin/kernel.elf
if [ ! -f "$kernel" ]; then
    echo "qemu.sh: no kernel at $kernel" >&2
    exit 2
fi
if [ -z "$image" ] || [ ! -f "$image" ]; then
    echo "qemu.sh: no image '$image' (usage: qemu.sh SEL4_PREFIX IMAGE)" >&2
    exit 2
fi

build=$(cd "$(dirname "$image")/.." && pwd)
kernel=$(cd "$(dirname "$kernel")" && pwd)/kernel.elf

# The kernel's configuration, then the image's numbering against the kernel's.
check=${SEL4_KCONFIG_CHECK:-$build/tools/kernel-config/sel4-kconfig-check}
if [ ! -x "$check" ]; then
    echo "qemu.sh: $check missing: it checks the kernel's configuration before every run" \
         "(ninja -C $build sel4-kconfig-check)" >&2
    exit 2
fi
if ! "$check" "$prefix"; then
    echo "qemu.sh: not booting $kernel: its configuration cannot run $(basename "$image")" >&2
    exit 2
fi
want=$("$check" --abi "$prefix") || exit 2
have=$(cat "$build/sel4-numbering.txt" 2>/dev/null || true)
if [ "$want" != "$have" ]; then
    # shellcheck disable=SC2086  # word splitting joins the lines
    echo "qemu.sh: $image is numbered for $(echo ${have:-sel4-sim: KernelIOMMU=OFF})" \
         "but the kernel has $(echo ${want:-KernelIOMMU=OFF}): build the images" \
         "with cmake -DSEL4_ABI_CONFIG=$prefix (make qemu and make test-qemu do: tools/kernel-images.sh)" >&2
    exit 2
fi

work=$build/qemu
mkdir -p "$work"
# Multiboot loads only 32-bit ELF files: a 32-bit copy of the kernel next to the logs,
# named by the kernel's path and contents.  Older copies of the same path are removed.
path_key=$(printf '%s' "$kernel" | sha256sum | cut -c1-12)
content_key=$(sha256sum <"$kernel" | cut -c1-16) || exit 2
kernel32=$work/kernel32-$path_key-$content_key.elf
if [ ! -f "$kernel32" ]; then
    rm -f "$work/kernel32.elf"   # the single copy of earlier versions of this script
    for old in "$work"/kernel32-"$path_key"-*.elf; do
        [ -f "$old" ] && rm -f "$old"
    done
    objcopy -O elf32-i386 "$kernel" "$kernel32.tmp.$$" && mv "$kernel32.tmp.$$" "$kernel32" || exit 2
fi
echo "qemu.sh: booting $kernel (sha256 $content_key; $("$check" --summary "$prefix"))" >&2

name=$(basename "$image")
log=$work/$name.log
rm -f "$log"   # QEMU_INPUT_AFTER must not find the last run's lines
read -r -a extra <<<"${QEMU_EXTRA:-}"
# The serial line's input: none, or QEMU_INPUT after QEMU_INPUT_DELAY seconds (the
# firmware's serial console would otherwise read it while booting).
serial_input() {
    [ -n "${QEMU_INPUT:-}" ] || return 0
    if [ -n "${QEMU_INPUT_AFTER:-}" ]; then
        local polls=0
        until grep -qF -- "$QEMU_INPUT_AFTER" "$log" 2>/dev/null; do
            polls=$((polls + 1))
            [ "$polls" -le $((${QEMU_TIMEOUT:-60} * 50)) ] || return 0
            sleep 0.02
        done
    else
        sleep "${QEMU_INPUT_DELAY:-5}"
    fi
    if [ -z "${QEMU_INPUT_TIMED:-}" ]; then
        cat "$QEMU_INPUT"
        return 0
    fi
    local delay text polls
    while read -r delay text; do
        if [ "$delay" = wait ]; then
            # "wait TEXT": type nothing more until the guest has printed TEXT
            polls=0
            until grep -qF -- "$text" "$log" 2>/dev/null; do
                polls=$((polls + 1))
                [ "$polls" -le $((${QEMU_TIMEOUT:-60} * 50)) ] || break
                sleep 0.02
            done
            continue
        fi
        sleep "$delay"
        if [ "$text" = $'\x04' ]; then printf '\004'; else printf '%s\n' "$text"; fi
    done <"$QEMU_INPUT"
}
serial_input | timeout "${QEMU_TIMEOUT:-60}" qemu-system-x86_64 -machine pc \
    -cpu Nehalem,-vme,+pdpe1gb,-xsave,-xsaveopt,-xsavec,-fsgsbase,-invpcid,enforce \
    -m 512M -nographic -serial mon:stdio -no-reboot \
    -kernel "$kernel32" -initrd "$image" \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 ${extra[@]+"${extra[@]}"} 2>&1 | tee "$log" | filter
rc=${PIPESTATUS[1]}

if [ "$rc" -eq 124 ]; then
    echo "qemu.sh: $name did not finish within ${QEMU_TIMEOUT:-60}s (log: $log)" >&2
    exit 124
fi
printing=yes
"$check" --abi "$prefix" | grep -qx 'KernelPrinting=OFF' && printing=no
if [ "$printing" = yes ] && ! grep -q "Booting all finished, dropped to user space" "$log"; then
    echo "qemu.sh: the kernel did not reach user space (QEMU exit $rc, log: $log)" >&2
    exit 125
fi
if [ $((rc % 2)) -eq 1 ]; then
    exit $(((rc - 1) / 2))   # isa-debug-exit: rc = (status << 1) | 1
fi
echo "qemu.sh: QEMU ended without the exit device (exit $rc, log: $log)" >&2
exit 125
