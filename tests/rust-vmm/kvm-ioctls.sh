#!/bin/sh
# One test of kvm-ioctls' suite, named by the link it is run through: the
# suite's own status, 4 (skip) when the crate marks the test ignored, and a
# failure when the name matches no test.
t=${0##*/}
out=/tmp/kvm-ioctls.out
"$(dirname "$0")/suite" --exact "$t" --test-threads=1 >"$out" 2>&1
rc=$?
cat "$out"
[ "$rc" = 0 ] || exit "$rc"
grep -q '^test result: ok\. 1 passed' "$out" && exit 0
if grep -q '^test result: ok\. 0 passed; 0 failed; 1 ignored' "$out"; then
	echo "SKIP: kvm-ioctls marks $t #[ignore]"
	exit 4
fi
echo "no test of the suite is named $t"
exit 1
