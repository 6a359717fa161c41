#!/bin/sh
# The Go binding's test command (run from anywhere; tests/run-all.sh runs it). Extra arguments
# go to the in-tree `go test` (e.g. -run Stream -v).
#
# 1. In the tree, as a developer builds it without installing: libopenai and the mock server
#    built with cargo into ${CARGO_TARGET_DIR:-<repo>/target}, the package built with the
#    build tag openai_no_pkgconfig and CGO_CFLAGS/CGO_LDFLAGS pointing at the tree (the
#    README's fallback), `go test -race` on it.
# 2. From outside the tree, as a user: libopenai installed into a temporary prefix with
#    `cargo cinstall`; the module published into a module proxy directory made from the tree;
#    a program of a module of its own (testdata/app) that adds the binding with `go get`
#    (GOPROXY=file://...), built through pkg-config (PKG_CONFIG_PATH) with no replace
#    directive and no CGO flags, linked to the installed library, run against the mock.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
case $target in
/*) ;;
*) target=$(pwd)/$target ;;
esac
export CARGO_TARGET_DIR="$target"

(cd "$root" && cargo build --quiet --lib -p openai-capi && cargo build --quiet -p openai-mock)

export CGO_ENABLED=1
# The module needs nothing but the standard library: no downloads, no toolchain switch.
export GOTOOLCHAIN=local

echo "go: in the tree (build tag openai_no_pkgconfig)"
(
    cd "$here"
    GOPROXY=off \
    CGO_CFLAGS="-I$root/include ${CGO_CFLAGS:-}" \
    CGO_LDFLAGS="-L$target/debug -Wl,-rpath,$target/debug ${CGO_LDFLAGS:-}" \
    OPENAI_MOCK_BIN="$target/debug/openai-mock" \
    go test -race -count=1 -tags openai_no_pkgconfig "$@" ./...
)

echo "go: a user's module, go get from a module proxy, the library installed (pkg-config)"
command -v cargo-cinstall >/dev/null || { echo "cargo-c is not installed: .ci/run installs it" >&2; exit 1; }
command -v pkg-config >/dev/null || { echo "pkg-config is not installed: .ci/run installs it" >&2; exit 1; }
work=$(mktemp -d)
mock_pid=
cleanup() {
    [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
prefix=$work/prefix
# The same command as tests/install.sh, so that run-all.sh builds the release library once.
(cd "$root" && cargo cinstall --release --prefix="$prefix" --libdir="$prefix/lib" >"$work/cinstall.log" 2>&1) || { cat "$work/cinstall.log" >&2; exit 1; }
version=v$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)
module=$(sed -n 's/^module //p' "$here/go.mod")
(cd "$here" && GOPROXY=off go run ./internal/modproxy -version "$version" -out "$work/proxy")

mkdir "$work/app"
cp "$here/testdata/app/main.go" "$work/app/"
cd "$work/app"
printf 'module example.com/app\n\ngo 1.23\n' >go.mod
unset CGO_CFLAGS CGO_LDFLAGS
export GOPROXY="file://$work/proxy" GOSUMDB=off GOMODCACHE="$work/modcache" GOFLAGS=-modcacherw
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
go get "$module@$version"
go mod tidy
grep -q "^require $module $version\$" go.mod || { echo "go get did not require $module $version:" >&2; cat go.mod >&2; exit 1; }
if grep -q replace go.mod; then echo "go.mod has a replace directive" >&2; exit 1; fi
go build -o app .
# It links the installed library, found where a user's program finds it.
linked=$(LD_LIBRARY_PATH="$prefix/lib" ldd ./app | sed -n 's/.*libopenai[^ ]* => \([^ ]*\).*/\1/p')
[ "$linked" = "$prefix/lib/libopenai.so.0.1" ] || { echo "the program links '$linked', not $prefix/lib/libopenai.so.0.1" >&2; exit 1; }

"$target/debug/openai-mock" --quiet >"$work/mock.out" 2>/dev/null &
mock_pid=$!
for _ in $(seq 100); do grep -q OPENAI_MOCK_URL "$work/mock.out" && break; sleep 0.1; done
url=$(sed -n 's/^OPENAI_MOCK_URL=//p' "$work/mock.out")
output=$(OPENAI_API_KEY=sk-go-user-test OPENAI_BASE_URL="$url/v1" LD_LIBRARY_PATH="$prefix/lib" ./app)
expected="chat: Hello! How can I help you today?
files: 7
response events: true
missing model: true
library: ${version#v}"
if [ "$output" != "$expected" ]; then
    printf 'the program printed:\n%s\nexpected:\n%s\n' "$output" "$expected" >&2
    exit 1
fi
echo "ok: $module@$version from a module proxy, built with pkg-config against $prefix, run against the mock"
