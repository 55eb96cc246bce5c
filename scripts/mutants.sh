#!/usr/bin/env bash
# make mutants: each tests/mutants/*.diff breaks one behaviour that the
# series adds or relies on.  Apply it on top of the series in a scratch
# worktree, rebuild the kernel there (incrementally: a KVM-only mutant
# costs a module build), boot it with the series' selftests and run the
# tests its "Tests:" line names.  The mutant is killed when one of them
# fails (or the run shows a splat, taint or hang), and survives otherwise.
# A survivor fails the stage unless its "Survives:" line gives the
# hardware it needs; a listed survivor that is killed fails it too.
# Before the mutants, a control run of every named test on the unchanged
# series must pass.  MUTANTS="glob ..." runs only the matching mutants.
# Usage: mutants.sh [TIMEOUT]
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

timeout=${1:-120}
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

# The control: every named test passes (or skips) on the series itself.
for f in "${files[@]}"; do field "$f" Tests | tr ' ' '\n'; done | grep . | sort -u >"$RES/control.list"
info "mutants: control run of $(wc -l <"$RES/control.list") tests on the series"
if ! { "$TOP/scripts/run-vm.sh" "$RES/control.list" "$RES/control" "$timeout" &&
	"$TOP/scripts/report.sh" "$RES/control"; } >"$RES/control.log" 2>&1; then
	die "the named tests do not pass on the series itself: see ${RES#"$TOP"/}/control.log"
fi

# shellcheck source=worktree.sh
WT_NAME=mut . "$TOP/scripts/worktree.sh"
tip=$(git -C "$LINUX" rev-parse "$TIP")

killed=0 survived=0 bad=0
table=""
for f in "${files[@]}"; do
	name=$(basename "$f" .diff)
	tests=$(field "$f" Tests)
	why=$(field "$f" Survives)
	res=$RES/$name
	mkdir -p "$res"
	t0=$(date +%s)

	git -C "$WT" checkout -q -f --detach "$tip"
	git -C "$WT" apply "$f" 2>"$res/apply.log" ||
		die "mutant $name does not apply on the series (${res#"$TOP"/}/apply.log): update ${f#"$TOP"/}"
	cp "$OUT/.config" "$WT_OUT/.config"
	info "mutants: $name: building"
	{ wt_make -s olddefconfig && wt_make -s bzImage modules; } >"$res/build.log" 2>&1 ||
		die "mutant $name does not build (see ${res#"$TOP"/}/build.log): a mutant must break behaviour, not the build"
	rm -rf "$WT_OUT/mod-root"
	wt_make -s INSTALL_MOD_PATH="$WT_OUT/mod-root" INSTALL_MOD_STRIP=1 modules_install >>"$res/build.log" 2>&1
	# Appended to the series' initramfs, its modules replace the series'.
	(cd "$WT_OUT/mod-root" && find lib | LC_ALL=C sort | cpio -o -H newc --quiet) >"$WT_OUT/modules.cpio"

	info "mutants: $name: running $tests"
	tr ' ' '\n' <<<"$tests" | grep . >"$res/tests.list"
	verdict=survived
	KVMT_KERNEL=$WT_OUT/arch/x86/boot/bzImage "$TOP/scripts/run-vm.sh" "$res/tests.list" "$res/vm" \
		"$timeout" "$WT_OUT/modules.cpio" >"$res/run.log" 2>&1 || true
	# No results at all is the harness failing, not the tests.
	[ -s "$res/vm/results.tsv" ] || die "mutant $name: the test VM gave no results (see ${res#"$TOP"/}/run.log)"
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
