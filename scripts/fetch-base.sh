#!/usr/bin/env bash
# Download the base kernel source (Debian's linux-source-7.3) into the cache,
# verify it and leave the tarball at build/dl/linux-source.tar.xz.
# Falls back to the newest 7.3.y when the pinned version is gone.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PKG=linux-source-7.3
PIN_VERSION=7.3.4-1~bpo13+1
PIN_DEB_SHA=703e369ddd4cce971452f5a593ee55df3a5c10c83caf0fa0df039633ed181ee3
PIN_TAR_SHA=76df1affb19f24926949369be1d74b60071c963c598ce8780bddd4bbf0fc3bc4

DL=$BUILD/dl
TARBALL=$DL/linux-source.tar.xz
mkdir -p "$DL"

if [ -f "$TARBALL" ] && [ -f "$DL/base-version" ]; then
	info "fetch-base: cached $PKG $(cat "$DL/base-version")"
	exit 0
fi

info "fetch-base: updating a private apt index for trixie-backports"
APT=$BUILD/apt
apt_private "$APT" "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] @URI@ trixie-backports main" ||
	die "no package index; put the base tarball at $TARBALL and its version in $DL/base-version by hand"

versions=$(apt-cache "${aptopts[@]}" madison "$PKG" | awk -F'|' '{ gsub(/ /, "", $2); print $2 }')
if printf '%s\n' "$versions" | grep -qxF "$PIN_VERSION"; then
	version=$PIN_VERSION
else
	version=$(printf '%s\n' "$versions" | grep '^7\.3\.' | sort -V | tail -n 1)
	[ -n "$version" ] || die "no $PKG 7.3.y in trixie-backports; nothing to build on"
	cat >&2 <<-MSG
	************************************************************************
	WARNING: $PKG $PIN_VERSION is no longer in the archive.
	WARNING: falling back to $PKG $version; its checksum cannot be verified
	WARNING: against a pinned value and results may differ from the cover letter.
	************************************************************************
	MSG
fi

info "fetch-base: downloading $PKG $version"
(cd "$DL" && rm -f ./*.deb && apt-get "${aptopts[@]}" download "$PKG=$version" >"$APT/download.log" 2>&1) ||
	die "apt-get download $PKG=$version failed, see $APT/download.log"
deb=$(ls "$DL"/*.deb)
if [ "$version" = "$PIN_VERSION" ]; then
	echo "$PIN_DEB_SHA  $deb" | sha256sum -c --quiet - || die "SHA-256 mismatch for $deb"
fi

rm -rf "$DL/x"
dpkg -x "$deb" "$DL/x"
tar=$(ls "$DL"/x/usr/src/linux-source-7.3.tar.xz)
if [ "$version" = "$PIN_VERSION" ]; then
	echo "$PIN_TAR_SHA  $tar" | sha256sum -c --quiet - || die "SHA-256 mismatch for $tar"
fi
mv "$tar" "$TARBALL"
rm -rf "$DL/x"
sha256sum "$TARBALL" | awk '{ print $1 }' >"$DL/base-sha256"
echo "$version" >"$DL/base-version"
info "fetch-base: $PKG $version, tarball sha256 $(cat "$DL/base-sha256")"
