#!/usr/bin/env bash
# Boot the test kernel in QEMU and run the selftests named in LIST (one per
# line, with its arguments), each with a timeout (default: the selftests'
# "settings" file).  Writes RESDIR/console.log and RESDIR/results.tsv (test,
# rc, seconds; rc "crash" when the VM died first), and keeps in RESDIR/vm
# what scripts/reproducer.sh needs to run one of the tests again.
# EXTRA is a cpio archive appended to the initramfs; the programs it puts
# under /kvm may be named in LIST too.  ACCEL (tcg, kvm, auto) picks the
# accelerator, KVMT_KERNEL the kernel to boot (default: the test kernel),
# KVMT_LIVE=1 prints the console while a test runs, its output and the
# kernel's messages (make run);
# see vm_cmd in lib.sh for the other KVMT_* variables.
# Usage: run-tests.sh LIST RESDIR [TIMEOUT [EXTRA]]
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

list=$1 res=$(realpath -m "$2") timeout=${3:-} extra=${4:-}
[ -n "$timeout" ] || timeout=$(settings_timeout)
KST=$OUT/kselftest
kernel=${KVMT_KERNEL:-$OUT/arch/x86/boot/bzImage}
[ -f "$OUT/initramfs.cpio" ] || die "no initramfs: run 'make' first"
accel=$(vm_accel)
mkdir -p "$res"
(cd "$res" && rm -rf console.log results.tsv tests.list qemu-rc qemu.pid hung splats.txt logs vm repro initramfs.cpio)
mkdir "$res/vm"

# One test per line with its arguments; a "#" starts a comment.
sed 's/#.*//; s/^[[:space:]]*//; s/[[:space:]]*$//' "$list" | grep . >"$res/tests.list" || true
cat "$KST/all-tests" "$KST/harness-tests" >"$res/known"
[ -z "$extra" ] || cpio -it --quiet <"$extra" | sed -n 's|^\(\./\)\{0,1\}kvm/||p' >>"$res/known"
while read -r t _; do
	grep -qxF "$t" "$res/known" || die "$t (from ${list#"$TOP"/}) is not a built KVM selftest"
done <"$res/tests.list"
rm "$res/known"
dup=$(awk '{ print $1 }' "$res/tests.list" | sort | uniq -d | head -n 1)
[ -z "$dup" ] || die "$dup is named twice in ${list#"$TOP"/}: results are kept per test"
n=$(wc -l <"$res/tests.list")

# A small archive with the run's parameters, appended to the big one; the
# parts are kept (the shared initramfs by a hard link: initramfs.sh
# replaces it, never rewrites it) for the reproducers.
conf=$res/conf
mkdir -p "$conf/run"
cp "$res/tests.list" "$conf/run/tests.list"
echo "KVMT_TIMEOUT=$timeout" >"$conf/run/run.conf"
(cd "$conf" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$res/vm/conf.cpio"
rm -rf "$conf"
ln -f "$OUT/initramfs.cpio" "$res/vm/initramfs.cpio" 2>/dev/null || cp "$OUT/initramfs.cpio" "$res/vm/"
[ -z "$extra" ] || cp "$extra" "$res/vm/extra.cpio"
cp "$kernel" "$res/vm/bzImage"
cat "$res/vm/initramfs.cpio" ${extra:+"$res/vm/extra.cpio"} "$res/vm/conf.cpio" >"$res/initramfs.cpio"
vm_cmd "$accel" "$res/vm/bzImage" "$res/initramfs.cpio" "loglevel=5"
printf '%s\0' "${vmcmd[@]}" >"$res/vm/qemu.argv"
echo "$timeout" >"$res/vm/timeout"
vm_machine >"$res/vm/machine"

# TIMEOUT 0: no timeout, for the tests (guest-init) or the VM (timeout(1)).
limit=$((n * (timeout + 5) + 120))
[ "$timeout" != 0 ] || limit=0
# The guest ends each test at its timeout and prints its result: a console
# silent for longer than that means a wedged VM.
watchdog() {
	local size last=-1 quiet=0
	while sleep 10; do
		size=$(stat -c %s "$res/console.log" 2>/dev/null || echo 0)
		if [ "$size" != "$last" ]; then
			last=$size quiet=0
			continue
		fi
		quiet=$((quiet + 10))
		if [ "$quiet" -ge $((timeout + 60)) ]; then
			printf 'error: the test VM printed nothing for %s s: it hangs, stopping it\n' "$quiet" >&2
			echo "$quiet" >"$res/hung"
			kill "$(cat "$res/qemu.pid")" 2>/dev/null
			return
		fi
	done
}

info "vm: running $n tests (accel $accel, timeout ${timeout}s each, ${limit}s in all); console: ${res#"$TOP"/}/console.log"
dog=
if [ "$timeout" != 0 ]; then
	watchdog &
	dog=$!
fi
set +e
timeout -k 10 "$limit" "${vmcmd[@]}" -pidfile "$res/qemu.pid" </dev/null 2>&1 |
	stdbuf -oL tr -d '\r' | tee "$res/console.log" |
	awk -v n="$n" -v live="${KVMT_LIVE:-}" '
		/^@@KVMT-START / { if (live) print "    " $2 ":"; in_test = 1; fflush(); next }
		/^@@KVMT-RESULT / { printf "    [%d/%d] %-45s rc=%-4s %6ss\n", ++k, n, $2, $3, $4; in_test = 0; fflush(); next }
		live && in_test { print; fflush() }'
qemu_rc=${PIPESTATUS[0]}
set -e
[ -z "$dog" ] || kill "$dog" 2>/dev/null || true
rm -f "$res/initramfs.cpio"
echo "$qemu_rc" >"$res/qemu-rc"

awk -v list="$res/tests.list" '
	BEGIN { while ((getline l < list) > 0) { split(l, f, " "); order[++n] = f[1] } }
	/^@@KVMT-START / { started[$2] = 1 }
	/^@@KVMT-RESULT / { rc[$2] = $3; secs[$2] = $4 }
	END {
		for (i = 1; i <= n; i++) {
			t = order[i]
			if (t in rc) print t "\t" rc[t] "\t" secs[t]
			else print t "\t" (t in started ? "crash" : "notrun") "\t-"
		}
	}' "$res/console.log" >"$res/results.tsv"
