#!/usr/bin/env bash
# Install the Debian packages the harness needs, when any is missing.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PKGS=(build-essential bc bison flex libelf-dev libssl-dev cpio kmod xz-utils
      python3 python3-ply python3-git git qemu-system-x86 busybox-static sparse ccache shellcheck)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ "${#missing[@]}" = 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	die "missing Debian packages; as root, run:
       apt-get install ${missing[*]}"
fi
info "deps: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
