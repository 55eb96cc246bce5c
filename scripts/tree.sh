#!/usr/bin/env bash
# Make $LINUX a git tree whose first commit is the base (tag "base") with
# the branch "series" holding patches/*.patch applied by git am.
#
# With KERNEL_SRC set, the series is applied instead in a detached worktree
# of that repository at its HEAD (build/ext/linux), which is kept while it
# holds commits that patches/ lacks; none of its branches is touched.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

mapfile -t PATCHES < <(find "$TOP/patches" -maxdepth 1 -name '[0-9]*.patch' ! -name '0000-*' | sort)

patch_ids() {
	git patch-id --stable | awk '{ print $1 }' | sort
}

# The notes below a patch's "---" (git format-patch --notes), which git am
# drops: one paragraph, indented by four spaces, after a line "Notes:"
# (checkpatch's remarks that need no place in the changelog).
patch_notes() {
	awk '!sep { sep = ($0 == "---"); next }
	     !in_notes && $0 == "" { next }
	     !in_notes { if ($0 != "Notes:") exit; in_notes = 1; next }
	     /^    / { print substr($0, 5); next }
	     { exit }' "$1"
}

apply_series() {
	local next base i notes
	local -a commits

	[ "${#PATCHES[@]}" != 0 ] || return 0
	base=$(git -C "$1" rev-parse HEAD)
	if ! git -C "$1" am -q --keep-cr "${PATCHES[@]}"; then
		next=$(cat "$(git -C "$1" rev-parse --absolute-git-dir)/rebase-apply/next" 2>/dev/null || echo 0)
		die "patch does not apply: ${PATCHES[next - 1]#"$TOP"/}
       the tree is left for inspection in $1 (git -C $1 am --abort to drop the series)"
	fi
	# Give the notes back to their commits, so that make export keeps them.
	mapfile -t commits < <(git -C "$1" rev-list --reverse "$base..HEAD")
	for i in "${!PATCHES[@]}"; do
		notes=$(patch_notes "${PATCHES[i]}")
		[ -z "$notes" ] || git -C "$1" notes add -f -m "$notes" "${commits[i]}"
	done
}

# The checks before the series is compared with patches/.  Uncommitted
# edits are built and tested as they are (a debug print needs no commit);
# only make export, and applying patches/ anew, refuse them.
DIRTY=
check_tree() {
	[ ! -d "$(git -C "$LINUX" rev-parse --git-path rebase-apply)" ] ||
		die "a 'git am' of the series stopped in $LINUX: fix the patch and 'git am --continue',
       or 'git -C $LINUX am --abort' and correct it in patches/"
	DIRTY=$(git -C "$LINUX" status --porcelain --untracked-files=no | awk 'NR <= 5 { printf "%s%s", sep, $2; sep = " " }')
	[ -z "$DIRTY" ] || [ -z "${KVMT_GATE:-}" ] ||
		die "$LINUX has uncommitted edits ($DIRTY): make check tests commits only; commit or stash them"
	[ -z "$DIRTY" ] ||
		printf 'warning: %s has uncommitted edits (%s): they are built and tested, but are in no patch\n' \
			"$LINUX" "$DIRTY" >&2
}

# sync_series RESET...: compare the commits BASE..TIP with patches/ by the
# patch-ids of what was last applied or exported, which tell a tree that
# holds unexported work from one that patches/ has moved away from; RESET
# is the command that puts the tree back at the base before patches/ is
# applied again.
sync_series() {
	local stamp want have last

	stamp=$(git -C "$LINUX" rev-parse --absolute-git-dir)/series-ids
	want=$(for p in "${PATCHES[@]}"; do patch_ids <"$p"; done | sort)
	have=$(git -C "$LINUX" log --reverse -p --format='commit %H' "$BASE..$TIP" | patch_ids)
	last=$(cat "$stamp" 2>/dev/null || echo none)
	if [ "$have" = "$want" ]; then
		info "tree: the series in $LINUX matches patches/ (${#PATCHES[@]} patches)"
	elif [ -z "$have" ] || [ "$have" = "$last" ] || [ "$last" = none ]; then
		# At the base, untouched since the last apply, or no apply ever
		# completed.  The stamp comes first: a git am that stops and is
		# continued by hand leaves work of the tree's own, not a tree to
		# reset.
		[ -z "$DIRTY" ] ||
			die "patches/ changed, and $LINUX has uncommitted edits ($DIRTY) that applying it anew would lose: commit or stash them (git -C $LINUX stash), then make"
		info "tree: applying ${#PATCHES[@]} patches from patches/"
		printf '%s\n' "$want" >"$stamp"
		"$@"
		apply_series "$LINUX"
	elif [ "$want" = "$last" ]; then
		info "tree: $LINUX has commits that are not exported yet; testing them (run 'make export')"
		return
	else
		die "both the series in $LINUX and patches/ changed since the last apply/export.
       Keep the tree: make export.  Keep patches/: git -C $LINUX reset --hard $BASE, then make"
	fi
	printf '%s\n' "$want" >"$stamp"
}

if [ -n "${KERNEL_SRC:-}" ]; then
	git -C "$KERNEL_SRC" rev-parse --git-dir >/dev/null 2>&1 ||
		die "KERNEL_SRC=$KERNEL_SRC is not a git repository"
	head=$(git -C "$KERNEL_SRC" rev-parse HEAD)
	src_common=$(cd "$KERNEL_SRC" && realpath "$(git rev-parse --git-common-dir)")
	git -C "$KERNEL_SRC" config user.email >/dev/null ||
		export GIT_COMMITTER_NAME="KVM series harness" GIT_COMMITTER_EMAIL=harness@localhost
	# The worktree may hold work: it is never deleted here.  It is reused
	# when it belongs to KERNEL_SRC; the series is applied afresh on
	# KERNEL_SRC's new HEAD when that moved and the worktree holds nothing
	# that is not in patches/.
	if [ -e "$LINUX/.git" ]; then
		git -C "$LINUX" rev-parse --git-dir >/dev/null 2>&1 ||
			die "$LINUX lost the link to its repository (was it moved?): git -C $KERNEL_SRC worktree repair $LINUX"
		wt_common=$(cd "$LINUX" && realpath "$(git rev-parse --git-common-dir)")
		[ "$wt_common" = "$src_common" ] ||
			die "$LINUX is a worktree of $wt_common, not of KERNEL_SRC: use that KERNEL_SRC, or drop the worktree (git --git-dir=$wt_common worktree remove --force $LINUX) if it holds nothing you need"
		[ -f "$BUILD/ext/base-commit" ] ||
			die "no $BUILD/ext/base-commit: write into it the commit of KERNEL_SRC the series in $LINUX starts from"
		check_tree
		if [ "$BASE" != "$head" ]; then
			have=$(git -C "$LINUX" log -p --format='commit %H' "$BASE..HEAD" | patch_ids)
			last=$(cat "$(git -C "$LINUX" rev-parse --absolute-git-dir)/series-ids" 2>/dev/null || echo none)
			if git -C "$LINUX" merge-base --is-ancestor "$head" HEAD; then
				info "tree: the series in $LINUX is on KERNEL_SRC's HEAD $(git -C "$KERNEL_SRC" rev-parse --short HEAD) now"
			elif [ -z "$have" ] || [ "$have" = "$last" ]; then
				[ -z "$DIRTY" ] ||
					die "KERNEL_SRC's HEAD moved, and $LINUX has uncommitted edits ($DIRTY): commit or stash them, then make"
				info "tree: KERNEL_SRC's HEAD moved to $(git -C "$KERNEL_SRC" rev-parse --short HEAD): applying the series there"
				git -C "$LINUX" checkout -q --detach "$head"
			else
				info "tree: KERNEL_SRC's HEAD moved, but $LINUX holds unexported work: testing it on $(git -C "$LINUX" rev-parse --short "$BASE") (export it, or rebase it onto the new HEAD)"
				head=$BASE
			fi
			echo "$head" >"$BUILD/ext/base-commit"
			BASE=$head
		fi
		sync_series git -C "$LINUX" checkout -q --detach "$BASE"
		exit 0
	fi
	# No .git: nothing of a worktree, no work to lose.
	rm -rf "$LINUX"
	git -C "$KERNEL_SRC" worktree prune
	mkdir -p "$BUILD/ext"
	info "tree: detached worktree of $KERNEL_SRC at $(git -C "$KERNEL_SRC" rev-parse --short HEAD) in $LINUX"
	git -C "$KERNEL_SRC" worktree add -q --detach "$LINUX" "$head"
	echo "$head" >"$BUILD/ext/base-commit"
	BASE=$head
	sync_series true
	exit 0
fi

if [ ! -d "$LINUX/.git" ]; then
	info "tree: unpacking the base into $LINUX"
	rm -rf "$LINUX.tmp"
	mkdir -p "$LINUX.tmp"
	tar -C "$LINUX.tmp" --strip-components=1 -xf "$BUILD/dl/linux-source.tar.xz"
	version=$(cat "$BUILD/dl/base-version")
	git -C "$LINUX.tmp" init -q -b series
	git -C "$LINUX.tmp" config user.name "KVM series harness"
	git -C "$LINUX.tmp" config user.email harness@localhost
	# Debian's top-level .gitignore ignores everything: force the add.
	git -C "$LINUX.tmp" add -f -A
	# A fixed identity and date make the base commit the same everywhere.
	GIT_AUTHOR_NAME="KVM series harness" GIT_AUTHOR_EMAIL=harness@localhost \
	GIT_COMMITTER_NAME="KVM series harness" GIT_COMMITTER_EMAIL=harness@localhost \
	GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z" \
		git -C "$LINUX.tmp" commit -q -m "Linux base: Debian linux-source-7.3 $version"
	git -C "$LINUX.tmp" tag base
	mv "$LINUX.tmp" "$LINUX"
fi

check_tree
[ "$(git -C "$LINUX" rev-parse --abbrev-ref HEAD)" = series ] ||
	die "$LINUX is not on the series branch (git -C $LINUX checkout series, or git am --abort if a patch failed)"
sync_series git -C "$LINUX" checkout -q -B series base
