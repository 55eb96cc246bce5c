#!/usr/bin/env bash
# Build rust-vmm's kvm-ioctls test suite and tests/rust-vmm (vmm-uapi-check)
# with Debian's Rust toolchain, offline, from the crates fetch-crates.sh
# unpacked, statically linked; write the test list $OUT/rust-vmm/tests.list
# (every test the suite has, then the program) and $OUT/rust-vmm.cpio, which
# puts them under /kvm of the test VM.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

CRATES=$BUILD/tools/crates
R=$OUT/rust-vmm
[ -d "$CRATES" ] || die "no crates: run scripts/fetch-crates.sh"
[ -f "$OUT/usr/include/linux/kvm.h" ] || die "no uAPI headers of the test kernel: run 'make'"
# Debian's toolchain (cargo-web, rustc-web), not one earlier in PATH.
CARGO=/usr/bin/cargo
if [ ! -x "$CARGO" ] || [ ! -x /usr/bin/rustc ]; then
	die "Debian's Rust toolchain is missing: apt-get install cargo-web rustc-web"
fi
export RUSTC=/usr/bin/rustc CARGO_HOME=$R/cargo-home CARGO_TARGET_DIR=$R/target \
	RUSTFLAGS="-C target-feature=+crt-static"
mkdir -p "$CARGO_HOME"
cat >"$CARGO_HOME/config.toml" <<-TOML
	[source.crates-io]
	replace-with = "debian"
	[source.debian]
	directory = "$CRATES"
	[net]
	offline = true
	TOML
# Cargo's JSON messages go to build.json, which names the executables.
cargo() {
	"$CARGO" "$@" --release --target x86_64-unknown-linux-gnu --message-format=json-render-diagnostics \
		>>"$R/build.json" 2>>"$R/build.log" ||
		die "rust-vmm-build: cargo $1 failed in $PWD (log: ${R#"$TOP"/}/build.log)"
}
: >"$R/build.log"
: >"$R/build.json"

# kvm-ioctls as Debian ships it, less Debian's patch that makes the tests
# return early, and pass, when /dev/kvm cannot be opened: in the test VM a
# test that cannot open it must fail.
src=$(echo "$CRATES"/kvm-ioctls-*)
info "rust-vmm-build: ${src##*/} tests with $("$CARGO" --version | cut -d' ' -f1-2)"
rm -rf "$R/kvm-ioctls"
cp -r "$src" "$R/kvm-ioctls"
patch -d "$R/kvm-ioctls" -R -p1 -s <"$R/kvm-ioctls/debian/patches/dont-fail-tests-if-kvm-cannot-be-opened.patch" ||
	die "rust-vmm-build: Debian's patch to kvm-ioctls' tests does not reverse; check debian/patches of ${src##*/}"
(cd "$R/kvm-ioctls" && cargo test --no-run)
suite=$(grep -o '"executable":"[^"]*/kvm_ioctls-[0-9a-f]*"' "$R/build.json" | tail -n 1 | cut -d'"' -f4)
[ -x "$suite" ] || die "rust-vmm-build: no test executable in ${R#"$TOP"/}/build.json"

# The program, built from a copy (cargo writes Cargo.lock beside it), with
# the series' constants from the test kernel's uAPI headers.
info "rust-vmm-build: vmm-uapi-check"
rm -rf "$R/vmm-uapi-check"
cp -r "$TOP/tests/rust-vmm" "$R/vmm-uapi-check"
printf '#include <linux/kvm.h>\n' | gcc -E -dM -isystem "$OUT/usr/include" - |
	awk '$2 == "KVM_CAP_DISABLE_QUIRKS2" || $2 == "KVM_X86_QUIRK_UNCHECKED_ARCH_CAPABILITIES" {
		v = $3; for (i = 4; i <= NF; i++) v = v " " $i; gsub(/[()]/, "", v)
		print "const " $2 ": u64 = " v ";" }' >"$R/uapi.rs"
[ "$(wc -l <"$R/uapi.rs")" = 2 ] || die "rust-vmm-build: the test kernel's linux/kvm.h lacks the series' quirk"
(cd "$R/vmm-uapi-check" && KVMT_UAPI_RS=$R/uapi.rs cargo build)

# One list entry per test of the suite, each a link to kvm-ioctls.sh.
root=$R/root
rm -rf "$root"
mkdir -p "$root/kvm/kvm-ioctls" "$root/kvm/rust-vmm"
strip -o "$root/kvm/kvm-ioctls/suite" "$suite"
cp "$TOP/tests/rust-vmm/kvm-ioctls.sh" "$root/kvm/kvm-ioctls/kvm-ioctls.sh"
"$suite" --list 2>/dev/null | sed -n 's/: test$//p' >"$R/suite.tests"
[ -s "$R/suite.tests" ] || die "rust-vmm-build: the kvm-ioctls suite lists no tests"
: >"$R/tests.list"
while read -r t; do
	ln -s kvm-ioctls.sh "$root/kvm/kvm-ioctls/$t"
	echo "kvm-ioctls/$t" >>"$R/tests.list"
done <"$R/suite.tests"
strip -o "$root/kvm/rust-vmm/vmm-uapi-check" "$R/target/x86_64-unknown-linux-gnu/release/vmm-uapi-check"
echo rust-vmm/vmm-uapi-check >>"$R/tests.list"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$OUT/rust-vmm.cpio"
info "rust-vmm-build: $(wc -l <"$R/suite.tests") kvm-ioctls tests and vmm-uapi-check"
