#!/usr/bin/env bash
# Bisectability (make build-each): every patch, applied in order, builds
# the KVM modules with the test config (KVM_INTEL=m KVM_AMD=m KVM_WERROR=y),
# plus any other kernel directory it touches, and the selftests when it
# touches them.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

mapfile -t COMMITS < <(git -C "$LINUX" rev-list --reverse "$BASE..$TIP")
[ "${#COMMITS[@]}" != 0 ] || { info "build-each: no patches"; exit 0; }
# shellcheck source=worktree.sh
. "$TOP/scripts/worktree.sh"

for c in "${COMMITS[@]}"; do
	subject=$(git -C "$LINUX" log -1 --format=%s "$c")
	info "build-each: $(git -C "$LINUX" log -1 --format=%h "$c") $subject"
	wt_checkout "$c"
	mapfile -t dirs < <(git -C "$LINUX" diff --name-only "$c^" "$c" -- '*.c' |
		grep -v '^tools/' | xargs -r -n1 dirname | sort -u | sed 's|$|/|')
	wt_make arch/x86/kvm/ "${dirs[@]}" >"$WT_OUT/build.log" 2>&1 || {
		tail -n 30 "$WT_OUT/build.log"
		die "build-each: the kernel does not build at \"$subject\""
	}
	if git -C "$LINUX" diff --name-only "$c^" "$c" | grep -q '^tools/testing/selftests/kvm/'; then
		wt_make -s headers_install >/dev/null
		make -C "$WT/tools/testing/selftests/kvm" -j"$JOBS" -s ARCH=x86 CC="ccache gcc" \
			OUTPUT="$WT_OUT/kselftest" KHDR_INCLUDES="-isystem $WT_OUT/usr/include" \
			EXTRA_CFLAGS=-static all >"$WT_OUT/selftests.log" 2>&1 || {
			tail -n 30 "$WT_OUT/selftests.log"
			die "build-each: the selftests do not build at \"$subject\""
		}
	fi
done
info "build-each: all ${#COMMITS[@]} patches build"
