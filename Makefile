# Entry points.  Everything is built by CMake + Ninja in $(BUILD); this file only
# sequences the steps.  SEL4_PREFIX=<installed seL4 kernel> enables the real-kernel targets.

BUILD       ?= build
FUZZ_BUILD  ?= $(BUILD)/fuzz
SEL4_PREFIX ?=
FUZZ_RUNS   ?= 20000
CAMPAIGN_FAULTS ?= 1000
CAMPAIGN_SEED   ?= 1
JOBS        ?= $(shell nproc)
SIM         := $(BUILD)/sim/sel4-sim
SYSTEM      := $(BUILD)/images/system
SCENARIO    ?= system/demo.scenario

.PHONY: all deps configure build test unit lint fuzz fuzz-smoke run demo campaign kernel-check qemu qemu-demo test-qemu bench bench-qemu clean

all: build

deps:
	@tools/install-deps.sh

$(BUILD)/build.ninja: | deps
	cmake -G Ninja -S . -B $(BUILD) -DSEL4_PREFIX="$(SEL4_PREFIX)"

configure: $(BUILD)/build.ninja

build: configure
	cmake -DSEL4_PREFIX="$(SEL4_PREFIX)" $(BUILD) >/dev/null
	ninja -C $(BUILD) -j $(JOBS)

# Every test: host unit tests (ASan+UBSan), sel4-sim conformance and system tests
# (all CTest), a short libFuzzer run of each decoder, and the linters.
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@sed 's/^/known sel4-sim difference from real seL4: /' tests/conformance/sim-known-differences.txt
	@grep -v '^#' tests/campaign/known-unrecovered.txt | sed 's/^/campaign: known not recovered yet: /'
	@$(MAKE) --no-print-directory fuzz-smoke lint
	@if [ -z "$(SEL4_PREFIX)" ]; then echo "skipped: SEL4_PREFIX not set (real-kernel tests: make test-qemu SEL4_PREFIX=...)"; fi

unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L host

lint: build
	tools/lint.sh $(BUILD)

$(FUZZ_BUILD)/build.ninja: | deps
	CC=clang cmake -G Ninja -S . -B $(FUZZ_BUILD) -DFUZZ=ON

# Short, fixed-length fuzz runs (part of make test); `make fuzz FUZZ_RUNS=-1` runs until stopped.
fuzz-smoke fuzz: $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD) -j $(JOBS)
	tools/fuzz.sh $(FUZZ_BUILD)/fuzzers $(FUZZ_RUNS)

# The default system in the simulator: guardian, memory server, RS and the services of
# system/default.manifest, with the shell on the serial line (stdin).  When the input
# ends (end of file; a terminal gives no input) the shell stops the system: exit 0.
run: build
	@$(SIM) $(SYSTEM)

# The default system under a scripted scenario (SCENARIO, format: tools/demo.py): lines
# typed into the shell at given virtual times, then a summary table (restarts, recovery
# instructions, requests served / failed / lost); exit 0 only if every expectation held.
demo: build
	@python3 tools/demo.py $(SIM) $(SYSTEM) $(SCENARIO)

# Seeded fault injection into every restartable service in sel4-sim (README.md,
# "Fault-injection campaign"): build/campaign.json and build/campaign.svg.
# CAMPAIGN_TARGETS / CAMPAIGN_KINDS (comma lists) narrow it down.
campaign: build
	tools/campaign.py $(BUILD) --faults $(CAMPAIGN_FAULTS) --seed $(CAMPAIGN_SEED) --jobs $(JOBS)

# The installed kernel's configuration (SEL4_PREFIX), checked before anything is built
# for it or run on it: one line per setting that cannot work (tools/kernel-config/).
kernel-check: configure
	@if [ -n "$(SEL4_PREFIX)" ]; then \
	    cmake -DSEL4_PREFIX="$(SEL4_PREFIX)" $(BUILD) >/dev/null && \
	    ninja -C $(BUILD) sel4-kconfig-check >/dev/null && \
	    $(BUILD)/tools/kernel-config/sel4-kconfig-check "$(SEL4_PREFIX)"; fi

# The default system on a real seL4 kernel in QEMU (TCG), built with the kernel's
# invocation-label numbering (tools/kernel-images.sh).  QEMU_INPUT=FILE is typed into
# its serial line (tools/qemu.sh); by default only Ctrl-D: boot, then stop, status 0.
QEMU_INPUT ?= system/tests/eof.txt
qemu: kernel-check
	@$(MAKE) --no-print-directory build
	images=$$(JOBS=$(JOBS) tools/kernel-images.sh $(BUILD) "$(SEL4_PREFIX)") && \
	    QEMU_INPUT="$(QEMU_INPUT)" tools/qemu.sh "$(SEL4_PREFIX)" $$images/images/$(notdir $(SYSTEM))

# make demo's commands on a real seL4 kernel (system/demo-qemu.scenario: typed in real time
# after the shell's first line; only the expectations that do not depend on timing).
qemu-demo: kernel-check
	@$(MAKE) --no-print-directory build
	images=$$(JOBS=$(JOBS) tools/kernel-images.sh $(BUILD) "$(SEL4_PREFIX)") && \
	    python3 tools/demo.py --qemu tools/qemu.sh "$(SEL4_PREFIX)" $$images/images/$(notdir $(SYSTEM)) system/demo-qemu.scenario

# Every system-test image on a real seL4 kernel; outputs must equal the simulator's.
test-qemu: kernel-check
	@$(MAKE) --no-print-directory build
	JOBS=$(JOBS) tools/test-qemu.sh "$(SEL4_PREFIX)" $(BUILD)

bench: build
	tools/bench.sh $(BUILD)

bench-qemu: kernel-check
	@$(MAKE) --no-print-directory build
	tools/bench.sh $(BUILD) "$(SEL4_PREFIX)"

clean:
	rm -rf $(BUILD)
