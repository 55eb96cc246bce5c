#!/usr/bin/env bash
# sparse (C=2) over arch/x86/kvm, arch/x86/kernel/fpu, arch/x86/lib and
# mm/maccess.c at the base and at the tip of the series: no warning that the
# base does not have already.
# Warnings are compared without line numbers, as a multiset.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=worktree.sh
. "$TOP/scripts/worktree.sh"

DIRS=(arch/x86/kvm/ arch/x86/kernel/fpu/ arch/x86/lib/ mm/maccess.o)
CHECK=$("$TOP/scripts/fetch-sparse.sh")

sparse_at() { # commit -> normalized warnings on stdout
	local log=$WT_OUT/sparse.log

	wt_checkout "$1"
	wt_make C=2 CHECK="$CHECK" "${DIRS[@]}" >"$log" 2>&1 || { tail -n 30 "$log" >&2; return 1; }
	# kbuild quietly skips a checker it finds unusable: insist on seeing it run.
	grep -q '^  CHECK ' "$log" || die "sparse did not run (see $log)"
	{ grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' "$log" || true; } |
		sed -E 's/:[0-9]+:[0-9]+: /: /' | LC_ALL=C sort
}

base=$(git -C "$LINUX" rev-parse "$BASE")
tip=$(git -C "$LINUX" rev-parse "$TIP")
cache=$WT_OUT/sparse-$base-$(md5sum <"$OUT/.config" | cut -c1-12)
if [ ! -f "$cache" ]; then
	info "sparse: base"
	sparse_at "$base" >"$cache.tmp"
	mv "$cache.tmp" "$cache"
fi
if [ "$tip" = "$base" ]; then
	cp "$cache" "$WT_OUT/sparse-tip"
else
	info "sparse: tip of the series"
	sparse_at "$tip" >"$WT_OUT/sparse-tip"
fi
new=$(LC_ALL=C comm -13 "$cache" "$WT_OUT/sparse-tip")
if [ -n "$new" ]; then
	printf '%s\n' "$new" | sed 's/^/  /'
	die "sparse: the series adds the warnings above"
fi
info "sparse: no new warnings ($(wc -l <"$cache") at the base)"
