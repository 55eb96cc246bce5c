#!/usr/bin/env bash
# Regenerate patches/ from the series branch of build/linux, keeping the
# hand-written cover letter.  Same branch, byte-identical files.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

[ -d "$LINUX/.git" ] || die "no $LINUX: run 'make' first"
[ -z "$(git -C "$LINUX" status --porcelain --untracked-files=no)" ] ||
	die "$LINUX has uncommitted changes: commit them first"

n=$(git -C "$LINUX" rev-list --count base..series)
find "$TOP/patches" -maxdepth 1 -name '[0-9]*.patch' ! -name '0000-cover-letter.patch' -delete
if [ "$n" != 0 ]; then
	git -C "$LINUX" -c core.abbrev=12 -c diff.noprefix=false -c format.signature= \
		format-patch -q --numbered --zero-commit --no-signature --no-thread \
		--subject-prefix=PATCH -o "$TOP/patches" base..series
fi

# Remember what was exported, so tree.sh can tell new work from old.
for p in "$TOP"/patches/[0-9]*.patch; do
	[ "$p" = "$TOP/patches/0000-cover-letter.patch" ] || git patch-id --stable <"$p"
done | awk '{ print $1 }' | sort >"$(git -C "$LINUX" rev-parse --absolute-git-dir)/series-ids"

info "export: $n patches in patches/"
cover=$TOP/patches/0000-cover-letter.patch
if [ -f "$cover" ] && ! grep -q "^Subject: \[PATCH 0*0/0*$n\]" "$cover"; then
	info "export: the cover letter's Subject does not say $n patches: update patches/0000-cover-letter.patch"
fi
