## make                   fetch the base, apply patches/, build, boot, run the series' tests
## make check             the full gate (what .ci/run calls): every stage, then the total
## make run T='x86/NAME ARGS'   build what changed, run one test (exit 0 on pass or skip)
## make test TESTS=FILE   run the tests listed in FILE (default tests/series.list)
## make vm                the test VM with a shell
## make STAGE             one stage of the gate: shellcheck checkpatch ioctl-audit test
##                        intel mutants qemu-test rust-vmm build-each sparse suite
## make export | range-diff | sign   the series: patches/, against its last version, signed
## make bench | rust-vmm-base | fresh   not in the gate: costs, the base kernel, a pristine Debian
## make clean             remove build output (keeps downloads and kernel trees)
## Variables: ACCEL=tcg|kvm|bochs|auto TIMEOUT=SECONDS (0: none) MUTANTS=GLOB KERNEL_SRC=DIR; see README.md.

SHELL := /bin/bash
.NOTPARALLEL:
.DEFAULT_GOAL := all

TESTS ?= tests/series.list
# Per-test timeouts; empty: the selftests' own (their kselftest "settings").
TIMEOUT ?=
SUITE_TIMEOUT ?=
QEMU_TIMEOUT ?= 300
# The test VM's accelerator: tcg or kvm (QEMU), bochs (the Intel test bed),
# or auto (kvm when /dev/kvm works and the host's KVM runs nested guests).
ACCEL ?= auto
export KERNEL_SRC JOBS AUTHOR ACCEL VERSION RFC T

# The emulator of the test VM: QEMU 10.0 from bookworm-backports, unpacked
# by scripts/fetch-qemu.sh.  Debian 12's QEMU 7.2 lets a nested guest's
# XSETBV bypass KVM (see README.md); KVMT_QEMU=qemu-system-x86_64 uses it
# all the same.
KVMT_QEMU ?= $(CURDIR)/build/tools/qemu-system-x86_64
export KVMT_QEMU

S := scripts
STAGE := $(S)/stage.sh
OUTDIR := build/$(if $(KERNEL_SRC),ext/)out
RES := $(OUTDIR)/results
# The stages that need only the tree, then those that build: each stage is
# the script of its name.
PREPARE := deps fetch-base tree
BUILD := kernel selftests initramfs fetch-qemu

.PHONY: all help check build prepare run test intel suite qemu-test $(PREPARE) $(BUILD) \
	ioctl-audit checkpatch build-each sparse shellcheck export range-diff sign vm clean fresh mutants \
	bench bench-run rust-vmm rust-vmm-base

all:
	@$(STAGE) --reset; rc=0; $(MAKE) -s --no-print-directory build test || rc=$$?; \
	$(STAGE) --print; exit $$rc

help:
	@sed -n 's/^## //p' $(firstword $(MAKEFILE_LIST))

# The gate (scripts/gate.sh): each stage runs to its verdict; checks that
# need only the tree come before the kernel build.
# It uses the measured test beds (ACCEL=tcg) unless ACCEL is given.
check:
	@MAKE='$(MAKE)' ACCEL='$(if $(filter file,$(origin ACCEL)),tcg,$(ACCEL))' $(S)/gate.sh

prepare: $(PREPARE)
build: prepare $(BUILD)
$(PREPARE) $(BUILD) checkpatch ioctl-audit build-each sparse:
	@$(STAGE) $@ $(S)/$@.sh

test:
	@$(STAGE) test $(S)/run-tests.sh $(TESTS) $(RES)/series "$(TIMEOUT)"
	@$(S)/report.sh $(RES)/series

# One test with its arguments, built first: make run T='x86/pkru_test -v'.
# make exits 2 on any failure; scripts/run-one.sh exits with the test's own
# status.
run:
	@[ -n "$$T" ] || { echo "usage: make run T='x86/NAME [ARGS]'" >&2; exit 2; }
	@$(STAGE) --reset; $(MAKE) -s --no-print-directory build
	@$(S)/run-one.sh "$$T" "$(TIMEOUT)" || [ $$? = 4 ]

# The upstream x86 suite but the tests of tests/series.list, which 'test'
# runs, judged against tests/upstream.ACCEL-VENDOR.expect.
suite:
	@$(STAGE) suite-list $(S)/suite-list.sh $(RES)/suite.list $(TESTS)
	@$(STAGE) suite $(S)/run-tests.sh $(RES)/suite.list $(RES)/suite "$(SUITE_TIMEOUT)"
	@$(S)/report.sh $(RES)/suite upstream

# The Intel test bed: the tests of tests/intel.list under kvm_intel in Bochs
# (scripts/fetch-bochs.sh, scripts/bochs-run.sh), judged against
# tests/upstream.bochs-intel.expect.
intel:
	@$(STAGE) fetch-bochs $(S)/fetch-bochs.sh
	@ACCEL=bochs $(STAGE) intel $(S)/run-tests.sh tests/intel.list $(RES)/intel "$(TIMEOUT)"
	@$(S)/report.sh $(RES)/intel upstream

# Debian's QEMU 7.2 as a client of the kernel under test, inside the test VM.
qemu-test:
	@$(STAGE) qemu-initramfs $(S)/qemu-initramfs.sh
	@$(STAGE) qemu-test $(S)/run-tests.sh tests/qemu.list $(RES)/qemu "$(QEMU_TIMEOUT)" $(OUTDIR)/qemu-test.cpio
	@$(S)/report.sh $(RES)/qemu

# rust-vmm's kvm-ioctls (the KVM layer of Firecracker and Cloud Hypervisor):
# its own test suite and tests/rust-vmm, inside the test VM, judged against
# tests/rust-vmm.ACCEL-VENDOR.expect.
rust-vmm:
	@$(STAGE) fetch-crates $(S)/fetch-crates.sh
	@$(STAGE) rust-vmm-build $(S)/rust-vmm-build.sh
	@$(STAGE) rust-vmm $(S)/run-tests.sh $(OUTDIR)/rust-vmm/tests.list $(RES)/rust-vmm "$(TIMEOUT)" \
		$(OUTDIR)/rust-vmm.cpio
	@$(S)/report.sh $(RES)/rust-vmm rust-vmm

# The same on the base kernel (built as for make bench), each result beside
# the series' one.  Not part of 'make check'.
rust-vmm-base:
	@$(STAGE) bench-kernel $(S)/bench-kernel.sh
	@$(STAGE) rust-vmm-base $(S)/rust-vmm-base.sh "$(TIMEOUT)"

# Each diff in tests/mutants breaks one behaviour; the tests it names must
# catch it.
mutants:
	@$(STAGE) mutants $(S)/mutants.sh "$(TIMEOUT)"

shellcheck:
	@$(STAGE) shellcheck shellcheck -x $(S)/*.sh $(S)/guest-init tests/qemu/case.sh \
		tests/qemu/inner-init tests/rust-vmm/kvm-ioctls.sh .ci/run

# The README's 'make' (or FRESH_GOAL) in a pristine Debian 12, as root.
# Not part of 'make check'; run it whenever the harness's needs change.
FRESH_GOAL ?= all
fresh:
	@$(S)/fresh.sh "$(FRESH_GOAL)"

# What the series costs on the VM-Enter/VM-Exit path, base against series.
# Not part of 'make check'.
bench:
	@$(STAGE) --reset; rc=0; $(MAKE) -s --no-print-directory build bench-run || rc=$$?; \
	$(STAGE) --print; exit $$rc
bench-run:
	@$(STAGE) bench-kernel $(S)/bench-kernel.sh
	@$(STAGE) bench-plugin $(S)/bench-plugin.sh
	@$(STAGE) bench $(S)/bench.sh
	@$(STAGE) bench-code $(S)/bench-code.sh
	@echo "Host kernel instructions and wall time per operation (build/out/bench/table.txt):"
	@cat $(OUTDIR)/bench/table.txt

# VERSION=N and RFC=1 set the version and prefix of this export (default: the
# cover letter's); each export tags series-vN in the kernel tree.
export:
	@$(S)/export.sh
# The series against its previous version (OLD=series-vN, or a commit of
# this repository whose patches/ held it).
range-diff:
	@$(S)/range-diff.sh $(OLD)
# Copies of patches/ under the sender's own From: and Signed-off-by:.
sign:
	@$(S)/sign.sh
vm:
	@$(S)/vm-shell.sh

clean:
	rm -rf build/out build/ext/out build/{wt,mut,bench-base}/out build/ext/{wt,mut}/out build/bench-base-ext/out
