#!/usr/bin/env bash
# Unpack Debian's QEMU 10.0 (bookworm-backports) into build/tools/qemu and
# write build/tools/qemu-system-x86_64, which runs it.  It emulates the CPU
# of the QEMU-client stage: the TCG of Debian 12's QEMU 7.2 lets a nested
# guest's XSETBV bypass KVM's intercept, which breaks every XSAVE guest of
# an inner QEMU (see README.md).  Nothing is installed on the machine.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

VERSION=1:10.0.2+ds-2+deb13u1~bpo12+1
SHA_X86=4a6b1856c8b0d7df4ff8e70249e12c473ccf8d516aadb4ae14d3d938faed0c65
SHA_DATA=2d831088187087013b3fcbd19bdfb955b182a2d5a08f6dafa0ad1c6d2007fb4e

DIR=$BUILD/tools/qemu
WRAPPER=$BUILD/tools/qemu-system-x86_64
if [ -x "$WRAPPER" ] && [ "$(cat "$DIR/version" 2>/dev/null)" = "$VERSION" ]; then
	info "fetch-qemu: cached QEMU $VERSION"
	exit 0
fi

info "fetch-qemu: downloading QEMU $VERSION from bookworm-backports"
APT=$BUILD/apt-qemu
apt_private "$APT" "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] @URI@ bookworm-backports main" ||
	die "cannot reach bookworm-backports for QEMU 10.0"
rm -rf "$APT/debs" "$DIR"
mkdir -p "$APT/debs" "$DIR"
(cd "$APT/debs" && apt-get "${aptopts[@]}" download "qemu-system-x86=$VERSION" "qemu-system-data=$VERSION" \
	>"$APT/download.log" 2>&1) ||
	die "apt-get download of QEMU $VERSION failed (see $APT/download.log); if the archive dropped it, update VERSION and the checksums in ${0##*/}"
(cd "$APT/debs" && sha256sum -c --quiet - <<-SUMS) || die "SHA-256 mismatch for the QEMU packages"
	$SHA_X86  $(ls qemu-system-x86_*.deb)
	$SHA_DATA  $(ls qemu-system-data_*.deb)
	SUMS
for deb in "$APT"/debs/*.deb; do
	dpkg -x "$deb" "$DIR"
done
echo "$VERSION" >"$DIR/version"

# Its firmware from its own data package and Debian 12's SeaBIOS; no audio
# backend, because probing one would load Debian 12's QEMU 7.2 modules.
cat >"$WRAPPER" <<-SH
	#!/bin/sh
	exec "$DIR/usr/bin/qemu-system-x86_64" -L "$DIR/usr/share/qemu" -L /usr/share/seabios -audio none "\$@"
	SH
chmod +x "$WRAPPER"
missing=$(ldd "$DIR/usr/bin/qemu-system-x86_64" | grep 'not found' || true)
[ -z "$missing" ] || die "QEMU $VERSION needs libraries this machine lacks:
$missing"
info "fetch-qemu: $("$WRAPPER" --version | head -n 1)"
