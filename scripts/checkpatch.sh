#!/usr/bin/env bash
# checkpatch --strict on every patch: no ERROR, and every WARNING or CHECK
# must be listed with its reason in tests/checkpatch.allow.  Debian's python3
# runs spdxcheck.py, so that it finds python3-ply and python3-git.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

ALLOW=$TOP/tests/checkpatch.allow
mapfile -t PATCHES < <(find "$TOP/patches" -maxdepth 1 -name '[0-9]*.patch' ! -name '0000-*' | sort)
[ "${#PATCHES[@]}" != 0 ] || { info "checkpatch: no patches"; exit 0; }

bad=0
for p in "${PATCHES[@]}"; do
	# The allow-list names patches without their number: "NNNN-".
	name=$(basename "$p")
	name=${name#[0-9][0-9][0-9][0-9]-}
	# --terse lines look like "FILE:LINE: LEVEL:TYPE: message".
	while IFS= read -r line; do
		level=$(sed -E 's/^[^ ]*: (ERROR|WARNING|CHECK):.*/\1/' <<<"$line")
		type=$(sed -E 's/^[^ ]*: [A-Z]+:([A-Z_0-9]+):.*/\1/' <<<"$line")
		if [ "$level" != ERROR ] &&
		   awk -v p="$name" -v t="$type" '$1 == p && $2 == t && NF > 2 { f = 1 } END { exit !f }' "$ALLOW"; then
			echo "  allowed: $name: $level:$type"
			continue
		fi
		bad=1
		echo "  $name: ${line#*: }"
	done < <(cd "$LINUX" || exit; PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict --terse --show-types --no-summary "$p"; true)
done
[ "$bad" = 0 ] || die "checkpatch: fix the patches above, or list a warning in tests/checkpatch.allow as 'PATCH TYPE reason'"
info "checkpatch: ${#PATCHES[@]} patches clean"
