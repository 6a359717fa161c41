#!/bin/sh
# The Go binding's test command (run from anywhere): builds libopenai and the mock server with
# cargo into ${CARGO_TARGET_DIR:-<repo>/target}, then runs `go test -race` on the package with
# the cgo flags pointing at the library. Extra arguments go to `go test` (e.g. -run Stream -v).
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
export CGO_LDFLAGS="-L$target/debug -Wl,-rpath,$target/debug ${CGO_LDFLAGS:-}"
export OPENAI_MOCK_BIN="$target/debug/openai-mock"
# The module needs nothing but the standard library: no downloads, no toolchain switch.
export GOPROXY=off
export GOTOOLCHAIN=local

cd "$here"
exec go test -race -count=1 "$@" ./...
