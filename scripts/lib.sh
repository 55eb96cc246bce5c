# shellcheck shell=bash
# Common settings for the harness scripts; sourced, never run.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
# shellcheck disable=SC2034 # the scripts that source this use them
# KERNEL_SRC (the user's own kernel git tree) gets its own worktree and
# output beside the default ones; BASE and TIP name the series' ends.
if [ -n "${KERNEL_SRC:-}" ]; then
	LINUX=$BUILD/ext/linux
	OUT=$BUILD/ext/out
	BASE=$(cat "$BUILD/ext/base-commit" 2>/dev/null || echo HEAD)
	TIP=HEAD
else
	LINUX=$BUILD/linux
	OUT=$BUILD/out
	BASE=base
	TIP=series
fi
JOBS=${JOBS:-$(nproc)}

die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

info() {
	printf '==> %s\n' "$*" >&2
}
