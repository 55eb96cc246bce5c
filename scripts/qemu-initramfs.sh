#!/usr/bin/env bash
# Pack what the QEMU-client stage adds to the test VM's initramfs into
# $OUT/qemu-test.cpio: Debian's QEMU with the libraries and firmware it
# loads, the test kernel as guest kernel with a busybox initramfs of its
# own (tests/qemu/inner-init and probe.c), the quirk-off library and the
# cases of tests/qemu.list, each a link to tests/qemu/case.sh.
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

if [ -f "$CPIO" ] && [ -z "$(find "$SRC" "$LIST" "$KERNEL" "$QEMU" "$BUSYBOX" "$OUT/usr/include/linux/kvm.h" \
		-newer "$CPIO" -type f -print -quit)" ]; then
	info "qemu-pack: up to date"
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
cp "$BUSYBOX" "$root/inner/bin/busybox"
for app in $("$BUSYBOX" --list); do
	[ -e "$root/inner/bin/$app" ] || ln -s busybox "$root/inner/bin/$app"
done
mkdir -p "$root"/inner/{proc,sys,dev}
cp "$SRC/inner-init" "$root/inner/init"
gcc -O2 -Wall -Werror -static -mgeneral-regs-only -o "$root/inner/probe" "$SRC/probe.c"
(cd "$root/inner" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$root/qemu/inner.cpio"
rm -rf "$root/inner"

cp "$SRC/case.sh" "$root/kvm/qemu/case.sh"
grep -v '^[[:space:]]*\(#\|$\)' "$LIST" | awk '{ print $1 }' | while read -r t; do
	case $t in qemu/*) ;; *) die "$t in ${LIST#"$TOP"/} is not a qemu/ case" ;; esac
	ln -s case.sh "$root/kvm/$t"
done

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$CPIO.tmp"
mv "$CPIO.tmp" "$CPIO"
info "qemu-pack: $(du -m "$CPIO" | cut -f1) MB"
