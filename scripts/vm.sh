#!/usr/bin/env bash
# Boot the test kernel and initramfs with a shell on the console.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

[ -f "$OUT/initramfs.cpio" ] || die "no initramfs: run 'make' first"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/run"
: >"$tmp/run/tests.list"
echo "KVMT_TIMEOUT=0" >"$tmp/run/run.conf"
(cd "$tmp" && find run | cpio -o -H newc --quiet) | cat "$OUT/initramfs.cpio" - >"$tmp/initramfs.cpio"
echo "Console of the test VM; leave with 'poweroff -f' (or Ctrl-a x)."
"${KVMT_QEMU:-qemu-system-x86_64}" -accel tcg,thread=multi -cpu max -smp 2 -m 8G -nographic -no-reboot \
	-kernel "$OUT/arch/x86/boot/bzImage" -initrd "$tmp/initramfs.cpio" \
	-append "console=ttyS0 panic=-1 loglevel=7 kvmt.shell"
