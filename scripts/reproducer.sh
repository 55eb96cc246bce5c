#!/usr/bin/env bash
# Write RESDIR/repro/NAME.sh, which boots the kernel and initramfs that
# run-tests.sh kept in RESDIR/vm with the same QEMU command line and runs
# only TEST, with its arguments and timeout, then exits with its status.
# NAME is TEST with "/" as "_".  The files stay until the next run into RESDIR.
# Usage: reproducer.sh RESDIR TEST
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

res=$(cd "$1" && pwd) t=$2
name=${t//\//_}
dir=$res/repro
[ -f "$res/vm/qemu.argv" ] || die "${res#"$TOP"/} has no kept test VM: run the tests again"
line=$(awk -v t="$t" '$1 == t' "$res/tests.list")
[ -n "$line" ] || die "$t is not a test of ${res#"$TOP"/}"
mkdir -p "$dir/$name.root/run"
echo "$line" >"$dir/$name.root/run/tests.list"
echo "KVMT_TIMEOUT=$(cat "$res/vm/timeout")" >"$dir/$name.root/run/run.conf"
(cd "$dir/$name.root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$dir/$name.cpio"
rm -rf "$dir/$name.root"

# The run's command line with this test's initramfs: the run's archives,
# then this one, whose files replace the run's list.
mapfile -d '' argv <"$res/vm/qemu.argv"
for i in "${!argv[@]}"; do
	[ "${argv[i]}" != -initrd ] || argv[i + 1]=$dir/$name.initramfs.cpio
done
parts=("$res/vm/initramfs.cpio")
[ ! -f "$res/vm/extra.cpio" ] || parts+=("$res/vm/extra.cpio")
parts+=("$dir/$name.cpio")
# The VM's own limit: none when the tests have none (TIMEOUT=0).
tmo=$(cat "$res/vm/timeout")
limit=0
[ "$tmo" = 0 ] || limit=$((tmo + 300))
{
	echo '#!/usr/bin/env bash'
	echo "# Runs $t again as ${res#"$TOP"/} ran it: same kernel, initramfs, QEMU"
	echo "# command line and timeout, only this test.  Console: ${dir#"$TOP"/}/$name.log"
	echo 'set -o pipefail'
	printf 'cat %s >%q\n' "$(printf '%q ' "${parts[@]}")" "$dir/$name.initramfs.cpio"
	printf 'timeout -k 10 %q ' "$limit"
	printf '%q ' "${argv[@]}"
	printf '</dev/null 2>&1 | tr -d %q | tee %q\n' '\r' "$dir/$name.log"
	printf 'rm -f %q\n' "$dir/$name.initramfs.cpio"
	# shellcheck disable=SC2016 # written for the reproducer to expand
	printf 'rc=$(awk %q %q)\n' "\$1 == \"@@KVMT-RESULT\" && \$2 == \"$t\" { print \$3 }" "$dir/$name.log"
	# shellcheck disable=SC2016
	printf 'echo "%s: exit ${rc:-none, the VM died first}"\n' "$t"
	# shellcheck disable=SC2016
	printf 'case $rc in [0-9]*) exit "$rc" ;; *) exit 1 ;; esac\n'
} >"$dir/$name.sh"
chmod +x "$dir/$name.sh"
echo "${dir#"$TOP"/}/$name.sh"
