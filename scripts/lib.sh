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

# The URI of the machine's Debian archive: from debian.sources (deb822, as
# in Debian's container images) or from sources.list (as Debian 12's
# installer writes it).  Fails with a message.
archive_uri() {
	local uri
	uri=$( { awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources
		 awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' \
			/etc/apt/sources.list; } 2>/dev/null | head -n 1 || true)
	if [ -z "$uri" ]; then
		printf 'error: cannot read the Debian archive URI from /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list\n' >&2
		return 1
	fi
	echo "$uri"
}

# apt_private DIR LINE: a private apt state in DIR whose only source is the
# sources.list LINE (its archive URI taken from the machine's configuration),
# updated; sets aptopts for apt-get and apt-cache.  The machine's own apt
# configuration and package lists stay untouched.  Fails with a message.
apt_private() {
	local dir=$1 line=$2 uri
	uri=$(archive_uri) || return 1
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	echo "${line/@URI@/$uri}" >"$dir/sources.list"
	aptopts=(-o "Dir::Etc::SourceList=$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
		 -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache")
	apt-get "${aptopts[@]}" update >"$dir/update.log" 2>&1 && return
	printf 'error: apt-get update failed, see %s\n' "$dir/update.log" >&2
	return 1
}

# selftest_program SRC OUTFILE: build a harness program (tests/...) on the
# KVM selftest library of $LINUX, statically, as the selftests are built
# (selftests.sh must have built the library into $OUT/kselftest).
selftest_program() {
	make -C "$LINUX/tools/testing/selftests/kvm" -s ARCH=x86 CC="ccache gcc" OUTPUT="$OUT/kselftest" \
		KHDR_INCLUDES="-isystem $OUT/usr/include" EXTRA_CFLAGS=-static \
		-f Makefile -f - "$2" <<MK
$2: $1 \$(LIBKVM_OBJS)
	\$(CC) \$(CFLAGS) \$(CPPFLAGS) \$(LDFLAGS) \$(TARGET_ARCH) \$< \$(LIBKVM_OBJS) \$(LDLIBS) -o \$@
MK
}
