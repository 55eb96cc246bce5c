# shellcheck shell=bash
# A second, detached worktree of $LINUX with its own output directory, for
# building single commits (build-each.sh, sparse.sh, mutants.sh) without
# disturbing the main tree and build.  Sourced; WT_NAME (default "wt") names
# the pair, so that the scripts that need one of their own do not share it;
# WT_DIR instead names its directory.  The pair is WT_DIR/linux and
# WT_DIR/out, the main pair's relative layout: kbuild then compiles in
# "out" with sources under "../linux", so with lib.sh's CCACHE_BASEDIR the
# compiler runs the same command lines, and ccache serves every object the
# main build compiled.

WT_DIR=${WT_DIR:-$(dirname "$OUT")/${WT_NAME:-wt}}
WT=$WT_DIR/linux
WT_OUT=$WT_DIR/out
# The layout before this one ($LINUX-NAME, $OUT-NAME): gigabytes of a tree
# and build no script uses any more.
if [ -d "$LINUX-${WT_NAME:-wt}" ] || [ -d "$OUT-${WT_NAME:-wt}" ]; then
	info "worktree: removing the old ${LINUX#"$TOP"/}-${WT_NAME:-wt} and ${OUT#"$TOP"/}-${WT_NAME:-wt}"
	git -C "$LINUX" worktree remove --force "$LINUX-${WT_NAME:-wt}" 2>/dev/null || rm -rf "$LINUX-${WT_NAME:-wt}"
	rm -rf "$OUT-${WT_NAME:-wt}"
fi
[ -f "$OUT/.config" ] || die "no $OUT/.config: run 'make kernel' first"
if ! git -C "$WT" rev-parse --git-dir >/dev/null 2>&1; then
	rm -rf "$WT"
	git -C "$LINUX" worktree prune
	git -C "$LINUX" worktree add -q --detach "$WT" "$BASE"
fi
mkdir -p "$WT_OUT"

wt_checkout() {
	git -C "$WT" checkout -q --detach "$1"
	cp "$OUT/.config" "$WT_OUT/.config"
	make -C "$WT" O="$WT_OUT" -s olddefconfig >/dev/null
}

# Not silenced by the caller's "make -s": sparse.sh reads kbuild's CHECK lines.
wt_make() {
	MAKEFLAGS='' MAKELEVEL='' make -C "$WT" O="$WT_OUT" -j"$JOBS" CC="ccache gcc" HOSTCC="ccache gcc" "$@"
}
