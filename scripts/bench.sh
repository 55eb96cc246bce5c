#!/usr/bin/env bash
# 'make bench': boot the base kernel and then the series kernel (one .config)
# under the harness's QEMU with the insn_window plugin, run
# tests/bench/kvm_bench in each, and print per operation the instructions the
# host kernel executed and the wall time, series against base.  Writes
# $OUT/bench/table.txt.
# Usage: bench.sh [TIMEOUT]
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

timeout=${1:-600}
KST=$OUT/kselftest
B=$OUT/bench
BASE_OUT=$BUILD/bench-base${KERNEL_SRC:+-ext}/out
[ -f "$BASE_OUT/arch/x86/boot/bzImage" ] || die "no base kernel in ${BASE_OUT#"$TOP"/}: run scripts/bench-kernel.sh"
[ -f "$B/insn_window.so" ] || die "no plugin: run scripts/bench-plugin.sh"

info "bench: building tests/bench/kvm_bench"
mkdir -p "$KST/bench"
selftest_program "$TOP/tests/bench/kvm_bench.c" "$KST/bench/kvm_bench"
echo bench/kvm_bench >"$B/list"

# Per kernel: the program, and for the base its own modules, which replace
# the series' ones of the test initramfs (one kernel release, one path).
for k in base series; do
	root=$B/root-$k
	rm -rf "$root"
	mkdir -p "$root/kvm/bench"
	strip -o "$root/kvm/bench/kvm_bench" "$KST/bench/kvm_bench"
	if [ "$k" = base ]; then
		cp -a "$BASE_OUT/mod-root/lib" "$root/"
		kernel=$BASE_OUT/arch/x86/boot/bzImage
	else
		kernel=$OUT/arch/x86/boot/bzImage
	fi
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$B/extra-$k.cpio"
	info "bench: $k kernel"
	mkdir -p "$B/$k"
	KVMT_KERNEL=$kernel KVMT_QEMU_ARGS="-plugin $B/insn_window.so -d plugin -D $B/$k.plugin.log" \
		ACCEL=tcg "$TOP/scripts/run-tests.sh" "$B/list" "$B/$k" "$timeout" "$B/extra-$k.cpio"
	rc=$(cut -f2 "$B/$k/results.tsv")
	[ "$rc" = 0 ] || die "bench: kvm_bench ended with rc $rc on the $k kernel (console: ${B#"$TOP"/}/$k/console.log)"
done

# Per kernel and case: instructions (min, median) over the windows after the
# warm-up batch, which must be exactly OPS * BATCHES; wall time (min, median).
for k in base series; do
	grep '^# @@BENCH ' "$B/$k/console.log" | awk '{ print $3, $4, $5, $6, $7 }' >"$B/$k.cases"
	awk -v cases="$B/$k.cases" '
		BEGIN { while ((getline l < cases) > 0) { split(l, f, " "); ops[++n] = f[2]; want[n] = f[2] * f[3] } }
		$1 == "case" { c++; seen = 0; next }
		$1 == "window" && c { if (++seen > ops[c]) print c, $2 }
		END { if (c != n) { print "cases: " c " marked, " n " reported" > "/dev/stderr"; exit 1 } }' \
		"$B/$k.plugin.log" | sort -k1,1n -k2,2n >"$B/$k.windows" ||
		die "bench: the plugin saw other cases than kvm_bench ran on the $k kernel"
	awk -v cases="$B/$k.cases" '
		BEGIN { while ((getline l < cases) > 0) { split(l, f, " "); name[++n] = f[1]; want[n] = f[2] * f[3]; wmin[n] = f[4]; wmed[n] = f[5] } }
		{ v[$1, ++cnt[$1]] = $2 }
		END {
			for (i = 1; i <= n; i++) {
				if (cnt[i] != want[i]) { print name[i] ": " cnt[i] " windows, expected " want[i] > "/dev/stderr"; exit 1 }
				print name[i], v[i, 1], v[i, int((cnt[i] + 1) / 2)], wmin[i], wmed[i]
			}
		}' "$B/$k.windows" >"$B/$k.tsv" || die "bench: window count mismatch on the $k kernel"
done

{
	printf '%-26s %21s %21s %7s %7s   %25s %25s %6s\n' operation "insns base (min/med)" "series (min/med)" \
		added ratio "wall ns base (min/med)" "series (min/med)" ratio
	join <(sort "$B/base.tsv") <(sort "$B/series.tsv") |
	awk 'NR == FNR { order[$1] = FNR; next } { print order[$1], $0 }' "$B/base.cases" - | sort -n |
	awk '{ printf "%-26s %10d/%-10d %10d/%-10d %+7d %7.3f   %12d/%-12d %12d/%-12d %6.2f\n",
		$2, $3, $4, $7, $8, $7 - $3, $7 / $3, $5, $6, $9, $10, $10 / $6 }'
} | tee "$B/table.txt"
