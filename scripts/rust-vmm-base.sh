#!/usr/bin/env bash
# 'make rust-vmm-base': the rust-vmm stage's tests on the base kernel (built
# by bench-kernel.sh with the test kernel's .config), then each test's result
# on the series beside the base's.  Reports; fails only when the run does.
# Usage: rust-vmm-base.sh [TIMEOUT]
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

timeout=${1:-}
[ -n "$timeout" ] || timeout=$(settings_timeout)
R=$OUT/rust-vmm
BASE_OUT=$BUILD/bench-base${KERNEL_SRC:+-ext}/out
SERIES=$OUT/results/rust-vmm
BASE=$OUT/results/rust-vmm-base
[ -f "$BASE_OUT/arch/x86/boot/bzImage" ] || die "no base kernel in ${BASE_OUT#"$TOP"/}: run scripts/bench-kernel.sh"
[ -f "$OUT/rust-vmm.cpio" ] || die "no rust-vmm tests: run 'make rust-vmm'"

# The base's own modules replace the series' ones (one release, one path).
root=$R/base-root
rm -rf "$root"
mkdir -p "$root"
cp -a "$BASE_OUT/mod-root/lib" "$root/"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$R/base-modules.cpio"
cat "$OUT/rust-vmm.cpio" "$R/base-modules.cpio" >"$R/base.cpio"
KVMT_KERNEL=$BASE_OUT/arch/x86/boot/bzImage "$TOP/scripts/run-tests.sh" "$R/tests.list" "$BASE" "$timeout" "$R/base.cpio"
KVMT_SUMMARY='' "$TOP/scripts/report.sh" "$BASE" >/dev/null || true  # it keeps $BASE/report.txt
# What failed on the base, with its output (which comes before the line).
awk '/^ok / { n = 0; next } /^not ok/ { for (i = 1; i <= n; i++) print buf[i]; print; n = 0; next }
     /^#/ { buf[++n] = $0 }' "$BASE/report.txt"

status() {
	awk -F'\t' '{ s = "fail" } $2 == 0 { s = "pass" } $2 == 4 { s = "skip" } $2 ~ /^(124|137|143)$/ { s = "timeout" }
		$2 == "crash" || $2 == "notrun" { s = $2 } { print $1 "\t" s }' "$1"
}
echo
printf '%-72s %-7s %s\n' TEST SERIES BASE
if [ -f "$SERIES/results.tsv" ]; then
	join -t $'\t' -a 2 -e - -o 0,1.2,2.2 <(status "$SERIES/results.tsv" | sort) <(status "$BASE/results.tsv" | sort)
else
	status "$BASE/results.tsv" | sed 's/\t/\t-\t/'
fi | awk -F'\t' '{ printf "%-72s %-7s %s\n", $1, $2, $3 }'
grep -q '^@@KVMT-DONE' "$BASE/console.log" || die "the test VM did not finish on the base kernel: see ${BASE#"$TOP"/}/console.log"
