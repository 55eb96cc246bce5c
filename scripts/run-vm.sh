#!/usr/bin/env bash
# Boot the test kernel in QEMU (TCG, -cpu max) and run the selftests named
# in LIST, each with a timeout.  Writes RESDIR/console.log and
# RESDIR/results.tsv (test, rc, seconds; rc "crash" when the VM died first).
# EXTRA is a cpio archive appended to the initramfs; the programs it puts
# under /kvm may be named in LIST too.  KVMT_QEMU names the QEMU to use,
# KVMT_KERNEL the kernel to boot (default: the test kernel), KVMT_QEMU_ARGS
# more QEMU options (words split at blanks).
# Usage: run-vm.sh LIST RESDIR [TIMEOUT [EXTRA]]
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

list=$1 res=$2 timeout=${3:-120} extra=${4:-}
KST=$OUT/kselftest
kernel=${KVMT_KERNEL:-$OUT/arch/x86/boot/bzImage}
[ -f "$OUT/initramfs.cpio" ] || die "no initramfs: run 'make' first"
mkdir -p "$res"
rm -f "$res"/*

grep -v '^[[:space:]]*\(#\|$\)' "$list" | awk '{ print $1 }' >"$res/tests.list"
cat "$KST/all-tests" "$KST/harness-tests" >"$res/known"
[ -z "$extra" ] || cpio -it --quiet <"$extra" | sed -n 's|^\(\./\)\{0,1\}kvm/||p' >>"$res/known"
while read -r t; do
	grep -qxF "$t" "$res/known" || die "$t (from ${list#"$TOP"/}) is not a built KVM selftest"
done <"$res/tests.list"
rm "$res/known"
n=$(wc -l <"$res/tests.list")

# A small second archive with the run's parameters, appended to the big one.
conf=$res/conf
mkdir -p "$conf/run"
cp "$res/tests.list" "$conf/run/tests.list"
echo "KVMT_TIMEOUT=$timeout" >"$conf/run/run.conf"
(cd "$conf" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$res/conf.cpio"
cat "$OUT/initramfs.cpio" ${extra:+"$extra"} "$res/conf.cpio" >"$res/initramfs.cpio"
rm -rf "$conf" "$res/conf.cpio"

limit=$((n * (timeout + 5) + 120))
# The guest prints each test's output when the test ends, and ends it at
# its timeout: a console silent for longer than that means a wedged VM.
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

read -r -a qemu_args <<<"${KVMT_QEMU_ARGS:-}"
info "vm: running $n tests (timeout ${timeout}s each, ${limit}s in all); console: ${res#"$TOP"/}/console.log"
watchdog &
dog=$!
set +e
timeout -k 10 "$limit" "${KVMT_QEMU:-qemu-system-x86_64}" -accel tcg,thread=multi -cpu max -smp 2 -m 8G \
	-nographic -no-reboot -pidfile "$res/qemu.pid" -kernel "$kernel" \
	-initrd "$res/initramfs.cpio" -append "console=ttyS0 panic=-1 loglevel=5 ${KVMT_CMDLINE:-}" \
	"${qemu_args[@]}" \
	</dev/null 2>&1 |
	stdbuf -oL tr -d '\r' | tee "$res/console.log" |
	awk '/^@@KVMT-RESULT/ { printf "    %-45s rc=%-4s %6ss\n", $2, $3, $4; fflush() }'
qemu_rc=${PIPESTATUS[0]}
set -e
kill "$dog" 2>/dev/null || true
rm -f "$res/initramfs.cpio"
echo "$qemu_rc" >"$res/qemu-rc"

awk -v list="$res/tests.list" '
	BEGIN { while ((getline t < list) > 0) order[++n] = t }
	/^@@KVMT-START / { started[$2] = 1 }
	/^@@KVMT-RESULT / { rc[$2] = $3; secs[$2] = $4 }
	END {
		for (i = 1; i <= n; i++) {
			t = order[i]
			if (t in rc) print t "\t" rc[t] "\t" secs[t]
			else print t "\t" (t in started ? "crash" : "notrun") "\t-"
		}
	}' "$res/console.log" >"$res/results.tsv"
