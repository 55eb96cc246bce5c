#!/usr/bin/env bash
# Pack busybox, the KVM modules, the stripped selftests and the harness's
# test program and module into $OUT/initramfs.cpio (uncompressed: TCG would
# spend seconds inflating it).
# Skipped when nothing it packs is newer than the archive.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

KST=$OUT/kselftest
CPIO=$OUT/initramfs.cpio
BUSYBOX=$(command -v busybox) || die "busybox is missing: apt-get install busybox-static"

if [ -f "$CPIO" ] && [ -z "$(find "$KST" "$OUT/mod-root" "$TOP/scripts/guest-init" "$BUSYBOX" \
		-newer "$CPIO" -type f -print -quit)" ]; then
	info "initramfs: up to date"
	exit 0
fi

root=$OUT/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,run,kvm,lib}
cp "$BUSYBOX" "$root/bin/busybox"
for app in $("$BUSYBOX" --list); do
	[ -e "$root/bin/$app" ] || ln -s busybox "$root/bin/$app"
done
cp -a "$OUT/mod-root/lib/modules" "$root/lib/"
cp "$TOP/scripts/guest-init" "$root/init"
while read -r t; do
	mkdir -p "$root/kvm/$(dirname "$t")"
	strip -o "$root/kvm/$t" "$KST/$t"
done < <(cat "$KST/all-tests" "$KST/harness-tests")
cp "$KST/nmi/nmi_uaccess.ko" "$root/kvm/nmi/"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$CPIO.tmp"
mv "$CPIO.tmp" "$CPIO"
info "initramfs: $(du -m "$CPIO" | cut -f1) MB"
