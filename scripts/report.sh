#!/usr/bin/env bash
# Judge a run of run-tests.sh: print KTAP (each failure's output before its
# result line, then "# Totals:"), a table and the summary line, and keep it
# in RESDIR/report.txt; keep each test's output in RESDIR/logs and write a
# reproducer for each failed test.
# Exit non-zero on a failure, a hang, a dead VM or any kernel splat; a
# splat fails the test it happened in.
# With STEM, tests/STEM.ACCEL-VENDOR.expect of the run's test VM (e.g.
# tests/upstream.tcg-amd.expect) says which tests must fail, skip, time out
# or xfail, each with its reason; an unlisted test must pass.  Without STEM,
# or without such a file, a test must pass or skip.
# Usage: report.sh RESDIR [STEM]
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

res=$1 expect=
# The whole report is kept beside the run, as RESDIR/report.txt (KTAP first).
if [ -z "${KVMT_REPORT_KEPT:-}" ]; then
	set +e
	KVMT_REPORT_KEPT=1 "$0" "$@" | tee "$res/report.txt"
	exit "${PIPESTATUS[0]}"
fi
bad=0
machine=$(cat "$res/vm/machine" 2>/dev/null || echo unknown)
[ -z "${2:-}" ] || expect=$(expect_file "$2" "$machine")
timeout=$(cat "$res/vm/timeout" 2>/dev/null || echo "?")

status() { # rc -> pass|skip|xfail|xpass|timeout|crash|notrun|fail (kselftest's exit codes)
	case $1 in
	0) echo pass ;;
	2) echo xfail ;;
	3) echo xpass ;;
	4) echo skip ;;
	crash | notrun) echo "$1" ;;
	124 | 137 | 143) echo timeout ;;
	*) echo fail ;;
	esac
}

expected() { # test status -> the status the test should have
	local want=pass
	[ -z "$expect" ] || want=$(awk -v t="$1" '$1 == t { print $2; found = 1; exit } END { if (!found) print "pass" }' "$expect")
	# A test may always say its own failure is expected (exit 2); without
	# a file it may also skip.
	case $want:$2 in
	pass:xfail) echo xfail ;;
	pass:skip) if [ -z "$expect" ]; then echo skip; else echo pass; fi ;;
	*) echo "$want" ;;
	esac
}

# Each test's console lines, and the kernel splats with the test that was
# running (between its start and result markers) when they came.
mkdir -p "$res/logs"
rm -f "$res"/logs/* "$res/splats.txt"
SPLAT=$(cat "$SPLAT_REGEX") awk -v dir="$res/logs" -v splats="$res/splats.txt" '
	BEGIN { re = ENVIRON["SPLAT"] }
	/^@@KVMT-START / { cur = $2; f = cur; gsub("/", "_", f); f = dir "/" f ".log"; next }
	/^@@KVMT-RESULT / { close(f); last = cur; cur = ""; next }
	$0 ~ re { print (cur != "" ? cur : last != "" ? "(after " last ")" : "(boot)") "\t" $0 > splats }
	cur != "" { print > f }' "$res/console.log"
touch "$res/splats.txt"

test_log() { # test -> its log file
	echo "$res/logs/${1//\//_}.log"
}

echo "TAP version 13"
echo "1..$(wc -l <"$res/results.tsv")"
[ -z "${2:-}" ] || [ -n "$expect" ] || echo "# no tests/$2.$machine.expect: every test must pass or skip"
i=0 passed=0 failed=0 skipped=0 xfail=0 xpass=0 xpass_bad=0 errors=0 expected_bad=0
table=""
while IFS=$'\t' read -r t rc secs; do
	i=$((i + 1))
	st=$(status "$rc")
	splat=$(awk -F '\t' -v t="$t" '$1 == t { print $2 }' "$res/splats.txt")
	[ -z "$splat" ] || st=splat
	want=$(expected "$t" "$st")
	note=""
	[ -f "$(test_log "$t")" ] || : >"$(test_log "$t")"
	if [ "$st" = "$want" ]; then
		case $st in
		pass) passed=$((passed + 1)); echo "ok $i $t" ;;
		skip)
			skipped=$((skipped + 1))
			why=$(grep -o 'SKIP.*' "$(test_log "$t")" | tail -n 1 | sed -E 's/^SKIP[ -]*//' || true)
			echo "ok $i $t # SKIP $why" ;;
		xfail) xfail=$((xfail + 1)); echo "ok $i $t # XFAIL" ;;
		xpass) xpass=$((xpass + 1)); echo "ok $i $t # XPASS, as ${expect#"$TOP"/} says" ;;
		*)
			expected_bad=$((expected_bad + 1)); note="(expected)"
			echo "ok $i $t # XFAIL $st, as ${expect#"$TOP"/} says" ;;
		esac
	else
		bad=1
		case $st in
		crash | notrun) errors=$((errors + 1)) ;;
		xpass) xpass=$((xpass + 1)) xpass_bad=$((xpass_bad + 1)) ;;
		*) failed=$((failed + 1)) ;;
		esac
		[ "$want" = pass ] || note="(expected $want)"
		sed 's/^\(# \)\{0,1\}/# /' "$(test_log "$t")" | tail -n 40
		repro=$("$TOP/scripts/reproducer.sh" "$res" "$t" 2>&1) || repro="none: $repro"
		echo "# reproducer: $repro"
		case $st in
		timeout) echo "not ok $i $t # TIMEOUT $timeout seconds${note:+ $note}" ;;
		splat) echo "not ok $i $t # kernel splat${note:+ $note}" ;;
		xpass) echo "not ok $i $t # XPASS${note:+ $note}" ;;
		fail) echo "not ok $i $t # exit=$rc${note:+ $note}" ;;
		*) echo "not ok $i $t # $st${note:+ $note}" ;;
		esac
	fi
	table+=$(printf '%-45s %-8s %7s %s' "$t" "$st" "$secs" "$note")$'\n'
done <"$res/results.tsv"
echo "# Totals: pass:$passed fail:$failed xfail:$((xfail + expected_bad)) xpass:$xpass skip:$skipped error:$errors"

echo
printf '%-45s %-8s %7s\n' TEST RESULT SECONDS
printf '%s' "$table"
echo
echo "Each test's output: ${res#"$TOP"/}/logs/"

if [ -s "$res/splats.txt" ]; then
	bad=1
	echo "KERNEL SPLAT on the console (full log: ${res#"$TOP"/}/console.log):"
	head -n 20 "$res/splats.txt" | sed 's/^/    /'
fi
taint=$(sed -n 's/^@@KVMT-TAINT //p' "$res/console.log")
# Loading the harness's test module (tests/nmi) taints with O (4096), which
# says nothing about the kernel under test.
[ -z "$taint" ] || taint=$((taint & ~4096))
if [ -f "$res/hung" ]; then
	bad=1
	echo "The test VM hung (its console was silent for $(cat "$res/hung") s) and was stopped: see ${res#"$TOP"/}/console.log"
elif ! grep -q '^@@KVMT-DONE' "$res/console.log"; then
	bad=1
	echo "The test VM did not finish (QEMU exit $(cat "$res/qemu-rc")): see ${res#"$TOP"/}/console.log"
elif [ "$taint" != 0 ]; then
	bad=1
	echo "The kernel is tainted ($taint) after the run: see ${res#"$TOP"/}/console.log"
fi
if grep -q '^@@KVMT-ERROR' "$res/console.log"; then
	bad=1
	grep '^@@KVMT-ERROR' "$res/console.log"
fi

[ "$expected_bad" = 0 ] || echo "expected failures, each with its reason in ${expect#"$TOP"/}: $expected_bad"
# Every test that was not as it should be counts as failed here.  The
# counts are added to build/summary (stage.sh and gate.sh total them) unless
# KVMT_SUMMARY is set empty (runs judged as part of another stage).
summary=${KVMT_SUMMARY-$BUILD/summary}
echo "$passed passed, $((failed + errors + xpass_bad)) failed, $skipped skipped"
[ -z "$summary" ] || echo "${res##*/} $passed $((failed + errors + xpass_bad)) $skipped" >>"$summary"
exit "$bad"
