#!/bin/bash
# The default system's shell driven through the simulated UART (system/tests/session.txt:
# help, ps, mistakes, backspaces, restart, mem, events, log, refused commands).  The console
# driver is crashed by sel4-sim in the middle of the line "psx<BS><BS><BS>ps" (after it
# has read the first <BS>): the console must come back (generation 2), the shell must
# keep the half-typed line and run it, and the end of the input must stop the system
# with status 0.  Run twice: the two outputs must be identical byte for byte.
# Usage: session.sh SEL4_SIM IMAGE SESSION_TXT
sim=$1 image=$2 input=$3
# sel4-sim crashes the console driver once it has read the first <BS> of "psx<BS><BS><BS>ps"
# from the UART (--inject crash:console@rx=N: at the driver's next wait after reading the
# N-th input byte), so the crash falls in the middle of that line whatever code runs before
# (checked below).  N is the 1-based position of that byte in the input.
off=$(grep -obaP 'psx\x08\x08\x08ps' "$input" | head -n1 | cut -d: -f1)
[ -n "$off" ] || { echo "FAIL: $input has no line 'psx<BS><BS><BS>ps'"; exit 1; }
CONSOLE_RX=$((off + 4))
out=$(mktemp -d) || exit 2
trap 'rm -rf "$out"' EXIT
fail=0
for run in 1 2; do
    "$sim" --timeout 120 --inject crash:console@rx=$CONSOLE_RX "$image" <"$input" >"$out/$run.out" 2>"$out/$run.err"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "FAIL: run $run: exit status $rc (want 0)"; cat "$out/$run.err"; fail=1
    fi
done
cmp -s "$out/1.out" "$out/2.out" || { echo "FAIL: two runs differ"; diff "$out/1.out" "$out/2.out" | head -20; fail=1; }
o=$out/1.out
expect() { # expect COUNT FIXED-STRING WHY
    local n
    n=$(grep -cF -- "$2" "$o")
    if [ "$n" -ne "$1" ]; then echo "FAIL: $3: '$2' appears $n times (want $1)"; fail=1; fi
}
expect 1 "line editing: backspace, Ctrl-U" "help prints the command list"
expect 1 "unknown command 'frobnicate' (type help for the list)" "an unknown command is named"
expect 1 "kill: no service 'nothere' (ps lists them)" "an unknown service is named"
expect 1 "stop: needs one service name (stop NAME)" "a missing argument is explained"
expect 1 "start: needs one service name (start NAME)" "extra arguments are refused"
expect 1 "crash: 'Demo' is not a service name" "a malformed name is refused"
expect 1 "stop: refused: without console nobody could type 'start'" "the console cannot be stopped"
expect 1 "hang: refused: without shell nobody could type 'start'" "the shell cannot be hung"
grep -qE '^shell> psx.*rs: console gen 1 crashed: user exception' "$o" ||
    { echo "FAIL: the console driver's crash did not fall in the middle of typing 'psx<BS><BS><BS>ps' (see CONSOLE_RX)"; fail=1; }
expect 1 "serial: gen 2: COM1 at 115200 8N1, IRQ 4" "the console driver comes back"
# The ps typed across the crash ran: its table shows console generation 2.
grep -qE '^console +running +2 +1 ' "$o" || { echo "FAIL: ps after the crash does not show console gen 2"; fail=1; }
expect 2 "NAME            STATE     GEN RESTARTS LAST END" "ps ran twice (the second after backspaces)"
expect 1 "restart demo: done" "restart"
grep -qE '^total +[0-9]+ +[0-9]+$' "$o" || { echo "FAIL: mem has no total line"; fail=1; }
grep -qE '^memory server: [0-9]+ pages free' "$o" || { echo "FAIL: mem has no free-pages line"; fail=1; }
grep -qE '^ +[0-9]+ rs: console gen 1 crashed' "$o" || { echo "FAIL: events does not show the console crash"; fail=1; }
# logd has the RS's events too (pulled at its heartbeats), with their level.
grep -qE '^ +[0-9]+ warn +rs +#[0-9]+ console gen 1 crashed' "$o" || { echo "FAIL: log (logd) does not show the console crash"; fail=1; }
expect 1 "log: takes at most one word (log, log NAME, log LEVEL)" "log with two words is refused"
expect 1 "shell: end of input: stopping the system" "the end of input stops the system"
expect 1 "shell: halt" "the shell halts"
[ "$(tail -n1 "$o")" = "shell: halt" ] || { echo "FAIL: the last line is not 'shell: halt'"; fail=1; }
if [ "$fail" -ne 0 ]; then echo "--- output:"; cat "$o"; exit 1; fi
echo "session: $(wc -l <"$o") lines, identical in two runs, every check passed"
