#!/usr/bin/env bash
# The base kernel of 'make bench': the series' first parent, built with the
# test kernel's .config, with its modules installed, in a worktree of its
# own ($BUILD/bench-base/{linux,out}, the layout under which ccache serves
# every file the series does not touch).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

WT_DIR=$BUILD/bench-base${KERNEL_SRC:+-ext}
# shellcheck source=worktree.sh
. "$TOP/scripts/worktree.sh"

info "bench-kernel: building the base kernel ($(git -C "$LINUX" log -1 --format=%h "$BASE")) with the test kernel's .config"
wt_checkout "$BASE"
wt_make -s bzImage modules >"$WT_OUT/build.log" 2>&1 || {
	tail -n 30 "$WT_OUT/build.log"
	die "bench-kernel: the base kernel does not build (log: ${WT_OUT#"$TOP"/}/build.log)"
}
rm -rf "$WT_OUT/mod-root"
wt_make -s INSTALL_MOD_PATH="$WT_OUT/mod-root" INSTALL_MOD_STRIP=1 modules_install >/dev/null
[ "$(cat "$WT_OUT/include/config/kernel.release")" = "$(cat "$OUT/include/config/kernel.release")" ] ||
	die "bench-kernel: base and series kernels have different release strings; the bench initramfs needs one"
