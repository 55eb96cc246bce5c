#!/usr/bin/env bash
# Boot the test kernel and initramfs with a shell on the console, with the
# QEMU command line of the test runs (ACCEL and KVMT_* as there).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

[ -f "$OUT/initramfs.cpio" ] || die "no initramfs: run 'make' first"
accel=$(vm_accel)
[ "$accel" != bochs ] || die "make vm: the Bochs test bed takes no console input; use ACCEL=tcg"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/run"
: >"$tmp/run/tests.list"
echo "KVMT_TIMEOUT=0" >"$tmp/run/run.conf"
(cd "$tmp" && find run | cpio -o -H newc --quiet) | cat "$OUT/initramfs.cpio" - >"$tmp/initramfs.cpio"
vm_cmd "$accel" "${KVMT_KERNEL:-$OUT/arch/x86/boot/bzImage}" "$tmp/initramfs.cpio" "loglevel=7 kvmt.shell"
echo "Console of the test VM (accel $accel); leave with 'poweroff -f' (or Ctrl-a x)."
"${vmcmd[@]}"
