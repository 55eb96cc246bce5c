#!/usr/bin/env bash
# Write the upstream suite's run list to FILE: every built x86 selftest but
# those that tests/upstream.ACCEL-VENDOR.expect excludes and those of
# SERIES (make test's list, default tests/series.list), which run there.
# Usage: suite-list.sh FILE [SERIES]
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

expect=$(expect_file upstream "$(vm_machine)")
mkdir -p "$(dirname "$1")"
awk -v ex="${expect:-/dev/null}" -v series="${2:-$TOP/tests/series.list}" '
	BEGIN {
		while ((getline l < ex) > 0) { split(l, f, " "); if (f[2] == "exclude") skip[f[1]] }
		while ((getline l < series) > 0) { split(l, f, " "); skip[f[1]] }
	}
	!($1 in skip)' "$OUT/kselftest/all-tests" >"$1"
info "suite-list: $(wc -l <"$1") tests${expect:+, exclusions from ${expect#"$TOP"/}}"
