#!/usr/bin/env bash
# The base kernel of 'make bench': the series' first parent, built with the
# test kernel's .config, with its modules installed, in a worktree and output
# directory of their own ($BUILD/bench-base/{linux,out}).  Their relative
# layout is the test kernel's, so that ccache serves every file the series
# does not touch.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

DIR=$BUILD/bench-base${KERNEL_SRC:+-ext}
WT=$DIR/linux
WT_OUT=$DIR/out
[ -f "$OUT/.config" ] || die "no $OUT/.config: run 'make kernel' first"
if ! git -C "$WT" rev-parse --git-dir >/dev/null 2>&1; then
	rm -rf "$WT"
	git -C "$LINUX" worktree prune
	git -C "$LINUX" worktree add -q --detach "$WT" "$BASE"
fi
git -C "$WT" checkout -q --detach "$BASE"
mkdir -p "$WT_OUT"
cp "$OUT/.config" "$WT_OUT/.config"

info "bench-kernel: building the base kernel ($(git -C "$WT" log -1 --format=%h)) with the test kernel's .config"
KMAKE=(make -C "$WT" O="$WT_OUT" -j"$JOBS" CC="ccache gcc" HOSTCC="ccache gcc"
       KBUILD_BUILD_USER=kvm KBUILD_BUILD_HOST=series KBUILD_BUILD_TIMESTAMP=2026-01-01)
export CCACHE_BASEDIR=$TOP CCACHE_SLOPPINESS=time_macros,include_file_mtime
"${KMAKE[@]}" -s olddefconfig >/dev/null
"${KMAKE[@]}" -s bzImage modules >"$WT_OUT/build.log" 2>&1 || {
	tail -n 30 "$WT_OUT/build.log"
	die "bench-kernel: the base kernel does not build (log: ${WT_OUT#"$TOP"/}/build.log)"
}
rm -rf "$WT_OUT/mod-root"
"${KMAKE[@]}" -s INSTALL_MOD_PATH="$WT_OUT/mod-root" INSTALL_MOD_STRIP=1 modules_install >/dev/null
[ "$(cat "$WT_OUT/include/config/kernel.release")" = "$(cat "$OUT/include/config/kernel.release")" ] ||
	die "bench-kernel: base and series kernels have different release strings; the bench initramfs needs one"
