#!/usr/bin/env bash
# Run one stage of the harness: record its wall time in build/timings and
# say it when the stage ends.
# Usage: stage.sh NAME COMMAND...      stage.sh --reset | --times | --print
# --print is --times and the total of the test summaries (report.sh) of
# the run, as its closing line.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

mkdir -p "$BUILD"
case $1 in
--reset) : >"$BUILD/timings"; : >"$BUILD/summary"; exit 0 ;;
--times | --print)
	echo "Wall time per step:"
	awk '{ printf "    %-14s %5d s\n", $1, $2; s += $2 } END { printf "    %-14s %5d s\n", "total", s }' "$BUILD/timings"
	[ "$1" = --print ] && [ -s "$BUILD/summary" ] || exit 0
	awk '{ p += $2; f += $3; k += $4 } END { printf "%d passed, %d failed, %d skipped\n", p, f, k }' "$BUILD/summary"
	exit 0 ;;
esac

name=$1
shift
t0=$(date +%s)
rc=0
"$@" || rc=$?
secs=$(($(date +%s) - t0))
echo "$name $secs" >>"$BUILD/timings"
if [ "$rc" = 0 ]; then
	info "$name: done in $secs s"
else
	printf 'error: stage "%s" failed (exit %s) after %s s\n' "$name" "$rc" "$secs" >&2
fi
exit "$rc"
