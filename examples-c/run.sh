#!/bin/sh
# Builds libopenai and runs one example of this directory end to end:
#   examples-c/run.sh [chat]
# Without OPENAI_API_KEY it runs against the bundled mock server (started here, stopped after);
# with it, against the real API (or OPENAI_BASE_URL).
set -eu
cd "$(dirname "$0")/.."
name=${1:-chat}
[ -f "examples-c/$name.c" ] || { echo "no example examples-c/$name.c" >&2; exit 2; }

cargo build --quiet --lib
target=${CARGO_TARGET_DIR:-target}
# The program finds the library through its RUNPATH, which must be absolute: a relative
# CARGO_TARGET_DIR is relative to this directory, as it is for cargo.
case $target in /*) ;; *) target=$PWD/$target ;; esac
mkdir -p "$target/examples-c"
cc -std=c11 -Wall -Wextra -Werror -pedantic -Iinclude "examples-c/$name.c" \
   -L"$target/debug" -lopenai -Wl,-rpath,"$target/debug" -o "$target/examples-c/$name"

if [ -n "${OPENAI_API_KEY:-}" ]; then
    exec "$target/examples-c/$name"
fi

echo "OPENAI_API_KEY is not set: running against the mock server" >&2
cargo build --quiet -p openai-mock
log=$(mktemp)
"$target/debug/openai-mock" --quiet >"$log" &
mock=$!
trap 'kill $mock 2>/dev/null; rm -f "$log"' EXIT INT TERM
tries=0
until grep -q '^OPENAI_MOCK_URL=' "$log"; do
    tries=$((tries + 1))
    [ $tries -lt 100 ] || { echo "the mock server did not start" >&2; exit 1; }
    sleep 0.1
done
url=$(sed -n 's/^OPENAI_MOCK_URL=//p' "$log")
# MOCK_URL: the mock's control endpoints (/__mock/...), for the examples that script it.
OPENAI_API_KEY=sk-mock OPENAI_BASE_URL="$url/v1" MOCK_URL="$url" "$target/examples-c/$name"
