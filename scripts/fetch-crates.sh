#!/usr/bin/env bash
# Unpack rust-vmm's kvm-ioctls and kvm-bindings, and the crates they build
# with, from Debian sid's librust-*-dev packages (the crates' source) into
# build/tools/crates, a cargo directory source.  Each package is pinned by
# version and SHA-256; nothing is installed on the machine.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# package version SHA-256: kvm-ioctls, what it and kvm-bindings (feature
# fam-wrappers) depend on, and byteorder, a dev-dependency of its tests.
PINS="\
librust-kvm-ioctls-dev 0.25.1-1 11f5dde19ef285a05f2d0c185894830104dab747d071b031043d2947334f2632
librust-kvm-bindings-dev 0.14.2-1 dc06dd82d8539e84b60f1c5601485af23c2986514841d50e6f5cc5b966fe2846
librust-vmm-sys-util-dev 0.15.0-4 e3bd28733e4a614bb4c2bf3f0b40d503a9aaec0117de658ccad2065448062a17
librust-libc-dev 0.2.186-1 fac8d39563a0f5b4561328bf3632ca85ea674d89e782785b7b711b25c7f80d53
librust-bitflags-dev 2.13.2-1 e362f3141c43d4869bbb35196e11dc9277894981c3022e65828c6d2895df4539
librust-bitflags-1-dev 1.3.2-8+b1 81b9c5edb0769cb6a008c7b4307a177541dcba761c8d7a7a9301192fb219ad70
librust-byteorder-dev 1.5.0-1+b2 dd7f73d2d89f2e2353b720cdead772a83b0488969e491ca5d6efcdfe69fd4454"

DIR=$BUILD/tools/crates
if [ "$(cat "$DIR.pins" 2>/dev/null)" = "$PINS" ]; then
	info "fetch-crates: cached crates ($(cd "$DIR" && echo kvm-ioctls-*))"
	exit 0
fi

info "fetch-crates: downloading the crates from Debian sid"
APT=$BUILD/apt-sid
apt_private "$APT" "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] @URI@ sid main" ||
	die "cannot reach Debian sid for the rust-vmm crates"
rm -rf "$APT/debs" "$DIR"
mkdir -p "$APT/debs" "$DIR"
while read -r pkg version sha; do
	(cd "$APT/debs" && apt-get "${aptopts[@]}" download "$pkg=$version" >>"$APT/download.log" 2>&1) ||
		die "apt-get download of $pkg $version failed (see ${APT#"$TOP"/}/download.log); if sid dropped it, update PINS in ${0##*/}"
	deb=$(echo "$APT/debs/${pkg}_"*.deb)
	echo "$sha  $deb" | sha256sum -c --quiet - || die "SHA-256 mismatch for $pkg $version"
	dpkg-deb -x "$deb" "$APT/root"
done <<<"$PINS"
mv "$APT"/root/usr/share/cargo/registry/* "$DIR/"
rm -rf "$APT/root"
echo "$PINS" >"$DIR.pins"
info "fetch-crates: $(cd "$DIR" && echo ./*)"
