#!/usr/bin/env bash
# Build the KVM selftests statically and out of tree into $OUT/kselftest,
# against the headers installed by kernel.sh, and list them in
# $OUT/kselftest/all-tests.  Then the harness's own test (tests/nmi): its
# module against the test kernel, its program on the selftest library,
# listed in $OUT/kselftest/harness-tests.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

KST=$OUT/kselftest
mkdir -p "$KST"
[ -d "$OUT/usr/include" ] || die "no installed kernel headers in $OUT/usr/include: run 'make kernel' first"

info "selftests: building (static)"
make -C "$LINUX/tools/testing/selftests/kvm" -j"$JOBS" -s ARCH=x86 \
	CC="ccache gcc" OUTPUT="$KST" KHDR_INCLUDES="-isystem $OUT/usr/include" \
	EXTRA_CFLAGS=-static all

# The list of programs, as the selftests' Makefile itself defines it.
make -s -C "$LINUX/tools/testing/selftests/kvm" ARCH=x86 OUTPUT="$KST" \
	-f Makefile -f - print-tests <<'MK' | tr ' ' '\n' | sed "s|^$KST/||" | grep . | sort >"$KST/all-tests"
print-tests:
	@echo $(TEST_GEN_PROGS)
MK
info "selftests: $(wc -l <"$KST/all-tests") programs"

info "selftests: building the harness's NMI test (tests/nmi)"
mkdir -p "$KST/nmi"
cp "$TOP/tests/nmi/Kbuild" "$TOP/tests/nmi/nmi_uaccess.c" "$KST/nmi/"
make -C "$LINUX" O="$OUT" -s CC="ccache gcc" M="$KST/nmi" modules
selftest_program "$TOP/tests/nmi/pkru_nmi_test.c" "$KST/nmi/pkru_nmi_test"
echo nmi/pkru_nmi_test >"$KST/harness-tests"
