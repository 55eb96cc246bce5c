#!/usr/bin/env bash
# Install the Debian packages the harness needs, when any is missing, then
# check that every command it runs is there.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# Each package with what needs it (found by running 'make fresh', which
# runs the README's commands in a pristine Debian 12).
PKGS=(
	build-essential		# gcc, make, strip, libc.a for the static selftests
	uuid-dev		# the selftests' vfio library (uuid/uuid.h, libuuid.a)
	bc bison flex libelf-dev libssl-dev	# the kernel build
	rsync			# the kernel's headers_install
	cpio kmod xz-utils	# initramfs, modules_install/depmod, the base tarball
	python3 python3-ply python3-git	# checkpatch's spdxcheck.py
	git ccache
	qemu-system-x86 busybox-static	# the test VM
	sparse shellcheck	# the gate
	libglib2.0-dev		# make bench's QEMU plugin: qemu-plugin.h includes glib.h
	cargo-web rustc-web	# the rust-vmm stage (Debian 12's current Rust)
)

install_pkgs deps "${PKGS[@]}"

# A renamed or split package would otherwise show only minutes later, as
# a build that dies: insist on every command now.
CMDS=(gcc make strip bc bison flex rsync cpio depmod xz python3 perl git ccache
      qemu-system-x86_64 busybox sparse shellcheck dpkg-deb apt-get stdbuf timeout
      ldd md5sum sha256sum cmp pkg-config objdump join patch)
lost=()
for c in "${CMDS[@]}"; do
	command -v "$c" >/dev/null || lost+=("$c")
done
[ "${#lost[@]}" = 0 ] || die "commands missing after installing the packages: ${lost[*]}
       (a Debian package may have been renamed: find it with 'apt-file search bin/NAME' and add it to ${0##*/})"
[ -f /usr/include/uuid/uuid.h ] || die "no uuid/uuid.h after installing uuid-dev"
[ -x /usr/bin/cargo ] || die "no /usr/bin/cargo after installing cargo-web"
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] ||
	die "no Debian archive keyring: apt-get install debian-archive-keyring"
