#!/usr/bin/env bash
# The Intel test bed's VMM: boot a kernel with an initramfs and a command
# line under the harness's Bochs (fetch-bochs.sh), its COM1 on stdout, as
# QEMU does with -serial stdio.  Bochs boots no kernel by itself: the two
# go on an ISOLINUX CD-ROM made for the run.  The test bed has no console
# input (no make vm).  Takes the options of vm_cmd's
# QEMU command line that matter here, and ignores the others.
# Usage: bochs-run.sh -kernel FILE -initrd FILE -append CMDLINE [-m SIZE]
#        [-smp N] [-pidfile FILE] [QEMU OPTIONS...]
# KVMT_BOCHS_CPU is the CPU model (default sapphire_rapids).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

BOCHS=$BUILD/tools/bochs
[ -x "$BOCHS/bin/bochs" ] || die "no Bochs in ${BOCHS#"$TOP"/}: run 'make fetch-bochs'"
kernel='' initrd='' append='' mem=2G cpus=1 pidfile=''
while [ $# -gt 0 ]; do
	case $1 in
	-kernel) kernel=$2; shift 2 ;;
	-initrd) initrd=$2; shift 2 ;;
	-append) append=$2; shift 2 ;;
	-m) mem=$2; shift 2 ;;
	-smp) cpus=$2; shift 2 ;;
	-pidfile) pidfile=$2; shift 2 ;;
	-accel | -cpu | -serial | -display | -L) shift 2 ;;
	-*) die "bochs-run.sh: no such option here: $1" ;;
	*) shift ;;
	esac
done
if [ ! -f "$kernel" ] || [ ! -f "$initrd" ]; then
	die "bochs-run.sh: -kernel and -initrd must name files"
fi
case $mem in
*G) mem=$((${mem%G} * 1024)) ;;
*M) mem=${mem%M} ;;
esac

dir=$(mktemp -d "${TMPDIR:-/tmp}/kvmt-bochs.XXXXXX")
pid=''
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
trap 'exit 143' TERM INT

mkdir -p "$dir/iso/isolinux"
cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$dir/iso/isolinux/"
cp "$kernel" "$dir/iso/vmlinuz"
cp "$initrd" "$dir/iso/initrd"
printf 'DEFAULT linux\nLABEL linux\n  KERNEL /vmlinuz\n  APPEND initrd=/initrd %s\n' "$append" \
	>"$dir/iso/isolinux/isolinux.cfg"
genisoimage -quiet -J -o "$dir/boot.iso" -b isolinux/isolinux.bin -c isolinux/boot.cat \
	-no-emul-boot -boot-load-size 4 -boot-info-table "$dir/iso"
rm -rf "$dir/iso"

# Bochs 3.0 has AMX without XFD, and Linux then enables XTILE_CFG without
# XTILE_DATA, an XCR0 that XSETBV refuses (#GP at boot): no AMX until the
# harness's Bochs has XFD.
exclude=${KVMT_BOCHS_EXCLUDE-amx amx_int8 amx_bf16 amx_fp16 amx_complex}
# Linux taints a kernel on an Intel CPU whose microcode is older than it
# knows (TAINT_CPU_OUT_OF_SPEC); Bochs reports revision 0 in
# IA32_BIOS_SIGN_ID (0x8b): report the highest non-debug one, writes ignored.
printf '0x08b 0 7fffffff 00000000 00000000 00000000 ffffffff ffffffff\n' >"$dir/msrs"
cat >"$dir/bochsrc" <<RC
cpu: model=${KVMT_BOCHS_CPU:-sapphire_rapids}, count=$cpus, ips=100000000, ignore_bad_msrs=1, exclude_features="$exclude", msrs="$dir/msrs"
memory: guest=$mem, host=$mem
romimage: file=$BOCHS/share/bios.bin
vgaromimage: file=$BOCHS/share/vgabios.bin
pci: enabled=1, chipset=i440fx
ata0-master: type=cdrom, path=$dir/boot.iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=/dev/stdout
display_library: nogui
clock: sync=none, time0=local
log: $dir/bochs.log
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
RC

# Bochs resets on a reboot, where QEMU's -no-reboot exits, and exits 1 on
# an ACPI power-off: its console is read through a FIFO, and Bochs is
# stopped once the kernel has powered off, restarted or ended its panic
# report; the run then ends 0, as QEMU's does.
mkfifo "$dir/console"
"$BOCHS/bin/bochs" -q -f "$dir/bochsrc" </dev/null >"$dir/console" 2>"$dir/bochs.err" &
pid=$!
[ -z "$pidfile" ] || echo "$pid" >"$pidfile"
ended=0
awk '{ print; fflush() }
     /(reboot: Power down|reboot: Restarting system|---\[ end Kernel panic)/ { ended = 1; exit }
     END { exit !ended }' <"$dir/console" && ended=1
kill "$pid" 2>/dev/null || true
rc=0
wait "$pid" 2>/dev/null || rc=$?
pid=''
[ "$ended" = 0 ] || rc=0
# Bochs' own complaints after the guest's console, when it ended otherwise.
[ "$rc" = 0 ] || grep -h -i 'panic\|error' "$dir/bochs.err" "$dir/bochs.log" 2>/dev/null |
	grep -v 'MSR\|soft power off' | sed 's/^/bochs: /' | tail -n 20 >&2 || true
exit "$rc"
