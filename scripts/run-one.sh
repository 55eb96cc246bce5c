#!/usr/bin/env bash
# Run one selftest with its arguments in the test VM (make run T='...'),
# judge it as make test does, and exit with its exit status (0 pass, 4
# skip, 124 timeout, ...); 1 when it passed but the kernel splatted or was
# tainted, or when the VM died before the test ended.
# Usage: run-one.sh 'TEST [ARGS...]' [TIMEOUT]
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

[ -n "${1:-}" ] || die "usage: run-one.sh 'x86/NAME [ARGS]' [TIMEOUT]"
res=$OUT/results/run
mkdir -p "$res"
printf '%s\n' "$1" >"$res.list"
KVMT_LIVE=1 "$TOP/scripts/run-tests.sh" "$res.list" "$res" "${2:-}"
judged=0
KVMT_SUMMARY='' "$TOP/scripts/report.sh" "$res" || judged=$?
rc=$(cut -f2 "$res/results.tsv")
case $rc in
0) [ "$judged" = 0 ] || rc=1 ;;
[0-9]*) ;;
*) rc=1 ;;
esac
echo "${1%% *}: exit $rc"
exit "$rc"
