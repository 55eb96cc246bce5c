#!/bin/bash
# Check that the protected-state selftest classifies every vCPU ioctl the
# kernel handles, and that it expects exactly the kernel's gate to refuse.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

TEST=tools/testing/selftests/kvm/x86/protected_state_ioctls_test.c
cd "$LINUX"
[ -f "$TEST" ] || die "$TEST is missing; run 'make tree' first"

# The "case KVM_...:" labels of the C function whose definition starts
# with $2 in file $1 (a prototype, which ends with ";" before any "{", is
# skipped).
cases() {
	awk -v start="$2" '
		index($0, start) == 1 { f = 1; body = 0 }
		f && /^{/ { body = 1 }
		f && !body && /;$/ { f = 0 }
		f && body && /^}/ { exit }
		f' "$1" |
		grep -o 'case KVM_[A-Z0-9_]*' | sed 's/^case //' | sort -u
}

# The KVM_* names inside the C array named $1 of the selftest.
array() {
	awk -v start="$1" 'index($0, start) { f = 1 } f && /^};/ { exit } f' "$TEST" |
		grep -o 'KVM_[A-Z0-9_]*' | grep -v '^KVM_CAP_' | sort -u
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cases virt/kvm/kvm_main.c 'static long kvm_vcpu_ioctl(' >"$tmp/generic"
cases arch/x86/kvm/x86.c 'long kvm_arch_vcpu_ioctl(' >"$tmp/arch"
cases arch/x86/kvm/x86.c 'static bool kvm_vcpu_ioctl_accesses_guest_state(' >"$tmp/gate"
array 'gated_ioctls[] = {' >"$tmp/gated"
array 'allowed_ioctls[] = {' >"$tmp/allowed"
for f in generic arch gate gated allowed; do
	[ -s "$tmp/$f" ] || die "found no ioctls for '$f'; the audit no longer matches the source"
done
sort -u "$tmp/generic" "$tmp/arch" >"$tmp/kernel"
sort -u "$tmp/gated" "$tmp/allowed" >"$tmp/listed"

# mismatch MESSAGE: an error for each ioctl on stdin, named where MESSAGE
# has "@".
bad=0
mismatch() {
	local i
	while read -r i; do
		printf 'error: %s\n' "${1//@/$i}" >&2
		bad=1
	done
}
mismatch "@ is a vCPU ioctl but $TEST lists it neither as gated nor as allowed" \
	< <(comm -23 "$tmp/kernel" "$tmp/listed")
mismatch "$TEST lists @, which no vCPU ioctl handler knows" \
	< <(comm -13 "$tmp/kernel" "$tmp/listed")
mismatch "$TEST lists @ as both gated and allowed" \
	< <(comm -12 "$tmp/gated" "$tmp/allowed")
mismatch "kvm_vcpu_ioctl_accesses_guest_state() refuses @, but $TEST does not expect it" \
	< <(comm -23 "$tmp/gate" "$tmp/gated")
# The test's other gated ioctls must be the generic ones, whose arch hooks
# check kvm_vcpu_state_protected() themselves.
mismatch "$TEST expects @ to be refused, but kvm_vcpu_ioctl_accesses_guest_state() does not list it" \
	< <(comm -23 "$tmp/gated" "$tmp/gate" | comm -23 - "$tmp/generic")
[ "$bad" = 0 ] || exit 1
info "ioctl audit: $(wc -l <"$tmp/kernel") vCPU ioctls, $(wc -l <"$tmp/gated") gated"
