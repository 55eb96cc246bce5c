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
# Every build compiles through ccache with paths relative to the clone (so a
# fresh clone elsewhere, and each worktree of worktree.sh, hits the objects
# of the main build) and without the working directory in the hash (the
# selftests build with -g); kbuild's version strings are fixed, so that
# builds of the same tree are the same.
export CCACHE_BASEDIR=$TOP CCACHE_NOHASHDIR=1 CCACHE_SLOPPINESS=time_macros,include_file_mtime
export KBUILD_BUILD_USER=kvm KBUILD_BUILD_HOST=series KBUILD_BUILD_TIMESTAMP=2026-01-01
# The QEMU of the test VM when the Makefile did not say: the harness's own
# (scripts/fetch-qemu.sh), else the system's.
if [ -z "${KVMT_QEMU:-}" ] && [ -x "$BUILD/tools/qemu-system-x86_64" ]; then
	export KVMT_QEMU=$BUILD/tools/qemu-system-x86_64
fi
# The kernel splats that fail a run (report.sh) or a guest of the QEMU-client
# stage (tests/qemu/case.sh, which reads a copy inside the test VM).
# shellcheck disable=SC2034 # for the scripts that source this
SPLAT_REGEX=$TOP/tests/splat.regex

die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

info() {
	printf '==> %s\n' "$*" >&2
}

# ticker LABEL DIR: every 30 s until killed, say that LABEL is still at work
# and how many objects DIR holds (a cold kernel build is minutes of -s).
ticker() {
	local t0=$SECONDS
	while sleep 30 >/dev/null 2>&1; do
		info "$1: still building after $((SECONDS - t0)) s, $(find "$2" -name '*.o' 2>/dev/null | wc -l) objects"
	done
}

# install_pkgs WHO PKG...: install those of the Debian packages PKG that are
# missing; as a user other than root, say which and stop.
install_pkgs() {
	local who=$1 p
	local -a absent=()
	shift
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || absent+=("$p")
	done
	[ "${#absent[@]}" != 0 ] || return 0
	[ "$(id -u)" = 0 ] || die "$who: missing Debian packages; as root, run:
       apt-get install ${absent[*]}"
	info "$who: installing ${absent[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${absent[@]}" >/dev/null
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

# The accelerator of the test VM: ACCEL=tcg or kvm (QEMU), or bochs (the
# Intel test bed, scripts/bochs-run.sh); unset or "auto" means kvm when
# /dev/kvm is usable and the host's KVM runs nested guests, else tcg.
vm_accel() {
	local p
	case ${ACCEL:-auto} in
	tcg | kvm | bochs) echo "$ACCEL"; return ;;
	auto) ;;
	*) printf 'error: ACCEL=%s: use tcg, kvm, bochs or auto\n' "$ACCEL" >&2; return 1 ;;
	esac
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		for p in /sys/module/kvm_intel/parameters/nested /sys/module/kvm_amd/parameters/nested; do
			case $(cat "$p" 2>/dev/null) in Y | 1) echo kvm; return ;; esac
		done
	fi
	echo tcg
}

# The vendor of the test VM's CPU, as the test VM's init sees it: the host's
# under kvm (-cpu host), AMD under tcg (QEMU's -cpu max), Intel under bochs.
vm_vendor() {
	if [ "$1" = bochs ]; then
		echo intel
	elif [ "$1" = tcg ] || grep -qm1 '^vendor_id.*\(AuthenticAMD\|HygonGenuine\)' /proc/cpuinfo; then
		echo amd
	else
		echo intel
	fi
}

# ACCEL-VENDOR of the test VM, e.g. tcg-amd: what expectations depend on.
vm_machine() {
	local accel
	accel=$(vm_accel) || return 1
	echo "$accel-$(vm_vendor "$accel")"
}

# expect_file STEM MACHINE: tests/STEM.MACHINE.expect if there is one.
expect_file() {
	[ ! -f "$TOP/tests/$1.$2.expect" ] || echo "$TOP/tests/$1.$2.expect"
}

# vm_cmd ACCEL KERNEL INITRD APPEND: the command line of the test VM in the
# array vmcmd, for the test runs, make vm and the reproducers alike: QEMU's,
# or for ACCEL=bochs bochs-run.sh's, which takes the same options.
# KVMT_QEMU is the QEMU, KVMT_MEM its memory, KVMT_CMDLINE more kernel
# options and KVMT_QEMU_ARGS more QEMU options (split at blanks).
vm_cmd() {
	local -a cpu more
	if [ "$1" = bochs ]; then
		vmcmd=("$TOP/scripts/bochs-run.sh" -m "${KVMT_MEM:-2G}" -kernel "$2" -initrd "$3"
		       -append "console=ttyS0 panic=-1 $4${KVMT_CMDLINE:+ $KVMT_CMDLINE}")
		return
	fi
	case $1 in
	kvm) cpu=(-accel kvm -cpu host) ;;
	*) cpu=(-accel "tcg,thread=multi" -cpu max) ;;
	esac
	read -r -a more <<<"${KVMT_QEMU_ARGS:-}"
	# shellcheck disable=SC2034 # the caller's
	vmcmd=("${KVMT_QEMU:-qemu-system-x86_64}" "${cpu[@]}" -smp 2 -m "${KVMT_MEM:-8G}"
	       -nodefaults -display none -serial mon:stdio -no-reboot -kernel "$2" -initrd "$3"
	       -append "console=ttyS0 panic=-1 $4${KVMT_CMDLINE:+ $KVMT_CMDLINE}" "${more[@]}")
}

# The per-test timeout of the KVM selftests' kselftest "settings" file.
settings_timeout() {
	sed -n 's/^timeout=//p' "$LINUX/tools/testing/selftests/kvm/settings" 2>/dev/null | grep . || echo 120
}

# The upstream release of Debian's linux-source-7.3 BASE_DEBIAN_VERSION.
# Debian's own patches on it touch none of the files the series touches
# (its changelog and the patch series of 7.1.8-1~bpo13+1 read; 7.3.4's
# debian/ tarball was not in the archive), so the series applies to the
# upstream tag as it is.  The tag's commit id was not found in any source
# reachable here; with it set, make export writes it as base-commit:.
# shellcheck disable=SC2034 # for export.sh
BASE_DEBIAN_VERSION=7.3.4-1~bpo13+1 BASE_UPSTREAM_TAG=v7.3.4 BASE_UPSTREAM_COMMIT=
