#!/usr/bin/env bash
# make check, the gate: each stage (a make target) runs to its verdict, and
# a failed stage fails the gate without stopping the stages after it; only
# the stages that need the tree or the build are skipped when that failed.
# Ends with each stage's verdict and time, and the gate's total: each test
# of the stages that run tests, and each other check as one test.
# Writes the run's record, results/summary.json: what was tested (base,
# series, emulator, accelerator, machine) and each stage's verdict, time
# and counts.
# Usage: MAKE=make gate.sh
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# STAGE:NEEDS in order; NEEDS is "-" (nothing), "prepare" or "build".
STAGES=(shellcheck:- prepare:- checkpatch:prepare ioctl-audit:prepare build:prepare
	test:build intel:build mutants:build qemu-test:build rust-vmm:build build-each:build sparse:build suite:build)
# Stages that only make what later ones need: a test only when they fail.
STEPS=" prepare build "
SUMMARY=$BUILD/summary

# The gate tests commits only (tree.sh refuses uncommitted edits under it),
# so that its record names what it tested.
export KVMT_GATE=1
"$TOP/scripts/stage.sh" --reset
declare -A ok=([-]=1)
table="" passed=0 failed=0 skipped=0 json=""
for s in "${STAGES[@]}"; do
	name=${s%%:*} need=${s#*:}
	if [ -z "${ok[$need]:-}" ]; then
		table+=$(printf '    %-12s %6s  %s' "$name" - "not run: needs $need")$'\n'
		continue
	fi
	before=$(wc -l <"$SUMMARY")
	t0=$(date +%s)
	rc=0
	"${MAKE:-make}" -s --no-print-directory "$name" || rc=$?
	secs=$(($(date +%s) - t0))
	# The test counts of the reports this stage wrote (report.sh), if any.
	read -r p f k < <(tail -n +$((before + 1)) "$SUMMARY" 2>/dev/null |
		awk '{ p += $2; f += $3; k += $4 } END { print p + 0, f + 0, k + 0 }')
	tests=""
	[ "$((p + f + k))" = 0 ] || tests=" ($p passed, $f failed, $k skipped)"
	if [ "$rc" = 0 ]; then
		verdict=ok
		ok[$name]=1
		# A check without tests of its own is one test.
		case $STEPS in *" $name "*) ;; *) [ -n "$tests" ] || p=1 ;; esac
	else
		verdict="FAILED (exit $rc)"
		# A failed stage is at least one failed test, even when its tests
		# passed (a splat, a hang, a build that broke).
		[ "$f" != 0 ] || f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + k))
	table+=$(printf '    %-12s %6s  %s%s' "$name" "$secs" "$verdict" "$tests")$'\n'
	json+="${json:+,}"$'\n'"    {\"stage\": \"$name\", \"rc\": $rc, \"seconds\": $secs, \"passed\": $p, \"failed\": $f, \"skipped\": $k}"
done
for s in "${STAGES[@]}"; do
	[ -n "${ok[${s#*:}]:-}" ] || json+=$',\n'"    {\"stage\": \"${s%%:*}\", \"rc\": null}"
done

# What was tested, as far as it got.
fact() { # COMMAND... -> its output as a JSON string, null if it fails
	local v
	v=$("$@" 2>/dev/null) && printf '"%s"' "$(printf '%s' "$v" | head -n 1 | sed 's/["\\]/\\&/g')" || printf null
}
mkdir -p "$OUT/results"
cat >"$OUT/results/summary.json" <<JSON
{
  "base": $(fact cat "$BUILD/dl/base-version"),
  "base_sha256": $(fact cat "$BUILD/dl/base-sha256"),
  "base_commit": $(fact git -C "$LINUX" rev-parse "$BASE"),
  "series_tip": $(fact git -C "$LINUX" rev-parse "$TIP"),
  "harness": $(fact git -C "$TOP" describe --always --dirty),
  "qemu": $(fact "${KVMT_QEMU:-qemu-system-x86_64}" --version),
  "accel": $(fact vm_accel),
  "machine": $(fact vm_machine),
  "host": $(fact uname -srm),
  "passed": $passed, "failed": $failed, "skipped": $skipped,
  "stages": [$json
  ]
}
JSON

echo
"$TOP/scripts/stage.sh" --times
echo "The gate, stage by stage (seconds):"
printf '%s' "$table"
echo "gate: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
