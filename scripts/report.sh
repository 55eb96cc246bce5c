#!/usr/bin/env bash
# Judge a run of run-vm.sh: print KTAP, a table and the summary line, and
# exit non-zero on a failure, a hang, a dead VM or any kernel splat.
# With EXPECT (tests/upstream.expect) a listed fail or skip is what the test
# must do; an unlisted test must pass.
# Usage: report.sh RESDIR [EXPECT]
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

res=$1 expect=${2:-}
bad=0

status() { # rc seconds -> pass|skip|fail|timeout|crash|notrun
	case $1 in
	0) echo pass ;;
	4) echo skip ;;
	crash | notrun) echo "$1" ;;
	124 | 137 | 143) echo timeout ;;
	*) echo fail ;;
	esac
}

expected() { # test status -> the status the test should have
	if [ -z "$expect" ]; then
		case $2 in skip) echo skip ;; *) echo pass ;; esac
		return
	fi
	awk -v t="$1" '$1 == t { print $2; found = 1; exit } END { if (!found) print "pass" }' "$expect"
}

test_output() { # test -> its console lines
	awk -v t="$1" '/^@@KVMT-START / { on = ($2 == t); next } /^@@KVMT-/ { on = 0 } on' "$res/console.log"
}

echo "TAP version 13"
echo "1..$(wc -l <"$res/results.tsv")"
i=0 passed=0 failed=0 skipped=0 xfail=0
table=""
while IFS=$'\t' read -r t rc secs; do
	i=$((i + 1))
	st=$(status "$rc")
	want=$(expected "$t" "$st")
	note=""
	if [ "$st" = "$want" ]; then
		case $st in
		pass) passed=$((passed + 1)); echo "ok $i $t" ;;
		skip)
			skipped=$((skipped + 1))
			why=$(test_output "$t" | grep -o 'SKIP.*' | tail -n 1 | sed -E 's/^SKIP[ -]*//' || true)
			echo "ok $i $t # SKIP $why" ;;
		*) xfail=$((xfail + 1)); note="(expected)"; echo "ok $i $t # XFAIL $st, as ${expect#"$TOP"/} says" ;;
		esac
	else
		failed=$((failed + 1)); bad=1
		[ "$want" = pass ] || note="(expected $want)"
		echo "not ok $i $t # $st${note:+ $note}"
		test_output "$t" | tail -n 40
	fi
	table+=$(printf '%-45s %-8s %7s %s' "$t" "$st" "$secs" "$note")$'\n'
done <"$res/results.tsv"

echo
printf '%-45s %-8s %7s\n' TEST RESULT SECONDS
printf '%s' "$table"
echo

# Kernel splats: the console lines of the kernel itself (test output is
# prefixed with "# " by the guest init).
grep -E '^(\[ *[0-9.]+\] )?(WARNING:|BUG:|UBSAN:|Oops|Call Trace:|Kernel panic|general protection fault|------------\[ cut here \]|INFO: (possible|task .* blocked|rcu_))' \
	"$res/console.log" >"$res/splats.txt" || true
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

[ "$xfail" = 0 ] || echo "expected failures, each with its reason in ${expect#"$TOP"/}: $xfail"
# The summary line, kept for the closing line of the run unless
# KVMT_SUMMARY is set empty (runs judged as part of another stage).
summary=${KVMT_SUMMARY-$BUILD/summary}
echo "$passed passed, $failed failed, $skipped skipped"
[ -z "$summary" ] || echo "$passed passed, $failed failed, $skipped skipped" >"$summary"
exit "$bad"
