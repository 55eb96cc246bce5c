#!/usr/bin/env bash
# git range-diff of the series in the kernel tree (BASE..TIP) against an
# older version OLD: a tag series-vN of the kernel tree (make export makes
# them), or else a tag or commit of this repository, whose patches/ is then
# applied to the base and tagged in the kernel tree.  OLD defaults to the
# version before the cover letter's.
# Usage: range-diff.sh [OLD]
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

cover=$TOP/patches/0000-cover-letter.patch
[ -d "$LINUX/.git" ] || [ -f "$LINUX/.git" ] || die "no $LINUX: run 'make' first"
old=${1:-}
if [ -z "$old" ]; then
	v=$(sed -n 's/^Subject: \[[^]]* v\([0-9][0-9]*\) .*/\1/p' "$cover" | head -n 1)
	if [ -z "$v" ] || [ "$v" -le 1 ]; then
		die "patches/ holds v1 of the series: name the version to compare with, OLD=..."
	fi
	old=series-v$((v - 1))
fi

if git -C "$LINUX" rev-parse -q --verify "refs/tags/$old" >/dev/null; then
	old_tip=$old
	old_base=$(git -C "$LINUX" rev-parse -q --verify "refs/tags/$old-base" || echo "$BASE")
else
	git -C "$TOP" rev-parse -q --verify "$old^{commit}" >/dev/null ||
		die "$old is neither a tag of $LINUX nor a tag or commit of this repository"
	tmp=$(mktemp -d)
	wt=$LINUX-range-diff
	trap 'rm -rf "$tmp"; git -C "$LINUX" worktree remove --force "$wt" 2>/dev/null || true' EXIT
	git -C "$TOP" archive "$old" patches | tar -C "$tmp" -xf -
	mapfile -t patches < <(find "$tmp/patches" -name '[0-9]*.patch' ! -name '0000-*' | sort)
	[ "${#patches[@]}" != 0 ] || die "$old has no patches in patches/"
	info "range-diff: applying the ${#patches[@]} patches of $old to $(git -C "$LINUX" rev-parse --short "$BASE")"
	git -C "$LINUX" worktree remove --force "$wt" 2>/dev/null || rm -rf "$wt"
	git -C "$LINUX" worktree prune
	git -C "$LINUX" worktree add -q --detach "$wt" "$BASE"
	git -C "$wt" -c user.name="KVM series harness" -c user.email=harness@localhost \
		am -q --keep-cr "${patches[@]}" >"$tmp/am.log" 2>&1 ||
		die "the patches of $old do not apply to $BASE: $(head -n 3 "$tmp/am.log")"
	old_tip=$(git -C "$wt" rev-parse HEAD)
	old_base=$BASE
	case $old in
	series-v[0-9]*)
		git -C "$LINUX" tag -f "$old" "$old_tip" >/dev/null
		git -C "$LINUX" tag -f "$old-base" "$BASE" >/dev/null
		info "range-diff: tagged $old in $LINUX" ;;
	esac
fi
git -C "$LINUX" range-diff "$old_base..$old_tip" "$BASE..$TIP"
