#!/usr/bin/env bash
# The Intel test bed's emulator: Bochs 3.0 from Debian's source (suite
# trixie), checked against its SHA-256, with the harness's patches of
# tests/bochs/*.patch (each says what it fixes), built with ccache into
# build/tools/bochs (bin/bochs, share/ with the BIOS images of the tarball).
# Rebuilt from a fresh unpack when the pin or a patch changes: Bochs'
# makefiles do not know every header an object depends on.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

VERSION=3.0+dfsg
TARBALL=bochs_$VERSION.orig.tar.xz
POOL=pool/main/b/bochs
SHA=78f6c73d4a6472d5130a87ab9dc306d02c7c71ed8e25b3a8ef642e2a7acd282b
CONFIGURE=(--with-nogui --enable-x86-64 --enable-cpu-level=6 --enable-smp --enable-pci
	   --enable-vmx=2 --enable-avx --enable-evex --enable-amx --enable-protection-keys
	   --enable-configurable-msrs --enable-all-optimizations)

DIR=$BUILD/tools/bochs
DL=$BUILD/dl/$TARBALL
install_pkgs fetch-bochs build-essential isolinux syslinux-common genisoimage

stamp=$( { echo "$SHA ${CONFIGURE[*]}"; cat "$TOP"/tests/bochs/*.patch; } | sha256sum | cut -c1-16)
if [ -x "$DIR/bin/bochs" ] && [ "$(cat "$DIR/stamp" 2>/dev/null)" = "$stamp" ]; then
	info "fetch-bochs: cached Bochs $VERSION with $(find "$TOP/tests/bochs" -name '*.patch' | wc -l) patches"
	exit 0
fi

if ! echo "$SHA  $DL" | sha256sum -c --status 2>/dev/null; then
	uri=$(archive_uri) || exit 1
	info "fetch-bochs: downloading $TARBALL"
	mkdir -p "$BUILD/dl"
	rm -f "$DL"
	/usr/lib/apt/apt-helper download-file "$uri/$POOL/$TARBALL" "$DL" "SHA256:$SHA" >"$DL.log" 2>&1 ||
		die "fetch-bochs: $TARBALL did not download with SHA-256 $SHA (see ${DL#"$TOP"/}.log): if the archive dropped it, pin the version it has in ${0#"$TOP"/}"
fi

src=$BUILD/tools/bochs-src
rm -rf "$src"
mkdir -p "$src"
tar -C "$src" --no-same-owner -xf "$DL"
tree=$src/bochs-3.0
for p in "$TOP"/tests/bochs/*.patch; do
	patch -d "$tree" -p1 -s --fuzz=0 <"$p" >"$src/patch.log" 2>&1 ||
		die "fetch-bochs: ${p#"$TOP"/} does not apply to Bochs $VERSION (see ${src#"$TOP"/}/patch.log)"
done
info "fetch-bochs: building Bochs $VERSION with $(find "$TOP/tests/bochs" -name '*.patch' | wc -l) patches (ccache)"
(cd "$tree" && CC="ccache gcc" CXX="ccache g++" ./configure "${CONFIGURE[@]}" >"$src/configure.log" 2>&1) ||
	die "fetch-bochs: configure failed (see ${src#"$TOP"/}/configure.log)"
make -C "$tree" -j"$JOBS" >"$src/build.log" 2>&1 ||
	die "fetch-bochs: the build failed (see ${src#"$TOP"/}/build.log)"

rm -rf "$DIR"
mkdir -p "$DIR/bin" "$DIR/share"
cp "$tree/bochs" "$DIR/bin/"
cp "$tree/bios/bios.bin-1.13.0" "$DIR/share/bios.bin"
cp "$tree/bios/vgabios-cirrus.bin-1.13.0" "$DIR/share/vgabios.bin"
echo "$stamp" >"$DIR/stamp"
rm -rf "$src"
info "fetch-bochs: built ${DIR#"$TOP"/}/bin/bochs"
