#!/usr/bin/env bash
# make sign AUTHOR='Name <address>': copies of patches/ for the person who
# sends the series, in build/outgoing/, with the project's placeholder
# identity replaced by AUTHOR in From: and Signed-off-by: (the DCO is that
# person's to give).  patches/ itself is left as it is.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PLACEHOLDER='KVM x86 Series <kvm-x86-series@example.org>'
author=${AUTHOR:-}
[[ $author =~ ^[^\<\>]+\ \<[^\<\>@\ ]+@[^\<\>@\ ]+\>$ ]] ||
	die "name the sender: make sign AUTHOR='Your Name <you@example.org>'"

dir=$BUILD/outgoing
rm -rf "$dir"
mkdir -p "$dir"
for p in "$TOP"/patches/*.patch; do
	grep -qF "From: $PLACEHOLDER" "$p" || die "${p#"$TOP"/} lacks the placeholder From: line"
	awk -v old="$PLACEHOLDER" -v new="$author" '
		$0 == "From: " old { $0 = "From: " new }
		$0 == "Signed-off-by: " old { $0 = "Signed-off-by: " new }
		{ print }' "$p" >"$dir/${p##*/}"
done
info "sign: $(find "$dir" -name '*.patch' | wc -l) patches from $author in ${dir#"$TOP"/}"
info "sign: check them with 'git send-email --dry-run ${dir#"$TOP"/}/*.patch'"
