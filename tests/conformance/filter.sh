#!/bin/sh
# Reduces a console log (stdin) to the conformance harness's own lines: the case lines
# ("ok N ...", "not ok N ..."), "Bail out! ..." and the summary "conf-AREA: ...".
# Everything else -- the kernel's boot log, its "<<seL4(...)>>" debug messages and its
# multi-line reports of faults without a handler (which print kernel addresses) -- is
# dropped, so that the real kernel's and sel4-sim's outputs can be compared byte for byte.
tr -d '\r' | grep -aE '^(ok [0-9]+ |not ok [0-9]+ |Bail out! |conf-[a-z0-9-]+: )' || true
