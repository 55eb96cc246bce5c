#!/usr/bin/env bash
# make mutants: each tests/mutants/*.diff breaks one behaviour that the
# series adds or relies on.  Apply it on top of the series in a scratch
# worktree, rebuild the kernel there (incrementally: a KVM-only mutant
# costs a module build), boot it with the series' selftests and run the
# tests its "Tests:" line names.  The mutant is killed when one of them
# fails (or the run shows a splat, taint or hang), and survives otherwise.
# A survivor fails the stage unless its "Survives:" line gives the
# hardware it needs; a listed survivor that is killed fails it too.
# Every build, the control's and each mutant's, has tests/sim/*.diff on top
# of the series: harness-only patches that let VM types available here
# exercise code that otherwise needs SEV-ES, SNP or TDX hardware.
# Before the mutants, a control run of every named test on the series with
# those patches must pass.  MUTANTS="glob ..." runs only the matching mutants.
# Usage: mutants.sh [TIMEOUT]
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

timeout=${1:-}
[ -n "$timeout" ] || timeout=$(settings_timeout)
DIR=$TOP/tests/mutants
RES=$OUT/results/mutants
export KVMT_SUMMARY=	# the closing line of the gate stays the tests' one

field() { # FILE KEY -> the header line "KEY: value", before the diff
	awk -v k="$2:" '/^diff --git / { exit } $1 == k { sub(/^[^:]*: */, ""); print; exit }' "$1"
}

files=()
for f in "$DIR"/*.diff; do
	[ -e "$f" ] || die "no mutants in ${DIR#"$TOP"/}"
	n=$(basename "$f" .diff)
	if [ -n "${MUTANTS:-}" ]; then
		sel=0
		for g in $MUTANTS; do
			# shellcheck disable=SC2053 # a glob, on purpose
			[[ $n == $g ]] && sel=1
		done
		[ "$sel" = 1 ] || continue
	fi
	[ -n "$(field "$f" Tests)" ] || die "${f#"$TOP"/} has no 'Tests:' line"
	[ -n "$(field "$f" Breaks)" ] || die "${f#"$TOP"/} has no 'Breaks:' line"
	files+=("$f")
done
[ "${#files[@]}" != 0 ] || die "MUTANTS='$MUTANTS' matches no file in ${DIR#"$TOP"/}"

rm -rf "$RES"
mkdir -p "$RES"

# shellcheck source=worktree.sh
WT_NAME=mut . "$TOP/scripts/worktree.sh"
tip=$(git -C "$LINUX" rev-parse "$TIP")

# build NAME [MUTANT]: the series, the simulation patches and MUTANT, built
# in the scratch tree; its modules packed to be appended to the initramfs.
build() {
	local p log=$RES/$1/build.log

	mkdir -p "$RES/$1"
	git -C "$WT" checkout -q -f --detach "$tip"
	for p in "$TOP"/tests/sim/*.diff ${2:+"$2"}; do
		git -C "$WT" apply "$p" 2>"$RES/$1/apply.log" ||
			die "${p#"$TOP"/} does not apply on the series (${RES#"$TOP"/}/$1/apply.log): update it"
	done
	cp "$OUT/.config" "$WT_OUT/.config"
	info "mutants: $1: building"
	{ wt_make -s olddefconfig && wt_make -s bzImage modules; } >"$log" 2>&1 ||
		die "$1 does not build (see ${log#"$TOP"/}): a mutant must break behaviour, not the build"
	rm -rf "$WT_OUT/mod-root"
	wt_make -s INSTALL_MOD_PATH="$WT_OUT/mod-root" INSTALL_MOD_STRIP=1 modules_install >>"$log" 2>&1
	# Appended to the series' initramfs, its modules replace the series'.
	(cd "$WT_OUT/mod-root" && find lib | LC_ALL=C sort | cpio -o -H newc --quiet) >"$WT_OUT/modules.cpio"
}

# run NAME TESTS...: boot the last build and run TESTS in it.
run() {
	local name=$1

	shift
	printf '%s\n' "$@" >"$RES/$name/tests.list"
	KVMT_KERNEL=$WT_OUT/arch/x86/boot/bzImage "$TOP/scripts/run-tests.sh" "$RES/$name/tests.list" \
		"$RES/$name/vm" "$timeout" "$WT_OUT/modules.cpio" >"$RES/$name/run.log" 2>&1 || true
	# No results at all is the harness failing, not the tests.
	[ -s "$RES/$name/vm/results.tsv" ] ||
		die "$name: the test VM gave no results (see ${RES#"$TOP"/}/$name/run.log)"
}

# The control: every named test passes (or skips) on the series itself.
mapfile -t control < <(for f in "${files[@]}"; do field "$f" Tests | tr ' ' '\n'; done | grep . | sort -u)
build control
info "mutants: control run of ${#control[@]} tests on the series"
run control "${control[@]}"
"$TOP/scripts/report.sh" "$RES/control/vm" >"$RES/control/report.log" 2>&1 ||
	die "the named tests do not pass on the series itself: see ${RES#"$TOP"/}/control/report.log"
# The simulation must have given the protected-state test a protected vCPU.
if printf '%s\n' "${control[@]}" | grep -qx x86/protected_state_ioctls_test &&
	! grep -q 'ok [0-9]* SW_PROTECTED (protected state): REGS EINVAL' "$RES/control/vm/console.log"; then
	die "protected_state_ioctls_test saw no protected SW_PROTECTED vCPU: is tests/sim/ applied? (${RES#"$TOP"/}/control/vm/console.log)"
fi

killed=0 survived=0 bad=0
table=""
for f in "${files[@]}"; do
	name=$(basename "$f" .diff)
	tests=$(field "$f" Tests)
	why=$(field "$f" Survives)
	res=$RES/$name
	mkdir -p "$res"
	t0=$(date +%s)

	build "$name" "$f"
	info "mutants: $name: running $tests"
	# shellcheck disable=SC2086 # a list of test names
	run "$name" $tests
	verdict=survived
	"$TOP/scripts/report.sh" "$res/vm" >"$res/report.log" 2>&1 || verdict=killed
	secs=$(($(date +%s) - t0))

	note=""
	if [ "$verdict" = killed ]; then
		killed=$((killed + 1))
		[ -z "$why" ] || { bad=1; note="listed as surviving ($why): drop its Survives: line"; }
	else
		survived=$((survived + 1))
		if [ -n "$why" ]; then note="expected: $why"; else bad=1; note="NOT CAUGHT"; fi
	fi
	table+=$(printf '%-40s %-9s %5s  %s\n    tests: %s' "$name" "$verdict" "$secs" "$note" "$tests")$'\n'
done
git -C "$WT" checkout -q -f --detach "$tip"

echo
printf '%-40s %-9s %5s\n' MUTANT RESULT SECONDS
printf '%s' "$table"
echo "mutants: $killed killed, $survived survived, ${#files[@]} total"
[ "$bad" = 0 ] || die "mutants: a mutant survived without a hardware reason, or a listed survivor was killed: strengthen the tests, or correct its header in ${DIR#"$TOP"/}"
