#!/usr/bin/env bash
# Run one stage of the harness and record its wall time in build/timings.
# Usage: stage.sh NAME COMMAND...      stage.sh --reset | --print
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

mkdir -p "$BUILD"
case $1 in
--reset) : >"$BUILD/timings"; rm -f "$BUILD/summary"; exit 0 ;;
--print)
	echo "Wall time per stage:"
	awk '{ printf "    %-14s %5d s\n", $1, $2; s += $2 } END { printf "    %-14s %5d s\n", "total", s }' "$BUILD/timings"
	# The last test summary once more, as the closing line.
	[ ! -f "$BUILD/summary" ] || cat "$BUILD/summary"
	exit 0 ;;
esac

name=$1
shift
t0=$(date +%s)
rc=0
"$@" || rc=$?
echo "$name $(($(date +%s) - t0))" >>"$BUILD/timings"
[ "$rc" = 0 ] || printf 'error: stage "%s" failed (exit %s)\n' "$name" "$rc" >&2
exit "$rc"
