#!/usr/bin/env bash
# Print the path of a sparse that the kernel accepts (scripts/checker-valid.sh):
# the system's if it is new enough, else one built from Debian's newest
# sparse source package, cached in build/tools.
. "$(dirname "$0")/lib.sh"

valid() {
	[ "$("$LINUX/scripts/checker-valid.sh" "$1" -m64 2>/dev/null)" = 1 ]
}

if command -v sparse >/dev/null && valid "$(command -v sparse)"; then
	command -v sparse
	exit 0
fi
tool=$BUILD/tools/sparse
if [ -x "$tool" ] && valid "$tool"; then
	echo "$tool"
	exit 0
fi

info "sparse: the system's sparse is too old for this kernel; building Debian's sid source package"
APT=$BUILD/apt-src
mkdir -p "$BUILD/tools"
apt_private "$APT" "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] @URI@ sid main" ||
	die "cannot reach Debian's sid sources to build sparse"
rm -rf "$APT/src"
mkdir -p "$APT/src"
(cd "$APT/src" && apt-get "${aptopts[@]}" source --download-only sparse >"$APT/source.log" 2>&1) ||
	die "apt-get source sparse failed, see $APT/source.log"
tar -C "$APT/src" -xzf "$(ls "$APT"/src/sparse_*.orig.tar.gz)"
srcdir=$(find "$APT/src" -maxdepth 1 -type d -name 'sparse-*' | head -n 1)
make -C "$srcdir" -s -j"$JOBS" sparse HAVE_LLVM=no HAVE_SQLITE=no HAVE_GTK=no HAVE_LIBXML=no \
	>"$APT/build.log" 2>&1 || die "building sparse failed, see $APT/build.log"
cp "$srcdir/sparse" "$tool"
valid "$tool" || die "the sparse built from Debian's source is not accepted by the kernel either"
echo "$tool"
