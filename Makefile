# make        fetch the base, apply patches/, build, boot, run the series' tests
# make check  the full gate (what .ci/run calls)
# See README.md for the options.

SHELL := /bin/bash
.NOTPARALLEL:
.DEFAULT_GOAL := all

TESTS ?= tests/series.list
TIMEOUT ?= 120
SUITE_TIMEOUT ?= 120
QEMU_TIMEOUT ?= 300
export KERNEL_SRC JOBS AUTHOR

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

.PHONY: all check build test suite qemu-test deps base tree kernel selftests \
	initramfs qemu-fetch audit checkpatch bisect sparse shellcheck export sign vm clean fresh mutants \
	bench bench-run rust-vmm rust-vmm-base

all:
	@$(STAGE) --reset; rc=0; $(MAKE) -s --no-print-directory build test || rc=$$?; \
	$(STAGE) --print; exit $$rc

check:
	@$(STAGE) --reset; rc=0; \
	$(MAKE) -s --no-print-directory shellcheck build audit checkpatch test mutants qemu-test rust-vmm bisect \
		sparse suite || rc=$$?; \
	$(STAGE) --print; exit $$rc

build: deps base tree kernel selftests initramfs qemu-fetch

deps:
	@$(STAGE) deps $(S)/deps.sh
base:
	@$(STAGE) base $(S)/fetch-base.sh
tree:
	@$(STAGE) tree $(S)/tree.sh
kernel:
	@$(STAGE) kernel $(S)/kernel.sh
selftests:
	@$(STAGE) selftests $(S)/selftests.sh
initramfs:
	@$(STAGE) initramfs $(S)/initramfs.sh
qemu-fetch:
	@$(STAGE) qemu-fetch $(S)/fetch-qemu.sh

test:
	@$(STAGE) test $(S)/run-vm.sh $(TESTS) $(RES)/series $(TIMEOUT)
	@$(S)/report.sh $(RES)/series

# The whole upstream x86 suite, judged against tests/upstream.expect.
suite:
	@mkdir -p $(RES)
	@awk 'NR == FNR { if ($$2 == "exclude") ex[$$1]; next } !($$1 in ex)' \
		tests/upstream.expect $(OUTDIR)/kselftest/all-tests >$(RES)/suite.list
	@$(STAGE) suite $(S)/run-vm.sh $(RES)/suite.list $(RES)/suite $(SUITE_TIMEOUT)
	@$(S)/report.sh $(RES)/suite tests/upstream.expect

# Debian's QEMU 7.2 as a client of the kernel under test, inside the test VM.
qemu-test:
	@$(STAGE) qemu-pack $(S)/qemu-initramfs.sh
	@$(STAGE) qemu-test $(S)/run-vm.sh tests/qemu.list $(RES)/qemu $(QEMU_TIMEOUT) $(OUTDIR)/qemu-test.cpio
	@$(S)/report.sh $(RES)/qemu

# rust-vmm's kvm-ioctls (the KVM layer of Firecracker and Cloud Hypervisor):
# its own test suite and tests/rust-vmm, inside the test VM, judged against
# tests/rust-vmm.expect.
rust-vmm:
	@$(STAGE) rust-vmm-fetch $(S)/fetch-crates.sh
	@$(STAGE) rust-vmm-build $(S)/rust-vmm-build.sh
	@$(STAGE) rust-vmm $(S)/run-vm.sh $(OUTDIR)/rust-vmm/tests.list $(RES)/rust-vmm $(TIMEOUT) \
		$(OUTDIR)/rust-vmm.cpio
	@$(S)/report.sh $(RES)/rust-vmm tests/rust-vmm.expect

# The same on the base kernel (built as for make bench), each result beside
# the series' one.  Not part of 'make check'.
rust-vmm-base:
	@$(STAGE) bench-kernel $(S)/bench-kernel.sh
	@$(STAGE) rust-vmm-base $(S)/rust-vmm-base.sh $(TIMEOUT)

# Each diff in tests/mutants breaks one behaviour; the tests it names must
# catch it.
mutants:
	@$(STAGE) mutants $(S)/mutants.sh $(TIMEOUT)

# Every vCPU ioctl classified by the protected-state selftest.
audit:
	@$(STAGE) audit $(S)/ioctl-audit.sh
checkpatch:
	@$(STAGE) checkpatch $(S)/checkpatch.sh
bisect:
	@$(STAGE) bisect $(S)/bisect.sh
sparse:
	@$(STAGE) sparse $(S)/sparse.sh
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

export:
	@$(S)/export.sh
# Copies of patches/ under the sender's own From: and Signed-off-by:.
sign:
	@$(S)/sign.sh
vm:
	@$(S)/vm.sh

clean:
	rm -rf build/out build/ext build/bisect build/bisect-out build/bench-base build/bench-base-ext
