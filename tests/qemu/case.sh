#!/bin/sh
# One case of the QEMU-client stage, run in the test VM (busybox) under the
# name of the case, a link to this file in /kvm/qemu: Debian's QEMU boots a
# guest on /dev/kvm of the kernel under test, and the case checks what the
# guest reports on its serial console (see inner-init).  Exits 0 on
# success, 1 on a failure.

Q=/qemu
W=/tmp/qemu-$$
mkdir -p "$W"

fail() {
	echo "FAIL: $*"
	exit 1
}

# limit SECONDS COMMAND...: run COMMAND, stopped by SIGTERM after SECONDS;
# its exit status, or 124 when it was stopped.  busybox timeout exits with
# the status of the command it stopped, and QEMU exits 0 on SIGTERM, so the
# time taken tells.
limit() {
	secs=$1
	shift
	t0=$(date +%s)
	timeout "$secs" "$@"
	rc=$?
	[ $(($(date +%s) - t0)) -lt "$secs" ] || rc=124
	return "$rc"
}

# qemu NAME CPU APPEND [QEMU OPTIONS...]: run QEMU for at most three
# minutes; the guest's console goes to $W/NAME.log, QEMU's own messages to
# $W/NAME.err.
qemu() {
	name=$1 cpu=$2 append=$3
	shift 3
	echo "${LD_PRELOAD:+LD_PRELOAD=$LD_PRELOAD }qemu-system-x86_64 -accel kvm -cpu $cpu $*" >&2
	: >"$W/$name.log"
	limit 180 $Q/bin/qemu-system-x86_64 -L $Q/share -accel kvm -cpu "$cpu" -smp 1 -m 256M \
		-nodefaults -display none -no-reboot -serial "file:$W/$name.log" \
		-kernel $Q/bzImage -initrd $Q/inner.cpio \
		-append "console=ttyS0 earlyprintk=serial loglevel=7 panic=-1 $append" \
		"$@" 2>"$W/$name.err"
}

# show NAME: QEMU's messages and the guest's console; a guest kernel
# splat fails the case.
show() {
	sed 's/^/qemu: /' "$W/$1.err"
	tr -d '\r' <"$W/$1.log" >"$W/$1.txt"
	sed 's/^/  | /' "$W/$1.txt"
	! grep -Eqf $Q/splat.regex "$W/$1.txt" || fail "the guest's kernel splatted, see its console above"
}

# boot NAME CPU: boot a guest until it powers off, and check that it got
# to its init.
boot() {
	qemu "$1" "$2" "" </dev/null
	rc=$?
	show "$1"
	[ "$rc" = 0 ] || fail "QEMU exited with $rc"
	grep -q '^@@INNER-OK' "$W/$1.txt" || fail "the guest did not get to its init"
}

# expect NAME FEATURE...: the guest sees each FEATURE in /proc/cpuinfo.
expect() {
	have=" $(sed -n 's/^@@INNER-FEATURES //p' "$W/$1.txt") "
	shift
	for f in "$@"; do
		case $have in *" $f "*) ;; *) fail "the guest lacks $f (it has:$have)" ;; esac
	done
}

# vendor: amd or intel, the KVM module this CPU needs.
vendor() {
	case $(sed -n 's/^vendor_id[[:space:]]*: //p' /proc/cpuinfo | head -n 1) in
	AuthenticAMD | HygonGenuine) echo amd ;;
	*) echo intel ;;
	esac
}

arch_caps() {
	sed -n 's/^@@INNER-ARCH-CAPS //p' "$W/$1.txt"
}

# wait_for FILE PATTERN COUNT PID: until FILE has COUNT lines that match,
# while PID lives, for at most two minutes.
wait_for() {
	i=0
	while [ "$(grep -c "$2" "$1")" -lt "$3" ]; do
		kill -0 "$4" 2>/dev/null || return 1
		i=$((i + 1))
		[ "$i" -le 120 ] || return 1
		sleep 1
	done
}

# A guest holding PKRU and YMM15 values is migrated to a file (live: a
# guest stopped first would stay stopped on the other side) and restored by
# a second QEMU; its loop must see the same values.  The
# QEMUs run in the background, in subshells: they are stopped by the PIDs
# they write.
migrate() {
	mkfifo "$W/monitor"
	qemu src host inner.hold -pidfile "$W/src.pid" -monitor stdio <"$W/monitor" >"$W/monitor.out" &
	src=$!
	exec 3>"$W/monitor"
	if ! wait_for "$W/src.log" '^@@INNER-ALIVE' 1 "$src"; then
		kill "$(cat "$W/src.pid")" 2>/dev/null
		show src
		fail "the guest did not start to hold its PKRU and YMM state"
	fi
	echo "migrate exec:cat>$W/state" >&3
	i=0
	until grep -q 'Migration status: completed' "$W/monitor.out"; do
		i=$((i + 1))
		[ "$i" -le 120 ] || { kill "$(cat "$W/src.pid")"; fail "the migration to a file did not complete"; }
		echo 'info migrate' >&3
		sleep 1
	done
	echo quit >&3
	exec 3>&-
	wait "$src"
	show src
	echo "saved $(wc -c <"$W/state") bytes of guest state"

	qemu dst host inner.hold -pidfile "$W/dst.pid" -monitor none -incoming "exec:cat $W/state" </dev/null &
	dst=$!
	wait_for "$W/dst.log" '^@@INNER-ALIVE' 2 "$dst"
	alive=$?
	kill "$(cat "$W/dst.pid")" 2>/dev/null
	wait "$dst"
	show dst
	! grep -q '^@@INNER-BAD' "$W/src.txt" "$W/dst.txt" || fail "the guest's PKRU or YMM15 changed"
	! grep -q 'Linux version' "$W/dst.txt" || fail "the restored guest booted afresh"
	[ "$alive" = 0 ] || fail "the restored guest did not keep running its loop"
	echo "the restored guest kept its PKRU and YMM15"
}

case ${0##*/} in
host)
	boot host host
	expect host xsave avx pku ospke
	;;
epyc)
	boot epyc EPYC
	expect epyc xsave avx
	;;
qemu64-xsave-pku)
	boot pku qemu64,+xsave,+pku
	expect pku xsave pku ospke
	;;
host-checked-arch-caps)
	# The same model with and without KVM's check of the value QEMU
	# writes: QEMU starts either way and the guest sees the same MSR.
	boot quirk host
	LD_PRELOAD=$Q/quirk-off.so boot checked host
	grep -q '^quirk-off: disabled' "$W/checked.err" || fail "the quirk was not disabled"
	[ "$(arch_caps quirk)" = "$(arch_caps checked)" ] ||
		fail "ARCH_CAPABILITIES $(arch_caps checked) with the check, $(arch_caps quirk) without"
	echo "ARCH_CAPABILITIES $(arch_caps checked) with and without the check"
	;;
host-migrate-pkru)
	migrate
	;;
harness-accel-kvm)
	# The harness's test VM as ACCEL=kvm boots it (run-tests.sh's QEMU
	# command line, -accel kvm -cpu host), here on the kernel under test:
	# its init must load the KVM module of the CPU's vendor and run a
	# selftest on the /dev/kvm it gets.
	# Its console is on QEMU's stdio, with the monitor: a test VM still
	# running after 200 s is asked for its blocked tasks and CPU
	# backtraces (serial break, magic SysRq w and l), and QEMU for its
	# vCPUs' registers (each RIP with the symbol it is in), before it is
	# stopped; all within the case's own limit (QEMU_TIMEOUT, 300 s).
	cat $Q/harness.cmd; echo
	: >"$W/harness.log"
	mkfifo "$W/harness.in"
	exec 5<>"$W/harness.in"
	# exec: $! is QEMU itself, not a subshell around it.
	eval "exec $(cat $Q/harness.cmd)" <&5 >"$W/harness.log" 2>&1 &
	vm=$!
	end=$(($(date +%s) + 200))
	while kill -0 "$vm" 2>/dev/null && [ "$(date +%s)" -lt "$end" ]; do
		sleep 1
	done
	if kill -0 "$vm" 2>/dev/null; then
		for key in w l; do
			printf '\001b' >&5
			sleep 1
			printf '%s' "$key" >&5
			sleep 10
		done
		printf '\001c' >&5
		sleep 1
		printf 'info registers -a\n' >&5
		sleep 5
		printf '\001c' >&5
		sleep 1
		kill "$vm"
		wait "$vm"
		rc=124
	else
		wait "$vm"
		rc=$?
	fi
	exec 5>&-
	tr -d '\r' <"$W/harness.log" >"$W/harness.txt"
	sed 's/^/  | /' "$W/harness.txt"
	if [ "$rc" = 124 ]; then
		tr -d '\r' <"$W/harness.log" | sed -n 's/^RIP=\([0-9a-f]*\) .*/\1/p' | while read -r rip; do
			echo "RIP $rip: $(awk -v a="$rip" '$1 > a { exit } { s = $3 } END { print s }' $Q/System.map)"
		done
		fail "the test VM did not finish in 200 s (its blocked tasks and vCPUs are above)"
	fi
	[ "$rc" = 0 ] || fail "QEMU exited with $rc"
	! grep -Eqf $Q/splat.regex "$W/harness.txt" || fail "the test VM's kernel splatted, see its console above"
	! grep -q '^@@KVMT-ERROR' "$W/harness.txt" || fail "the test VM's init reported an error"
	grep -q "^@@KVMT-MODULE kvm_$(vendor)\$" "$W/harness.txt" ||
		fail "the test VM's init did not pick kvm_$(vendor) for this CPU"
	grep -q '^@@KVMT-RESULT x86/cpuid_test 0 ' "$W/harness.txt" || fail "x86/cpuid_test did not pass in the test VM"
	grep -q '^@@KVMT-DONE' "$W/harness.txt" || fail "the test VM did not finish its run"
	;;
*)
	fail "no case named ${0##*/}"
	;;
esac
exit 0
