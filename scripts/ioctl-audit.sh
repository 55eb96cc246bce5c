#!/bin/bash
# Check that the protected-state selftest classifies every vCPU ioctl the
# kernel handles, that it expects exactly the kernel's gate and hooks to
# refuse, and that the gate and hooks run before anything touches the vCPU.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

TEST=tools/testing/selftests/kvm/x86/protected_state_ioctls_test.c
SRC=(virt/kvm/kvm_main.c arch/x86/kvm/x86.c arch/x86/kvm/regs.c)
cd "$LINUX"
[ -f "$TEST" ] || die "$TEST is missing; run 'make tree' first"

# The body, "{" to "}", of the first C function named $1 defined in $SRC (a
# prototype, which ends with ";" before any "{", is skipped).
body() {
	awk -v name="$1" '
		$0 ~ "^[a-z].*[ *]" name "[(]" { f = 1; body = 0 }
		f && /^{/ { body = 1 }
		f && !body && /;$/ { f = 0 }
		f && body
		f && body && /^}/ { exit }' "${SRC[@]}"
}

# The KVM_* names on stdin that follow the regex $1, but capabilities.
names() {
	{ grep -oE "${1}KVM_[A-Z0-9_]+" | grep -oE 'KVM_[A-Z0-9_]+$' |
		grep -v '^KVM_CAP_' || true; } | sort -u
}

# The KVM_* names inside the C array named $1 of the selftest.
array() {
	awk -v start="$1" 'index($0, start) { f = 1 } f && /^};/ { exit } f' "$TEST" | names ''
}

bad=0
error() {
	printf 'error: %s\n' "$*" >&2
	bad=1
}

# mismatch MESSAGE: an error for each ioctl on stdin, named where MESSAGE
# has "@".
mismatch() {
	local i
	while read -r i; do
		error "${1//@/$i}"
	done
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Every way into a vCPU ioctl: kvm_vcpu_ioctl() offers it to the unlocked
# (and, where a tree has one, the async) handler, then handles the generic
# ones and passes the rest to kvm_arch_vcpu_ioctl(); 32-bit tasks come
# through kvm_vcpu_compat_ioctl() first.
entries=(kvm_vcpu_ioctl kvm_vcpu_compat_ioctl kvm_arch_vcpu_ioctl
	 kvm_arch_vcpu_unlocked_ioctl kvm_arch_vcpu_async_ioctl)
for fn in "${entries[@]}" kvm_vcpu_ioctl_accesses_guest_state; do
	body "$fn" >"$tmp/$fn.c"
	names '(case|ioctl ==) ' <"$tmp/$fn.c" >"$tmp/$fn"
	[ -s "$tmp/$fn" ] || [ "$fn" = kvm_arch_vcpu_async_ioctl ] ||
		die "found no ioctls in $fn(); the audit no longer matches the source"
done
generic=$tmp/kvm_vcpu_ioctl
gate=$tmp/kvm_vcpu_ioctl_accesses_guest_state
array 'gated_ioctls[] = {' >"$tmp/gated"
array 'allowed_ioctls[] = {' >"$tmp/allowed"
for f in gated allowed; do
	[ -s "$tmp/$f" ] || die "found no ioctls for '$f'; the audit no longer matches the source"
done
(cd "$tmp" && sort -u "${entries[@]}") >"$tmp/kernel"
sort -u "$tmp/gated" "$tmp/allowed" >"$tmp/listed"

# A statement before the gate could load the vCPU or touch its state.
# Declarations end at the first blank line.
first=$(awk '!NF { decls = 1; next }
	decls && n++ < 3 { $1 = $1; printf "%s%s", (n > 1 ? " " : ""), $0 }' "$tmp/kvm_arch_vcpu_ioctl.c")
[ "$first" = 'if (kvm_vcpu_ioctl_accesses_guest_state(ioctl) && kvm_vcpu_refuses_state_ioctls(vcpu)) return -EINVAL;' ] ||
	error "the gate is not the first statement of kvm_arch_vcpu_ioctl(); it starts with: $first"

# The gated ioctls that the gate's switch cannot list, and the function that
# must refuse each before vcpu_load(): kvm_vcpu_ioctl() handles the first
# ones itself, and the XSAVE ones are refused through the confidential
# fpstate, as the FPU ones are (KVM_GET_XSAVE goes through get_xsave2).  A
# comment naming the check does not count.
while read -r ioctl fn check; do
	echo "$ioctl" >>"$tmp/hooked"
	body "$fn" >"$tmp/hook.c"
	[ -s "$tmp/hook.c" ] || die "found no $fn(); the audit no longer matches the source"
	awk -v want="$check" '/^[ \t]*(\/\*|\*)/ { next }
		index($0, want) { ok = 1; exit } /vcpu_load\(vcpu\)/ { exit }
		END { exit !ok }' "$tmp/hook.c" ||
		error "$fn() does not check $check before vcpu_load(vcpu)"
done <<'EOF'
KVM_GET_REGS        kvm_arch_vcpu_ioctl_get_regs        kvm_vcpu_refuses_state_ioctls(vcpu)
KVM_SET_REGS        kvm_arch_vcpu_ioctl_set_regs        kvm_vcpu_refuses_state_ioctls(vcpu)
KVM_GET_SREGS       kvm_arch_vcpu_ioctl_get_sregs       kvm_vcpu_refuses_state_ioctls(vcpu)
KVM_SET_SREGS       kvm_arch_vcpu_ioctl_set_sregs       kvm_vcpu_refuses_state_ioctls(vcpu)
KVM_TRANSLATE       kvm_arch_vcpu_ioctl_translate       kvm_vcpu_refuses_state_ioctls(vcpu)
KVM_GET_FPU         kvm_arch_vcpu_ioctl_get_fpu         fpstate_is_confidential(&vcpu->arch.guest_fpu)
KVM_SET_FPU         kvm_arch_vcpu_ioctl_set_fpu         fpstate_is_confidential(&vcpu->arch.guest_fpu)
KVM_SET_GUEST_DEBUG kvm_arch_vcpu_ioctl_set_guest_debug vcpu->arch.guest_state_protected
KVM_GET_XSAVE       kvm_vcpu_ioctl_x86_get_xsave2       fpstate_is_confidential(&vcpu->arch.guest_fpu)
KVM_GET_XSAVE2      kvm_vcpu_ioctl_x86_get_xsave2       fpstate_is_confidential(&vcpu->arch.guest_fpu)
KVM_SET_XSAVE       kvm_vcpu_ioctl_x86_set_xsave        fpstate_is_confidential(&vcpu->arch.guest_fpu)
EOF
sort -u -o "$tmp/hooked" "$tmp/hooked"

mismatch "@ is a vCPU ioctl but $TEST lists it neither as gated nor as allowed" \
	< <(comm -23 "$tmp/kernel" "$tmp/listed")
mismatch "$TEST lists @, which no vCPU ioctl handler knows" \
	< <(comm -13 "$tmp/kernel" "$tmp/listed")
mismatch "$TEST lists @ as both gated and allowed" \
	< <(comm -12 "$tmp/gated" "$tmp/allowed")
mismatch "kvm_vcpu_ioctl_accesses_guest_state() refuses @, but $TEST does not expect it" \
	< <(comm -23 "$gate" "$tmp/gated")
# kvm_arch_vcpu_ioctl(), and so the gate, never sees the generic ioctls.
mismatch "$TEST expects @ to be refused, but kvm_vcpu_ioctl() handles it and the audit's table names no hook that refuses it" \
	< <(comm -12 "$tmp/gated" "$generic" | comm -23 - "$tmp/hooked")
mismatch "$TEST expects @ to be refused, but kvm_vcpu_ioctl_accesses_guest_state() does not list it" \
	< <(comm -23 "$tmp/gated" "$generic" | comm -23 - "$gate" | comm -23 - "$tmp/hooked")
[ "$bad" = 0 ] || exit 1
info "ioctl audit: $(wc -l <"$tmp/kernel") vCPU ioctls, $(wc -l <"$tmp/gated") gated"
