#!/usr/bin/env bash
# Build tests/bench/insn_window.c, the instruction-counting TCG plugin of
# 'make bench', into $OUT/bench/insn_window.so.  Its API header comes from
# the source of the QEMU the harness runs (fetch-qemu.sh's 10.0.2): the
# orig tarball in Debian's pool, pinned by SHA-256, of which only
# include/qemu/qemu-plugin.h is kept.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

TARBALL=qemu_10.0.2+ds.orig.tar.xz
SHA=0901da33844a331bf8b3602b9c1fbd178e60b737c8e3ade678255bd090c9b9f1
HEADER=$BUILD/dl/qemu-10.0.2/qemu-plugin.h
DIR=$OUT/bench

pkg-config --exists glib-2.0 2>/dev/null ||
	die "no glib headers, which qemu-plugin.h includes: run 'make deps' (libglib2.0-dev)"
if [ ! -f "$HEADER" ]; then
	uri=$(archive_uri) || exit 1
	info "bench-plugin: downloading $TARBALL for qemu-plugin.h"
	mkdir -p "${HEADER%/*}"
	/usr/lib/apt/apt-helper download-file "$uri/pool/main/q/qemu/$TARBALL" "$BUILD/dl/$TARBALL" \
		"SHA256:$SHA" >"$BUILD/dl/qemu-src.log" 2>&1 ||
		die "cannot download $TARBALL with SHA-256 $SHA from $uri (see build/dl/qemu-src.log)"
	tar -xJf "$BUILD/dl/$TARBALL" -O qemu-10.0.2/include/qemu/qemu-plugin.h >"$HEADER.tmp"
	mv "$HEADER.tmp" "$HEADER"
	rm "$BUILD/dl/$TARBALL"
fi
mkdir -p "$DIR"
# shellcheck disable=SC2046 # pkg-config's flags are words
gcc -O2 -Wall -Werror -shared -fPIC -I"${HEADER%/*}" $(pkg-config --cflags glib-2.0) \
	-o "$DIR/insn_window.so" "$TOP/tests/bench/insn_window.c"
