#!/usr/bin/env bash
# make fresh: run the README's command in a pristine Debian 12.  A minimal
# system (mmdebstrap's minbase plus make, nothing else) is bootstrapped from
# the machine's Debian archive and cached as build/fresh/bookworm.tar; each
# run unpacks it anew, clones this repository's HEAD into it and runs
# 'make GOAL' there as root.  Passes only if that make passes.
# Only the compiler cache (build/fresh/ccache) outlives a run.
# Usage: fresh.sh ["GOAL ..."]
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

goal=${1:-all}
FRESH=$BUILD/fresh
TAR=$FRESH/bookworm.tar
ROOT=$FRESH/root
LOG=$FRESH/make.log

[ "$(id -u)" = 0 ] || die "make fresh bootstraps and enters a chroot: run it as root"
command -v mmdebstrap >/dev/null || {
	info "fresh: installing mmdebstrap"
	apt-get install -y -qq mmdebstrap >/dev/null
}
[ -z "$(git -C "$TOP" status --porcelain --untracked-files=no)" ] ||
	info "fresh: uncommitted changes are not tested: the pristine system gets a clone of HEAD"
mkdir -p "$FRESH/ccache"

# The machine's way to its archive (proxy, validity checks), and no more.
aptconf=$FRESH/apt.conf
apt-config dump | grep '^Acquire::' >"$aptconf" || true

if [ ! -f "$TAR" ]; then
	uri=$(archive_uri) || exit 1
	info "fresh: bootstrapping Debian 12 (minbase + make) into ${TAR#"$TOP"/}"
	mmdebstrap --quiet --mode=root --variant=minbase --include=make \
		--format=tar --aptopt="$aptconf" bookworm "$FRESH/new.tar" \
		"deb $uri bookworm main" "deb $uri bookworm-updates main" ||
		die "mmdebstrap failed; the archive is read from the machine's apt sources"
	mv "$FRESH/new.tar" "$TAR"
fi

info "fresh: unpacking a pristine system into ${ROOT#"$TOP"/}"
rm -rf "$ROOT"
mkdir -p "$ROOT"
tar -C "$ROOT" -xf "$TAR"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
cp "$aptconf" "$ROOT/etc/apt/apt.conf.d/00machine-acquire"
git clone -q --no-local "$TOP" "$ROOT/root/kvm-series"
mkdir -p "$ROOT/root/.cache/ccache"

info "fresh: running 'make $goal' inside as root (log: ${LOG#"$TOP"/})"
t0=$(date +%s)
rc=0
# A private mount namespace: the mounts go away with the run, whatever
# ends it.  The script in quotes gets its values as arguments.
# shellcheck disable=SC2016
unshare --mount --propagation private -- /bin/sh -euc '
	root=$1 cache=$2 goal=$3
	mount -t proc proc "$root/proc"
	mount --rbind /sys "$root/sys"
	mount --rbind /dev "$root/dev"
	mount -t tmpfs tmpfs "$root/tmp"
	mount --bind "$cache" "$root/root/.cache/ccache"
	exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/bash -c "cd /root/kvm-series && make $goal"
' fresh "$ROOT" "$FRESH/ccache" "$goal" 2>&1 | tee "$LOG" || rc=$?
secs=$(($(date +%s) - t0))

[ "$rc" = 0 ] || die "fresh: 'make $goal' failed in the pristine system after $secs s (exit $rc); see ${LOG#"$TOP"/}"
# A make that passes must have run tests, or for 'bench' printed its table.
grep -qE '^([0-9]+ passed, [0-9]+ failed|operation +insns base)' "$LOG" ||
	die "fresh: 'make $goal' printed neither a test summary nor a bench table; see ${LOG#"$TOP"/}"
info "fresh: 'make $goal' passed in the pristine system in $secs s"
