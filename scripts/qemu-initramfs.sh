#!/usr/bin/env bash
# Pack what the QEMU-client stage adds to the test VM's initramfs into
# $OUT/qemu-test.cpio: Debian's QEMU with the libraries and firmware it
# loads, the test kernel as guest kernel with a busybox initramfs of its
# own (tests/qemu/inner-init and probe.c), the quirk-off library, the
# harness's own test VM for ACCEL=kvm, and the cases of tests/qemu.list,
# each a link to tests/qemu/case.sh.
# Skipped when nothing it packs is newer than the archive.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

CPIO=$OUT/qemu-test.cpio
SRC=$TOP/tests/qemu
LIST=$TOP/tests/qemu.list
KERNEL=$OUT/arch/x86/boot/bzImage
QEMU=$(command -v qemu-system-x86_64) || die "qemu-system-x86_64 is missing: apt-get install qemu-system-x86"
BUSYBOX=$(command -v busybox) || die "busybox is missing: apt-get install busybox-static"
[ -f "$KERNEL" ] || die "no test kernel: run 'make' first"

if [ -f "$CPIO" ] && [ -z "$(find "$SRC" "$LIST" "$KERNEL" "$QEMU" "$BUSYBOX" "$OUT/usr/include/linux/kvm.h" "$SPLAT_REGEX" \
		"$OUT/initramfs.cpio" "$TOP/scripts/lib.sh" \
		-newer "$CPIO" -type f -print -quit)" ]; then
	info "qemu-initramfs: up to date"
	exit 0
fi

root=$OUT/qemu-test
rm -rf "$root"
mkdir -p "$root"/qemu/{bin,share} "$root/kvm/qemu" "$root/inner/bin"

# The VMM, the libraries it links and the firmware of a -nodefaults
# -kernel boot (no option ROMs, no VGA BIOS, no keymaps).
cp "$QEMU" "$root/qemu/bin/"
ldd "$QEMU" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
while read -r lib; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
cp -L /usr/share/seabios/bios-256k.bin /usr/share/qemu/{linuxboot_dma,kvmvapic}.bin "$root/qemu/share/"
gcc -O2 -Wall -Werror -shared -fPIC -isystem "$OUT/usr/include" \
	-o "$root/qemu/quirk-off.so" "$SRC/quirk-off.c" -ldl

# The guest: the test kernel and a busybox initramfs.
cp "$KERNEL" "$root/qemu/bzImage"
cp "$OUT/System.map" "$root/qemu/System.map"
cp "$BUSYBOX" "$root/inner/bin/busybox"
for app in $("$BUSYBOX" --list); do
	[ -e "$root/inner/bin/$app" ] || ln -s busybox "$root/inner/bin/$app"
done
mkdir -p "$root"/inner/{proc,sys,dev}
cp "$SRC/inner-init" "$root/inner/init"
gcc -O2 -Wall -Werror -static -mgeneral-regs-only -o "$root/inner/probe" "$SRC/probe.c"
(cd "$root/inner" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$root/qemu/inner.cpio"
rm -rf "$root/inner"

# The harness's own test VM with ACCEL=kvm, for the case harness-accel-kvm:
# the QEMU command line of run-tests.sh (from vm_cmd, with Debian's QEMU of
# this archive, 1 GiB) and a small initramfs of the test VM, its init, the
# KVM modules and one selftest.
sq() { # words, quoted for sh
	local w
	for w in "$@"; do printf "'%s' " "${w//\'/\'\\\'\'}"; done
}
KVMT_QEMU=/qemu/bin/qemu-system-x86_64 KVMT_MEM=1G KVMT_QEMU_ARGS="-L /qemu/share" KVMT_CMDLINE='' \
	vm_cmd kvm /qemu/bzImage /qemu/harness.cpio "loglevel=5"
sq "${vmcmd[@]}" >"$root/qemu/harness.cmd"
hv=$root/harness
mkdir -p "$hv/run" "$hv/kvm/x86"
cp -a "$OUT/initramfs/"{bin,sbin,lib,init,proc,sys,dev,tmp} "$hv/"
cp -a "$OUT/initramfs/kvm/x86/cpuid_test" "$hv/kvm/x86/"
echo x86/cpuid_test >"$hv/run/tests.list"
echo KVMT_TIMEOUT=120 >"$hv/run/run.conf"
(cd "$hv" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$root/qemu/harness.cpio"
rm -rf "$hv"

cp "$SRC/case.sh" "$root/kvm/qemu/case.sh"
cp "$SPLAT_REGEX" "$root/qemu/splat.regex"
grep -v '^[[:space:]]*\(#\|$\)' "$LIST" | awk '{ print $1 }' | while read -r t; do
	case $t in qemu/*) ;; *) die "$t in ${LIST#"$TOP"/} is not a qemu/ case" ;; esac
	ln -s case.sh "$root/kvm/$t"
done

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$CPIO.tmp"
mv "$CPIO.tmp" "$CPIO"
info "qemu-initramfs: $(du -m "$CPIO" | cut -f1) MB"
