#!/usr/bin/env bash
# The code half of 'make bench': disassemble the functions on the series'
# hot paths in the base and the series kernels (one .config) and list the
# instructions the series adds or removes in each.  Branch targets, symbol
# offsets and addresses are masked, so that code moved by the series is not
# counted as changed; registers are masked and relocations are shown as
# the symbol they name.
# Writes $OUT/bench/code.txt and prints its summary lines.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

B=$OUT/bench
BASE_OUT=$BUILD/bench-base${KERNEL_SRC:+-ext}/out
FUNCS=(
	arch/x86/kvm/kvm.ko:kvm_arch_vcpu_ioctl_run	# vcpu_enter_guest() is inlined here
	arch/x86/kvm/kvm.ko:kvm_arch_vcpu_ioctl
	arch/x86/kvm/kvm.ko:kvm_arch_vcpu_ioctl_get_regs
	arch/x86/kvm/kvm-amd.ko:svm_vcpu_run
	arch/x86/kvm/kvm-intel.ko:vmx_vcpu_run
	vmlinux:fpu_guest_pkru_begin
	vmlinux:fpu_guest_pkru_end
	vmlinux:nmi_uaccess_begin
	vmlinux:nmi_uaccess_end
	vmlinux:copy_from_user_nmi
	vmlinux:copy_from_user_nofault
)

# One line per instruction: mnemonic and operands with registers masked (a
# new register allocation is not a new instruction), relocations appended.
listing() {
	[ -f "$1" ] || die "bench-code: no $1"
	objdump -dr --no-show-raw-insn --disassemble="$2" "$1" | awk '
		# objdump also prints earlier relocations of the section after the
		# first instruction.
		/^[ \t]*[0-9a-f]+: R_X86_64_/ { if (n > 1) { sub(/[-+]0x[0-9a-f]+$/, "", $3); line = line " [" $3 "]" }; next }
		/^ *[0-9a-f]+:\t/ {
			if (line != "") print line
			n++
			sub(/^ *[0-9a-f]+:\t/, ""); sub(/ *#.*/, "")
			callee = ""
			if ($1 ~ /^call/ && match($0, /<[^>+]*/)) callee = " [" substr($0, RSTART + 1, RLENGTH - 1) "]"
			sub(/ *<[^>]*>/, "")
			if ($1 ~ /^(j|call)/) sub(/ [0-9a-f]+$/, " T")
			gsub(/0x[0-9a-f]+\(%rip\)/, "X(%rip)")
			gsub(/%[re]?[a-z0-9]+/, "%R"); gsub(/ +/, " "); line = $0 callee
		}
		END { if (line != "") print line }'
}

mkdir -p "$B"
{
	for f in "${FUNCS[@]}"; do
		obj=${f%%:*} fn=${f#*:}
		listing "$OUT/$obj" "$fn" >"$B/code.series"
		[ -s "$B/code.series" ] || die "bench-code: no $fn in the series' $obj"
		listing "$BASE_OUT/$obj" "$fn" >"$B/code.base"
		if [ ! -s "$B/code.base" ]; then
			echo "== $fn ($obj): new in the series, $(wc -l <"$B/code.series") instructions"
			sed 's/^/   /' "$B/code.series"
			continue
		fi
		diff "$B/code.base" "$B/code.series" | grep '^[<>]' | sed 's/^</-/; s/^>/+/' >"$B/code.diff" || true
		echo "== $fn ($obj): $(wc -l <"$B/code.base") -> $(wc -l <"$B/code.series") instructions," \
			"$(grep -c '^+' "$B/code.diff") added, $(grep -c '^-' "$B/code.diff") removed"
		sed 's/^/   /' "$B/code.diff"
	done
} >"$B/code.txt"
grep '^==' "$B/code.txt"
info "bench-code: the instructions are listed in ${B#"$TOP"/}/code.txt"
rm -f "$B/code.base" "$B/code.series" "$B/code.diff"
