#!/usr/bin/env bash
# Configure and build the test kernel out of tree in $OUT: tinyconfig, the
# selftests' config fragment, then config/kvm-test.config.  The .config is
# only replaced when its inputs change, so a rebuild stays incremental.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

KMAKE=(make -C "$LINUX" O="$OUT" -j"$JOBS" CC="ccache gcc" HOSTCC="ccache gcc")

mkdir -p "$OUT"
fragments=("$LINUX/tools/testing/selftests/kvm/config" "$TOP/config/kvm-test.config")
new=$OUT/.config.new
rm -rf "$OUT/cfg"
mkdir -p "$OUT/cfg"
make -C "$LINUX" O="$OUT/cfg" -s tinyconfig >/dev/null
(cd "$OUT/cfg" && "$LINUX/scripts/kconfig/merge_config.sh" -m -O . .config "${fragments[@]}" >merge.log 2>&1)
make -C "$LINUX" O="$OUT/cfg" -s olddefconfig >/dev/null
cp "$OUT/cfg/.config" "$new"

# Every option the fragment asks for must survive olddefconfig.
missing=$(grep -h '^CONFIG_' "$TOP/config/kvm-test.config" | while IFS= read -r opt; do
	grep -qxF "$opt" "$new" || echo "$opt"
done)
[ -z "$missing" ] || die "config/kvm-test.config options lost by olddefconfig (missing dependencies?):
$missing"

if cmp -s "$new" "$OUT/.config"; then
	rm -f "$new"
else
	info "kernel: new .config"
	mv "$new" "$OUT/.config"
fi

info "kernel: building bzImage and modules (ccache)"
ticker kernel "$OUT" &
tick=$!
trap 'kill "$tick" 2>/dev/null || true' EXIT
"${KMAKE[@]}" -s bzImage modules
kill "$tick" 2>/dev/null || true
rm -rf "$OUT/mod-root"
"${KMAKE[@]}" -s INSTALL_MOD_PATH="$OUT/mod-root" INSTALL_MOD_STRIP=1 modules_install
"${KMAKE[@]}" -s headers_install >/dev/null
info "kernel: $(cat "$OUT/include/config/kernel.release")"
